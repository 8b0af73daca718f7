/* SPDX-License-Identifier: MIT */
/* Small sysfs file helpers shared inside vfio/ (the sysfs code, diag.c, group.c). */
#ifndef VFVM_VFIO_SYSFS_FILE_H
#define VFVM_VFIO_SYSFS_FILE_H

#include <stddef.h>

/* The first line of a file, without its newline; 0 or -errno. */
int sysfs_read_line(const char *path, char *buf, size_t len);
/* A hex value such as sysfs's "0x8086"; 0 or -errno (-EINVAL when not a number). */
int sysfs_read_hex(const char *path, unsigned int *v);
/* The last component of a symlink's target ("../../bus/pci/drivers/e1000e" -> "e1000e"). */
int sysfs_link_name(const char *path, char *buf, size_t len);

/* Copy src into dst[len], cut to fit and always terminated. */
void str_copy(char *dst, size_t len, const char *src);

#endif
