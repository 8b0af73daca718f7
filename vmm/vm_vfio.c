// SPDX-License-Identifier: MIT
/* The VM's side of passthrough: vfio/'s VM ops over struct vm, and the devices on PCI bus 0. */
#include "vmm/vm_vfio.h"

#include <errno.h>
#include <linux/kvm.h>
#include <linux/pci_regs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm/sandbox.h"

/*
 * Every op's opaque is a slot: a device's own (its functions were created with it, so that MSI
 * routes know their sender's requester ID) or the assignment's (v->all, no devfn).
 */
static struct vm *vm_of(void *opaque)
{
	return ((struct vm_vfio_slot *)opaque)->owner->vm;
}

static int op_slot_add(void *opaque, uint64_t gpa, uint64_t size, void *hva, bool readonly)
{
	unsigned int slot;
	int r = vm_map_host_memory(vm_of(opaque), gpa, size, hva, readonly, &slot);

	return r ? r : (int)slot;
}

static int op_slot_remove(void *opaque, int slot)
{
	return vm_unmap_host_memory(vm_of(opaque), (unsigned int)slot);
}

static int op_routes_commit(void *opaque, struct vfio_route_change *c, unsigned int n)
{
	const struct vm_vfio_slot *slot = opaque;
	struct gsi_route_change *g = calloc(n ? n : 1, sizeof(*g));
	int r;

	if (!g)
		return -ENOMEM;
	/*
	 * Functions sit on bus 0: the requester ID is the devfn (-1 for the assignment's own
	 * opaque). The VM keeps it only if its irqchip wants one.
	 */
	for (unsigned int i = 0; i < n; i++)
		g[i] = (struct gsi_route_change){.gsi = c[i].gsi,
						 .remove = c[i].remove,
						 .addr = c[i].addr,
						 .data = c[i].data,
						 .devid = slot->devfn};
	r = vm_msi_routes_commit(vm_of(opaque), g, n);
	for (unsigned int i = 0; !r && i < n; i++)
		c[i].gsi = g[i].gsi;
	free(g);
	return r;
}

static void op_warn(void *opaque, const char *msg)
{
	(void)opaque;
	fprintf(stderr, "vfvm: %s\n", msg);
}

/* A device gave up a BAR range: the others' BARs that wanted it are decoded now. */
static void op_bar_space_freed(void *opaque, struct vfio_pci *from)
{
	struct vm_vfio *v = ((struct vm_vfio_slot *)opaque)->owner;

	for (unsigned int i = 0; i < v->nr_slots; i++)
		if (v->slots[i].pci && v->slots[i].pci != from)
			vfio_pci_bars_retry(v->slots[i].pci);
}

static int op_irqfd_assign(void *opaque, int gsi, int fd, int resample_fd)
{
	return vm_irqfd_assign(vm_of(opaque), fd, (unsigned int)gsi, resample_fd);
}

static int op_irqfd_deassign(void *opaque, int gsi, int fd)
{
	return vm_irqfd_deassign(vm_of(opaque), fd, (unsigned int)gsi);
}

/* KVM's VFIO pseudo-device learns each group, so that it handles non-coherent DMA for them. */
static int op_group_add(void *opaque, int group_fd)
{
	struct vm_vfio *v = ((struct vm_vfio_slot *)opaque)->owner;
	struct kvm_device_attr attr = {
		.group = KVM_DEV_VFIO_GROUP,
		.attr = KVM_DEV_VFIO_GROUP_ADD,
		.addr = (uintptr_t)&group_fd,
	};

	if (v->kvm_vfio_fd < 0) {
		struct kvm_create_device cd = {.type = KVM_DEV_TYPE_VFIO};

		if (ioctl(v->vm->vm_fd, KVM_CREATE_DEVICE, &cd))
			return -errno;
		v->kvm_vfio_fd = (int)cd.fd;
	}
	return ioctl(v->kvm_vfio_fd, KVM_SET_DEVICE_ATTR, &attr) ? -errno : 0;
}

/* A device's first bus-master enable: the guest waits here until its RAM is mapped for DMA. */
static int op_dma_ready(void *opaque)
{
	struct vm_vfio *v = ((struct vm_vfio_slot *)opaque)->owner;
	struct errbuf e = {""};
	int err = vfio_assign_dma_wait(&v->assign, &e);

	if (err)
		vm_fail(v->vm, "%s", errbuf_msg(&e));
	return err;
}

static int op_map_thread_start(void *opaque, struct errbuf *e)
{
	struct vm_vfio *v = ((struct vm_vfio_slot *)opaque)->owner;

	return sandbox_enter(v->vm->sandbox, SANDBOX_DMA_MAP, "DMA mapping", e);
}

