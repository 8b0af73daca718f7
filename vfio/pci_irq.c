// SPDX-License-Identifier: MIT
/*
 * Interrupts of a passthrough device, without the VMM in their path.
 *
 * An MSI or MSI-X vector is an eventfd that VFIO signals and KVM consumes (irqfd) to inject the
 * guest's (address, data) route. Masking a vector detaches the irqfd: the device's signals then
 * collect in the eventfd, which is what the guest reads as "pending", and KVM delivers the pending
 * signal as soon as the irqfd is attached again on unmask. INTx is an irqfd on the slot's IOAPIC
 * input with a resample eventfd that VFIO uses to unmask the line when the guest EOIs it.
 */
#include "vfio/pci_dev.h"

#include <errno.h>
#include <linux/pci_regs.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

static int set_irqs(struct vfio_pci *p, unsigned int index, uint32_t flags, unsigned int start,
		    unsigned int count, const int *fds)
{
	size_t size = sizeof(struct vfio_irq_set) + (fds ? count * sizeof(int32_t) : 0);
	struct vfio_irq_set *set = calloc(1, size);
	int err;

	if (!set)
		return -ENOMEM;
	set->argsz = (uint32_t)size;
	set->flags = flags | (fds ? VFIO_IRQ_SET_DATA_EVENTFD : VFIO_IRQ_SET_DATA_NONE);
	set->index = index;
	set->start = start;
	set->count = count;
	for (unsigned int i = 0; fds && i < count; i++) {
		int32_t fd = fds[i];

		memcpy(set->data + i * sizeof(fd), &fd, sizeof(fd));
	}
	err = p->be_ops->set_irqs(p->be, set);
	free(set);
	return err;
}

int vfio_pci_set_trigger(struct vfio_pci *p, unsigned int index, unsigned int count, const int *fds)
{
	/* count 0 with no data turns the index off */
	return set_irqs(p, index, VFIO_IRQ_SET_ACTION_TRIGGER, 0, count, count ? fds : NULL);
}

#define VFIO_PCI_MAX_WARNINGS 20

void vfio_pci_warn(struct vfio_pci *p, const char *fmt, ...)
{
	char msg[256];
	int n;
	va_list ap;

	if (!p->vm.ops->warn || p->warnings > VFIO_PCI_MAX_WARNINGS)
		return;
	if (p->warnings++ == VFIO_PCI_MAX_WARNINGS) {
		snprintf(msg, sizeof(msg), "%s: more problems; no longer reported", p->name);
		p->vm.ops->warn(p->vm.opaque, msg);
		return;
	}
	n = snprintf(msg, sizeof(msg), "%s: ", p->name);
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	p->vm.ops->warn(p->vm.opaque, msg);
}

void vfio_pci_vectors_sync(struct vfio_pci *p, struct vfio_pci_vector *v, unsigned int n,
			   const struct vfio_vector_want *want)
{
	const struct vfio_vm_ops *ops = p->vm.ops;
	struct vfio_route_change *c = NULL;
	unsigned int *of = NULL, nc = 0;
	int err = 0;

	/* masking detaches at once: its signals then wait in the eventfd (pending) */
	for (unsigned int i = 0; i < n; i++) {
		if (v[i].assigned && !want[i].on) {
			ops->irqfd_deassign(p->vm.opaque, v[i].gsi, v[i].efd);
			v[i].assigned = false;
		}
	}
	for (unsigned int i = 0; i < n; i++)
		nc += want[i].on && v[i].efd >= 0 &&
		      (v[i].gsi < 0 || v[i].addr != want[i].addr || v[i].data != want[i].data);
	if (nc) {
		c = calloc(nc, sizeof(*c));
		of = calloc(nc, sizeof(*of));
		nc = 0;
		for (unsigned int i = 0; c && of && i < n; i++) {
			if (!want[i].on || v[i].efd < 0 ||
			    (v[i].gsi >= 0 && v[i].addr == want[i].addr &&
			     v[i].data == want[i].data))
				continue;
			c[nc] = (struct vfio_route_change){v[i].gsi, false, want[i].addr,
							   want[i].data};
			of[nc++] = i;
		}
		err = c && of ? ops->msi_routes_commit(p->vm.opaque, c, nc) : -ENOMEM;
		if (err)
			vfio_pci_warn(p,
				      "cannot route %u interrupt vector(s): %s; they stay silent",
				      nc, strerror(-err));
		for (unsigned int k = 0; !err && k < nc; k++) {
			struct vfio_pci_vector *x = &v[of[k]];

			x->gsi = c[k].gsi;
			x->addr = c[k].addr;
			x->data = c[k].data;
		}
		free(c);
		free(of);
	}
	/* after the routes: an irqfd never fires into a route KVM does not have yet */
	for (unsigned int i = 0; i < n; i++) {
		if (!want[i].on || v[i].assigned || v[i].gsi < 0 || v[i].efd < 0)
			continue;
		if (ops->irqfd_assign(p->vm.opaque, v[i].gsi, v[i].efd, -1))
			vfio_pci_warn(p, "cannot attach vector %u to GSI %d", i, v[i].gsi);
		else
			v[i].assigned = true;
	}
}

