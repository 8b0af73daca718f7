// SPDX-License-Identifier: MIT
/* The diagnoses of vfio/diag.h: each names what is at fault and what to do. */
#include "vfio/diag.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vfio/sysfs_file.h"

/* "GenuineIntel", "AuthenticAMD", or "" from proc/cpuinfo. */
static void cpu_vendor(const struct host_paths *h, char *out, size_t len)
{
	char p[PATH_MAX], line[256];
	FILE *f;

	out[0] = '\0';
	snprintf(p, sizeof(p), "%s/cpuinfo", h->proc);
	f = fopen(p, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "vendor_id", 9) || !colon)
			continue;
		colon++;
		while (*colon == ' ')
			colon++;
		snprintf(out, len, "%.*s", (int)strcspn(colon, "\n"), colon);
		break;
	}
	fclose(f);
}

int diag_iommu(const struct host_paths *h, struct errbuf *e)
{
	char vendor[64];

	if (iommu_groups_present(h))
		return 0;
	cpu_vendor(h, vendor, sizeof(vendor));
	if (!strcmp(vendor, "GenuineIntel"))
		return errbuf_set(
			e, ENODEV,
			"the IOMMU is off (no groups in %s/kernel/iommu_groups): enable VT-d "
			"in the firmware and add intel_iommu=on iommu=pt to the kernel command "
			"line, then reboot",
			h->sys);
	if (!strcmp(vendor, "AuthenticAMD") || !strcmp(vendor, "HygonGenuine"))
		return errbuf_set(
			e, ENODEV,
			"the IOMMU is off (no groups in %s/kernel/iommu_groups): enable AMD-Vi "
			"(IOMMU) in the firmware and add amd_iommu=on iommu=pt to the kernel "
			"command line, then reboot",
			h->sys);
	return errbuf_set(
		e, ENODEV,
		"the IOMMU is off or absent (no groups in %s/kernel/iommu_groups): enable it "
		"in the firmware and on the kernel command line (intel_iommu=on on Intel, "
		"amd_iommu=on on AMD, with iommu=pt), then reboot",
		h->sys);
}

int diag_vfio_module(const struct host_paths *h, struct errbuf *e)
{
	if (vfio_pci_loaded(h))
		return 0;
	return errbuf_set(e, ENOENT,
			  "the vfio-pci driver is not loaded (no %s/bus/pci/drivers/vfio-pci): run "
			  "'modprobe vfio-pci' ('vfvm bind' does it for you)",
			  h->sys);
}

int diag_driver(const struct pci_dev_info *d, struct errbuf *e)
{
	if (!strcmp(d->driver, "vfio-pci"))
		return 0;
	if (pci_driver_is_uio(d->driver))
		return errbuf_set(
			e, EBUSY,
			"%s is on %s, a UIO driver: UIO gives userspace the device without "
			"DMA isolation (the device can reach all host memory) and VFIO cannot "
			"use it; stop its user and move it with 'vfvm bind %s'",
			d->addr, d->driver, d->addr);
	if (d->driver[0])
		return errbuf_set(
			e, EBUSY,
			"%s is bound to %s, not vfio-pci: run 'vfvm bind %s' ('vfvm unbind' "
			"gives it back to %s)",
			d->addr, d->driver, d->addr, d->driver);
	return errbuf_set(e, ENODEV, "%s has no driver: run 'vfvm bind %s' to put it on vfio-pci",
			  d->addr, d->addr);
}

static bool listed(const char *addr, const char (*list)[VFIO_PCI_ADDR_LEN], unsigned int nr)
{
	for (unsigned int i = 0; list && i < nr; i++)
		if (!strcmp(list[i], addr))
			return true;
	return false;
}

int diag_group_viable(const struct host_paths *h, const struct pci_dev_info *d,
		      const char (*also_bound)[VFIO_PCI_ADDR_LEN], unsigned int nr,
		      struct errbuf *e)
{
	char(*m)[VFIO_PCI_ADDR_LEN] = NULL;
	char text[400] = "";
	size_t n = 0, used = 0;
	int bad = 0, err;

