/* SPDX-License-Identifier: MIT */
/*
 * One diagnosis per state that stops a device from being passed through, shared by `vfvm devices`,
 * `vfvm bind` and the pre-flight of `vfvm run --vfio`. Each check returns 0 when the state is fine,
 * or -errno with one line in the errbuf that names the device (or group, or file), the cause and
 * what to do. They only read sysfs, /proc and /dev/vfio under struct host_paths: nothing changes.
 */
#ifndef VFVM_VFIO_DIAG_H
#define VFVM_VFIO_DIAG_H

#include "vfio/sysfs.h"

#include <stdbool.h>
#include <stdint.h>

/* No IOMMU groups at all (IOMMU off or absent): says which kernel option for this CPU's vendor. */
int diag_iommu(const struct host_paths *h, struct errbuf *e);
/* The vfio-pci driver is not registered. */
int diag_vfio_module(const struct host_paths *h, struct errbuf *e);
/* The device is not on vfio-pci: another driver, a UIO driver, or none. */
int diag_driver(const struct pci_dev_info *d, struct errbuf *e);
/*
 * Whether every other member of d's IOMMU group is on vfio-pci, pci-stub, pcieport or no driver
 * (the kernel's rule). When not: each member with its driver. Members listed in also_bound
 * (nr entries, may be NULL) count as bound to vfio-pci: devices the caller is about to bind.
 */
int diag_group_viable(const struct host_paths *h, const struct pci_dev_info *d,
		      const char (*also_bound)[VFIO_PCI_ADDR_LEN], unsigned int nr,
		      struct errbuf *e);
/* dev/vfio/N: absent, busy (EBUSY on open: another process has the group), permission denied. */
int diag_group_node(const struct host_paths *h, const char *addr, int group, struct errbuf *e);
/* The same explanation for an error the caller got from open(dev/vfio/N) itself. */
int diag_group_open_error(const char *addr, int group, const char *path, int err, struct errbuf *e);
/*
 * Interrupt remapping: checked from proc/interrupts (remapped domains are named "IR-...") and
 * vfio_iommu_type1's allow_unsafe_interrupts. 0 also when it cannot tell (no MSI/IO-APIC lines).
 */
int diag_interrupt_remapping(const struct host_paths *h, struct errbuf *e);
/* The explanation for VFIO_SET_IOMMU failing with err (EPERM: no interrupt remapping). */
int diag_set_iommu_error(int group, int err, struct errbuf *e);
/* Pure: guest RAM of ram_bytes against a memlock limit (RLIM_INFINITY allowed) when not root. */
int diag_memlock(uint64_t ram_bytes, bool is_root, uint64_t limit, struct errbuf *e);
/* diag_memlock with this process's euid and RLIMIT_MEMLOCK. */
int diag_memlock_self(uint64_t ram_bytes, struct errbuf *e);

/*
 * Everything `vfvm run --vfio ADDR` needs from the host, in the order a user fixes them: IOMMU,
 * vfio-pci, the device's driver, its group's viability, /dev/vfio/N, interrupt remapping, memlock.
 * The first failing check's line goes to e. also_bound as for diag_group_viable. The group
 * number is returned in *group (may be NULL).
 */
int diag_preflight(const struct host_paths *h, const char *addr, uint64_t ram_bytes,
		   const char (*also_bound)[VFIO_PCI_ADDR_LEN], unsigned int nr, int *group,
		   struct errbuf *e);

enum diag_verdict {
	DIAG_READY,    /* on vfio-pci, group viable */
	DIAG_BINDABLE, /* IOMMU on; vfvm bind (maybe --group, --force) makes it ready */
	DIAG_NOT,      /* IOMMU off, no group, or a bridge */
};

struct diag_device {
	struct pci_dev_info dev;
	enum diag_verdict verdict;
	char reason[512]; /* why not ready, "" when ready */
	char users[512];  /* what on the host uses it, "" when nothing */
};

const char *diag_verdict_name(enum diag_verdict v);
int diag_device(const struct host_paths *h, const char *addr, struct diag_device *out,
		struct errbuf *e);

#endif
