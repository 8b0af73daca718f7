/* SPDX-License-Identifier: MIT */
/* Inside the container: the parsing of VFIO_IOMMU_GET_INFO, pure so that it can be tested. */
#ifndef VFVM_VFIO_CONTAINER_H
#define VFVM_VFIO_CONTAINER_H

#include "vfio/vfio.h"

/*
 * The usable IOVA ranges of an IOMMU info answer (buf, len bytes, caps from cap_offset), at most
 * max of them. -ENOENT if the answer has no IOVA-range capability, -EINVAL if it is malformed.
 */
int vfio_iova_ranges_parse(const void *buf, size_t len, uint32_t cap_offset,
			   struct vfio_iova_range *ranges, unsigned int max, unsigned int *nr);

#endif
