/* SPDX-License-Identifier: MIT */
/*
 * virtio-iommu (virtio device type 23) on the modern virtio PCI transport: the request queue's
 * ATTACH, DETACH, MAP, UNMAP and PROBE, parsed and checked here and carried out by
 * devices/viommu.h, which shadows the guest's mappings into the host's IOMMU. Offered features:
 * INPUT_RANGE, MAP_UNMAP, PROBE (RESV_MEM: the MSI window as MSI bypass, the host's reserved
 * IOVAs), and BYPASS_CONFIG (bypass domains and the bypass setting); the event queue stays unused,
 * since the host reports DMA faults to its own log, not to vfvm.
 */
#ifndef VFVM_DEVICES_VIRTIO_IOMMU_H
#define VFVM_DEVICES_VIRTIO_IOMMU_H

#include "devices/viommu.h"
#include "devices/virtio_pci.h"

#define VIRTIO_IOMMU_PROBE_SIZE 512 /* room for 21 reserved regions */
#define VIRTIO_IOMMU_CLASS 0x088000 /* system peripheral, other */

struct virtio_iommu {
	struct virtio_pci vp;
	struct viommu core;
	uint64_t page_size_mask;
};

struct virtio_iommu_params {
	const char *name;
	const struct guest_mem *mem;
	struct io_bus *bus;
	struct msi_sink msi;
	struct irq_line intx; /* for a driver that does not use MSI-X */
	const struct viommu_space_ops *space_ops;
	uint64_t page_size_mask;	   /* the host IOMMU's page sizes (0: 4 KiB) */
	const struct viommu_range *usable; /* the host's usable IOVA ranges */
	unsigned int nr_usable;
};

int virtio_iommu_init(struct virtio_iommu *vi, const struct virtio_iommu_params *p);
void virtio_iommu_destroy(struct virtio_iommu *vi);

#endif
