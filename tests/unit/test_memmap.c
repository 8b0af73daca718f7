// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <cmocka.h>

#include "vmm/memmap.h"

#define MIB (1ULL << 20)
#define GIB (1ULL << 30)
#define HOLE_START (3 * GIB)
#define HOLE_END (4 * GIB)

static void small_guest_is_one_low_range(void **state)
{
	struct guest_mem m;
	(void)state;

	assert_int_equal(guest_mem_layout(&m, 256 * MIB, HOLE_START, HOLE_END), 0);
	assert_int_equal(m.nr_ram, 1);
	assert_true(m.ram[0].gpa == 0 && m.ram[0].size == 256 * MIB);
	assert_true(guest_mem_low_end(&m) == 256 * MIB);
	assert_true(m.total == 256 * MIB);
}

static void large_guest_splits_around_the_hole(void **state)
{
	const uint64_t sizes[] = { 3 * GIB + 2 * MIB, 4 * GIB, 6 * GIB, 64 * GIB };
	(void)state;

	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct guest_mem m;

		assert_int_equal(guest_mem_layout(&m, sizes[i], HOLE_START, HOLE_END), 0);
		assert_int_equal(m.nr_ram, 2);
		assert_true(m.ram[0].gpa == 0 && m.ram[0].size == HOLE_START);
		assert_true(m.ram[1].gpa == HOLE_END);
		assert_true(m.ram[0].size + m.ram[1].size == sizes[i]);
		/* nothing of RAM inside the hole: the MSI window 0xfee00000 stays free */
		assert_true(m.ram[0].gpa + m.ram[0].size <= 0xfee00000ULL);
		for (unsigned int r = 0; r < m.nr_ram; r++)
			assert_true(m.ram[r].gpa % GUEST_MEM_ALIGN == 0 &&
				    m.ram[r].size % GUEST_MEM_ALIGN == 0);
	}
}

static void exactly_the_hole_start_needs_no_high_range(void **state)
{
	struct guest_mem m;
	(void)state;

	assert_int_equal(guest_mem_layout(&m, HOLE_START, HOLE_START, HOLE_END), 0);
	assert_int_equal(m.nr_ram, 1);
}

static void bad_sizes_and_holes_refused(void **state)
{
	struct guest_mem m;
	(void)state;

	assert_int_equal(guest_mem_layout(&m, 0, HOLE_START, HOLE_END), -EINVAL);
	assert_int_equal(guest_mem_layout(&m, 256 * MIB + 4096, HOLE_START, HOLE_END), -EINVAL);
	assert_int_equal(guest_mem_layout(&m, 256 * MIB, HOLE_END, HOLE_START), -EINVAL);
	assert_int_equal(guest_mem_layout(&m, 256 * MIB, HOLE_START, 3 * GIB + 512 * MIB), -EINVAL);
	assert_int_equal(guest_mem_layout(&m, UINT64_MAX - (UINT64_MAX % GUEST_MEM_ALIGN), HOLE_START,
					  HOLE_END), -EINVAL);
}

static void pointers_stay_inside_one_range(void **state)
{
	struct guest_mem m;
	char *base;
	(void)state;

	assert_int_equal(guest_mem_layout(&m, 3 * GIB + 64 * MIB, HOLE_START, HOLE_END), 0);
	assert_int_equal(guest_mem_alloc(&m), 0);
	base = m.ram[0].hva;
	assert_ptr_equal(guest_mem_ptr(&m, 0x1000, 16), base + 0x1000);
	assert_ptr_equal(guest_mem_ptr(&m, HOLE_START - 16, 16), base + HOLE_START - 16);
	/* crossing the end of low RAM, inside the hole, past the end: no pointer */
	assert_null(guest_mem_ptr(&m, HOLE_START - 16, 17));
	assert_null(guest_mem_ptr(&m, 0xfee00000, 4));
	assert_null(guest_mem_ptr(&m, HOLE_END + 64 * MIB, 1));
	assert_null(guest_mem_ptr(&m, HOLE_END + 64 * MIB - 8, UINT64_MAX));
	assert_ptr_equal(guest_mem_ptr(&m, HOLE_END, 8), m.ram[1].hva);
	guest_mem_free(&m);
	assert_null(guest_mem_ptr(&m, 0x1000, 16));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(small_guest_is_one_low_range),
		cmocka_unit_test(large_guest_splits_around_the_hole),
		cmocka_unit_test(exactly_the_hole_start_needs_no_high_range),
		cmocka_unit_test(bad_sizes_and_holes_refused),
		cmocka_unit_test(pointers_stay_inside_one_range),
	};

	return cmocka_run_group_tests_name("memmap", tests, NULL, NULL);
}
