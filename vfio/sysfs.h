/* SPDX-License-Identifier: MIT */
/*
 * The host's PCI devices as sysfs shows them, and moving them to and from vfio-pci.
 *
 * Every path is taken from a struct host_paths, never from a global: tests build a sysfs-shaped
 * tree with mkdtemp and point the code at it. Writes that change the host (driver_override, unbind,
 * drivers_probe, new_id) and modprobe go through struct sysfs_ops, so a test can record the exact
 * sequence and play the kernel's reaction; the logic that decides what to write is the real code.
 */
#ifndef VFVM_VFIO_SYSFS_H
#define VFVM_VFIO_SYSFS_H

#include "vfio/vfio.h"
#include "vmm/errbuf.h"

#include <stdbool.h>
#include <stddef.h>

struct host_paths {
	const char *sys;     /* "/sys" */
	const char *dev;     /* "/dev" (the group nodes are dev/vfio/N) */
	const char *run;     /* "/run/vfvm": one state file per device bound by vfvm */
	const char *proc;    /* "/proc" (mountinfo, swaps, net/route, net/if_inet6, cpuinfo) */
	const char *pci_ids; /* pci.ids database, or NULL: ids are printed instead of names */
};

/*
 * The real host's paths. A non-empty VFVM_HOST_ROOT=DIR in the environment prefixes all of them
 * (DIR/sys, DIR/dev, ...): a testing aid for the command-line tests, never needed in normal use.
 * buf holds the joined strings (at least 5 * PATH_MAX bytes).
 */
void host_paths_from_env(struct host_paths *h, char *buf, size_t len);

/* Parse a user's address (see vfio_pci_addr_parse) with a message naming the bad value. */
int sysfs_addr_parse(const char *arg, char out[VFIO_PCI_ADDR_LEN], struct errbuf *e);

/* ---- reading devices --------------------------------------------------------------------------
 */

#define SYSFS_DRIVER_LEN 64

struct pci_dev_info {
	char addr[VFIO_PCI_ADDR_LEN];
	unsigned int vendor, device, class; /* class: 24 bits, base class in bits 23:16 */
	char driver[SYSFS_DRIVER_LEN];	    /* "" when no driver is bound */
	char override[SYSFS_DRIVER_LEN];    /* driver_override, "" when "(null)" or empty */
	bool has_override;		    /* the kernel offers driver_override */
	int group;			    /* IOMMU group, -1 when none */
	bool boot_vga;
};

int pci_dev_read(const struct host_paths *h, const char *addr, struct pci_dev_info *d,
		 struct errbuf *e);
/* All PCI devices, sorted by address; *addrs is malloc'ed (free it). */
int pci_dev_list(const struct host_paths *h, char (**addrs)[VFIO_PCI_ADDR_LEN], size_t *n);
/* Members of an IOMMU group, sorted. */
int iommu_group_members(const struct host_paths *h, int group, char (**addrs)[VFIO_PCI_ADDR_LEN],
			size_t *n);
/* Whether sys/kernel/iommu_groups has at least one group (an IOMMU is on). */
bool iommu_groups_present(const struct host_paths *h);
/* Whether the vfio-pci driver is registered (its module is loaded or built in). */
bool vfio_pci_loaded(const struct host_paths *h);

bool pci_class_is_bridge(unsigned int class);
bool pci_driver_is_uio(const char *driver);
/*
 * Drivers the kernel accepts beside a device assigned to userspace in the same group: they never
 * use DMA through the group's default domain (driver_managed_dma in the kernel): vfio-pci itself,
 * pci-stub and pcieport. No driver at all is fine too.
 */
bool pci_driver_group_safe(const char *driver);

/* Vendor, device and class names from a pci.ids file; "" where unknown or the file is absent. */
struct pci_names {
	char vendor[128], device[160], class[96];
};
void pci_ids_lookup(const char *path, unsigned int vendor, unsigned int device, unsigned int class,
		    struct pci_names *n);

/* ---- host use -------------------------------------------------------------------------------- */

