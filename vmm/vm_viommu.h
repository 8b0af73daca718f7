/* SPDX-License-Identifier: MIT */
/*
 * --viommu: a virtio-iommu in front of the passed-through devices. Each host IOMMU group has a
 * VFIO container of its own (vfio_vm.container_per_group) that the device's shadowing keeps
 * holding what the guest's domain for it maps; each passed-through function is an endpoint whose
 * ID is its PCI requester ID on bus 0 (its devfn), as the ACPI VIOT table tells the guest.
 */
#ifndef VFVM_VM_VIOMMU_H
#define VFVM_VM_VIOMMU_H

#include "devices/virtio_iommu.h"
#include "vmm/vm_vfio.h"

struct vm_viommu;

struct vm_viommu_space {
	struct vm_viommu *owner;
	unsigned int group;
};

struct vm_viommu {
	struct vm *vm;
	struct vm_vfio *vfio;
	struct pci_bus *bus;
	struct virtio_iommu dev;
	bool dev_ready;
	int devfn; /* of the virtio-iommu function; -1 until it is on the bus */
	struct vm_viommu_space spaces[VFIO_MAX_ASSIGNED];
	int dma_err; /* RAM mapping's outcome, once waited for */
	bool dma_waited;
};

/*
 * After vm_vfio_attach() (with container_per_group): the virtio-iommu on PCI bus 0, its INTx on
 * intx_gsi(slot, 0), every assigned function an endpoint of it. The errbuf says what failed.
 */
int vm_viommu_attach(struct vm_viommu *v, struct vm *vm, struct vm_vfio *vfio, struct pci_bus *bus,
		     vm_vfio_intx_fn intx_gsi, struct errbuf *e);
/* After the vCPUs stopped, before vm_vfio_detach(). */
void vm_viommu_detach(struct vm_viommu *v);
/* The request and host-mapping counts, for --stats. */
void vm_viommu_print_stats(const struct vm_viommu *v, FILE *out);

#endif
