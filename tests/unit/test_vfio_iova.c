// SPDX-License-Identifier: MIT
/* The IOMMU's usable IOVA ranges: parsing VFIO_IOMMU_GET_INFO and checking guest RAM against them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include "vfio/container.h"

#define MIB (1ULL << 20)
#define GIB (1ULL << 30)

/* What an x86 IOMMU reports: everything but the MSI window, up to a 48-bit address width. */
static const struct vfio_iova_range x86_ranges[] = {
	{0, 0xfedfffff},
	{0xfef00000, (1ULL << 48) - 1},
};

static size_t build_info(unsigned char *buf, const struct vfio_iova_range *r, uint32_t n)
{
	struct vfio_iommu_type1_info info = {.flags = VFIO_IOMMU_INFO_CAPS};
	struct vfio_iommu_type1_info_cap_iova_range cap = {
		.header = {.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, .version = 1},
		.nr_iovas = n,
	};
	size_t at = (sizeof(info) + 7) & ~(size_t)7;

	info.cap_offset = (uint32_t)at;
	memcpy(buf, &info, sizeof(info));
	memcpy(buf + at, &cap, sizeof(cap));
	memcpy(buf + at + sizeof(cap), r, n * sizeof(*r));
	return at + sizeof(cap) + n * sizeof(*r);
}

static void ranges_are_parsed(void **state)
{
	unsigned char buf[256] = {0};
	struct vfio_iova_range out[4];
	unsigned int nr;
	size_t len = build_info(buf, x86_ranges, 2);
	uint32_t off = (sizeof(struct vfio_iommu_type1_info) + 7) & ~7u;
	(void)state;

	assert_int_equal(vfio_iova_ranges_parse(buf, len, off, out, 4, &nr), 0);
	assert_int_equal(nr, 2);
	assert_true(out[0].end == 0xfedfffff && out[1].start == 0xfef00000);
	/* keep at most max: stricter, never wrong */
	assert_int_equal(vfio_iova_ranges_parse(buf, len, off, out, 1, &nr), 0);
	assert_int_equal(nr, 1);
	/* a count that overruns the capability, or an inverted range, is malformed */
	len = build_info(buf, x86_ranges, 2);
	buf[off + 8] = 9;
	assert_int_equal(vfio_iova_ranges_parse(buf, len, off, out, 4, &nr), -EINVAL);
	{
		const struct vfio_iova_range inverted = {0x2000, 0x1000};

		len = build_info(buf, &inverted, 1);
		assert_int_equal(vfio_iova_ranges_parse(buf, len, off, out, 4, &nr), -EINVAL);
	}
	assert_int_equal(vfio_iova_ranges_parse(buf, len, 0, out, 4, &nr), -ENOENT);
}

static void single_ranges(void **state)
{
	(void)state;
	assert_int_equal(vfio_iova_check(x86_ranges, 2, 0, 3 * GIB), 0);
	assert_int_equal(vfio_iova_check(x86_ranges, 2, 4 * GIB, 60 * GIB), 0);
	/* touching the MSI window by one byte, from either side */
	assert_int_equal(vfio_iova_check(x86_ranges, 2, 0xfed00000, 0x100001), -ERANGE);
	assert_int_equal(vfio_iova_check(x86_ranges, 2, 0xfeefffff, 2), -ERANGE);
	/* across two ranges is not inside one */
	assert_int_equal(vfio_iova_check(x86_ranges, 2, 0, 8 * GIB), -ERANGE);
	/* beyond the address width, empty, wrapping */
	assert_int_equal(vfio_iova_check(x86_ranges, 2, 1ULL << 48, MIB), -ERANGE);
	assert_int_equal(vfio_iova_check(x86_ranges, 2, 0, 0), -ERANGE);
	assert_int_equal(vfio_iova_check(x86_ranges, 2, UINT64_MAX - 10, 100), -ERANGE);
	assert_int_equal(vfio_iova_check(x86_ranges, 0, 0, MIB), -ERANGE);
}

static void guest_ram_against_the_ranges(void **state)
{
	struct guest_mem mem;
	struct errbuf e = {""};
	(void)state;

	/* the real layout of vmm/memmap: the hole keeps RAM off the MSI window */
	assert_int_equal(guest_mem_layout(&mem, 6 * GIB, 3 * GIB, 4 * GIB), 0);
	assert_int_equal(vfio_iova_check_ram(x86_ranges, 2, &mem, &e), 0);

	/* a hole that ends inside the MSI window would put high RAM on it */
	{
		const struct vfio_iova_range narrow[] = {{0, 0xfedfffff}, {8 * GIB, 16 * GIB}};

		assert_int_equal(vfio_iova_check_ram(narrow, 2, &mem, &e), -ERANGE);
		assert_non_null(strstr(e.msg, "0x100000000-0x1bfffffff"));
	}
	/* an IOMMU with a 32-bit address width cannot take RAM above 4 GiB */
	{
		const struct vfio_iova_range small[] = {{0, 0xfedfffff}};

		assert_int_equal(vfio_iova_check_ram(small, 1, &mem, &e), -ERANGE);
		assert_non_null(strstr(e.msg, "not a usable IOVA range"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ranges_are_parsed),
		cmocka_unit_test(single_ranges),
		cmocka_unit_test(guest_ram_against_the_ranges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
