// SPDX-License-Identifier: MIT
/*
 * `vfvm check [DEVICE...]`: can this host run vfvm, and pass these devices through?
 *
 * One fact per line on stdout, "kvm ..." or "vfio DEVICE ...", stable for scripts to grep; problems
 * go to stderr, one line each that names the device and says what to do. Exit 1 if anything vfvm
 * needs is missing, 2 on a usage error. Nothing is changed on the host: no reset, no binding.
 */
#include "vfio/sysfs.h"
#include "vfio/vfio.h"
#include "vmm/commands.h"
#include "vmm/kvm_caps.h"
#include "vmm/machine.h"
#include "vmm/run_options.h"
#include "vmm/kvm_host.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_GROUPS 32

struct check {
	const char *sysfs_dir;
	const char *vfio_dir;
	struct vfio_container container; /* one for all groups, as `vfvm run` has */
	bool container_open;
	struct vfio_group groups[MAX_GROUPS];
	unsigned int nr_groups;
};

static void check_usage(FILE *out)
{
	fprintf(out, "Usage: vfvm check [DEVICE...]\n\n"
		     "Report what vfvm needs from KVM and, for each DEVICE (0000:01:00.0 or\n"
		     "/sys/bus/pci/devices/0000:01:00.0), its IOMMU group, container, regions and "
		     "irqs.\n"
		     "One fact per line; exit 1 if something vfvm needs is missing.\n"
		     "As a user other than root, also whether that user can open /dev/kvm and\n"
		     "/dev/vfio/N and pin --memory SIZE (default 512M) of guest RAM.\n");
}

/* The kind of KVM first: on one that is not hardware KVM, what will not work comes first. */
static int check_kvm(void)
{
	char paths[5 * PATH_MAX], dev[PATH_MAX + 8], line[512];
	struct host_paths hp;
	struct kvm_host host;
	struct errbuf e = {""};
	int fd, api = -1, bad = 0;

	host_paths_from_env(&hp, paths, sizeof(paths));
	snprintf(dev, sizeof(dev), "%s/kvm", hp.dev);
	kvm_host_detect(hp.sys, dev, &host);
	printf("kvm kind %s\n", kvm_host_fact(&host, line, sizeof(line)));
	fflush(stdout);
	if (kvm_host_limits(&host, line, sizeof(line)))
		fprintf(stderr, "vfvm check: warning: %s\n", line);
	fd = kvm_open_checked(dev, &api, &e);
	if (fd < 0) {
		if (api >= 0)
			printf("kvm api %d\n", api);
		fprintf(stderr, "vfvm check: %s\n", errbuf_msg(&e));
		return 1;
	}
	printf("kvm api %d\n", api);
	for (unsigned int i = 0; i < kvm_caps_needed_count; i++) {
		bool ok = kvm_cap_value(fd, kvm_caps_needed[i].cap) > 0;

		printf("kvm cap %s %s\n", kvm_caps_needed[i].name, ok ? "yes" : "no");
		if (!ok) {
			fprintf(stderr, "vfvm check: KVM lacks %s (%s)\n", kvm_caps_needed[i].name,
				kvm_caps_needed[i].why);
			bad = 1;
		}
	}
	bad |= machine_check_kvm(fd);
	printf("kvm max-vcpus %d\n", kvm_cap_value(fd, KVM_CAP_MAX_VCPUS));
	printf("kvm memslots %d\n", kvm_cap_value(fd, KVM_CAP_NR_MEMSLOTS));
	close(fd);
	return bad;
}

/* The open, attached group id (shared by devices of the same group), or NULL with e filled. */
static struct vfio_group *check_group(struct check *c, const char *bdf, unsigned int id,
				      struct errbuf *e)
{
	struct vfio_group *g;
	int err;

	for (unsigned int i = 0; i < c->nr_groups; i++)
		if (c->groups[i].id == id)
			return &c->groups[i];
	if (c->nr_groups == MAX_GROUPS) {
		errbuf_set(e, ENOSPC, "%s: more than %d groups in one check", bdf, MAX_GROUPS);
		return NULL;
	}
	if (!c->container_open) {
		err = vfio_container_open(&c->container, c->vfio_dir, e);
		if (err) {
			if (err == -ENOTSUP)
				printf("vfio %s container type1v2 no\n", bdf);
			return NULL;
		}
		c->container_open = true;
	}
	g = &c->groups[c->nr_groups];
	if (vfio_group_open(g, id, c->vfio_dir, c->sysfs_dir, e))
		return NULL;
	if (vfio_group_attach(g, &c->container, e)) {
		vfio_group_close(g);
		return NULL;
	}
	c->nr_groups++;
	return g;
}