void vfio_pci_vectors_release(struct vfio_pci *p, struct vfio_pci_vector *v, unsigned int n)
{
	struct vfio_route_change *c = calloc(n ? n : 1, sizeof(*c));
	unsigned int nc = 0;
	int err = 0;

	for (unsigned int i = 0; i < n; i++) {
		if (v[i].assigned)
			p->vm.ops->irqfd_deassign(p->vm.opaque, v[i].gsi, v[i].efd);
		v[i].assigned = false;
		if (v[i].gsi >= 0 && c)
			c[nc++] = (struct vfio_route_change){.gsi = v[i].gsi, .remove = true};
	}
	if (nc)
		err = p->vm.ops->msi_routes_commit(p->vm.opaque, c, nc);
	if (err || (!c && n))
		vfio_pci_warn(p, "cannot remove its interrupt routes: %s",
			      strerror(err ? -err : ENOMEM));
	free(c);
	for (unsigned int i = 0; i < n; i++) {
		if (v[i].efd >= 0)
			close(v[i].efd);
		v[i].efd = -1;
		v[i].gsi = -1;
	}
}

bool vfio_pci_vector_pending(const struct vfio_pci_vector *v)
{
	struct pollfd pfd = {.fd = v->efd, .events = POLLIN};

	/* attached vectors never look pending: KVM consumes their signals at once */
	return !v->assigned && v->efd >= 0 && poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

static int intx_on(struct vfio_pci *p)
{
	struct vfio_pci_intx *x = &p->intx;
	int err;

	err = set_irqs(p, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1, &x->trigger);
	if (err)
		return err;
	err = set_irqs(p, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_UNMASK, 0, 1, &x->resample);
	if (!err)
		err = p->vm.ops->irqfd_assign(p->vm.opaque, x->gsi, x->trigger, x->resample);
	if (err) {
		vfio_pci_set_trigger(p, VFIO_PCI_INTX_IRQ_INDEX, 0, NULL);
		return err;
	}
	x->enabled = true;
	return 0;
}

static void intx_off(struct vfio_pci *p)
{
	struct vfio_pci_intx *x = &p->intx;

	if (!x->enabled)
		return;
	p->vm.ops->irqfd_deassign(p->vm.opaque, x->gsi, x->trigger);
	vfio_pci_set_trigger(p, VFIO_PCI_INTX_IRQ_INDEX, 0, NULL);
	x->enabled = false;
}

void vfio_pci_intx_follow(struct vfio_pci *p)
{
	vfio_pci_intx_set(p, !p->msi.enabled && !p->msix.enabled);
}

void vfio_pci_intx_set(struct vfio_pci *p, bool on)
{
	if (!p->intx.available)
		return;
	if (on && !p->intx.enabled && intx_on(p))
		vfio_pci_warn(p, "cannot turn INTx back on; the device's line stays silent");
	else if (!on)
		intx_off(p);
}

int vfio_pci_intx_init(struct vfio_pci *p, int gsi, uint8_t pin)
{
	struct vfio_pci_intx *x = &p->intx;
	struct vfio_irq q;
	int err;

	x->gsi = gsi;
	x->trigger = x->resample = -1;
	x->available = false;
	x->enabled = false;
	p->shadow[PCI_INTERRUPT_PIN] = 0;
	if (gsi < 0 || !pin || pin > 4 || p->be_ops->irq_info(p->be, VFIO_PCI_INTX_IRQ_INDEX, &q) ||
	    !q.count || !(q.flags & VFIO_IRQ_INFO_EVENTFD))
		return 0; /* no INTx: the guest sees interrupt pin 0 and uses MSI(-X) */
	x->trigger = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	x->resample = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (x->trigger < 0 || x->resample < 0)
		return -errno;
	x->available = true;
	err = intx_on(p);
	if (err)
		return err;
	p->shadow[PCI_INTERRUPT_PIN] = pin;
	return 0;
}

void vfio_pci_intx_release(struct vfio_pci *p)
{
	intx_off(p);
	if (p->intx.trigger >= 0)
		close(p->intx.trigger);
	if (p->intx.resample >= 0)
		close(p->intx.resample);
	p->intx.trigger = p->intx.resample = -1;
	p->intx.available = false;
}
