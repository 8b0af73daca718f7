// SPDX-License-Identifier: MIT
#include "tests/unit/test_sysfs_tree.h"

/* Test paths are a short mkdtemp root plus a few components: truncation cannot happen here. */
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void die(const char *what, const char *p)
{
	fprintf(stderr, "test tree: %s %s: %s\n", what, p, strerror(errno));
	abort();
}

static void mkdirs(const char *path)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			die("mkdir", p);
		*s = '/';
	}
	if (mkdir(p, 0755) && errno != EEXIST)
		die("mkdir", p);
}

static void pathf(struct tree *t, char *out, size_t len, const char *rel)
{
	snprintf(out, len, "%s/%s", t->root, rel);
}

void tree_file(struct tree *t, const char *rel, const char *content)
{
	char p[PATH_MAX], d[PATH_MAX];
	FILE *f;

	pathf(t, p, sizeof(p), rel);
	snprintf(d, sizeof(d), "%s", p);
	*strrchr(d, '/') = '\0';
	mkdirs(d);
	f = fopen(p, "w");
	if (!f)
		die("create", p);
	fputs(content, f);
	fclose(f);
}

static void link_rel(struct tree *t, const char *target, const char *rel)
{
	char p[PATH_MAX];

	pathf(t, p, sizeof(p), rel);
	unlink(p);
	if (symlink(target, p))
		die("symlink", p);
}

void tree_new(struct tree *t)
{
	const char *dirs[] = {"sys/bus/pci/devices",
			      "sys/bus/pci/drivers",
			      "sys/kernel/iommu_groups",
			      "sys/devices/pci0000:00",
			      "sys/class/net",
			      "sys/class/block",
			      "dev/vfio",
			      "proc/self/net",
			      "proc/net"};

	memset(t, 0, sizeof(*t));
	snprintf(t->root, sizeof(t->root), "%s/vfvm-sysfs-XXXXXX",
		 getenv("TMPDIR") && strlen(getenv("TMPDIR")) < 40 ? getenv("TMPDIR") : P_tmpdir);
	if (!mkdtemp(t->root))
		die("mkdtemp", t->root);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char p[PATH_MAX];

		pathf(t, p, sizeof(p), dirs[i]);
		mkdirs(p);
	}
	tree_file(t, "sys/bus/pci/drivers_probe", "");
	snprintf(t->sys, sizeof(t->sys), "%s/sys", t->root);
	snprintf(t->dev, sizeof(t->dev), "%s/dev", t->root);
	snprintf(t->run, sizeof(t->run), "%s/run/vfvm", t->root);
	snprintf(t->proc, sizeof(t->proc), "%s/proc", t->root);
	snprintf(t->ids, sizeof(t->ids), "%s/pci.ids", t->root);
	t->h = (struct host_paths){t->sys, t->dev, t->run, t->proc, t->ids};
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

void tree_free(struct tree *t)
{
	nftw(t->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void tree_driver(struct tree *t, const char *name)
{
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), "sys/bus/pci/drivers/%s/bind", name);
	tree_file(t, rel, "");
	snprintf(rel, sizeof(rel), "sys/bus/pci/drivers/%s/unbind", name);
	tree_file(t, rel, "");
	if (!strcmp(name, "vfio-pci")) {
		snprintf(rel, sizeof(rel), "sys/bus/pci/drivers/%s/new_id", name);
		tree_file(t, rel, "");
		snprintf(rel, sizeof(rel), "sys/bus/pci/drivers/%s/remove_id", name);
		tree_file(t, rel, "");
	}
}

void tree_set_driver(struct tree *t, const char *addr, const char *driver)
{
	char rel[PATH_MAX], target[PATH_MAX], p[PATH_MAX];

	snprintf(rel, sizeof(rel), "sys/devices/pci0000:00/%s/driver", addr);
	pathf(t, p, sizeof(p), rel);
	unlink(p);
	if (!driver)
		return;
	tree_driver(t, driver);
	snprintf(target, sizeof(target), "../../../bus/pci/drivers/%s", driver);
	link_rel(t, target, rel);
}

void tree_dev(struct tree *t, const char *addr, unsigned int vendor, unsigned int device,
	      unsigned int class, const char *driver, int group)
{
	char rel[PATH_MAX], val[64], target[PATH_MAX];

	snprintf(rel, sizeof(rel), "sys/devices/pci0000:00/%s/vendor", addr);
	snprintf(val, sizeof(val), "0x%04x\n", vendor);
	tree_file(t, rel, val);
	snprintf(rel, sizeof(rel), "sys/devices/pci0000:00/%s/device", addr);
	snprintf(val, sizeof(val), "0x%04x\n", device);
	tree_file(t, rel, val);
	snprintf(rel, sizeof(rel), "sys/devices/pci0000:00/%s/class", addr);
	snprintf(val, sizeof(val), "0x%06x\n", class);
	tree_file(t, rel, val);
	snprintf(rel, sizeof(rel), "sys/devices/pci0000:00/%s/driver_override", addr);
	tree_file(t, rel, "(null)\n");
	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s", addr);
	snprintf(target, sizeof(target), "../../../devices/pci0000:00/%s", addr);
	link_rel(t, target, rel);
	tree_set_driver(t, addr, driver);
	if (group < 0)
		return;
	snprintf(rel, sizeof(rel), "sys/kernel/iommu_groups/%d/devices/x", group);
	tree_file(t, rel, "");
	pathf(t, target, sizeof(target), rel);
	unlink(target);
	snprintf(rel, sizeof(rel), "sys/kernel/iommu_groups/%d/devices/%s", group, addr);
	snprintf(target, sizeof(target), "../../../../devices/pci0000:00/%s", addr);
	link_rel(t, target, rel);
	snprintf(rel, sizeof(rel), "sys/devices/pci0000:00/%s/iommu_group", addr);
	snprintf(target, sizeof(target), "../../../kernel/iommu_groups/%d", group);
	link_rel(t, target, rel);
}

