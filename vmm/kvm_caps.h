/* SPDX-License-Identifier: MIT */
/*
 * What vfvm needs from KVM: the API version and the capabilities the passthrough paths rely on.
 * One table, used by `vfvm check` to report and by `vfvm run` to refuse early with a clear message.
 */
#ifndef VFVM_KVM_CAPS_H
#define VFVM_KVM_CAPS_H

#include <stdbool.h>

#include "vmm/errbuf.h"

#define KVM_API_EXPECTED 12

struct kvm_cap_need {
	const char *name; /* as `vfvm check` prints it: "IRQFD", "READONLY_MEM" ... */
	int cap;	  /* KVM_CAP_* */
	const char *why;  /* what vfvm uses it for */
};

extern const struct kvm_cap_need kvm_caps_needed[];
extern const unsigned int kvm_caps_needed_count;

/* Open /dev/kvm (or path) and check KVM_GET_API_VERSION. Returns the fd or -errno. */
int kvm_open_checked(const char *path, int *api_version, struct errbuf *e);

/* KVM_CHECK_EXTENSION: > 0 if present (or its value), 0 if absent. */
int kvm_cap_value(int kvm_fd, int cap);

/* 0 if every needed capability is present; else -ENOTSUP and the errbuf names the missing ones. */
int kvm_caps_require(int kvm_fd, struct errbuf *e);

#endif
