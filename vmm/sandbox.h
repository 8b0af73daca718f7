/* SPDX-License-Identifier: MIT */
/*
 * What confines vfvm once the guest runs: a seccomp filter per kind of thread (sandbox_seccomp.c)
 * and, started as root, the drop to an ordinary user (sandbox_user.c).
 */
#ifndef VFVM_SANDBOX_H
#define VFVM_SANDBOX_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "vmm/errbuf.h"

/* --seccomp: what a system call outside a thread's list does. */
enum sandbox_mode {
	SANDBOX_OFF,  /* no filter (what a VM object starts with; `vfvm run` defaults to kill) */
	SANDBOX_LOG,  /* the kernel logs the call (audit / dmesg) and lets it run */
	SANDBOX_KILL, /* one line naming thread and call, then vfvm stops (exit 1) */
};

/* The kinds of thread, each with its own list of system calls. */
enum sandbox_thread {
	SANDBOX_VCPU,	 /* KVM_RUN and the device emulation it calls */
	SANDBOX_MAIN,	 /* the event loop (signals, console input) and the teardown after it */
	SANDBOX_DMA_MAP, /* pins guest RAM for DMA beside the starting guest */
	SANDBOX_NR_THREADS,
};

/* "off", "log" or "kill"; -EINVAL for anything else. */
int sandbox_mode_parse(const char *s, enum sandbox_mode *mode);
const char *sandbox_mode_name(enum sandbox_mode mode);
const char *sandbox_thread_kind_name(enum sandbox_thread kind);

/*
 * Once per process, before any filter: the SIGSYS handler and the table of system call names it
 * prints from (a signal handler may not allocate). on_violation (may be NULL) runs in the handler
 * of the thread at fault, so it must be async-signal-safe; it is how the VM learns to stop.
 */
int sandbox_prepare(enum sandbox_mode mode, void (*on_violation)(void *opaque), void *opaque,
		    struct errbuf *err);

/*
 * Install the filter of one kind of thread on the calling thread (and on threads it creates
 * afterwards). name (e.g. "vCPU 0") is what a violation's line calls the thread; it must outlive
 * the thread. A no-op in SANDBOX_OFF. -errno with err filled.
 */
int sandbox_enter(enum sandbox_mode mode, enum sandbox_thread kind, const char *name,
		  struct errbuf *err);

/*
 * Build and compile the filter of one kind of thread for this architecture without installing
 * it: every list must resolve even where no filter can be installed (QEMU's user-mode emulation
 * refuses them). -errno with err filled.
 */
int sandbox_filter_check(enum sandbox_thread kind, struct errbuf *err);

/* How many calls were refused so far (kill mode): vfvm's exit code is 1 if any. */
unsigned int sandbox_violations(void);

/* ---- least privilege (sandbox_user.c) ---- */

struct sandbox_user {
	uid_t uid;
	gid_t gid;
	gid_t groups[64];
	int nr_groups;
	char name[64];
};

/* Look NAME (or a numeric uid) up in the user database: -ENOENT/-EINVAL with err naming it. */
int sandbox_user_lookup(const char *name, struct sandbox_user *u, struct errbuf *err);

/*
 * Become u for good: its groups, gid and uid, no_new_privs, and no capability left (effective,
 * permitted, inheritable, ambient, bounding set). Needs root. -errno with err naming the step.
 */
int sandbox_drop_to(const struct sandbox_user *u, struct errbuf *err);

/*
 * Whether u could create and remove entries in directory dir (write and search permission, as the
 * kernel decides it for u's uid and groups: mode bits and ACLs): 0, -EACCES, or another -errno.
 * Needs root (it asks a child process that becomes u).
 */
int sandbox_user_may_write_dir(const struct sandbox_user *u, const char *dir);

/*
 * Started as root, before the drop: raise RLIMIT_MEMLOCK (soft and hard) to at least bytes, so that
 * the user vfvm becomes may still pin all of guest RAM for DMA.
 */
int sandbox_memlock_reserve(uint64_t bytes, struct errbuf *err);

#endif