static void print_container(const struct vfio_container *c, const char *bdf)
{
	printf("vfio %s container type1v2 yes\n", bdf);
	printf("vfio %s iommu pgsizes 0x%" PRIx64 "\n", bdf, c->pgsizes);
	if (!c->ranges_reported)
		printf("vfio %s iova-range unknown\n", bdf);
	for (unsigned int i = 0; i < c->nr_ranges; i++)
		printf("vfio %s iova-range 0x%llx-0x%llx\n", bdf,
		       (unsigned long long)c->ranges[i].start,
		       (unsigned long long)c->ranges[i].end);
}

static void print_device(const struct vfio_device *d)
{
	char flags[512], name[16];

	vfio_device_flags_str(d->flags, flags, sizeof(flags));
	printf("vfio %s flags %s\n", d->name, flags);
	for (unsigned int i = 0; i < d->nr_regions; i++) {
		const struct vfio_region *r = &d->regions[i];

		vfio_region_flags_str(r, flags, sizeof(flags));
		printf("vfio %s region %u %s size 0x%" PRIx64 " flags %s\n", d->name, i,
		       vfio_region_name(i, name), r->size, flags);
	}
	for (unsigned int i = 0; i < d->nr_irqs; i++) {
		vfio_irq_flags_str(d->irqs[i].flags, flags, sizeof(flags));
		printf("vfio %s irq %s count %u flags %s\n", d->name, vfio_irq_name(i, name),
		       d->irqs[i].count, flags);
	}
}

static int check_device(struct check *c, const char *bdf)
{
	struct errbuf e = {""};
	struct vfio_device dev;
	struct vfio_group *g;
	unsigned int id;

	if (vfio_group_of_device(c->sysfs_dir, bdf, &id, &e))
		goto fail;
	printf("vfio %s group %u\n", bdf, id);
	g = check_group(c, bdf, id, &e);
	if (!g)
		goto fail;
	print_container(&c->container, bdf);
	if (vfio_device_open(&dev, g, bdf, &e))
		goto fail;
	print_device(&dev);
	vfio_device_close(&dev);
	return 0;
fail:
	vfio_errbuf_name_device(&e, bdf);
	fprintf(stderr, "vfvm check: %s\n", errbuf_msg(&e));
	return 1;
}

int cmd_check(int argc, char **argv)
{
	char pathbuf[5 * PATH_MAX], vfio_dir[PATH_MAX];
	char(*addrs)[VFIO_PCI_ADDR_LEN] = calloc(argc, VFIO_PCI_ADDR_LEN);
	struct check c = {.vfio_dir = vfio_dir};
	uint64_t ram = RUN_DEFAULT_MEMORY;
	struct host_paths h;
	size_t n = 0;
	int bad = 0;

	if (!addrs)
		return EXIT_RUNTIME;
	host_paths_from_env(&h, pathbuf, sizeof(pathbuf));
	c.sysfs_dir = h.sys;
	snprintf(vfio_dir, sizeof(vfio_dir), "%s/vfio", h.dev);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			check_usage(stdout);
			free(addrs);
			return EXIT_OK;
		}
		if (!strcmp(argv[i], "--memory")) {
			if (i + 1 == argc || run_parse_size(argv[++i], &ram)) {
				fprintf(stderr, "vfvm check: --memory wants a size (512M, 2G)\n");
				free(addrs);
				return EXIT_USAGE;
			}
			continue;
		}
		if (argv[i][0] == '-' || vfio_pci_addr_parse(argv[i], addrs[n++])) {
			fprintf(stderr,
				"vfvm check: '%s' is not a PCI device address (want 0000:01:00.0 "
				"or "
				"/sys/bus/pci/devices/0000:01:00.0)\n",
				argv[i]);
			free(addrs);
			return EXIT_USAGE;
		}
	}
	bad |= check_kvm();
	for (size_t i = 0; i < n; i++)
		bad |= check_device(&c, addrs[i]);
	/* what an ordinary user lacks, each thing on its own line, even when the above said one */
	if (geteuid() != 0 && user_access_report(stderr, "vfvm check", &h, addrs, n, ram))
		bad = 1;
	free(addrs);
	for (unsigned int i = 0; i < c.nr_groups; i++)
		vfio_group_close(&c.groups[i]);
	if (c.container_open)
		vfio_container_close(&c.container);
	return bad ? EXIT_RUNTIME : EXIT_OK;
}
