// SPDX-License-Identifier: MIT
/*
 * `vfvm bind [--force] [--group] ADDR...` moves devices to vfio-pci, remembering their drivers;
 * `vfvm unbind ADDR...` gives them back. Both are idempotent. A device the host uses (a NIC with
 * addresses or routes, a disk with mounts, the boot display) is refused without --force.
 */
#include "vfio/diag.h"
#include "vfio/sysfs.h"
#include "vmm/commands.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct addr_list {
	char (*v)[VFIO_PCI_ADDR_LEN];
	size_t n;
};

static int add_addr(struct addr_list *l, const char *addr)
{
	void *nv;

	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], addr))
			return 0;
	nv = realloc(l->v, (l->n + 1) * sizeof(*l->v));
	if (!nv)
		return -ENOMEM;
	l->v = nv;
	memcpy(l->v[l->n++], addr, VFIO_PCI_ADDR_LEN);
	return 0;
}

/* Every member of addr's group that vfio-pci should take (bridges stay where they are). */
static int add_group(const struct host_paths *h, const char *addr, struct addr_list *l,
		     struct errbuf *e)
{
	char(*m)[VFIO_PCI_ADDR_LEN] = NULL;
	struct pci_dev_info d;
	size_t n = 0;
	int err = pci_dev_read(h, addr, &d, e);

	if (err)
		return err;
	if (d.group < 0)
		return diag_iommu(h, e) ? -ENODEV
					: errbuf_set(e, ENODEV, "%s has no IOMMU group", addr);
	err = iommu_group_members(h, d.group, &m, &n);
	if (err)
		return errbuf_set(e, err, "cannot list IOMMU group %d: %s", d.group,
				  strerror(-err));
	for (size_t i = 0; !err && i < n; i++) {
		struct pci_dev_info o;

		if (!pci_dev_read(h, m[i], &o, NULL) && pci_class_is_bridge(o.class))
			continue;
		err = add_addr(l, m[i]);
	}
	free(m);
	return err;
}

static int usage(FILE *out, bool bind, int code)
{
	if (bind)
		fprintf(out,
			"Usage: vfvm bind [--force] [--group] ADDR...\n"
			"Bind devices to vfio-pci (driver_override, unbind, drivers_probe) and "
			"remember their drivers.\n"
			"  --force  also take devices the host uses (the host loses them)\n"
			"  --group  bind every device of each ADDR's IOMMU group\n");
	else
		fprintf(out, "Usage: vfvm unbind ADDR...\n"
			     "Give devices bound by 'vfvm bind' back to their previous drivers.\n");
	fprintf(out, "ADDR: DDDD:BB:DD.F, BB:DD.F or /sys/bus/pci/devices/DDDD:BB:DD.F\n");
	return code;
}

static void report_bound(const struct host_paths *h, const char *addr, const struct errbuf *note)
{
	struct pci_dev_info d;
	char p[PATH_MAX];
	struct stat st;

	if (note->msg[0])
		printf("%s\n", note->msg);
	if (pci_dev_read(h, addr, &d, NULL) || d.group < 0)
		return;
	snprintf(p, sizeof(p), "%s/vfio/%d", h->dev, d.group);
	printf("%s: on vfio-pci, IOMMU group %d (%s%s)\n", addr, d.group, p,
	       stat(p, &st) ? " not present yet" : "");
}

static int bind_main(int argc, char **argv, bool bind)
{
	const char *cmd = bind ? "bind" : "unbind";
	struct addr_list l = {0};
	char pathbuf[5 * PATH_MAX];
	unsigned int flags = 0;
	bool group = false;
	struct host_paths h;
	struct errbuf e, note;
	int rc = EXIT_OK;
	size_t nargs = 0;

	host_paths_from_env(&h, pathbuf, sizeof(pathbuf));
	for (int i = 1; i < argc; i++) {
		char addr[VFIO_PCI_ADDR_LEN];

		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			free(l.v);
			return usage(stdout, bind, EXIT_OK);
		}
		if (bind && !strcmp(argv[i], "--force")) {
			flags |= BIND_FORCE;
		} else if (bind && !strcmp(argv[i], "--group")) {
			group = true;
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			fprintf(stderr, "vfvm %s: unknown option '%s'\n", cmd, argv[i]);
			free(l.v);
			return usage(stderr, bind, EXIT_USAGE);
		} else if (sysfs_addr_parse(argv[i], addr, &e) || add_addr(&l, addr)) {
			fprintf(stderr, "vfvm %s: %s\n", cmd, errbuf_msg(&e));
			free(l.v);
			return EXIT_USAGE;
		}
	}
	if (!l.n) {
		free(l.v);
		return usage(stderr, bind, EXIT_USAGE);
	}
	for (size_t i = 0; i < l.n; i++) {
		struct pci_dev_info d;

		if (pci_dev_read(&h, l.v[i], &d, &e)) {
			fprintf(stderr, "vfvm %s: %s\n", cmd, errbuf_msg(&e));
			free(l.v);
			return EXIT_USAGE;
		}
	}
	nargs = l.n;
	for (size_t i = 0; group && i < nargs; i++) {
		if (add_group(&h, l.v[i], &l, &e)) {
			fprintf(stderr, "vfvm bind: %s\n", errbuf_msg(&e));
			free(l.v);
			return EXIT_RUNTIME;
		}
	}
	/* A group is taken whole or not at all: check every member before changing any. */
	for (size_t i = 0; bind && !(flags & BIND_FORCE) && i < l.n; i++) {
		char users[512];

		if (pci_dev_host_users(&h, l.v[i], users, sizeof(users))) {
			struct pci_dev_info d;

			if (!pci_dev_read(&h, l.v[i], &d, NULL) && !strcmp(d.driver, "vfio-pci"))
				continue;
			fprintf(stderr,
				"vfvm bind: refusing to bind %s: the host uses it (%s); stop using "
				"it "
				"first, or run 'vfvm bind --force %s'\n",
				l.v[i], users, l.v[i]);
			rc = EXIT_RUNTIME;
		}
	}
	for (size_t i = 0; rc == EXIT_OK && i < l.n; i++) {
		int err = bind ? pci_bind_vfio(&h, &sysfs_ops_real, l.v[i], flags, &note, &e)
			       : pci_unbind_vfio(&h, &sysfs_ops_real, l.v[i], &note, &e);

		if (err) {
			if (note.msg[0])
				printf("%s\n", note.msg);
			fprintf(stderr, "vfvm %s: %s\n", cmd, errbuf_msg(&e));
			rc = EXIT_RUNTIME;
		} else if (bind) {
			report_bound(&h, l.v[i], &note);
		} else if (note.msg[0]) {
			printf("%s\n", note.msg);
		}
	}
	free(l.v);
	return rc;
}

int cmd_bind(int argc, char **argv)
{
	return bind_main(argc, argv, true);
}

int cmd_unbind(int argc, char **argv)
{
	return bind_main(argc, argv, false);
}
