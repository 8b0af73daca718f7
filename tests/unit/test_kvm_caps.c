// SPDX-License-Identifier: MIT
/*
 * What vfvm says about a KVM it cannot use: another API version, missing capabilities, no
 * /dev/kvm at all. /dev/null stands in for a KVM that answers every question with "no": its
 * KVM_GET_API_VERSION fails and every KVM_CHECK_EXTENSION says absent.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>

#include "vmm/kvm_caps.h"

static void another_api_version_is_refused_naming_both(void **state)
{
	struct errbuf e = {""};
	int api = 12345;

	(void)state;
	assert_int_equal(kvm_open_checked("/dev/null", &api, &e), -EPROTO);
	assert_int_equal(api, -1);
	assert_string_equal(e.msg, "/dev/null: KVM API version -1, vfvm needs 12");
}

static void every_missing_capability_is_named(void **state)
{
	struct errbuf e = {""};
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(kvm_caps_require(fd, &e), -ENOTSUP);
	assert_non_null(strstr(e.msg, "KVM lacks capabilities vfvm needs: USER_MEMORY, IRQCHIP, "));
	for (unsigned int i = 0; i < kvm_caps_needed_count; i++) {
		assert_int_equal(kvm_cap_value(fd, kvm_caps_needed[i].cap), 0);
		assert_non_null(strstr(e.msg, kvm_caps_needed[i].name));
	}
	close(fd);
}

static void absent_kvm_says_what_to_load(void **state)
{
	struct errbuf e = {""};

	(void)state;
	assert_int_equal(kvm_open_checked("/nonexistent/kvm", NULL, &e), -ENOENT);
	assert_string_equal(e.msg, "/nonexistent/kvm is missing: load kvm-intel or kvm-amd and "
				   "enable virtualization in the firmware");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(another_api_version_is_refused_naming_both),
		cmocka_unit_test(every_missing_capability_is_named),
		cmocka_unit_test(absent_kvm_says_what_to_load),
	};

	return cmocka_run_group_tests_name("kvm_caps", tests, NULL, NULL);
}
