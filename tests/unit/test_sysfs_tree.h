/* SPDX-License-Identifier: MIT */
/*
 * A sysfs-shaped directory tree for the unit tests of vfio/sysfs*.c and vfio/diag.c, laid out like
 * the kernel's: sys/devices/pci0000:00/ADDR holds the device's files, sys/bus/pci/devices/ADDR,
 * its driver and iommu_group are symlinks, and sys/class/{net,block} entries link below it.
 * tree_ops records every write and modprobe and may play the kernel's reaction to it.
 */
#ifndef VFVM_TEST_SYSFS_TREE_H
#define VFVM_TEST_SYSFS_TREE_H

#include "vfio/sysfs.h"

#include <limits.h>
#include <stdbool.h>

struct tree {
	char root[64]; /* a short mkdtemp name */
	char sys[PATH_MAX], dev[PATH_MAX], run[PATH_MAX], proc[PATH_MAX], ids[PATH_MAX];
	struct host_paths h;
};

void tree_new(struct tree *t);
void tree_free(struct tree *t);
/* Write content to root/rel, creating its directories. */
void tree_file(struct tree *t, const char *rel, const char *content);
void tree_driver(struct tree *t, const char *name); /* a registered driver with bind/unbind */
/* A PCI function; driver may be NULL, group -1 for none. */
void tree_dev(struct tree *t, const char *addr, unsigned int vendor, unsigned int device,
	      unsigned int class, const char *driver, int group);
void tree_set_driver(struct tree *t, const char *addr, const char *driver);
/* A network interface of device addr. */
void tree_net(struct tree *t, const char *addr, const char *ifname, const char *operstate);
/* A block device (disk or partition) below device addr. */
void tree_block(struct tree *t, const char *addr, const char *name, const char *majmin);
/* What root/rel contains ("" when absent). */
const char *tree_read(struct tree *t, const char *rel);

#define TREE_MAX_LOG 32

struct tree_rec {
	struct tree *t;
	bool simulate;	       /* play the kernel's reaction to each write */
	bool modprobe_fails;   /* modprobe returns an error and loads nothing */
	const char *native[8]; /* pairs addr, driver: what drivers_probe binds without override */
	int n;
	char log[TREE_MAX_LOG][160]; /* "rel/path=value" or "modprobe NAME" */
};

void tree_ops(struct tree_rec *r, struct tree *t, struct sysfs_ops *ops);

#endif
