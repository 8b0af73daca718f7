// SPDX-License-Identifier: MIT
/* The virtio-iommu wired to the VM: host spaces are the groups' VFIO containers. */
#include "vmm/vm_viommu.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/*
 * Guest RAM is mapped into the containers beside the starting guest; the shadowing changes them
 * only once that mapping is done, so that nothing it undoes is mapped again after it.
 */
static int dma_ready(struct vm_viommu *v)
{
	if (!v->dma_waited) {
		struct errbuf e = {""};

		v->dma_err = vfio_assign_dma_wait(&v->vfio->assign, &e);
		v->dma_waited = true;
		if (v->dma_err)
			vm_fail(v->vm, "%s", errbuf_msg(&e));
	}
	return v->dma_err;
}

static int space_map(void *space, uint64_t iova, void *hva, uint64_t size, unsigned int prot)
{
	struct vm_viommu_space *s = space;
	uint32_t flags = (prot & VIOMMU_PROT_READ ? VFIO_DMA_MAP_FLAG_READ : 0) |
			 (prot & VIOMMU_PROT_WRITE ? VFIO_DMA_MAP_FLAG_WRITE : 0);
	int err = dma_ready(s->owner);

	return err ? err
		   : vfio_container_map_flags(
			     vfio_assign_container(&s->owner->vfio->assign, s->group), iova, hva,
			     size, flags);
}

static int space_unmap(void *space, uint64_t iova, uint64_t size)
{
	struct vm_viommu_space *s = space;
	int err = dma_ready(s->owner);

	return err ? err
		   : vfio_container_unmap(vfio_assign_container(&s->owner->vfio->assign, s->group),
					  iova, size);
}

static const struct viommu_space_ops space_ops = {.map = space_map, .unmap = space_unmap};

static int signal_msi(void *opaque, uint64_t addr, uint32_t data)
{
	return vm_signal_msi(opaque, addr, data);
}

int vm_viommu_attach(struct vm_viommu *v, struct vm *vm, struct vm_vfio *vfio, struct pci_bus *bus,
		     vm_vfio_intx_fn intx_gsi, struct errbuf *e)
{
	struct vfio_assignment *a = &vfio->assign;
	struct vfio_container *c0 = vfio_assign_container(a, 0);
	struct viommu_range usable[VIOMMU_MAX_HOST_RANGES];
	struct virtio_iommu_params p = {
		.name = "virtio-iommu",
		.mem = &vm->mem,
		.bus = &vm->bus,
		.msi = {signal_msi, vm},
		.space_ops = &space_ops,
		.page_size_mask = c0->pgsizes,
	};
	int err;

	memset(v, 0, sizeof(*v));
	v->devfn = -1;
	v->vm = vm;
	v->vfio = vfio;
	v->bus = bus;
	v->devfn = -1;
	if (!a->vm.container_per_group || !a->nr_groups)
		return errbuf_set(e, EINVAL, "--viommu needs at least one --vfio device");
	/* the first group's container speaks for the host IOMMU: they all sit on one */
	if (c0->ranges_reported) {
		for (unsigned int i = 0; i < c0->nr_ranges && i < VIOMMU_MAX_HOST_RANGES; i++)
			usable[i] = (struct viommu_range){c0->ranges[i].start, c0->ranges[i].end};
		p.usable = usable;
		p.nr_usable = c0->nr_ranges < VIOMMU_MAX_HOST_RANGES ? c0->nr_ranges
								     : VIOMMU_MAX_HOST_RANGES;
	}
	/* the slot first (no vCPU runs yet to look at it): the INTx route depends on it */
	v->devfn = pci_bus_add(bus, -1, &virtio_pci_cfg_ops, &v->dev.vp);
	if (v->devfn < 0)
		return errbuf_set(e, v->devfn, "virtio-iommu: no free slot on PCI bus 0");
	p.intx = vm_irq_line(vm, intx_gsi((unsigned int)v->devfn >> 3, 0));
	err = virtio_iommu_init(&v->dev, &p);
	if (err)
		return errbuf_set(e, err, "virtio-iommu: %s", strerror(-err));
	v->dev_ready = true;
	/* guest RAM is (being) mapped at IOVA == GPA: bypass, the device's reset state */
	for (unsigned int g = 0; g < a->nr_groups; g++) {
		v->spaces[g] = (struct vm_viommu_space){.owner = v, .group = g};
		viommu_add_space(&v->dev.core, &v->spaces[g], true);
	}
	for (unsigned int i = 0; i < vfio->nr_slots; i++) {
		unsigned int g = (unsigned int)(a->devs[i].group - a->groups);

		err = viommu_add_endpoint(&v->dev.core, (uint32_t)vfio->slots[i].devfn, g);
		if (err)
			return errbuf_set(e, err, "virtio-iommu: endpoint %s: %s",
					  a->devs[i].dev.name, strerror(-err));
	}
	return 0;
}

void vm_viommu_detach(struct vm_viommu *v)
{
	if (v->devfn >= 0)
		pci_bus_remove(v->bus, (unsigned int)v->devfn);
	v->devfn = -1;
	if (v->dev_ready)
		virtio_iommu_destroy(&v->dev);
	v->dev_ready = false;
}

void vm_viommu_print_stats(const struct vm_viommu *v, FILE *out)
{
	const struct viommu_stats *s = &v->dev.core.stats;

	fprintf(out,
		"vfvm: virtio-iommu requests: %llu attach, %llu detach, %llu map, %llu unmap, %llu "
		"probe, %llu refused; host IOMMU: %llu maps, %llu unmaps, %llu failed; guest "
		"mappings now: "
		"%llu (%llu bytes)\n",
		s->attach, s->detach, s->map, s->unmap, s->probe, s->errors, s->host_map,
		s->host_unmap, s->host_fail, s->mappings, s->mapped_bytes);
}
