/* SPDX-License-Identifier: MIT */
/*
 * Walking the capability chains that VFIO appends to its info answers (region info, IOMMU info).
 * The buffer comes from the kernel, but a chain is still checked: every header inside the buffer,
 * offsets increasing, so a malformed answer cannot send us out of bounds or into a loop.
 */
#ifndef VFVM_VFIO_INFO_CAP_H
#define VFVM_VFIO_INFO_CAP_H

#include <stddef.h>
#include <stdint.h>

struct vfio_info_cap {
	uint16_t id;
	uint16_t version;
	uint32_t offset; /* of the header within the buffer */
	uint32_t size;	 /* bytes from the header to the next cap or the buffer's end */
};

/*
 * Find capability id in buf[0..len) starting from the header at first (0: no chain). min_size is
 * how many bytes the caller will read from the header on. 0 if found (*out filled), -ENOENT if
 * absent, -EINVAL if the chain is malformed or the cap is shorter than min_size.
 */
int vfio_info_cap_find(const void *buf, size_t len, uint32_t first, uint16_t id, size_t min_size,
		       struct vfio_info_cap *out);

#endif
