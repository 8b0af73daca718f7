/* SPDX-License-Identifier: MIT */
/*
 * One `vfvm run`: what it owns, for vmm/cmd_run.c (building, running and releasing the machine)
 * and vmm/run_api.c (the control socket's commands, which look at and act on a running one).
 */
#ifndef VFVM_RUN_H
#define VFVM_RUN_H

#include <limits.h>
#include <time.h>

#include "vfio/sysfs.h"
#include "vmm/api.h"
#include "vmm/machine.h"
#include "vmm/run_options.h"
#include "vmm/sandbox.h"
#include "vmm/vm.h"
#include "vmm/vm_vfio.h"

/* Everything one run owns, so that every exit path releases it in one place. */
struct run {
	struct run_options opt;
	struct vm vm;
	bool vm_open;
	struct machine *machine;
	struct vm_vfio vfio;
	bool vfio_ready;
	/* --vfio ADDR,bind: devices vfvm moved to vfio-pci, given back at exit */
	char host_buf[5 * PATH_MAX];
	struct host_paths host;
	struct managed_binding managed;
	bool managed_ready;
	int signal_fd;
	struct timespec t_start;
	struct api_server api; /* --api-socket */
	bool api_ready;
	/* the power button was pressed (powerdown, --on-sigterm powerdown): stop at the deadline */
	bool powerdown_pending;
	struct timespec powerdown_deadline;
	struct sandbox_user user; /* --user */
};

/* The control socket's commands (a NULL name ends the table); ctx is the struct run. */
extern const struct api_command run_api_commands[];

/* Press the guest's power button and arm the --powerdown-timeout deadline (not re-armed). */
int run_powerdown(struct run *r, struct errbuf *err);

#endif
