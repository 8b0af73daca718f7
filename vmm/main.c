// SPDX-License-Identifier: MIT
/* vfvm: a small KVM virtual machine monitor for VFIO PCI passthrough. */
#include "vmm/commands.h"

#include <string.h>

#ifndef VFVM_VERSION
#define VFVM_VERSION "unknown"
#endif

const struct command vfvm_commands[] = {
	{ "check", cmd_check, "report KVM capabilities and VFIO facts of devices" },
	{ "run", cmd_run, "boot a Linux kernel in a KVM virtual machine" },
	{ "devices", cmd_devices, "list PCI devices: IOMMU group, driver, can it be passed through" },
	{ "bind", cmd_bind, "bind devices to vfio-pci, remembering their drivers" },
	{ "unbind", cmd_unbind, "give devices bound by 'vfvm bind' back to their drivers" },
	{ "ctl", cmd_ctl, "ask a running vfvm for its status, to power down or stop (control socket)" },
	{ NULL, NULL, NULL },
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: vfvm COMMAND [OPTIONS]\n"
		     "       vfvm --help | --version\n\n"
		     "vfvm boots a Linux guest on KVM and passes host PCI devices to it through VFIO.\n\n"
		     "Commands:\n");
	for (const struct command *c = vfvm_commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fprintf(out, "\nRun 'vfvm COMMAND --help' for the options of a command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("vfvm %s\n", VFVM_VERSION);
		return EXIT_OK;
	}
	for (const struct command *c = vfvm_commands; c->name; c++)
		if (!strcmp(argv[1], c->name))
			return c->main(argc - 1, argv + 1);
	fprintf(stderr, "vfvm: unknown command '%s' (see 'vfvm --help')\n", argv[1]);
	return EXIT_USAGE;
}
