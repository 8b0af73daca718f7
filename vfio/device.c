// SPDX-License-Identifier: MIT
/* A VFIO device: its fd, regions (with their capability chains), irqs, reset; the real backend. */
#include "vfio/vfio.h"
#include "vfio/info_cap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

int vfio_region_parse_caps(struct vfio_region *r, const void *buf, size_t len, uint32_t cap_offset)
{
	const unsigned char *p = buf;
	struct vfio_info_cap cap;
	int err;

	r->sparse = false;
	r->nr_areas = 0;
	r->nr_areas_dropped = 0;
	r->msix_mappable = false;
	r->has_type = false;

	err = vfio_info_cap_find(buf, len, cap_offset, VFIO_REGION_INFO_CAP_SPARSE_MMAP,
				 sizeof(struct vfio_region_info_cap_sparse_mmap), &cap);
	if (err == -EINVAL)
		return err;
	if (!err) {
		struct vfio_region_info_cap_sparse_mmap sm;
		size_t room;

		memcpy(&sm, p + cap.offset, sizeof(sm));
		room = (cap.size - sizeof(sm)) / sizeof(struct vfio_region_sparse_mmap_area);
		if (sm.nr_areas > room)
			return -EINVAL;
		r->sparse = true;
		for (uint32_t i = 0; i < sm.nr_areas; i++) {
			struct vfio_region_sparse_mmap_area a;

			memcpy(&a, p + cap.offset + sizeof(sm) + i * sizeof(a), sizeof(a));
			/* an area outside the region is not mmap-able: trap that part instead */
			if (!a.size || a.offset > r->size || a.size > r->size - a.offset)
				continue;
			if (r->nr_areas == VFIO_MAX_SPARSE_AREAS) {
				r->nr_areas_dropped++;
				continue;
			}
			r->areas[r->nr_areas].offset = a.offset;
			r->areas[r->nr_areas].size = a.size;
			r->nr_areas++;
		}
	}
	err = vfio_info_cap_find(buf, len, cap_offset, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE,
				 sizeof(struct vfio_info_cap_header), &cap);
	if (err == -EINVAL)
		return err;
	r->msix_mappable = !err;
	err = vfio_info_cap_find(buf, len, cap_offset, VFIO_REGION_INFO_CAP_TYPE,
				 sizeof(struct vfio_region_info_cap_type), &cap);
	if (err == -EINVAL)
		return err;
	if (!err) {
		struct vfio_region_info_cap_type t;

		memcpy(&t, p + cap.offset, sizeof(t));
		r->has_type = true;
		r->type = t.type;
		r->subtype = t.subtype;
	}
	return 0;
}

static int read_region(int fd, uint32_t index, struct vfio_region *r)
{
	struct vfio_region_info *info;
	uint32_t argsz = sizeof(*info);
	int err = 0;

	memset(r, 0, sizeof(*r));
	r->index = index;
	for (int tries = 0; tries < 2; tries++) {
		info = calloc(1, argsz);
		if (!info)
			return -ENOMEM;
		info->argsz = argsz;
		info->index = index;
		if (ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, info)) {
			err = -errno;
			free(info);
			/* a PCI device without VGA says so with EINVAL: an empty region */
			return err == -EINVAL ? 0 : err;
		}
		if (info->argsz <= argsz || tries == 1)
			break;
		argsz = info->argsz;
		free(info);
	}
	r->flags = info->flags;
	r->size = info->size;
	r->offset = info->offset;
	if ((info->flags & VFIO_REGION_INFO_FLAG_CAPS) && info->cap_offset)
		err = vfio_region_parse_caps(r, info, argsz < info->argsz ? argsz : info->argsz,
					     info->cap_offset);
	free(info);
	return err;
}

static int read_irq(int fd, uint32_t index, struct vfio_irq *q)
{
	struct vfio_irq_info info = {.argsz = sizeof(info), .index = index};

	memset(q, 0, sizeof(*q));
	q->index = index;
	if (ioctl(fd, VFIO_DEVICE_GET_IRQ_INFO, &info))
		return errno == EINVAL ? 0 : -errno;
	q->flags = info.flags;
	q->count = info.count;
	return 0;
}

