// SPDX-License-Identifier: MIT
/*
 * `vfvm devices [--json] [--class net|storage|HEX] [ADDR...]`: every PCI device with its IOMMU
 * group, driver, and whether it can be passed through (ready / bindable / not, with the reason).
 * Reads only; one line per device, or a JSON array for scripts.
 */
#include "vfio/diag.h"
#include "vfio/sysfs.h"
#include "vmm/commands.h"
#include "vmm/json.h"
#include "vmm/run_options.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct class_filter {
	unsigned int value, shift; /* match class >> shift == value; shift 24 matches all */
};

static int parse_class(const char *s, struct class_filter *f)
{
	size_t len = strlen(s);
	char *end;

	if (!strcmp(s, "net") || !strcmp(s, "network")) {
		*f = (struct class_filter){0x02, 16};
		return 0;
	}
	if (!strcmp(s, "storage")) {
		*f = (struct class_filter){0x01, 16};
		return 0;
	}
	if (!strncmp(s, "0x", 2))
		s += 2, len -= 2;
	if ((len != 2 && len != 4 && len != 6) || strspn(s, "0123456789abcdefABCDEF") != len)
		return -EINVAL;
	f->value = (unsigned int)strtoul(s, &end, 16);
	f->shift = (unsigned int)(24 - 4 * len);
	return 0;
}

/* The other members of d's group, "a, b" or "". */
static void other_members(const struct host_paths *h, const struct pci_dev_info *d, char *out,
			  size_t len, bool json)
{
	char(*m)[VFIO_PCI_ADDR_LEN] = NULL;
	size_t n = 0, used = 0;

	out[0] = '\0';
	if (d->group < 0 || iommu_group_members(h, d->group, &m, &n))
		return;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(m[i], d->addr) || used >= len)
			continue;
		used += (size_t)snprintf(out + used, len - used, json ? "%s\"%s\"" : "%s%s",
					 used ? (json ? "," : " ") : "", m[i]);
	}
	free(m);
}

static void print_text(const struct host_paths *h, const struct diag_device *dd)
{
	const struct pci_dev_info *d = &dd->dev;
	struct pci_names nm;
	char others[256];

	pci_ids_lookup(h->pci_ids, d->vendor, d->device, d->class, &nm);
	other_members(h, d, others, sizeof(others), false);
	printf("%s %04x:%04x %04x", d->addr, d->vendor, d->device, d->class >> 8);
	if (nm.vendor[0] || nm.device[0] || nm.class[0])
		printf(" \"%s%s%s%s%s%s\"", nm.class, nm.class[0] ? ": " : "", nm.vendor,
		       nm.vendor[0] && nm.device[0] ? " " : "", nm.device,
		       !nm.vendor[0] && !nm.device[0] && nm.class[0] ? "?" : "");
	printf(" driver=%s", d->driver[0] ? d->driver : "none");
	if (d->group >= 0)
		printf(" group=%d%s%s", d->group, others[0] ? " with " : " alone", others);
	else
		printf(" group=none");
	printf(" | %s", diag_verdict_name(dd->verdict));
	if (dd->users[0])
		printf(", in use: %s", dd->users);
	if (dd->reason[0])
		printf(" | %s", dd->reason);
	putchar('\n');
}

static void print_json(const struct host_paths *h, const struct diag_device *dd, bool first)
{
	const struct pci_dev_info *d = &dd->dev;
	struct pci_names nm;
	char others[512];

	pci_ids_lookup(h->pci_ids, d->vendor, d->device, d->class, &nm);
	other_members(h, d, others, sizeof(others), true);
	printf("%s  {\"address\": \"%s\", \"vendor\": \"%04x\", \"device\": \"%04x\", "
	       "\"class\": \"%06x\",\n   \"vendor_name\": ",
	       first ? "" : ",\n", d->addr, d->vendor, d->device, d->class);
	json_fput_string(stdout, nm.vendor);
	printf(", \"device_name\": ");
	json_fput_string(stdout, nm.device);
	printf(", \"class_name\": ");
	json_fput_string(stdout, nm.class);
	printf(",\n   \"driver\": ");
	json_fput_string(stdout, d->driver);
	if (d->group >= 0)
		printf(", \"iommu_group\": %d", d->group);
	else
		printf(", \"iommu_group\": null");
	printf(", \"group_others\": [%s],\n   \"verdict\": \"%s\", \"in_use\": ", others,
	       diag_verdict_name(dd->verdict));
	json_fput_string(stdout, dd->users);
	printf(", \"reason\": ");
	json_fput_string(stdout, dd->reason);
	printf("}");
}

