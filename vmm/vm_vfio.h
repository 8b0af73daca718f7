/* SPDX-License-Identifier: MIT */
/*
 * Passthrough devices in a VM: vfio/'s assignment and PCI functions plugged into the VM object
 * (memory slots, MSI routes, irqfds, KVM's VFIO device) and into PCI bus 0.
 */
#ifndef VFVM_VM_VFIO_H
#define VFVM_VM_VFIO_H

#include "devices/pci.h"
#include "vfio/vfio.h"
#include "vmm/vm.h"

struct vm_vfio_slot {
	struct vm_vfio *owner;
	struct vfio_pci *pci; /* NULL until created: config reads all-ones meanwhile */
	int devfn;
};

struct vm_vfio {
	struct vm *vm;
	struct pci_bus *bus;
	int kvm_vfio_fd; /* KVM_DEV_TYPE_VFIO, created with the first group */
	struct vfio_assignment assign;
	bool assigned;
	struct vm_vfio_slot all; /* the VM ops' opaque for the assignment as a whole */
	struct vm_vfio_slot slots[VFIO_MAX_ASSIGNED];
	unsigned int nr_slots;
};

/* The IOAPIC input of INTx pin (0 = INTA) of a slot on bus 0, as the platform's tables say. */
typedef unsigned int (*vm_vfio_intx_fn)(unsigned int slot, unsigned int pin);

/*
 * Assign the devices (addresses as the user wrote them) to vm, whose RAM is allocated: DMA maps,
 * one PCI function each on bus at the first free slot, INTx on intx_gsi(slot, pin), no BAR
 * decoded over the platform's reserved guest-physical ranges [start, end). Before any vCPU runs.
 * On failure everything is undone and the errbuf names the device and what to do.
 * container_per_group: a VFIO container for each group (for a guest IOMMU, vmm/vm_viommu.h).
 */
int vm_vfio_attach(struct vm_vfio *v, struct vm *vm, struct pci_bus *bus, const char *const *addrs,
		   unsigned int n, vm_vfio_intx_fn intx_gsi, const uint64_t (*reserved)[2],
		   unsigned int nr_reserved, bool container_per_group, struct errbuf *e);
/* Start mapping guest RAM for DMA beside the guest: after the privilege drop, before vm_start(). */
int vm_vfio_start_dma(struct vm_vfio *v, struct errbuf *e);
/*
 * Give every BAR of the attached devices an address, as firmware would (direct kernel boot has
 * none): each memory BAR naturally aligned and at least a page to itself, so that BARs smaller
 * than a page can be mapped into the guest; 64-bit BARs of 64 MiB or more in the bus's 64-bit
 * window above RAM when it has one. Decoding stays off until the guest's driver turns it on.
 * -ENOSPC naming the device, BAR and size that fit no window.
 */
int vm_vfio_place_bars(struct vm_vfio *v, struct errbuf *e);
/* After the vCPUs stopped: remove the functions, reset the devices, unmap, close. */
void vm_vfio_detach(struct vm_vfio *v);

#endif