/*
 * What on the host uses device addr, as text ("eth0 is up with 192.0.2.3/25 routes ...; nvme0n1p1
 * is mounted on /; it is the boot display"), or "" when nothing does. Returns how many users.
 * Network: sys/class/net/<if> whose device is addr (or below it), operstate "up" (or "unknown",
 * as tun-like drivers report) and either an IPv4 route (proc/net/route: every IPv4 address
 * brings its prefix route) or a non-link-local IPv6 address (proc/net/if_inet6).
 * Block: sys/class/block/<dev> below addr, mounted (proc/self/mountinfo by major:minor), used as
 * swap (proc/swaps) or with holders (device-mapper, md).
 */
int pci_dev_host_users(const struct host_paths *h, const char *addr, char *out, size_t len);

/* ---- state file: which driver to give a device back to -----------------------------------------
 */

struct bind_state {
	char driver[SYSFS_DRIVER_LEN]; /* "" when the device had no driver */
	bool used_new_id;	       /* bound through new_id (no driver_override) */
};

int bind_state_save(const struct host_paths *h, const char *addr, const struct bind_state *s,
		    struct errbuf *e);
/* -ENOENT when vfvm holds no record of addr; -EINVAL (message naming the file) when malformed. */
int bind_state_load(const struct host_paths *h, const char *addr, struct bind_state *s,
		    struct errbuf *e);
int bind_state_remove(const struct host_paths *h, const char *addr);

/* ---- bind / unbind ----------------------------------------------------------------------------
 */

struct sysfs_ops {
	/* Write val to the sysfs file at path; 0 or -errno. */
	int (*write)(void *ctx, const char *path, const char *val);
	/* Load a kernel module (modprobe NAME); 0 or -errno. */
	int (*modprobe)(void *ctx, const char *module);
	void *ctx;
};

/* The real host: write(2) to the file, run modprobe. */
extern const struct sysfs_ops sysfs_ops_real;

enum {
	BIND_FORCE = 1 << 0, /* take a device the host is using */
};

/*
 * Bind addr to vfio-pci, remembering its driver. 0 when it is on vfio-pci (already or now);
 * -EBUSY when the host uses it and BIND_FORCE is not set. note receives what the user should
 * know even on success (module loaded, new_id used, already bound); may be NULL.
 */
int pci_bind_vfio(const struct host_paths *h, const struct sysfs_ops *ops, const char *addr,
		  unsigned int flags, struct errbuf *note, struct errbuf *e);
/*
 * Give addr back to the driver remembered at bind time (or let the kernel probe one when vfvm
 * has no record). 0 also when there was nothing to undo.
 */
int pci_unbind_vfio(const struct host_paths *h, const struct sysfs_ops *ops, const char *addr,
		    struct errbuf *note, struct errbuf *e);

/* ---- managed mode for `vfvm run --vfio ADDR,bind` ----------------------------------------------
 */

struct vfio_arg {
	char addr[VFIO_PCI_ADDR_LEN];
	bool bind; /* ",bind": bind before the guest starts, restore at exit */
};

/* "ADDR" or "ADDR,bind"; -EINVAL with a message naming the argument otherwise. */
int vfio_arg_parse(const char *arg, struct vfio_arg *out, struct errbuf *e);

#define MANAGED_MAX 32

struct managed_binding {
	const struct host_paths *h;
	const struct sysfs_ops *ops;
	unsigned int nr;
	char bound[MANAGED_MAX][VFIO_PCI_ADDR_LEN]; /* devices this set moved to vfio-pci */
};

void managed_init(struct managed_binding *m, const struct host_paths *h,
		  const struct sysfs_ops *ops);
/*
 * Bind every ",bind" device that is not on vfio-pci yet (refusing devices the host uses). On
 * failure, what this call bound is restored before returning.
 */
int managed_bind_all(struct managed_binding *m, const struct vfio_arg *args, unsigned int n,
		     struct errbuf *e);
/* Restore every device managed_bind_all moved, last first; goes on after a failure, returns the
 * first error. Safe to call twice. */
int managed_restore_all(struct managed_binding *m, struct errbuf *e);

#endif
