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

int vfio_pci_vector_update(struct vfio_pci *p, struct vfio_pci_vector *v, bool want, uint64_t addr,
			   uint32_t data)
{
	const struct vfio_vm_ops *ops = p->vm.ops;
	int gsi;

	if (!want) {
		if (v->assigned)
			ops->irqfd_deassign(p->vm.opaque, v->gsi, v->efd);
		v->assigned = false;
		return 0;
	}
	if (v->gsi < 0) {
		gsi = ops->msi_route_add(p->vm.opaque, addr, data);
		if (gsi < 0)
			return gsi; /* no route: the vector stays silent rather than misdirected */
		v->gsi = gsi;
		v->addr = addr;
		v->data = data;
	} else if (v->addr != addr || v->data != data) {
		if (ops->msi_route_update(p->vm.opaque, v->gsi, addr, data))
			return -EIO;
		v->addr = addr;
		v->data = data;
	}
	if (!v->assigned && v->efd >= 0) {
		if (ops->irqfd_assign(p->vm.opaque, v->gsi, v->efd, -1))
			return -EIO;
		v->assigned = true;
	}
	return 0;
}

void vfio_pci_vector_release(struct vfio_pci *p, struct vfio_pci_vector *v)
{
	vfio_pci_vector_update(p, v, false, 0, 0);
	if (v->gsi >= 0)
		p->vm.ops->msi_route_free(p->vm.opaque, v->gsi);
	if (v->efd >= 0)
		close(v->efd);
	v->gsi = -1;
	v->efd = -1;
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

void vfio_pci_intx_set(struct vfio_pci *p, bool on)
{
	if (!p->intx.available)
		return;
	if (on && !p->intx.enabled)
		intx_on(p);
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
