// SPDX-License-Identifier: MIT
/* PCI addresses as users write them on the command line. */
#include "vfio/vfio.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define SYSFS_PREFIX "/sys/bus/pci/devices/"

/* Exactly n hex digits at *s; advances *s. */
static int hex_field(const char **s, unsigned int n, unsigned int *out)
{
	unsigned int v = 0;

	for (unsigned int i = 0; i < n; i++) {
		char c = (*s)[i];

		if (!isxdigit((unsigned char)c))
			return -EINVAL;
		v = v * 16 + (unsigned int)(isdigit((unsigned char)c)
						    ? c - '0'
						    : tolower((unsigned char)c) - 'a' + 10);
	}
	*s += n;
	*out = v;
	return 0;
}

int vfio_pci_addr_parse(const char *arg, char out[VFIO_PCI_ADDR_LEN])
{
	unsigned int domain = 0, bus, dev, fn;
	const char *s = arg;
	size_t len;

	if (!arg)
		return -EINVAL;
	if (!strncmp(s, SYSFS_PREFIX, strlen(SYSFS_PREFIX)))
		s += strlen(SYSFS_PREFIX);
	len = strlen(s);
	if (len && s[len - 1] == '/')
		len--;
	if (len == 12) {
		if (hex_field(&s, 4, &domain) || *s++ != ':')
			return -EINVAL;
	} else if (len != 7) {
		return -EINVAL;
	}
	if (hex_field(&s, 2, &bus) || *s++ != ':' || hex_field(&s, 2, &dev) || *s++ != '.' ||
	    hex_field(&s, 1, &fn))
		return -EINVAL;
	if ((*s && strcmp(s, "/")) || dev > 0x1f || fn > 7)
		return -EINVAL;
	snprintf(out, VFIO_PCI_ADDR_LEN, "%04x:%02x:%02x.%x", domain, bus, dev, fn);
	return 0;
}