void tree_net(struct tree *t, const char *addr, const char *ifname, const char *operstate)
{
	char rel[PATH_MAX], target[PATH_MAX];

	snprintf(rel, sizeof(rel), "sys/devices/pci0000:00/%s/net/%s/operstate", addr, ifname);
	snprintf(target, sizeof(target), "%s\n", operstate);
	tree_file(t, rel, target);
	snprintf(rel, sizeof(rel), "sys/class/net/%s", ifname);
	snprintf(target, sizeof(target), "../../devices/pci0000:00/%s/net/%s", addr, ifname);
	link_rel(t, target, rel);
}

void tree_block(struct tree *t, const char *addr, const char *name, const char *majmin)
{
	char rel[PATH_MAX], target[PATH_MAX];

	snprintf(rel, sizeof(rel), "sys/devices/pci0000:00/%s/nvme/nvme0/%s/dev", addr, name);
	snprintf(target, sizeof(target), "%s\n", majmin);
	tree_file(t, rel, target);
	snprintf(rel, sizeof(rel), "sys/devices/pci0000:00/%s/nvme/nvme0/%s/holders", addr, name);
	pathf(t, target, sizeof(target), rel);
	mkdirs(target);
	snprintf(rel, sizeof(rel), "sys/class/block/%s", name);
	snprintf(target, sizeof(target), "../../devices/pci0000:00/%s/nvme/nvme0/%s", addr, name);
	link_rel(t, target, rel);
}

const char *tree_read(struct tree *t, const char *rel)
{
	static char buf[1024]; /* test helper only: one result at a time */
	char p[PATH_MAX];
	size_t n = 0;
	FILE *f;

	pathf(t, p, sizeof(p), rel);
	buf[0] = '\0';
	f = fopen(p, "r");
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

/* ---- recording ops ----------------------------------------------------------------------------
 */

static const char *dev_driver(struct tree *t, const char *addr, char *buf, size_t len)
{
	char p[PATH_MAX];
	ssize_t n;

	snprintf(p, sizeof(p), "%s/bus/pci/devices/%s/driver", t->sys, addr);
	n = readlink(p, buf, len - 1);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return strrchr(buf, '/') + 1;
}

static void simulate(struct tree_rec *r, const char *rel, const char *val)
{
	struct tree *t = r->t;
	char buf[PATH_MAX], drv[64];

	if (strstr(rel, "/driver_override")) {
		tree_file(t, rel, !strcmp(val, "\n") || !*val ? "(null)\n" : val);
	} else if (strstr(rel, "/unbind")) {
		tree_set_driver(t, val, NULL);
	} else if (!strcmp(rel, "sys/bus/pci/drivers_probe")) {
		const char *ovr;

		if (dev_driver(t, val, buf, sizeof(buf)))
			return;
		snprintf(buf, sizeof(buf), "sys/bus/pci/devices/%s/driver_override", val);
		ovr = tree_read(t, buf);
		if (*ovr && strcmp(ovr, "(null)\n")) {
			snprintf(drv, sizeof(drv), "%.*s", (int)strcspn(ovr, "\n"), ovr);
			tree_set_driver(t, val, drv);
			return;
		}
		for (int i = 0; i < 8 && r->native[i]; i += 2)
			if (!strcmp(r->native[i], val))
				tree_set_driver(t, val, r->native[i + 1]);
	} else if (strstr(rel, "/new_id") || strstr(rel, "/bind")) {
		/* new_id: the test's only device of that id; bind: the named device */
		const char *addr = strstr(rel, "/bind") ? val : NULL;

		if (addr && !dev_driver(t, addr, buf, sizeof(buf))) {
			snprintf(drv, sizeof(drv), "%s", rel + strlen("sys/bus/pci/drivers/"));
			*strchr(drv, '/') = '\0';
			tree_set_driver(t, addr, drv);
		}
	}
}

static int rec_write(void *ctx, const char *path, const char *val)
{
	struct tree_rec *r = ctx;
	size_t rl = strlen(r->t->root);
	const char *rel = strncmp(path, r->t->root, rl) ? path : path + rl + 1;

	if (r->n < TREE_MAX_LOG)
		snprintf(r->log[r->n++], sizeof(r->log[0]), "%s=%s", rel, val);
	if (r->simulate)
		simulate(r, rel, val);
	return 0;
}

static int rec_modprobe(void *ctx, const char *module)
{
	struct tree_rec *r = ctx;

	if (r->n < TREE_MAX_LOG)
		snprintf(r->log[r->n++], sizeof(r->log[0]), "modprobe %s", module);
	if (r->modprobe_fails)
		return -ENOENT;
	if (r->simulate && !strcmp(module, "vfio-pci"))
		tree_driver(r->t, "vfio-pci");
	return 0;
}

void tree_ops(struct tree_rec *r, struct tree *t, struct sysfs_ops *ops)
{
	memset(r, 0, sizeof(*r));
	r->t = t;
	r->simulate = true;
	*ops = (struct sysfs_ops){.write = rec_write, .modprobe = rec_modprobe, .ctx = r};
}
