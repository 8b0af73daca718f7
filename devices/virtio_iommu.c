// SPDX-License-Identifier: MIT
/* The virtio-iommu device: requests from the guest's queue, checked and handed to the core. */
#include "devices/virtio_iommu.h"

#include <endian.h>
#include <errno.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_iommu.h>
#include <linux/virtio_ring.h>
#include <stddef.h>
#include <string.h>

#define REQ_QUEUE 0
#define QUEUE_SIZE 256
#define MAX_SEGS 16
#define TAIL sizeof(struct virtio_iommu_req_tail)

static const uint64_t features = 1ULL << VIRTIO_IOMMU_F_INPUT_RANGE |
				 1ULL << VIRTIO_IOMMU_F_MAP_UNMAP | 1ULL << VIRTIO_IOMMU_F_PROBE |
				 1ULL << VIRTIO_IOMMU_F_BYPASS_CONFIG |
				 1ULL << VIRTIO_RING_F_INDIRECT_DESC;

static void cfg_read(void *dev, uint32_t off, void *data, unsigned int len)
{
	struct virtio_iommu *vi = dev;
	struct virtio_iommu_config c = {
		.page_size_mask = htole64(vi->page_size_mask),
		.input_range = {htole64(vi->core.input_start), htole64(vi->core.input_end)},
		.domain_range = {0, htole32(UINT32_MAX)},
		.probe_size = htole32(VIRTIO_IOMMU_PROBE_SIZE),
		.bypass = vi->core.bypass,
	};

	if (off < sizeof(c) && len <= sizeof(c) - off)
		memcpy(data, (uint8_t *)&c + off, len);
	else
		memset(data, 0, len);
}

/* Only bypass is the driver's to write, and only once it accepted BYPASS_CONFIG. */
static void cfg_write(void *dev, uint32_t off, const void *data, unsigned int len)
{
	struct virtio_iommu *vi = dev;

	if (off != offsetof(struct virtio_iommu_config, bypass) || len != 1 ||
	    !virtio_pci_has_feature(&vi->vp, VIRTIO_IOMMU_F_BYPASS_CONFIG))
		return;
	viommu_set_bypass(&vi->core, *(const uint8_t *)data & 1);
}

static void dev_reset(void *dev)
{
	viommu_reset(&((struct virtio_iommu *)dev)->core);
}

/* PROBE's properties: the MSI window, then the host's reserved ranges. */
static void probe_properties(struct virtio_iommu *vi, uint8_t *buf)
{
	struct viommu_range msi, resv[VIOMMU_MAX_HOST_RANGES * 2];
	unsigned int n = viommu_resv_regions(&vi->core, &msi, resv, VIOMMU_MAX_HOST_RANGES * 2);
	size_t at = 0;

	for (unsigned int i = 0; i <= n; i++) {
		struct virtio_iommu_probe_resv_mem p = {
			.head = {htole16(VIRTIO_IOMMU_PROBE_T_RESV_MEM),
				 htole16(sizeof(p) - sizeof(p.head))},
			.subtype =
				i ? VIRTIO_IOMMU_RESV_MEM_T_RESERVED : VIRTIO_IOMMU_RESV_MEM_T_MSI,
			.start = htole64(i ? resv[i - 1].start : msi.start),
			.end = htole64(i ? resv[i - 1].end : msi.end),
		};

		if (at + sizeof(p) > VIRTIO_IOMMU_PROBE_SIZE)
			break;
		memcpy(buf + at, &p, sizeof(p));
		at += sizeof(p);
	}
}

/* The readable part of a request of size want (head included), or false if it is shorter. */
static bool req_read(struct virtio_iommu *vi, const struct virtq_chain *c, void *req, size_t want)
{
	return c->read_len >= want && virtq_chain_read(c, vi->vp.p.mem, 0, req, want) == want;
}

