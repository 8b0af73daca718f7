// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: `vfvm run`'s command line (every option and value, sizes, counts, --vfio
 * addresses with ',bind', --seccomp, --user), the guest command line built from it, and the PCI
 * address forms the other commands take.
 *
 * Input: the arguments after "run", separated by NUL bytes (at most 32).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vfio/sysfs.h"
#include "vfio/vfio.h"
#include "vmm/run_options.h"
#include "vmm/x86/x86.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *machine_default_cmdline(void);

/* The x86 machine's words, without linking the whole machine (vmm/x86/machine.c) in. */
const char *machine_default_cmdline(void)
{
	return X86_DEFAULT_CMDLINE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *argv[34] = {"run"};
	char addr[VFIO_PCI_ADDR_LEN];
	struct run_options o;
	struct errbuf e = {""};
	struct vfio_arg va;
	uint64_t bytes;
	int argc = 1;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (char *p = copy; argc < 33 && p <= copy + size; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	if (!run_options_parse(argc, argv, &o, &e) && !o.help)
		free(run_kernel_cmdline(&o));
	for (int i = 1; i < argc; i++) {
		run_parse_size(argv[i], &bytes);
		vfio_arg_parse(argv[i], &va, &e);
		vfio_pci_addr_parse(argv[i], addr);
		sysfs_addr_parse(argv[i], addr, &e);
	}
	free(copy);
	return 0;
}
