// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the host text vfvm reads about a PCI device: sysfs's vendor, device, class,
 * driver_override, boot_vga, the driver and iommu_group links, /proc/net/route, if_inet6,
 * mountinfo and swaps (who uses the device), the bind state file vfvm keeps, and pci.ids lines.
 * Written into a private tree (a tmpfs-backed directory) that the real readers read.
 *
 * Input: the files' contents in that order, separated by NUL bytes.
 */
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vfio/diag.h"
#include "vfio/sysfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[PATH_MAX];
static char dev[PATH_MAX];
static struct host_paths h;
static char sys[PATH_MAX], devdir[PATH_MAX], run[PATH_MAX], proc[PATH_MAX], ids[PATH_MAX];

static void put(const char *dir, const char *name, const char *text)
{
	char p[PATH_MAX * 2];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "we");
	if (!f)
		__builtin_trap();
	fputs(text, f);
	fclose(f);
}

/*
 * The files an input describes, as the previous input left them: a file whose text did not change
 * is not written again (a mutation mostly changes one of the thirteen; the writes were a third of
 * the system calls of an execution). What the readers see is the same either way.
 */
static char *prev[13];

static bool changed(unsigned int i, const char *text)
{
	if (prev[i] && !strcmp(prev[i], text))
		return false;
	free(prev[i]);
	prev[i] = strdup(text);
	if (!prev[i])
		__builtin_trap();
	return true;
}

static void link_to(const char *dir, const char *name, const char *target)
{
	char p[PATH_MAX * 2], t[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	unlink(p);
	/* a link's target: the name the reader takes the last component of */
	snprintf(t, sizeof(t), "../../x/%s", *target ? target : "-");
	for (char *c = t + 8; *c; c++)
		if (*c == '/')
			*c = '_';
	if (symlink(t, p))
		__builtin_trap();
}

static void cleanup(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd)) {
		/* nothing more to do: the directory is named after the pid */
	}
}

static void setup(void)
{
	char cmd[PATH_MAX * 4];
	const char *tmp = getenv("TMPDIR");

	/* a memory file system: the target rewrites a dozen files per input */
	if (!tmp)
		tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(root, sizeof(root), "%s/vfvm-fuzz-sysfs-%d", tmp, (int)getpid());
	snprintf(dev, sizeof(dev), "%s/sys/bus/pci/devices/0000:00:02.0", root);
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p %s %s/sys/class/net/eth0 %s/sys/class/block %s/proc/self %s/proc/net "
		 "%s/dev/vfio %s/run %s/sys/kernel/iommu_groups && "
		 "ln -sfn %s %s/sys/class/net/eth0/device && echo up "
		 ">%s/sys/class/net/eth0/operstate",
		 dev, root, root, root, root, root, root, root, dev, root, root);
	if (system(cmd))
		__builtin_trap();
	atexit(cleanup);
	snprintf(sys, sizeof(sys), "%s/sys", root);
	snprintf(devdir, sizeof(devdir), "%s/dev", root);
	snprintf(run, sizeof(run), "%s/run", root);
	snprintf(proc, sizeof(proc), "%s/proc", root);
	snprintf(ids, sizeof(ids), "%s/pci.ids", root);
	h = (struct host_paths){sys, devdir, run, proc, ids};
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const files[] = {"vendor", "device", "class", "driver_override",
					    "boot_vga"};
	const char *f[13];
	char *copy, *p, users[512], procnet[PATH_MAX * 2];
	struct pci_dev_info d;
	struct diag_device dd;
	struct bind_state st;
	struct pci_names nm;
	struct errbuf e = {""};
	unsigned int n = 0;

	if (!root[0])
		setup();
	copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (p = copy; n < 13 && p <= copy + size; p += strlen(p) + 1)
		f[n++] = p;
	while (n < 13)
		f[n++] = "";
	for (unsigned int i = 0; i < 5; i++)
		if (changed(i, f[i]))
			put(dev, files[i], f[i]);
	if (changed(5, f[5]))
		link_to(dev, "driver", f[5]);
	if (changed(6, f[6]))
		link_to(dev, "iommu_group", f[6]);
	snprintf(procnet, sizeof(procnet), "%s/net", proc);
	if (changed(7, f[7]))
		put(procnet, "route", f[7]);
	if (changed(8, f[8]))
		put(procnet, "if_inet6", f[8]);
	if (changed(9, f[9]))
		put(proc, "self/mountinfo", f[9]);
	if (changed(10, f[10]))
		put(proc, "swaps", f[10]);
	if (changed(11, f[11]))
		put(run, "0000:00:02.0", f[11]);
	if (changed(12, f[12]))
		put(root, "pci.ids", f[12]);

	if (!pci_dev_read(&h, "0000:00:02.0", &d, &e))
		pci_ids_lookup(ids, d.vendor, d.device, d.class, &nm);
	pci_dev_host_users(&h, "0000:00:02.0", users, sizeof(users));
	bind_state_load(&h, "0000:00:02.0", &st, &e);
	diag_device(&h, "0000:00:02.0", &dd, &e);
	free(copy);
	return 0;
}
