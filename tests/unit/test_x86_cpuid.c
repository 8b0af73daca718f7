// SPDX-License-Identifier: MIT
/* Per-vCPU CPUID: what KVM reports, adjusted to describe vCPU i of n. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/x86/cpuid.h"

#define SIG (KVM_CPUID_FLAG_SIGNIFCANT_INDEX)

/* Roughly what KVM_GET_SUPPORTED_CPUID gives on a host: host topology in leaves 1, 4, 0xb,
 * no hypervisor or TSC-deadline bit, KVM's paravirt leaves. */
static unsigned int supported(struct kvm_cpuid_entry2 *e)
{
	const struct kvm_cpuid_entry2 host[] = {
		{.function = 0, .eax = 0x1f, .ebx = 0x756e6547},
		{.function = 1,
		 .eax = 0x806f8,
		 .ebx = 0x07400800,
		 .ecx = 0x7ffafbff,
		 .edx = 0x1f8bfbff},
		{.function = 4, .index = 0, .flags = SIG, .eax = 0x1c004121},
		{.function = 4, .index = 3, .flags = SIG, .eax = 0x1c03c163},
		{.function = 4, .index = 4, .flags = SIG, .eax = 0},
		{.function = 0xb,
		 .index = 0,
		 .flags = SIG,
		 .eax = 1,
		 .ebx = 2,
		 .ecx = 0x100,
		 .edx = 7},
		{.function = 0xb,
		 .index = 1,
		 .flags = SIG,
		 .eax = 7,
		 .ebx = 64,
		 .ecx = 0x201,
		 .edx = 7},
		{.function = 0xb, .index = 2, .flags = SIG, .ecx = 2, .edx = 7},
		{.function = 0x1f, .index = 1, .flags = SIG, .eax = 7, .ebx = 64, .ecx = 0x201},
		{.function = 0x40000000,
		 .eax = 0x40000001,
		 .ebx = 0x4b4d564b,
		 .ecx = 0x564b4d56,
		 .edx = 0x4d},
		{.function = 0x40000001, .eax = 0x01007afb},
		{.function = 0x80000001, .ecx = 0x121},
		{.function = 0x80000008, .eax = 0x3030, .ecx = 0x703f},
		{.function = 0x8000001e, .eax = 9, .ebx = 0x105, .ecx = 0x301},
	};

	memcpy(e, host, sizeof(host));
	return sizeof(host) / sizeof(host[0]);
}

static void leaf1_ids_and_bits(void **state)
{
	struct kvm_cpuid_entry2 e[32], *l;
	unsigned int n;
	(void)state;

	n = supported(e);
	x86_cpuid_adjust(e, n, 5, 6);
	l = x86_cpuid_find(e, n, 1, 0);
	assert_non_null(l);
	assert_int_equal(l->ebx >> 24, 5);	    /* initial APIC id */
	assert_int_equal((l->ebx >> 16) & 0xff, 8); /* 6 cores span 8 APIC ids */
	assert_int_equal(l->ebx & 0xffff, 0x0800);  /* CLFLUSH size etc. kept */
	assert_true(l->ecx & (1U << 31));	    /* hypervisor */
	assert_true(l->ecx & (1U << 24));	    /* TSC deadline */
	assert_true(l->edx & (1U << 28));	    /* HTT: more than one logical CPU */
	assert_int_equal(l->eax, 0x806f8);

	n = supported(e);
	x86_cpuid_adjust(e, n, 0, 1);
	l = x86_cpuid_find(e, n, 1, 0);
	assert_int_equal(l->ebx >> 24, 0);
	assert_int_equal((l->ebx >> 16) & 0xff, 1);
	assert_false(l->edx & (1U << 28));
}

static void leaf_b_and_1f_topology(void **state)
{
	struct kvm_cpuid_entry2 e[32], *l;
	unsigned int n;
	(void)state;

	for (unsigned int ncpus = 1; ncpus <= 9; ncpus++) {
		unsigned int idx = ncpus - 1, bits = 0;

		while ((1U << bits) < ncpus)
			bits++;
		n = supported(e);
		x86_cpuid_adjust(e, n, idx, ncpus);
		for (uint32_t leaf = 0xb; leaf <= 0x1f; leaf += 0x14) {
			l = x86_cpuid_find(e, n, leaf, 1);
			assert_non_null(l);
			assert_int_equal(l->edx, idx);
			assert_int_equal(l->eax, bits); /* shift to the package id */
			assert_int_equal(l->ebx, ncpus);
			assert_int_equal(l->ecx, 0x201); /* core level, sub-leaf 1 */
		}
		l = x86_cpuid_find(e, n, 0xb, 0);
		assert_int_equal(l->eax, 0); /* no SMT */
		assert_int_equal(l->ebx, 1);
		assert_int_equal(l->ecx, 0x100);
		assert_int_equal(l->edx, idx);
		l = x86_cpuid_find(e, n, 0xb, 2);
		assert_int_equal(l->ecx >> 8 & 0xff, 0); /* end of the levels */
		assert_int_equal(l->edx, idx);
	}
}

static void leaf4_cores_and_amd_leaves(void **state)
{
	struct kvm_cpuid_entry2 e[32], *l;
	unsigned int n;
	(void)state;

	n = supported(e);
	x86_cpuid_adjust(e, n, 2, 4);
	l = x86_cpuid_find(e, n, 4, 0); /* L1 data cache: private to the core */
	assert_int_equal(l->eax >> 26, 3);
	assert_int_equal((l->eax >> 14) & 0xfff, 0);
	assert_int_equal(l->eax & 0x3fff, 0x0121);
	l = x86_cpuid_find(e, n, 4, 3); /* L3: shared by the package */
	assert_int_equal(l->eax >> 26, 3);
	assert_int_equal((l->eax >> 14) & 0xfff, 3);
	l = x86_cpuid_find(e, n, 4, 4); /* no cache: untouched */
	assert_int_equal(l->eax, 0);

	l = x86_cpuid_find(e, n, 0x80000008, 0);
	assert_int_equal(l->ecx & 0xff, 3);
	assert_int_equal((l->ecx >> 12) & 0xf, 2);
	assert_int_equal(l->eax, 0x3030);
	l = x86_cpuid_find(e, n, 0x8000001e, 0);
	assert_int_equal(l->eax, 2);
	assert_int_equal(l->ebx & 0xffff, 2);
	assert_int_equal(l->ecx & 0x7ff, 0);
	l = x86_cpuid_find(e, n, 0x80000001, 0);
	assert_true(l->ecx & 2); /* CmpLegacy with several cores */
}

static void kvm_leaves_kept(void **state)
{
	struct kvm_cpuid_entry2 e[32], orig[32], *l;
	unsigned int n;
	(void)state;

	n = supported(e);
	memcpy(orig, e, sizeof(e));
	x86_cpuid_adjust(e, n, 1, 2);
	l = x86_cpuid_find(e, n, 0x40000000, 0);
	assert_memory_equal(l, x86_cpuid_find(orig, n, 0x40000000, 0), sizeof(*l));
	l = x86_cpuid_find(e, n, 0x40000001, 0);
	assert_int_equal(l->eax, 0x01007afb); /* kvmclock and the PV features as KVM offers */
	assert_memory_equal(x86_cpuid_find(e, n, 0, 0), x86_cpuid_find(orig, n, 0, 0), sizeof(*l));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(leaf1_ids_and_bits),
		cmocka_unit_test(leaf_b_and_1f_topology),
		cmocka_unit_test(leaf4_cores_and_amd_leaves),
		cmocka_unit_test(kvm_leaves_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
