// SPDX-License-Identifier: MIT
#include "vfio/sysfs_file.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int sysfs_read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f)) {
		int err = ferror(f) ? -EIO : 0;

		fclose(f);
		buf[0] = '\0';
		return err;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int sysfs_read_hex(const char *path, unsigned int *v)
{
	char buf[32], *end;
	unsigned long x;
	int err = sysfs_read_line(path, buf, sizeof(buf));

	if (err)
		return err;
	errno = 0;
	x = strtoul(buf, &end, 16);
	if (errno || end == buf || *end || x > UINT_MAX)
		return -EINVAL;
	*v = (unsigned int)x;
	return 0;
}

void str_copy(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

int sysfs_link_name(const char *path, char *buf, size_t len)
{
	char target[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	const char *base;

	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	strcpy(buf, base);
	return 0;
}
