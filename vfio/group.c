// SPDX-License-Identifier: MIT
/* VFIO groups: finding a device's group in sysfs, viability, attaching to the container. */
#include "vfio/sysfs_file.h"
#include "vfio/vfio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

int vfio_group_of_device(const char *sysfs_dir, const char *bdf, unsigned int *id, struct errbuf *e)
{
	char path[PATH_MAX], name[NAME_MAX + 1], *end;
	struct stat st;
	unsigned long n;
	int err;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", sysfs_dir, bdf);
	if (stat(path, &st))
		return errbuf_set(e, ENODEV, "%s: no such PCI device (not in %s/bus/pci/devices)",
				  bdf, sysfs_dir);
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/iommu_group", sysfs_dir, bdf);
	err = sysfs_link_name(path, name, sizeof(name));
	if (err)
		return errbuf_set(
			e, ENODEV,
			"%s has no IOMMU group: the IOMMU is off; enable it in the firmware "
			"and boot with intel_iommu=on or amd_iommu=on",
			bdf);
	errno = 0;
	n = strtoul(name, &end, 10);
	if (errno || *end || end == name || n > UINT32_MAX)
		return errbuf_set(e, EINVAL, "%s: unexpected IOMMU group name '%s'", bdf, name);
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/driver", sysfs_dir, bdf);
	err = sysfs_link_name(path, name, sizeof(name));
	if (err)
		return errbuf_set(
			e, ENXIO,
			"%s is not bound to any driver: bind it to vfio-pci (vfvm bind %s)", bdf,
			bdf);
	if (strcmp(name, "vfio-pci"))
		return errbuf_set(
			e, EBUSY,
			"%s is bound to %s, not vfio-pci: run 'vfvm bind %s' (or echo vfio-pci "
			"> %s/bus/pci/devices/%s/driver_override; echo %s > "
			"%s/bus/pci/drivers/%s/unbind; echo %s > %s/bus/pci/drivers_probe)",
			bdf, name, bdf, sysfs_dir, bdf, bdf, sysfs_dir, name, bdf, sysfs_dir);
	*id = (unsigned int)n;
	return 0;
}

/* "0000:01:00.1 (ixgbe), 0000:01:00.2 (no driver)": the group members not bound to vfio-pci. */
static void group_offenders(const char *sysfs_dir, unsigned int id, char *out, size_t len)
{
	char path[PATH_MAX], drv[NAME_MAX + 1];
	struct dirent *de;
	size_t used = 0;
	DIR *d;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/kernel/iommu_groups/%u/devices", sysfs_dir, id);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		int n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/kernel/iommu_groups/%u/devices/%s/driver",
			 sysfs_dir, id, de->d_name);
		if (sysfs_link_name(path, drv, sizeof(drv)))
			continue; /* an unbound device does not make a group unviable */
		if (!strcmp(drv, "vfio-pci") || !strcmp(drv, "pci-stub") ||
		    !strcmp(drv, "pcieport"))
			continue;
		n = snprintf(out + used, len - used, "%s%s (%s)", used ? ", " : "", de->d_name,
			     drv);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	closedir(d);
}

int vfio_group_open(struct vfio_group *g, unsigned int id, const char *dev_dir,
		    const char *sysfs_dir, struct errbuf *e)
{
	struct vfio_group_status status = {.argsz = sizeof(status)};
	char path[PATH_MAX], who[400];
	int err;

	g->id = id;
	g->container = NULL;
	snprintf(path, sizeof(path), "%s/%u", dev_dir, id);
	g->fd = open(path, O_RDWR | O_CLOEXEC);
	if (g->fd < 0) {
		err = errno;
		switch (err) {
		case ENOENT:
			return errbuf_set(
				e, err,
				"%s is missing: is vfio-pci loaded and a device of group %u "
				"bound to it?",
				path, id);
		case EBUSY:
			return errbuf_set(e, err,
					  "group %u is busy: another process (a VMM?) has %s open",
					  id, path);
		case EACCES:
		case EPERM:
			return errbuf_set(
				e, err,
				"%s: permission denied: run as root or give your user the "
				"device (chown)",
				path);
		default:
			return errbuf_set(e, err, "cannot open %s: %s", path, strerror(err));
		}
	}
	if (ioctl(g->fd, VFIO_GROUP_GET_STATUS, &status)) {
		err = errbuf_set(e, errno, "VFIO_GROUP_GET_STATUS on %s failed: %s", path,
				 strerror(errno));
		goto fail;
	}
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		group_offenders(sysfs_dir, id, who, sizeof(who));
		err = errbuf_set(e, EPERM,
				 "group %u is not viable: %s%s; bind every device of the group to "
				 "vfio-pci or unbind it",
				 id, who[0] ? "other devices have host drivers: " : "",
				 who[0] ? who : "a device of the group has a host driver");
		goto fail;
	}
	return 0;
fail:
	close(g->fd);
	g->fd = -1;
	return err;
}

int vfio_group_attach(struct vfio_group *g, struct vfio_container *c, struct errbuf *e)
{
	int err;

	if (ioctl(g->fd, VFIO_GROUP_SET_CONTAINER, &c->fd)) {
		err = errno;
		return errbuf_set(e, err, "group %u: VFIO_GROUP_SET_CONTAINER failed: %s", g->id,
				  strerror(err));
	}
	g->container = c;
	if (!c->iommu_set) {
		err = vfio_container_set_iommu(c, e);
		if (err) {
			ioctl(g->fd, VFIO_GROUP_UNSET_CONTAINER);
			g->container = NULL;
			return err;
		}
	}
	return 0;
}

void vfio_group_close(struct vfio_group *g)
{
	if (g->fd >= 0) {
		if (g->container)
			ioctl(g->fd, VFIO_GROUP_UNSET_CONTAINER);
		close(g->fd);
	}
	g->fd = -1;
	g->container = NULL;
}

void vfio_errbuf_name_device(struct errbuf *e, const char *bdf)
{
	char msg[sizeof(e->msg)];

	if (!e || strstr(e->msg, bdf))
		return;
	snprintf(msg, sizeof(msg), "%s", e->msg);
	snprintf(e->msg, sizeof(e->msg), "%s: %.*s", bdf, (int)(sizeof(e->msg) - 20), msg);
}