static const struct vfio_vm_ops vm_vfio_ops = {
	.dma_ready = op_dma_ready,
	.mem_slot_add = op_slot_add,
	.mem_slot_remove = op_slot_remove,
	.msi_routes_commit = op_routes_commit,
	.warn = op_warn,
	.bar_space_freed = op_bar_space_freed,
	.irqfd_assign = op_irqfd_assign,
	.irqfd_deassign = op_irqfd_deassign,
	.kvm_vfio_group_add = op_group_add,
	.map_thread_start = op_map_thread_start,
};

static uint32_t cfg_read(void *opaque, unsigned int off, unsigned int len)
{
	struct vm_vfio_slot *s = opaque;
	uint8_t b[4] = {0xff, 0xff, 0xff, 0xff};

	if (s->pci)
		vfio_pci_config_read(s->pci, off, b, len);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void cfg_write(void *opaque, unsigned int off, uint32_t val, unsigned int len)
{
	struct vm_vfio_slot *s = opaque;
	uint8_t b[4] = {(uint8_t)val, (uint8_t)(val >> 8), (uint8_t)(val >> 16),
			(uint8_t)(val >> 24)};

	if (s->pci)
		vfio_pci_config_write(s->pci, off, b, len);
}

static const struct pci_dev_ops vm_vfio_pci_ops = {.cfg_read = cfg_read, .cfg_write = cfg_write};

int vm_vfio_attach(struct vm_vfio *v, struct vm *vm, struct pci_bus *bus, const char *const *addrs,
		   unsigned int n, vm_vfio_intx_fn intx_gsi, const uint64_t (*reserved)[2],
		   unsigned int nr_reserved, bool container_per_group, struct errbuf *e)
{
	struct vfio_vm vvm = {.ops = &vm_vfio_ops,
			      .opaque = &v->all,
			      .bus = &vm->bus,
			      .mem = &vm->mem,
			      .map_in_background = true,
			      .reserved = reserved,
			      .nr_reserved = nr_reserved,
			      .container_per_group = container_per_group};
	int err;

	memset(v, 0, sizeof(*v));
	v->all.owner = v;
	v->all.devfn = -1;
	v->vm = vm;
	v->bus = bus;
	v->kvm_vfio_fd = -1;
	err = vfio_assign_open(&v->assign, addrs, n, &vvm, e);
	if (err)
		return err;
	v->assigned = true;
	for (unsigned int i = 0; i < v->assign.nr_devs; i++) {
		struct vm_vfio_slot *s = &v->slots[i];
		uint8_t pin = 0;
		int gsi = -1;

		s->owner = v;
		s->devfn = pci_bus_add(bus, -1, &vm_vfio_pci_ops, s);
		if (s->devfn < 0) {
			err = errbuf_set(e, s->devfn, "%s: no free slot on PCI bus 0",
					 v->assign.devs[i].dev.name);
			goto fail;
		}
		v->nr_slots++;
		/* the pin the device uses decides the IOAPIC input, as the _PRT routes it */
		vfio_device_backend.region_read(&v->assign.devs[i].dev,
						VFIO_PCI_CONFIG_REGION_INDEX, PCI_INTERRUPT_PIN,
						&pin, 1);
		if (pin >= 1 && pin <= 4)
			gsi = (int)intx_gsi((unsigned int)s->devfn >> 3, pin - 1u);
		/* the function keeps a copy of the VM ops' opaque: its own slot */
		v->assign.vm.opaque = s;
		err = vfio_assign_create_pci(&v->assign, i, gsi, e);
		v->assign.vm.opaque = &v->all;
		if (err)
			goto fail;
		s->pci = v->assign.devs[i].pci;
	}
	return 0;
fail:
	vm_vfio_detach(v);
	return err;
}

int vm_vfio_start_dma(struct vm_vfio *v, struct errbuf *e)
{
	return v->assigned ? vfio_assign_map_start(&v->assign, e) : 0;
}

/* 64-bit BARs this large go above RAM first, leaving the low window to the smaller ones. */
#define VM_VFIO_BAR_HIGH (64ULL << 20)

struct placed_bar {
	struct vm_vfio_slot *slot;
	const char *name;
	struct vfio_pci_bar_desc d;
};

/* Largest first: each BAR is naturally aligned, so this wastes nothing between them. */
static int by_size_desc(const void *a, const void *b)
{
	const struct placed_bar *x = a, *y = b;

	return x->d.size < y->d.size ? 1 : x->d.size > y->d.size ? -1 : 0;
}

static void write_bar(struct vfio_pci *p, const struct vfio_pci_bar_desc *d, uint64_t addr)
{
	uint32_t lo = (uint32_t)addr, hi = (uint32_t)(addr >> 32);
	unsigned int reg = PCI_BASE_ADDRESS_0 + 4 * d->index;

	vfio_pci_config_write(p, reg, &lo, 4);
	if (d->is64)
		vfio_pci_config_write(p, reg + 4, &hi, 4);
}

static int bar_error(const struct vm_vfio *v, const struct placed_bar *b, struct errbuf *e)
{
	const struct pci_window *lo = &v->bus->win[PCI_BAR_MMIO32];
	const struct pci_window *hi = &v->bus->win[PCI_BAR_MMIO64];
	const struct pci_window *io = &v->bus->win[PCI_BAR_IO];
	char size[32];

	if (b->d.size >= (1ULL << 30))
		snprintf(size, sizeof(size), "%llu GiB", (unsigned long long)(b->d.size >> 30));
	else if (b->d.size >= (1ULL << 20))
		snprintf(size, sizeof(size), "%llu MiB", (unsigned long long)(b->d.size >> 20));
	else
		snprintf(size, sizeof(size), "%llu bytes", (unsigned long long)b->d.size);
	if (b->d.io)
		return errbuf_set(e, ENOSPC,
				  "%s: I/O BAR%u of %s does not fit in what is left of the guest's "
				  "I/O window [%#llx, %#llx)",
				  b->name, b->d.index, size, (unsigned long long)io->start,
				  (unsigned long long)io->end);
	if (!b->d.is64 || hi->end <= hi->start)
		return errbuf_set(e, ENOSPC,
				  "%s: %s BAR%u of %s does not fit in what is left of the guest's "
				  "PCI window below 4 GiB [%#llx, %#llx)%s",
				  b->name, b->d.is64 ? "64-bit" : "32-bit", b->d.index, size,
				  (unsigned long long)lo->start, (unsigned long long)lo->end,
				  b->d.is64 ? " (and this guest has no 64-bit window)" : "");
	return errbuf_set(e, ENOSPC,
			  "%s: 64-bit BAR%u of %s fits neither what is left of the guest's PCI "
			  "windows [%#llx, %#llx) and [%#llx, %#llx)",
			  b->name, b->d.index, size, (unsigned long long)lo->start,
			  (unsigned long long)lo->end, (unsigned long long)hi->start,
			  (unsigned long long)hi->end);
}

int vm_vfio_place_bars(struct vm_vfio *v, struct errbuf *e)
{
	struct placed_bar bars[VFIO_MAX_ASSIGNED * 6];
	unsigned int n = 0;

	for (unsigned int i = 0; i < v->nr_slots; i++) {
		struct vfio_pci_bar_desc d[6];
		unsigned int k = v->slots[i].pci ? vfio_pci_bar_descs(v->slots[i].pci, d) : 0;

		for (unsigned int j = 0; j < k; j++)
			bars[n++] =
				(struct placed_bar){&v->slots[i], v->assign.devs[i].dev.name, d[j]};
	}
	qsort(bars, n, sizeof(bars[0]), by_size_desc);
	for (unsigned int i = 0; i < n; i++) {
		const struct vfio_pci_bar_desc *d = &bars[i].d;
		uint64_t addr;
		int r;

		if (d->io) {
			r = pci_bar_alloc(v->bus, PCI_BAR_IO, d->size, &addr);
		} else if (d->is64 && d->size >= VM_VFIO_BAR_HIGH) {
			r = pci_bar_alloc(v->bus, PCI_BAR_MMIO64, d->size, &addr);
			if (r)
				r = pci_bar_alloc(v->bus, PCI_BAR_MMIO32, d->size, &addr);
		} else {
			r = pci_bar_alloc(v->bus, PCI_BAR_MMIO32, d->size, &addr);
			if (r && d->is64)
				r = pci_bar_alloc(v->bus, PCI_BAR_MMIO64, d->size, &addr);
		}
		if (r)
			return bar_error(v, &bars[i], e);
		write_bar(bars[i].slot->pci, d, addr);
	}
	return 0;
}

void vm_vfio_detach(struct vm_vfio *v)
{
	for (unsigned int i = 0; i < v->nr_slots; i++) {
		pci_bus_remove(v->bus, (unsigned int)v->slots[i].devfn);
		v->slots[i].pci = NULL;
	}
	v->nr_slots = 0;
	if (v->assigned)
		vfio_assign_close(&v->assign);
	v->assigned = false;
	if (v->kvm_vfio_fd >= 0)
		close(v->kvm_vfio_fd);
	v->kvm_vfio_fd = -1;
}