int vfio_device_open(struct vfio_device *d, struct vfio_group *g, const char *bdf, struct errbuf *e)
{
	struct vfio_device_info info = {.argsz = sizeof(info)};
	int err;

	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", bdf);
	d->fd = ioctl(g->fd, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (d->fd < 0) {
		err = errno;
		d->fd = -1;
		if (err == EBUSY)
			return errbuf_set(e, err,
					  "%s is busy: another process (a VMM?) is using it", bdf);
		return errbuf_set(e, err, "%s: VFIO_GROUP_GET_DEVICE_FD failed: %s", bdf,
				  strerror(err));
	}
	if (ioctl(d->fd, VFIO_DEVICE_GET_INFO, &info)) {
		err = errbuf_set(e, errno, "%s: VFIO_DEVICE_GET_INFO failed: %s", bdf,
				 strerror(errno));
		goto fail;
	}
	if (!(info.flags & VFIO_DEVICE_FLAGS_PCI)) {
		err = errbuf_set(e, ENODEV, "%s is not a PCI device to VFIO", bdf);
		goto fail;
	}
	d->flags = info.flags;
	d->nr_regions = info.num_regions < VFIO_MAX_REGIONS ? info.num_regions : VFIO_MAX_REGIONS;
	d->nr_irqs = info.num_irqs < VFIO_MAX_IRQS ? info.num_irqs : VFIO_MAX_IRQS;
	for (unsigned int i = 0; i < d->nr_regions; i++) {
		err = read_region(d->fd, i, &d->regions[i]);
		if (err) {
			err = errbuf_set(e, err, "%s: region %u info: %s", bdf, i,
					 err == -EINVAL ? "malformed capability chain"
							: strerror(-err));
			goto fail;
		}
	}
	for (unsigned int i = 0; i < d->nr_irqs; i++) {
		err = read_irq(d->fd, i, &d->irqs[i]);
		if (err) {
			err = errbuf_set(e, err, "%s: irq %u info: %s", bdf, i, strerror(-err));
			goto fail;
		}
	}
	return 0;
fail:
	close(d->fd);
	d->fd = -1;
	return err;
}

int vfio_device_reset(struct vfio_device *d)
{
	if (!(d->flags & VFIO_DEVICE_FLAGS_RESET))
		return -ENOTSUP;
	return ioctl(d->fd, VFIO_DEVICE_RESET) ? -errno : 0;
}

void vfio_device_close(struct vfio_device *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

/* ---- the real backend ---------------------------------------------------------------------------
 */

static const struct vfio_region *be_region(struct vfio_device *d, unsigned int index)
{
	return index < d->nr_regions ? &d->regions[index] : NULL;
}

static int be_region_info(void *be, unsigned int index, struct vfio_region *out)
{
	const struct vfio_region *r = be_region(be, index);

	if (!r)
		return -EINVAL;
	*out = *r;
	return 0;
}

static ssize_t be_region_read(void *be, unsigned int index, uint64_t off, void *buf, size_t len)
{
	struct vfio_device *d = be;
	const struct vfio_region *r = be_region(d, index);
	ssize_t n;

	if (!r || off > r->size || len > r->size - off)
		return -EINVAL;
	n = pread(d->fd, buf, len, (off_t)(r->offset + off));
	return n < 0 ? -errno : n;
}

static ssize_t be_region_write(void *be, unsigned int index, uint64_t off, const void *buf,
			       size_t len)
{
	struct vfio_device *d = be;
	const struct vfio_region *r = be_region(d, index);
	ssize_t n;

	if (!r || off > r->size || len > r->size - off)
		return -EINVAL;
	n = pwrite(d->fd, buf, len, (off_t)(r->offset + off));
	return n < 0 ? -errno : n;
}

static void *be_region_mmap(void *be, unsigned int index, uint64_t off, uint64_t len, int prot)
{
	struct vfio_device *d = be;
	const struct vfio_region *r = be_region(d, index);
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), end;
	void *p;

	/* vfio-pci maps a region smaller than a page as its whole page (it reserved the rest) */
	end = r && r->size < page ? page : r ? r->size : 0;
	if (!r || !(r->flags & VFIO_REGION_INFO_FLAG_MMAP) || off > end || len > end - off) {
		errno = EINVAL;
		return NULL;
	}
	p = mmap(NULL, len, prot, MAP_SHARED, d->fd, (off_t)(r->offset + off));
	return p == MAP_FAILED ? NULL : p;
}

static int be_irq_info(void *be, unsigned int index, struct vfio_irq *out)
{
	struct vfio_device *d = be;

	if (index >= d->nr_irqs)
		return -EINVAL;
	*out = d->irqs[index];
	return 0;
}

static int be_set_irqs(void *be, const struct vfio_irq_set *set)
{
	struct vfio_device *d = be;
	int r = ioctl(d->fd, VFIO_DEVICE_SET_IRQS, set);

	/* a positive answer is not an error: the count of vectors the host could give */
	return r < 0 ? -errno : r;
}

static int be_reset(void *be)
{
	return vfio_device_reset(be);
}

const struct vfio_backend_ops vfio_device_backend = {
	.region_info = be_region_info,
	.region_read = be_region_read,
	.region_write = be_region_write,
	.region_mmap = be_region_mmap,
	.irq_info = be_irq_info,
	.set_irqs = be_set_irqs,
	.reset = be_reset,
};
