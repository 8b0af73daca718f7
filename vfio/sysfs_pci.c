// SPDX-License-Identifier: MIT
/* Reading PCI devices, IOMMU groups and drivers from sysfs. */
#include "vfio/sysfs.h"
#include "vfio/sysfs_file.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void host_paths_from_env(struct host_paths *h, char *buf, size_t len)
{
	const char *root = getenv("VFVM_HOST_ROOT");
	const char *rel[] = {"/sys", "/dev", "/run/vfvm", "/proc", "/usr/share/misc/pci.ids"};
	const char **dst[] = {&h->sys, &h->dev, &h->run, &h->proc, &h->pci_ids};
	size_t used = 0;

	if (!root)
		root = "";
	for (size_t i = 0; i < 5; i++) {
		int n = snprintf(buf + used, len - used, "%s%s", root, rel[i]);

		*dst[i] = buf + used;
		used += (size_t)n + 1;
	}
}

int sysfs_addr_parse(const char *arg, char out[VFIO_PCI_ADDR_LEN], struct errbuf *e)
{
	if (vfio_pci_addr_parse(arg, out))
		return errbuf_set(e, EINVAL,
				  "'%s' is not a PCI address: write DDDD:BB:DD.F (0000:01:00.0), "
				  "BB:DD.F (01:00.0) or /sys/bus/pci/devices/DDDD:BB:DD.F",
				  arg);
	return 0;
}

static int dev_path(char *buf, size_t len, const struct host_paths *h, const char *addr,
		    const char *file)
{
	int n = snprintf(buf, len, "%s/bus/pci/devices/%s/%s", h->sys, addr, file);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int pci_dev_read(const struct host_paths *h, const char *addr, struct pci_dev_info *d,
		 struct errbuf *e)
{
	char p[PATH_MAX], val[SYSFS_DRIVER_LEN + 8], grp[32];
	struct stat st;
	int err;

	memset(d, 0, sizeof(*d));
	snprintf(d->addr, sizeof(d->addr), "%s", addr);
	d->group = -1;
	dev_path(p, sizeof(p), h, addr, "");
	if (stat(p, &st))
		return errbuf_set(e, ENODEV, "no PCI device %s on this host (%s is missing)", addr,
				  p);
	dev_path(p, sizeof(p), h, addr, "vendor");
	err = sysfs_read_hex(p, &d->vendor);
	if (!err) {
		dev_path(p, sizeof(p), h, addr, "device");
		err = sysfs_read_hex(p, &d->device);
	}
	if (!err) {
		dev_path(p, sizeof(p), h, addr, "class");
		err = sysfs_read_hex(p, &d->class);
	}
	if (err)
		return errbuf_set(e, err, "%s: cannot read %s: %s", addr, p, strerror(-err));
	dev_path(p, sizeof(p), h, addr, "driver");
	if (sysfs_link_name(p, d->driver, sizeof(d->driver)))
		d->driver[0] = '\0';
	dev_path(p, sizeof(p), h, addr, "driver_override");
	if (!sysfs_read_line(p, val, sizeof(val))) {
		d->has_override = true;
		if (strcmp(val, "(null)"))
			str_copy(d->override, sizeof(d->override), val);
	}
	dev_path(p, sizeof(p), h, addr, "iommu_group");
	if (!sysfs_link_name(p, grp, sizeof(grp))) {
		char *end;
		long g = strtol(grp, &end, 10);

		if (end != grp && !*end && g >= 0 && g <= INT_MAX)
			d->group = (int)g;
	}
	dev_path(p, sizeof(p), h, addr, "boot_vga");
	if (!sysfs_read_line(p, val, sizeof(val)))
		d->boot_vga = !strcmp(val, "1");
	return 0;
}

static int cmp_addr(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The entries of dir that are PCI addresses, sorted. */
static int list_addrs(const char *dir, char (**addrs)[VFIO_PCI_ADDR_LEN], size_t *n)
{
	DIR *d = opendir(dir);
	char(*v)[VFIO_PCI_ADDR_LEN] = NULL;
	size_t cap = 0, cnt = 0;
	struct dirent *de;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char canon[VFIO_PCI_ADDR_LEN];

		if (de->d_name[0] == '.' || vfio_pci_addr_parse(de->d_name, canon))
			continue;
		if (cnt == cap) {
			void *nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*v));

			if (!nv) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = nv;
		}
		memcpy(v[cnt++], canon, sizeof(canon));
	}
	closedir(d);
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_addr);
	*addrs = v;
	*n = cnt;
	return 0;
}

int pci_dev_list(const struct host_paths *h, char (**addrs)[VFIO_PCI_ADDR_LEN], size_t *n)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/bus/pci/devices", h->sys);
	return list_addrs(p, addrs, n);
}

int iommu_group_members(const struct host_paths *h, int group, char (**addrs)[VFIO_PCI_ADDR_LEN],
			size_t *n)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/kernel/iommu_groups/%d/devices", h->sys, group);
	return list_addrs(p, addrs, n);
}

bool iommu_groups_present(const struct host_paths *h)
{
	char p[PATH_MAX];
	struct dirent *de;
	bool any = false;
	DIR *d;

	snprintf(p, sizeof(p), "%s/kernel/iommu_groups", h->sys);
	d = opendir(p);
	if (!d)
		return false;
	while (!any && (de = readdir(d)))
		any = de->d_name[0] != '.';
	closedir(d);
	return any;
}

bool vfio_pci_loaded(const struct host_paths *h)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s/bus/pci/drivers/vfio-pci", h->sys);
	return !stat(p, &st);
}

bool pci_class_is_bridge(unsigned int class)
{
	return (class >> 16) == 0x06;
}

bool pci_driver_is_uio(const char *driver)
{
	return !strcmp(driver, "uio_pci_generic") || !strcmp(driver, "igb_uio") ||
	       !strcmp(driver, "uio_pci_dmem_genirq");
}

bool pci_driver_group_safe(const char *driver)
{
	return !*driver || !strcmp(driver, "vfio-pci") || !strcmp(driver, "pci-stub") ||
	       !strcmp(driver, "pcieport");
}
