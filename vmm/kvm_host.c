// SPDX-License-Identifier: MIT
#include "vmm/kvm_host.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static bool has_module(const char *sys_dir, const char *name)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/module/%s", sys_dir, name);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

void kvm_host_detect(const char *sys_dir, const char *kvm_dev, struct kvm_host *h)
{
#ifdef __aarch64__
	/* arm64's KVM is one (usually built-in) module on the CPU's own EL2, not VMX or SVM */
	static const char *const hardware[] = {"kvm"};
#else
	static const char *const hardware[] = {"kvm_intel", "kvm_amd"};
#endif
	struct stat st;

	memset(h, 0, sizeof(*h));
	if (stat(kvm_dev, &st)) {
		h->kind = KVM_HOST_NONE;
		h->dev_errno = errno;
		return;
	}
	/*
	 * kvm_pvm first: where it sits beside a hardware module, /dev/kvm may be either, and
	 * calling it hardware would turn what kvm_pvm cannot do into failures.
	 */
	h->kind = KVM_HOST_OTHER;
	if (has_module(sys_dir, "kvm_pvm")) {
		snprintf(h->module, sizeof(h->module), "kvm_pvm");
		return;
	}
	for (size_t i = 0; i < sizeof(hardware) / sizeof(hardware[0]); i++)
		if (has_module(sys_dir, hardware[i])) {
			h->kind = KVM_HOST_HARDWARE;
			snprintf(h->module, sizeof(h->module), "%s", hardware[i]);
			return;
		}
}

const char *kvm_host_fact(const struct kvm_host *h, char *buf, size_t len)
{
	switch (h->kind) {
	case KVM_HOST_NONE:
		snprintf(buf, len, "none");
		break;
	case KVM_HOST_HARDWARE:
		snprintf(buf, len, "hardware %s", h->module);
		break;
	default:
		snprintf(buf, len, "other %s", h->module[0] ? h->module : "unknown");
	}
	return buf;
}

/* The kind as a skip reason or a message starts: "kvm_pvm", "a KVM of unknown kind", ... */
static const char *kind_name(const struct kvm_host *h)
{
	if (h->kind == KVM_HOST_NONE)
		return "no /dev/kvm";
	if (h->module[0])
		return h->module;
	return "a KVM of unknown kind (neither kvm_intel nor kvm_amd)";
}

const char *kvm_host_limits(const struct kvm_host *h, char *buf, size_t len)
{
	if (h->kind != KVM_HOST_OTHER)
		return NULL;
	if (!strcmp(h->module, "kvm_pvm"))
		snprintf(buf, len,
			 "/dev/kvm is kvm_pvm, a KVM without hardware virtualization: a guest "
			 "kernel built without PVM guest support will not boot, and a guest's "
			 "triple fault does not reach vfvm (the guest does not stop)");
	else
		snprintf(buf, len,
			 "/dev/kvm is %s: vfvm expects VMX or SVM, and a guest may fail here in "
			 "ways it would not on hardware KVM",
			 kind_name(h));
	return buf;
}

enum kvm_check_verdict kvm_host_verdict(const struct kvm_host *h, bool did, const char *lack,
					char *why, size_t len)
{
	if (len)
		why[0] = 0;
	if (did)
		return KVM_CHECK_RUN;
	if (h->kind == KVM_HOST_HARDWARE)
		return KVM_CHECK_FAIL;
	snprintf(why, len, "%s: %s", kind_name(h), lack);
	return KVM_CHECK_SKIP;
}