	if (d->group < 0)
		return errbuf_set(e, ENODEV, "%s has no IOMMU group: the IOMMU does not cover it",
				  d->addr);
	err = iommu_group_members(h, d->group, &m, &n);
	if (err)
		return errbuf_set(e, err, "cannot list IOMMU group %d of %s: %s", d->group, d->addr,
				  strerror(-err));
	for (size_t i = 0; i < n; i++) {
		struct pci_dev_info o;
		const char *drv;
		bool ok;

		if (pci_dev_read(h, m[i], &o, NULL))
			continue;
		drv = o.driver[0] ? o.driver : "no driver";
		ok = !strcmp(o.addr, d->addr) || pci_driver_group_safe(o.driver) ||
		     listed(o.addr, also_bound, nr);
		bad += !ok;
		if (used < sizeof(text))
			used += (size_t)snprintf(text + used, sizeof(text) - used, "%s%s (%s%s)",
						 i ? ", " : "", o.addr, drv, ok ? "" : ": blocks");
	}
	free(m);
	if (!bad)
		return 0;
	return errbuf_set(
		e, EBUSY,
		"IOMMU group %d of %s is not viable: %s; every member must be on vfio-pci, "
		"pci-stub, pcieport or no driver: run 'vfvm bind --group %s'",
		d->group, d->addr, text, d->addr);
}

int diag_group_open_error(const char *addr, int group, const char *path, int err, struct errbuf *e)
{
	err = -abs(err);
	if (err == -ENOENT)
		return errbuf_set(
			e, ENOENT,
			"%s does not exist (IOMMU group %d of %s): it appears when a member is "
			"bound to vfio-pci: run 'vfvm bind %s'",
			path, group, addr, addr);
	if (err == -EBUSY)
		return errbuf_set(
			e, EBUSY,
			"%s is busy: another process holds IOMMU group %d of %s (another VM?); "
			"find it with 'fuser %s' and stop it",
			path, group, addr, path);
	if (err == -EACCES || err == -EPERM)
		return errbuf_set(
			e, EACCES,
			"permission denied opening %s (IOMMU group %d of %s): run vfvm as root, "
			"or give your user the node (chown, or a udev rule for vfio)",
			path, group, addr);
	return errbuf_set(e, err, "cannot open %s (IOMMU group %d of %s): %s", path, group, addr,
			  strerror(-err));
}

int diag_group_node(const struct host_paths *h, const char *addr, int group, struct errbuf *e)
{
	char p[PATH_MAX];
	int fd;

	snprintf(p, sizeof(p), "%s/vfio/%d", h->dev, group);
	fd = open(p, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return diag_group_open_error(addr, group, p, errno, e);
	close(fd);
	return 0;
}

static bool unsafe_interrupts_allowed(const struct host_paths *h)
{
	char p[PATH_MAX], v[8];

	snprintf(p, sizeof(p), "%s/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts",
		 h->sys);
	return !sysfs_read_line(p, v, sizeof(v)) && (v[0] == 'Y' || v[0] == '1');
}

static int explain_no_remapping(struct errbuf *e, const char *what)
{
	return errbuf_set(
		e, EPERM,
		"%s: interrupt remapping is unavailable, so VFIO refuses the IOMMU (a device "
		"could forge MSI writes that interrupt the host); vfio_iommu_type1's "
		"allow_unsafe_interrupts=1 would accept that risk for the whole host and "
		"vfvm will not set it for you: enable interrupt remapping (VT-d/AMD-Vi "
		"with IR in the firmware, intremap=on on a virtual IOMMU)",
		what);
}

int diag_interrupt_remapping(const struct host_paths *h, struct errbuf *e)
{
	char p[PATH_MAX], line[PATH_MAX + 64];
	bool remapped = false, plain = false;
	FILE *f;

	snprintf(p, sizeof(p), "%s/interrupts", h->proc);
	f = fopen(p, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, " IR-"))
			remapped = true;
		else if (strstr(line, "PCI-MSI") || strstr(line, "IO-APIC"))
			plain = true;
	}
	fclose(f);
	if (remapped || !plain || unsafe_interrupts_allowed(h))
		return 0;
	snprintf(line, sizeof(line), "no remapped (IR-) interrupts in %s", p);
	return explain_no_remapping(e, line);
}

