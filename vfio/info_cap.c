// SPDX-License-Identifier: MIT
#include "vfio/info_cap.h"

#include <errno.h>
#include <linux/vfio.h>
#include <string.h>

int vfio_info_cap_find(const void *buf, size_t len, uint32_t first, uint16_t id, size_t min_size,
		       struct vfio_info_cap *out)
{
	const unsigned char *p = buf;
	uint32_t off = first;

	while (off) {
		struct vfio_info_cap_header h;

		if (off > len || len - off < sizeof(h))
			return -EINVAL;
		memcpy(&h, p + off, sizeof(h));
		/* the kernel lays caps out in increasing order: anything else is corrupt or a loop
		 */
		if (h.next && (h.next <= off || h.next - off < sizeof(h)))
			return -EINVAL;
		if (h.id == id) {
			out->id = h.id;
			out->version = h.version;
			out->offset = off;
			out->size = (uint32_t)((h.next && h.next < len ? h.next : len) - off);
			return out->size < min_size ? -EINVAL : 0;
		}
		off = h.next;
	}
	return -ENOENT;
}
