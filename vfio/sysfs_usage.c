// SPDX-License-Identifier: MIT
/*
 * Is the host using a PCI device? A NIC that carries traffic, a disk with a mounted filesystem,
 * swap or a stacked device on it, or the console's display: taking any of them away cuts the host's
 * own network, filesystems or screen.
 *
 * Class entries (sys/class/net/X, sys/class/block/X) are matched to the device by resolving their
 * link: the device's directory is a component of the path, whatever sits between (nvme0, virtio0,
 * ata1/host0/...). Everything is read from files under the host_paths roots, so the same rules run
 * against a test tree.
 */
#include "vfio/sysfs.h"
#include "vfio/sysfs_file.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct users {
	char *out;
	size_t len, used;
	int n;
};

static void add_user(struct users *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_user(struct users *u, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (u->used < u->len && u->n)
		u->used += (size_t)snprintf(u->out + u->used, u->len - u->used, "; ");
	if (u->used < u->len) {
		va_start(ap, fmt);
		w = vsnprintf(u->out + u->used, u->len - u->used, fmt, ap);
		va_end(ap);
		if (w > 0)
			u->used += (size_t)w;
	}
	u->n++;
}

/* Whether class entry dir/name resolves to a path below the PCI device addr. */
static bool below_device(const char *dir, const char *name, const char *addr)
{
	char p[PATH_MAX], real[PATH_MAX], comp[VFIO_PCI_ADDR_LEN + 2];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (!realpath(p, real))
		return false;
	snprintf(comp, sizeof(comp), "/%s/", addr);
	return strstr(real, comp) != NULL;
}

/* IPv4 routes of interface ifname from proc/net/route, as "a.b.c.d/len" text; count returned. */
static int ipv4_routes(const struct host_paths *h, const char *ifname, char *out, size_t len)
{
	char p[PATH_MAX], line[256], ifn[64];
	unsigned int dst, gw, flags, refcnt, use, metric, mask;
	size_t used = 0;
	int n = 0;
	FILE *f;

	out[0] = '\0';
	snprintf(p, sizeof(p), "%s/net/route", h->proc);
	f = fopen(p, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char a[INET_ADDRSTRLEN];
		struct in_addr ia;

		if (sscanf(line, "%63s %x %x %x %u %u %u %x", ifn, &dst, &gw, &flags, &refcnt, &use,
			   &metric, &mask) != 8 ||
		    strcmp(ifn, ifname))
			continue;
		ia.s_addr = dst; /* the file holds the raw network-order word */
		inet_ntop(AF_INET, &ia, a, sizeof(a));
		if (used < len)
			used += (size_t)snprintf(out + used, len - used, "%s%s/%d", n ? " " : "", a,
						 __builtin_popcount(mask));
		n++;
	}
	fclose(f);
	return n;
}

/* Non-link-local IPv6 addresses of ifname from proc/net/if_inet6. */
static int ipv6_addrs(const struct host_paths *h, const char *ifname)
{
	char p[PATH_MAX], line[256], hex[40], ifn[64];
	unsigned int idx, plen, scope, flags;
	int n = 0;
	FILE *f;

	snprintf(p, sizeof(p), "%s/net/if_inet6", h->proc);
	f = fopen(p, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%39s %x %x %x %x %63s", hex, &idx, &plen, &scope, &flags, ifn) ==
			    6 &&
		    !strcmp(ifn, ifname) && scope != 0x20 && scope != 0x10)
			n++;
	fclose(f);
	return n;
}

static void net_users(const struct host_paths *h, const char *addr, struct users *u)
{
	char dir[PATH_MAX], p[PATH_MAX + 300], state[32], routes[160];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/class/net", h->sys);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		int r4, a6;

		if (de->d_name[0] == '.' || !below_device(dir, de->d_name, addr))
			continue;
		snprintf(p, sizeof(p), "%s/%s/operstate", dir, de->d_name);
		if (sysfs_read_line(p, state, sizeof(state)) ||
		    (strcmp(state, "up") && strcmp(state, "unknown")))
			continue;
		r4 = ipv4_routes(h, de->d_name, routes, sizeof(routes));
		a6 = ipv6_addrs(h, de->d_name);
		if (r4 && a6)
			add_user(u,
				 "network interface %s is up with IPv4 routes %s and %d IPv6 "
				 "address(es)",
				 de->d_name, routes, a6);
		else if (r4)
			add_user(u, "network interface %s is up with IPv4 routes %s", de->d_name,
				 routes);
		else if (a6)
			add_user(u, "network interface %s is up with %d IPv6 address(es)",
				 de->d_name, a6);
	}
	closedir(d);
}