int diag_set_iommu_error(int group, int err, struct errbuf *e)
{
	char what[64];

	err = -abs(err);
	snprintf(what, sizeof(what), "VFIO_SET_IOMMU for group %d failed with EPERM", group);
	if (err == -EPERM)
		return explain_no_remapping(e, what);
	return errbuf_set(e, err, "VFIO_SET_IOMMU for group %d failed: %s", group, strerror(-err));
}

int diag_memlock(uint64_t ram_bytes, bool is_root, uint64_t limit, struct errbuf *e)
{
	if (is_root || limit == (uint64_t)RLIM_INFINITY || limit >= ram_bytes)
		return 0;
	return errbuf_set(e, ENOMEM,
			  "the memlock limit (%llu KiB) is below the guest RAM (%llu KiB), which "
			  "VFIO pins: raise it ('ulimit -l %llu', or memlock in "
			  "/etc/security/limits.conf) or run as root",
			  (unsigned long long)(limit >> 10), (unsigned long long)(ram_bytes >> 10),
			  (unsigned long long)((ram_bytes + 1023) >> 10));
}

int diag_memlock_self(uint64_t ram_bytes, struct errbuf *e)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_MEMLOCK, &rl))
		return 0;
	return diag_memlock(ram_bytes, geteuid() == 0, rl.rlim_cur, e);
}

int diag_preflight(const struct host_paths *h, const char *addr, uint64_t ram_bytes,
		   const char (*also_bound)[VFIO_PCI_ADDR_LEN], unsigned int nr, int *group,
		   struct errbuf *e)
{
	struct pci_dev_info d;
	int err;

	err = pci_dev_read(h, addr, &d, e);
	if (!err)
		err = diag_iommu(h, e);
	if (!err)
		err = diag_vfio_module(h, e);
	if (!err)
		err = diag_driver(&d, e);
	if (!err)
		err = diag_group_viable(h, &d, also_bound, nr, e);
	if (!err)
		err = diag_group_node(h, addr, d.group, e);
	if (!err)
		err = diag_interrupt_remapping(h, e);
	if (!err)
		err = diag_memlock_self(ram_bytes, e);
	if (group)
		*group = d.group;
	return err;
}

const char *diag_verdict_name(enum diag_verdict v)
{
	return v == DIAG_READY ? "ready" : v == DIAG_BINDABLE ? "bindable" : "not";
}

int diag_device(const struct host_paths *h, const char *addr, struct diag_device *out,
		struct errbuf *e)
{
	struct errbuf why = {""};
	int err;

	memset(out, 0, sizeof(*out));
	err = pci_dev_read(h, addr, &out->dev, e);
	if (err)
		return err;
	pci_dev_host_users(h, addr, out->users, sizeof(out->users));
	out->verdict = DIAG_NOT;
	if (diag_iommu(h, &why) || out->dev.group < 0) {
		if (!why.msg[0])
			errbuf_set(&why, 0, "%s has no IOMMU group: the IOMMU does not cover it",
				   addr);
	} else if (pci_class_is_bridge(out->dev.class)) {
		errbuf_set(&why, 0, "%s is a bridge (class %04x): bridges are not passed through",
			   addr, out->dev.class >> 8);
	} else if (diag_driver(&out->dev, &why)) {
		out->verdict = DIAG_BINDABLE;
	} else if (diag_group_viable(h, &out->dev, NULL, 0, &why)) {
		out->verdict = DIAG_BINDABLE;
	} else {
		out->verdict = DIAG_READY;
	}
	snprintf(out->reason, sizeof(out->reason), "%s", why.msg);
	return 0;
}
