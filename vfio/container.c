// SPDX-License-Identifier: MIT
/* The VFIO container: one IOMMU context shared by every group, and guest RAM mapped into it. */
#include "vfio/container.h"
#include "vfio/info_cap.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int vfio_container_open(struct vfio_container *c, const char *dev_dir, struct errbuf *e)
{
	char path[PATH_MAX];
	int api, err;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	snprintf(path, sizeof(path), "%s/vfio", dev_dir);
	c->fd = open(path, O_RDWR | O_CLOEXEC);
	if (c->fd < 0) {
		err = errno;
		if (err == ENOENT)
			return errbuf_set(e, err,
					  "%s is missing: load the vfio module (modprobe vfio-pci)",
					  path);
		return errbuf_set(e, err, "cannot open %s: %s%s", path, strerror(err),
				  err == EACCES ? " (run as root)" : "");
	}
	api = ioctl(c->fd, VFIO_GET_API_VERSION);
	if (api != VFIO_API_VERSION) {
		err = errbuf_set(e, EPROTO, "%s speaks VFIO API %d, vfvm needs %d", path, api,
				 VFIO_API_VERSION);
		goto fail;
	}
	if (ioctl(c->fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) <= 0) {
		err = errbuf_set(e, ENOTSUP,
				 "%s does not offer the TYPE1v2 IOMMU: is vfio_iommu_type1 loaded?",
				 path);
		goto fail;
	}
	return 0;
fail:
	close(c->fd);
	c->fd = -1;
	return err;
}

int vfio_iova_ranges_parse(const void *buf, size_t len, uint32_t cap_offset,
			   struct vfio_iova_range *ranges, unsigned int max, unsigned int *nr)
{
	struct vfio_iommu_type1_info_cap_iova_range hdr;
	const unsigned char *p = buf;
	struct vfio_info_cap cap;
	int err;

	*nr = 0;
	err = vfio_info_cap_find(buf, len, cap_offset, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE,
				 sizeof(hdr), &cap);
	if (err)
		return err;
	memcpy(&hdr, p + cap.offset, sizeof(hdr));
	if (hdr.nr_iovas > (cap.size - sizeof(hdr)) / sizeof(struct vfio_iova_range))
		return -EINVAL;
	for (uint32_t i = 0; i < hdr.nr_iovas; i++) {
		struct vfio_iova_range r;

		memcpy(&r, p + cap.offset + sizeof(hdr) + (size_t)i * sizeof(r), sizeof(r));
		if (r.start > r.end)
			return -EINVAL;
		/* dropping ranges beyond max only makes us stricter, never wrong */
		if (*nr < max)
			ranges[(*nr)++] = r;
	}
	return 0;
}

int vfio_container_set_iommu(struct vfio_container *c, struct errbuf *e)
{
	struct vfio_iommu_type1_info *info;
	uint32_t argsz = sizeof(*info);
	int err;

	if (!c->iommu_set) {
		if (ioctl(c->fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
			err = errno;
			return errbuf_set(e, err, "VFIO_SET_IOMMU(TYPE1v2) failed: %s",
					  strerror(err));
		}
		c->iommu_set = true;
	}
	/* the first call says how big the answer with its capability chain is */
	for (int tries = 0; tries < 2; tries++) {
		info = calloc(1, argsz);
		if (!info)
			return -ENOMEM;
		info->argsz = argsz;
		if (ioctl(c->fd, VFIO_IOMMU_GET_INFO, info)) {
			err = errno;
			free(info);
			return errbuf_set(e, err, "VFIO_IOMMU_GET_INFO failed: %s", strerror(err));
		}
		if (info->argsz <= argsz || tries == 1)
			break;
		argsz = info->argsz;
		free(info);
	}
	c->pgsizes = (info->flags & VFIO_IOMMU_INFO_PGSIZES) ? info->iova_pgsizes : 0;
	c->nr_ranges = 0;
	c->ranges_reported = false;
	if ((info->flags & VFIO_IOMMU_INFO_CAPS) && info->cap_offset) {
		err = vfio_iova_ranges_parse(info, argsz < info->argsz ? argsz : info->argsz,
					     info->cap_offset, c->ranges, VFIO_MAX_IOVA_RANGES,
					     &c->nr_ranges);
		if (err == -EINVAL) {
			free(info);
			return errbuf_set(e, EPROTO, "VFIO_IOMMU_GET_INFO: malformed IOVA ranges");
		}
		c->ranges_reported = !err;
	}
	free(info);
	return 0;
}

void vfio_container_close(struct vfio_container *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->iommu_set = false;
}

int vfio_container_map(struct vfio_container *c, uint64_t iova, void *hva, uint64_t size)
{
	return vfio_container_map_flags(c, iova, hva, size,
					VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE);
}

int vfio_container_map_flags(struct vfio_container *c, uint64_t iova, void *hva, uint64_t size,
			     uint32_t flags)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = flags,
		.vaddr = (uintptr_t)hva,
		.iova = iova,
		.size = size,
	};

	return ioctl(c->fd, VFIO_IOMMU_MAP_DMA, &map) ? -errno : 0;
}

