/* SPDX-License-Identifier: MIT */
/*
 * The subcommands of the vfvm executable. Each returns the process exit code:
 * 0 success, 1 runtime failure, 2 usage error (bad option, bad value, bad file named by the user).
 */
#ifndef VFVM_COMMANDS_H
#define VFVM_COMMANDS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vfio/sysfs.h"

enum {
	EXIT_OK = 0,
	EXIT_RUNTIME = 1,
	EXIT_USAGE = 2,
};

struct command {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *summary;
};

int cmd_run(int argc, char **argv);

/* NULL-terminated table, in the order --help lists them. */
extern const struct command vfvm_commands[];

int cmd_check(int argc, char **argv);
int cmd_devices(int argc, char **argv);
int cmd_bind(int argc, char **argv);
int cmd_unbind(int argc, char **argv);
int cmd_ctl(int argc, char **argv);

/*
 * For a user who is not root: one line on out per thing `vfvm run --vfio` would lack (/dev/kvm,
 * each ready device's /dev/vfio/N, RLIMIT_MEMLOCK against ram_bytes of guest RAM when n > 0).
 * Returns how many are missing.
 */
int user_access_report(FILE *out, const char *prog, const struct host_paths *h,
		       const char (*addrs)[VFIO_PCI_ADDR_LEN], size_t n, uint64_t ram_bytes);

#endif