/* Where block device name (major:minor majmin) is mounted, from proc/self/mountinfo. */
static bool mounted_at(const struct host_paths *h, const char *name, const char *majmin, char *mnt,
		       size_t len)
{
	char p[PATH_MAX], line[4096], devnode[PATH_MAX];
	bool found = false;
	FILE *f;

	snprintf(p, sizeof(p), "%s/self/mountinfo", h->proc);
	snprintf(devnode, sizeof(devnode), "/dev/%s", name);
	f = fopen(p, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char mm[32], point[1024], *sep;
		unsigned int id, parent;

		if (sscanf(line, "%u %u %31s %*s %1023s", &id, &parent, mm, point) != 4)
			continue;
		sep = strstr(line, " - ");
		if (!strcmp(mm, majmin))
			found = true;
		else if (sep) {
			char fstype[64], source[PATH_MAX];

			if (sscanf(sep + 3, "%63s %4095s", fstype, source) == 2 &&
			    !strcmp(source, devnode))
				found = true;
		}
		if (found)
			str_copy(mnt, len, point);
	}
	fclose(f);
	return found;
}

static bool used_as_swap(const struct host_paths *h, const char *name)
{
	char p[PATH_MAX], line[1024], first[PATH_MAX], devnode[PATH_MAX];
	bool found = false;
	FILE *f;

	snprintf(p, sizeof(p), "%s/swaps", h->proc);
	snprintf(devnode, sizeof(devnode), "/dev/%s", name);
	f = fopen(p, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%4095s", first) == 1 && !strcmp(first, devnode);
	fclose(f);
	return found;
}

static void block_users(const struct host_paths *h, const char *addr, struct users *u)
{
	char dir[PATH_MAX], p[PATH_MAX + 300], majmin[32], mnt[256];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/class/block", h->sys);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		struct dirent *hd;
		DIR *holders;

		if (de->d_name[0] == '.' || !below_device(dir, de->d_name, addr))
			continue;
		snprintf(p, sizeof(p), "%s/%s/dev", dir, de->d_name);
		if (sysfs_read_line(p, majmin, sizeof(majmin)))
			majmin[0] = '\0';
		if (mounted_at(h, de->d_name, majmin, mnt, sizeof(mnt)))
			add_user(u, "block device %s is mounted on %s", de->d_name, mnt);
		if (used_as_swap(h, de->d_name))
			add_user(u, "block device %s is used as swap", de->d_name);
		snprintf(p, sizeof(p), "%s/%s/holders", dir, de->d_name);
		holders = opendir(p);
		while (holders && (hd = readdir(holders)))
			if (hd->d_name[0] != '.')
				add_user(u, "block device %s is held by %s", de->d_name,
					 hd->d_name);
		if (holders)
			closedir(holders);
	}
	closedir(d);
}

int pci_dev_host_users(const struct host_paths *h, const char *addr, char *out, size_t len)
{
	struct users u = {.out = out, .len = len};
	char p[PATH_MAX], v[8];

	out[0] = '\0';
	net_users(h, addr, &u);
	block_users(h, addr, &u);
	snprintf(p, sizeof(p), "%s/bus/pci/devices/%s/boot_vga", h->sys, addr);
	if (!sysfs_read_line(p, v, sizeof(v)) && !strcmp(v, "1"))
		add_user(&u, "it is the boot display (boot_vga=1), the console's screen");
	return u.n;
}