int vfio_container_unmap(struct vfio_container *c, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = iova,
		.size = size,
	};

	return ioctl(c->fd, VFIO_IOMMU_UNMAP_DMA, &unmap) ? -errno : 0;
}

int vfio_iova_check(const struct vfio_iova_range *ranges, unsigned int nr, uint64_t start,
		    uint64_t size)
{
	uint64_t last;

	if (!size || start > UINT64_MAX - (size - 1))
		return -ERANGE;
	last = start + (size - 1);
	for (unsigned int i = 0; i < nr; i++)
		if (start >= ranges[i].start && last <= ranges[i].end)
			return 0;
	return -ERANGE;
}

int vfio_iova_check_ram(const struct vfio_iova_range *ranges, unsigned int nr,
			const struct guest_mem *mem, struct errbuf *e)
{
	for (unsigned int i = 0; i < mem->nr_ram; i++) {
		const struct ram_range *r = &mem->ram[i];

		if (vfio_iova_check(ranges, nr, r->gpa, r->size))
			return errbuf_set(e, ERANGE,
					  "guest RAM 0x%" PRIx64 "-0x%" PRIx64
					  " is not a usable IOVA range of the IOMMU (reserved or "
					  "beyond its address width): use less --memory",
					  r->gpa, r->gpa + r->size - 1);
	}
	return 0;
}

int vfio_container_map_ram(struct vfio_container *c, const struct guest_mem *mem, struct errbuf *e)
{
	int err;

	/* an old kernel that reports no ranges leaves the check to VFIO_IOMMU_MAP_DMA itself */
	if (c->ranges_reported) {
		err = vfio_iova_check_ram(c->ranges, c->nr_ranges, mem, e);
		if (err)
			return err;
	}
	for (unsigned int i = 0; i < mem->nr_ram; i++) {
		const struct ram_range *r = &mem->ram[i];

		err = vfio_container_map(c, r->gpa, r->hva, r->size);
		if (err) {
			for (unsigned int j = 0; j < i; j++)
				vfio_container_unmap(c, mem->ram[j].gpa, mem->ram[j].size);
			return errbuf_set(e, err,
					  "cannot map guest RAM 0x%" PRIx64 "+0x%" PRIx64
					  " for device DMA: %s%s",
					  r->gpa, r->size, strerror(-err),
					  err == -ENOMEM ? " (locked memory limit? raise ulimit -l)"
							 : "");
		}
	}
	return 0;
}

void vfio_container_unmap_ram(struct vfio_container *c, const struct guest_mem *mem)
{
	for (unsigned int i = 0; i < mem->nr_ram; i++)
		vfio_container_unmap(c, mem->ram[i].gpa, mem->ram[i].size);
}
