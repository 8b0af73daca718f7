/* SPDX-License-Identifier: MIT */
/*
 * The options of `vfvm run`, parsed without side effects so that every bad input can be tested.
 */
#ifndef VFVM_RUN_OPTIONS_H
#define VFVM_RUN_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vfio/sysfs.h"
#include "vmm/hugepages.h"
#include "vmm/errbuf.h"
#include "vmm/sandbox.h"

#define RUN_DEFAULT_MEMORY (512ULL << 20)
#define RUN_MIN_MEMORY (2ULL << 20)
#define RUN_MAX_MEMORY (1ULL << 40)
#define RUN_MAX_CPUS 4096		 /* before KVM is asked how many it allows */
#define RUN_MAX_VFIO 8			 /* passthrough devices (VFIO_MAX_ASSIGNED) */
#define RUN_DEFAULT_POWERDOWN_TIMEOUT 30 /* seconds a guest has to power off after the button */
#define RUN_MAX_POWERDOWN_TIMEOUT 86400

/* What the firmware boots (--boot). */
enum run_boot {
	RUN_BOOT_KERNEL, /* the --kernel given, through fw_cfg */
	RUN_BOOT_DISK,	 /* the first bootable disk of the passed-through devices */
};

struct run_options {
	const char *kernel;
	const char *firmware;	  /* --firmware: a BIOS image (NULL: direct kernel boot) */
	const char *firmware_log; /* --firmware-log: where the firmware's debug port writes */
	enum run_boot boot;
	const char *initrd;
	const char *cmdline;  /* the user's words (--cmdline), or NULL */
	const char *dump_dtb; /* --dump-dtb: write the guest's device tree here and exit */
	uint64_t memory;
	struct ram_backing backing; /* --memory SIZE,hugepages=...,prealloc */
	const char *memory_arg;	    /* --memory's value as given (for messages), or NULL */
	unsigned int cpus;
	bool stats;
	bool unpack_kernel; /* --unpack-kernel: vfvm decompresses a bzImage's kernel */
	bool viommu; /* --viommu: a virtio-iommu in front of the --vfio devices */
	bool help;
	struct vfio_arg vfio_args[RUN_MAX_VFIO]; /* --vfio ADDR[,bind] */
	const char *vfio[RUN_MAX_VFIO];		 /* their addresses, as vm_vfio_attach takes them */
	unsigned int nr_vfio;
	enum sandbox_mode seccomp;	/* --seccomp off|log|kill (kill by default) */
	const char *user;		/* --user NAME: run as NAME once everything is open */
	const char *api_socket;		/* --api-socket: the control socket's path */
	unsigned int powerdown_timeout; /* --powerdown-timeout, seconds */
	bool sigterm_powerdown;		/* --on-sigterm powerdown */
};

/* The platform's command line words, which come before the user's. */
const char *run_default_cmdline(void);

/* The guest's full command line (malloc()ed): the platform's words, then the user's. NULL: ENOMEM.
 */
char *run_kernel_cmdline(const struct run_options *o);

/*
 * Parse a size: a number of MiB, or a number with a K, M, G or T suffix (optionally followed by
 * "iB" or "B"; powers of 1024). -EINVAL for anything else, -ERANGE when it overflows.
 */
int run_parse_size(const char *s, uint64_t *bytes);

/*
 * Parse `run`'s arguments (argv[0] is "run"). 0 on success (o->help set for --help), or -EINVAL
 * with a message naming the option and value at fault (a usage error).
 */
int run_options_parse(int argc, char **argv, struct run_options *o, struct errbuf *err);

/* The files named on the command line can be opened for reading. -errno with the file named. */
int run_options_check_files(const struct run_options *o, struct errbuf *err);

/* Whether the vCPU count fits what KVM allows (max_vcpus from KVM_CAP_MAX_VCPUS). -EINVAL if not.
 */
int run_options_check_cpus(const struct run_options *o, unsigned int max_vcpus, struct errbuf *err);

void run_usage(FILE *out);

#endif
