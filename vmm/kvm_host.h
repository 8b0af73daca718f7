/* SPDX-License-Identifier: MIT */
/*
 * Which kind of KVM serves this host's /dev/kvm, and what that means for a guest: none, hardware
 * virtualization (kvm_intel, kvm_amd), or another kind, such as kvm_pvm, which runs guests without
 * hardware virtualization and cannot do all a hardware KVM does. The kind comes from the modules
 * in sysfs (built in or loaded: sys/module/NAME), whose directory is a parameter so that tests can
 * build a tree. `vfvm check` (and scripts/test through it), `vfvm run` and the KVM tests use it.
 * The kind names and explains; what a KVM can do is found by running a guest, never by the name.
 */
#ifndef VFVM_KVM_HOST_H
#define VFVM_KVM_HOST_H

#include <stdbool.h>
#include <stddef.h>

enum kvm_host_kind {
	KVM_HOST_NONE,	   /* no /dev/kvm */
	KVM_HOST_HARDWARE, /* kvm_intel or kvm_amd: VMX or SVM */
	KVM_HOST_OTHER,	   /* kvm_pvm, or a KVM vfvm does not know */
};

struct kvm_host {
	enum kvm_host_kind kind;
	char module[16]; /* "kvm_intel", "kvm_amd", "kvm_pvm"; "" when none or unknown */
	int dev_errno;	 /* KVM_HOST_NONE: why kvm_dev could not be found */
};

/* Look at kvm_dev ("/dev/kvm") and sys_dir ("/sys"). */
void kvm_host_detect(const char *sys_dir, const char *kvm_dev, struct kvm_host *h);

/*
 * The kind as one fact, stable for scripts: "none", "hardware kvm_amd", "other kvm_pvm",
 * "other unknown". Returns buf.
 */
const char *kvm_host_fact(const struct kvm_host *h, char *buf, size_t len);

/*
 * For a KVM that is not hardware KVM: one line saying what it is and what will not work that
 * would on hardware KVM (no newline). NULL for hardware KVM and for no KVM at all.
 */
const char *kvm_host_limits(const struct kvm_host *h, char *buf, size_t len);

/* How a KVM test's check ends, given whether KVM did what the check needs. */
enum kvm_check_verdict {
	KVM_CHECK_RUN,	/* KVM did it: the check judges the result */
	KVM_CHECK_FAIL, /* hardware KVM must do it: a failure */
	KVM_CHECK_SKIP, /* another kind (or none) may not: a TAP skip, why says what and where */
};

/*
 * did: what KVM was seen to do (by the check's own guest). lack: what it did not do, in words
 * ("a triple fault does not reach user space"). why gets the skip reason, the kind of KVM first:
 * "kvm_pvm: a triple fault does not reach user space".
 */
enum kvm_check_verdict kvm_host_verdict(const struct kvm_host *h, bool did, const char *lack,
					char *why, size_t len);

#endif