static int usage(FILE *out, int code)
{
	fprintf(out,
		"Usage: vfvm devices [--json] [--class net|storage|HEX] [--memory SIZE] [ADDR...]\n"
		"PCI devices with driver, IOMMU group and whether they can be passed through:\n"
		"ready (on vfio-pci, group viable), bindable ('vfvm bind' makes it ready), or "
		"not.\n"
		"HEX is a class (02), class+subclass (0200) or class+subclass+prog-if (020000).\n"
		"Run as a user other than root, it also says on stderr what that user lacks to\n"
		"pass the ready devices through: /dev/kvm, /dev/vfio/N, or a memlock limit of\n"
		"--memory (default 512M) of guest RAM.\n");
	return code;
}

int cmd_devices(int argc, char **argv)
{
	char(*addrs)[VFIO_PCI_ADDR_LEN] = NULL, pathbuf[5 * PATH_MAX];
	struct class_filter cf = {0, 24};
	struct host_paths h;
	bool json = false, first = true;
	size_t n = 0, nargs = 0, nready = 0;
	uint64_t ram = RUN_DEFAULT_MEMORY;
	int err, rc = EXIT_OK;

	host_paths_from_env(&h, pathbuf, sizeof(pathbuf));
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return usage(stdout, EXIT_OK);
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--memory")) {
			if (i + 1 == argc || run_parse_size(argv[++i], &ram)) {
				fprintf(stderr, "vfvm devices: --memory wants a size (512M, 2G)\n");
				return EXIT_USAGE;
			}
		} else if (!strcmp(argv[i], "--class")) {
			if (i + 1 == argc || parse_class(argv[++i], &cf)) {
				fprintf(stderr,
					"vfvm devices: --class wants net, storage or a hex "
					"class of 2, 4 or 6 digits%s%s\n",
					i < argc ? ", not " : "", i < argc ? argv[i] : "");
				return EXIT_USAGE;
			}
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			fprintf(stderr, "vfvm devices: unknown option '%s'\n", argv[i]);
			return usage(stderr, EXIT_USAGE);
		} else {
			struct errbuf e;
			void *na = realloc(addrs, (nargs + 1) * sizeof(*addrs));

			if (!na) {
				free(addrs);
				return EXIT_RUNTIME;
			}
			addrs = na;
			if (sysfs_addr_parse(argv[i], addrs[nargs++], &e)) {
				fprintf(stderr, "vfvm devices: %s\n", errbuf_msg(&e));
				free(addrs);
				return EXIT_USAGE;
			}
		}
	}
	if (nargs) {
		n = nargs;
	} else {
		err = pci_dev_list(&h, &addrs, &n);
		if (err) {
			fprintf(stderr, "vfvm devices: cannot list %s/bus/pci/devices: %s\n", h.sys,
				strerror(-err));
			return EXIT_RUNTIME;
		}
	}
	if (json)
		printf("[\n");
	for (size_t i = 0; i < n; i++) {
		struct diag_device dd;
		struct errbuf e;

		if (diag_device(&h, addrs[i], &dd, &e)) {
			fprintf(stderr, "vfvm devices: %s\n", errbuf_msg(&e));
			rc = nargs ? EXIT_USAGE : EXIT_RUNTIME;
			continue;
		}
		if ((dd.dev.class >> cf.shift) != cf.value)
			continue;
		/* the ready ones move to the front: what a user without root must be able to open
		 */
		if (dd.verdict == DIAG_READY && nready != i) {
			char t[VFIO_PCI_ADDR_LEN];

			memcpy(t, addrs[nready], sizeof(t));
			memcpy(addrs[nready], addrs[i], sizeof(t));
			memcpy(addrs[i], t, sizeof(t));
		}
		nready += dd.verdict == DIAG_READY;
		if (json)
			print_json(&h, &dd, first);
		else
			print_text(&h, &dd);
		first = false;
	}
	if (json)
		printf("%s]\n", first ? "" : "\n");
	fflush(stdout);
	if (geteuid() != 0)
		user_access_report(stderr, "vfvm devices", &h, addrs, nready, ram);
	free(addrs);
	return rc;
}
