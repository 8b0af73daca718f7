// SPDX-License-Identifier: MIT
/*
 * The kind of /dev/kvm on built trees (none, kvm_intel/kvm_amd, kvm_pvm, unknown), the line
 * `vfvm check` and `vfvm run` print for it, and how a KVM test's check ends on each kind when KVM
 * did or did not do what the check needs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "tests/unit/test_sysfs_tree.h"
#include "vmm/kvm_host.h"

static struct tree t;

static int setup(void **state)
{
	(void)state;
	tree_new(&t);
	/* every kind of host has the kvm module itself */
	tree_file(&t, "sys/module/kvm/parameters/halt_poll_ns", "200000\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tree_free(&t);
	return 0;
}

static void detect(struct kvm_host *h)
{
	char dev[PATH_MAX + 8];

	snprintf(dev, sizeof(dev), "%s/kvm", t.dev);
	kvm_host_detect(t.sys, dev, h);
}

static void no_dev_kvm_is_none_even_with_a_module(void **state)
{
	struct kvm_host h;
	char buf[256];
	(void)state;

	/* kvm_pvm loaded but bound to nothing: no device node */
	tree_file(&t, "sys/module/kvm_pvm/parameters/verbose", "N\n");
	detect(&h);
	assert_int_equal(h.kind, KVM_HOST_NONE);
	assert_int_equal(h.dev_errno, ENOENT);
	assert_string_equal(kvm_host_fact(&h, buf, sizeof(buf)), "none");
	assert_null(kvm_host_limits(&h, buf, sizeof(buf)));
}

static void kvm_intel_and_kvm_amd_are_hardware(void **state)
{
	const char *mods[] = {"kvm_intel", "kvm_amd"};
	char buf[256], rel[64], want[64];
	struct kvm_host h;
	(void)state;

	tree_file(&t, "dev/kvm", "");
	for (unsigned int i = 0; i < 2; i++) {
		snprintf(rel, sizeof(rel), "sys/module/%s/parameters/nested", mods[i]);
		tree_file(&t, rel, "1\n");
		detect(&h);
		assert_int_equal(h.kind, KVM_HOST_HARDWARE);
		assert_string_equal(h.module, mods[i]);
		snprintf(want, sizeof(want), "hardware %s", mods[i]);
		assert_string_equal(kvm_host_fact(&h, buf, sizeof(buf)), want);
		assert_null(kvm_host_limits(&h, buf, sizeof(buf)));
		tree_free(&t);
		setup(NULL);
		tree_file(&t, "dev/kvm", "");
	}
}

static void kvm_pvm_is_other_and_says_what_will_not_work(void **state)
{
	struct kvm_host h;
	char buf[256];
	(void)state;

	tree_file(&t, "dev/kvm", "");
	tree_file(&t, "sys/module/kvm_pvm/parameters/verbose", "N\n");
	detect(&h);
	assert_int_equal(h.kind, KVM_HOST_OTHER);
	assert_string_equal(kvm_host_fact(&h, buf, sizeof(buf)), "other kvm_pvm");
	assert_string_equal(kvm_host_limits(&h, buf, sizeof(buf)),
			    "/dev/kvm is kvm_pvm, a KVM without hardware virtualization: a guest "
			    "kernel built without PVM guest support will not boot, and a guest's "
			    "triple fault does not reach vfvm (the guest does not stop)");
	/* beside a hardware module, /dev/kvm may be kvm_pvm's: not called hardware */
	tree_file(&t, "sys/module/kvm_intel/parameters/nested", "1\n");
	detect(&h);
	assert_int_equal(h.kind, KVM_HOST_OTHER);
	assert_string_equal(h.module, "kvm_pvm");
}

static void unknown_kind_is_other(void **state)
{
	struct kvm_host h;
	char buf[256];
	(void)state;

	tree_file(&t, "dev/kvm", "");
	detect(&h);
	assert_int_equal(h.kind, KVM_HOST_OTHER);
	assert_string_equal(h.module, "");
	assert_string_equal(kvm_host_fact(&h, buf, sizeof(buf)), "other unknown");
	assert_string_equal(kvm_host_limits(&h, buf, sizeof(buf)),
			    "/dev/kvm is a KVM of unknown kind (neither kvm_intel nor kvm_amd): "
			    "vfvm expects VMX or SVM, and a guest may fail here in ways it would "
			    "not on hardware KVM");
}

/* A check whose guest saw KVM do what it needs runs anywhere; a miss fails only on hardware. */
static void verdicts(void **state)
{
	const char *lack = "a triple fault does not reach user space";
	struct kvm_host hw = {.kind = KVM_HOST_HARDWARE, .module = "kvm_amd"};
	struct kvm_host pvm = {.kind = KVM_HOST_OTHER, .module = "kvm_pvm"};
	struct kvm_host unknown = {.kind = KVM_HOST_OTHER};
	char why[160];
	(void)state;

	assert_int_equal(kvm_host_verdict(&hw, true, lack, why, sizeof(why)), KVM_CHECK_RUN);
	assert_string_equal(why, "");
	assert_int_equal(kvm_host_verdict(&pvm, true, lack, why, sizeof(why)), KVM_CHECK_RUN);
	assert_int_equal(kvm_host_verdict(&hw, false, lack, why, sizeof(why)), KVM_CHECK_FAIL);
	assert_string_equal(why, "");
	assert_int_equal(kvm_host_verdict(&pvm, false, lack, why, sizeof(why)), KVM_CHECK_SKIP);
	assert_string_equal(why, "kvm_pvm: a triple fault does not reach user space");
	assert_int_equal(kvm_host_verdict(&unknown, false, lack, why, sizeof(why)), KVM_CHECK_SKIP);
	assert_string_equal(why, "a KVM of unknown kind (neither kvm_intel nor kvm_amd): a triple "
				 "fault does not reach user space");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(no_dev_kvm_is_none_even_with_a_module),
		T(kvm_intel_and_kvm_amd_are_hardware),
		T(kvm_pvm_is_other_and_says_what_will_not_work),
		T(unknown_kind_is_other),
		T(verdicts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