/* Handle one request; returns the used length (0: the buffers were not written). */
static uint32_t handle(struct virtio_iommu *vi, const struct virtq_chain *c)
{
	const struct guest_mem *mem = vi->vp.p.mem;
	struct virtio_iommu_req_tail tail = {VIRTIO_IOMMU_S_INVAL};
	uint8_t props[VIRTIO_IOMMU_PROBE_SIZE] = {0};
	struct virtio_iommu_req_head head;
	bool by_core = true;
	uint64_t tail_at;
	union {
		struct virtio_iommu_req_attach attach;
		struct virtio_iommu_req_detach detach;
		struct virtio_iommu_req_map map;
		struct virtio_iommu_req_unmap unmap;
		struct virtio_iommu_req_probe probe;
	} r;

	/* without a head to read or room for a tail the request cannot be answered */
	if (c->write_len < TAIL || c->write_len > UINT32_MAX ||
	    virtq_chain_read(c, mem, 0, &head, sizeof(head)) != sizeof(head))
		return 0;
	tail_at = c->write_len - TAIL;
	/* a request too short for its type, or a reserved field refused, never reaches the core */
	switch (head.type) {
	case VIRTIO_IOMMU_T_ATTACH:
		by_core = false;
		if (!req_read(vi, c, &r.attach, sizeof(r.attach) - TAIL))
			break;
		/* a non-zero reserved field must be refused */
		for (unsigned int i = 0; i < sizeof(r.attach.reserved); i++)
			if (r.attach.reserved[i])
				goto done;
		by_core = true;
		tail.status = viommu_attach(&vi->core, le32toh(r.attach.domain),
					    le32toh(r.attach.endpoint), le32toh(r.attach.flags));
		break;
	case VIRTIO_IOMMU_T_DETACH:
		by_core = req_read(vi, c, &r.detach, sizeof(r.detach) - TAIL);
		if (by_core)
			tail.status = viommu_detach(&vi->core, le32toh(r.detach.domain),
						    le32toh(r.detach.endpoint));
		break;
	case VIRTIO_IOMMU_T_MAP:
		by_core = req_read(vi, c, &r.map, sizeof(r.map) - TAIL);
		if (by_core)
			tail.status = viommu_map(&vi->core, le32toh(r.map.domain),
						 le64toh(r.map.virt_start), le64toh(r.map.virt_end),
						 le64toh(r.map.phys_start), le32toh(r.map.flags));
		break;
	case VIRTIO_IOMMU_T_UNMAP:
		by_core = req_read(vi, c, &r.unmap, sizeof(r.unmap) - TAIL);
		if (by_core)
			tail.status = viommu_unmap(&vi->core, le32toh(r.unmap.domain),
						   le64toh(r.unmap.virt_start),
						   le64toh(r.unmap.virt_end));
		break;
	case VIRTIO_IOMMU_T_PROBE:
		if (!virtio_pci_has_feature(&vi->vp, VIRTIO_IOMMU_F_PROBE))
			return 0;
		by_core = false;
		vi->core.stats.probe++;
		if (!req_read(vi, c, &r.probe,
			      offsetof(struct virtio_iommu_req_probe, properties)) ||
		    c->write_len < VIRTIO_IOMMU_PROBE_SIZE + TAIL)
			break;
		if (!viommu_endpoint(&vi->core, le32toh(r.probe.endpoint))) {
			tail.status = VIRTIO_IOMMU_S_NOENT;
			break;
		}
		probe_properties(vi, props);
		virtq_chain_write(c, mem, 0, props, sizeof(props));
		tail.status = VIRTIO_IOMMU_S_OK;
		break;
	default:
		return 0; /* an unknown type: buffers returned unwritten, as the spec asks */
	}
done:
	if (tail.status != VIRTIO_IOMMU_S_OK && !by_core)
		vi->core.stats.errors++; /* refused before the core saw it (it counts its own) */
	virtq_chain_write(c, mem, tail_at, &tail, sizeof(tail));
	return (uint32_t)c->write_len;
}

static void notify(void *dev, struct virtio_pci *vp, unsigned int q)
{
	struct virtio_iommu *vi = dev;
	struct virtq_seg seg[MAX_SEGS];
	struct virtq_chain c = {.seg = seg, .max = MAX_SEGS};
	bool used = false;
	int r;

	if (q != REQ_QUEUE)
		return; /* the event queue: the driver only hands us buffers there */
	vi->core.bypass_config = virtio_pci_has_feature(vp, VIRTIO_IOMMU_F_BYPASS_CONFIG);
	while ((r = virtq_pop(&vp->q[q], vp->p.mem, &c)) == 1) {
		if (virtq_push(&vp->q[q], vp->p.mem, c.head, handle(vi, &c))) {
			r = -EIO;
			break;
		}
		used = true;
	}
	if (r < 0)
		virtio_pci_broken(vp, "malformed request queue");
	if (used)
		virtio_pci_used(vp, q);
}

static const struct virtio_dev_ops iommu_ops = {
	.cfg_read = cfg_read,
	.cfg_write = cfg_write,
	.notify = notify,
	.reset = dev_reset,
};

int virtio_iommu_init(struct virtio_iommu *vi, const struct virtio_iommu_params *p)
{
	struct virtio_pci_params vpp = {
		.name = p->name ? p->name : "virtio-iommu",
		.device_type = VIRTIO_ID_IOMMU,
		.class_code = VIRTIO_IOMMU_CLASS,
		.features = features,
		.nr_queues = 2,
		.queue_size = QUEUE_SIZE,
		.cfg_size = sizeof(struct virtio_iommu_config),
		.nr_vectors = 3, /* configuration changes, requests, events */
		.ops = &iommu_ops,
		.dev = vi,
		.mem = p->mem,
		.bus = p->bus,
		.msi = p->msi,
		.intx = p->intx,
	};
	uint64_t mask = p->page_size_mask ? p->page_size_mask : 4096;

	if (!p->space_ops || !p->mem)
		return -EINVAL;
	memset(vi, 0, sizeof(*vi));
	vi->page_size_mask = mask;
	viommu_init(&vi->core, p->mem, p->space_ops, mask & -mask, p->usable, p->nr_usable);
	return virtio_pci_init(&vi->vp, &vpp);
}

void virtio_iommu_destroy(struct virtio_iommu *vi)
{
	virtio_pci_destroy(&vi->vp);
	viommu_destroy(&vi->core);
}
