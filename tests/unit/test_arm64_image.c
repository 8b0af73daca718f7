// SPDX-License-Identifier: MIT
/* The arm64 Image header parser and the placement of kernel, initrd and DTB in guest RAM. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/arm64/arm64.h"

#define MiB (1ULL << 20)

/* A header as Linux's head.S lays it out (all little endian). */
static void header(uint8_t *h, uint64_t text_offset, uint64_t image_size, uint64_t flags)
{
	memset(h, 0, ARM64_IMAGE_HEADER_SIZE);
	h[0] = 0x4d; /* "MZ": the EFI stub's branch-over; the parser must not care */
	h[1] = 0x5a;
	for (int i = 0; i < 8; i++) {
		h[8 + i] = text_offset >> (8 * i);
		h[16 + i] = image_size >> (8 * i);
		h[24 + i] = flags >> (8 * i);
	}
	memcpy(h + 56, "ARM\x64", 4);
}

static void good(void **state)
{
	uint8_t h[ARM64_IMAGE_HEADER_SIZE];
	struct arm64_image img;
	struct errbuf e = {""};

	(void)state;
	header(h, 0, 30 * MiB, 0xa);
	assert_int_equal(arm64_image_parse(h, sizeof(h), 25 * MiB, 256 * MiB, &img, &e), 0);
	assert_int_equal(img.text_offset, 0);
	assert_int_equal(img.image_size, 30 * MiB);
	assert_int_equal(img.flags, 0xa);
	assert_int_equal(img.file_size, 25 * MiB);

	/* before Linux 3.17: image_size 0 means text_offset 0x80000 and the file's size */
	header(h, 0x1234, 0, 0);
	assert_int_equal(arm64_image_parse(h, sizeof(h), 9 * MiB, 256 * MiB, &img, &e), 0);
	assert_int_equal(img.text_offset, 0x80000);
	assert_int_equal(img.image_size, 9 * MiB);
}

static void expect_bad(const uint8_t *h, size_t len, uint64_t file, uint64_t ram, int err,
		       const char *msg)
{
	struct arm64_image img;
	struct errbuf e = {""};

	assert_int_equal(arm64_image_parse(h, len, file, ram, &img, &e), -err);
	if (!strstr(errbuf_msg(&e), msg))
		fail_msg("message \"%s\" lacks \"%s\"", errbuf_msg(&e), msg);
	/* one line: the caller prints it after the file's name */
	assert_null(strchr(errbuf_msg(&e), '\n'));
}

static void bad(void **state)
{
	uint8_t h[ARM64_IMAGE_HEADER_SIZE];

	(void)state;
	header(h, 0, 30 * MiB, 0);
	expect_bad(h, 63, 63, 256 * MiB, ENOEXEC, "too short for an arm64 Image (63 bytes");
	expect_bad(h, 0, 0, 256 * MiB, ENOEXEC, "too short");

	h[59] = 0x65;
	expect_bad(h, sizeof(h), 1 * MiB, 256 * MiB, ENOEXEC,
		   "not an arm64 Image (magic 0x654d5241 at offset 56, expected 0x644d5241)");
	h[0] = 0x1f;
	h[1] = 0x8b;
	expect_bad(h, sizeof(h), 1 * MiB, 256 * MiB, ENOEXEC, "gzip-compressed");

	header(h, 0, 30 * MiB, ARM64_IMAGE_FLAG_BE);
	expect_bad(h, sizeof(h), 1 * MiB, 256 * MiB, ENOEXEC, "big-endian");

	header(h, 256 * MiB, 1 * MiB, 0);
	expect_bad(h, sizeof(h), 1 * MiB, 256 * MiB, E2BIG,
		   "text_offset 0x10000000 is beyond the guest's 256 MiB of RAM");
	header(h, 0, 300 * MiB, 0);
	expect_bad(h, sizeof(h), 20 * MiB, 256 * MiB, E2BIG,
		   "the kernel takes 300 MiB from text_offset 0: more than the guest's 256 MiB");
	/* a file longer than its header says counts with its whole length */
	header(h, 0, 1 * MiB, 0);
	expect_bad(h, sizeof(h), 257 * MiB, 256 * MiB, E2BIG, "the kernel takes 257 MiB");
	/* text_offset and size that each fit, but not together */
	header(h, 200 * MiB, 100 * MiB, 0);
	expect_bad(h, sizeof(h), 1 * MiB, 256 * MiB, E2BIG, "the kernel takes 100 MiB");
}

static void place(void **state)
{
	struct arm64_image img = {.text_offset = 0, .image_size = 30 * MiB};
	struct arm64_boot_layout l;
	struct errbuf e = {""};

	(void)state;
	assert_int_equal(arm64_boot_place(ARM64_RAM_BASE, 256 * MiB, &img, 5 * MiB + 123, &l, &e),
			 0);
	assert_int_equal(l.kernel, 0x40000000);
	assert_int_equal(l.kernel_end, 0x40000000 + 30 * MiB);
	/* DTB alone in the last 2 MiB block; 8-byte aligned */
	assert_int_equal(l.fdt, 0x40000000 + 254 * MiB);
	assert_int_equal(l.fdt % 8, 0);
	/* initrd page aligned, ending at or below the DTB */
	assert_int_equal(l.initrd % 4096, 0);
	assert_int_equal(l.initrd_end - l.initrd, 5 * MiB + 123);
	assert_true(l.initrd_end <= l.fdt);
	assert_true(l.initrd >= l.kernel_end);

	img.text_offset = 0x80000;
	assert_int_equal(arm64_boot_place(ARM64_RAM_BASE, 256 * MiB, &img, 0, &l, &e), 0);
	assert_int_equal(l.kernel, 0x40080000);
	assert_int_equal(l.initrd, l.initrd_end);

	/* an initrd that does not fit between kernel and DTB */
	img.text_offset = 0;
	assert_int_equal(arm64_boot_place(ARM64_RAM_BASE, 64 * MiB, &img, 40 * MiB, &l, &e),
			 -E2BIG);
	assert_non_null(strstr(errbuf_msg(&e), "the initrd (40960 KiB) does not fit"));
	/* a kernel reaching into the DTB's block */
	img.image_size = 63 * MiB;
	assert_int_equal(arm64_boot_place(ARM64_RAM_BASE, 64 * MiB, &img, 0, &l, &e), -E2BIG);
	assert_non_null(strstr(errbuf_msg(&e), "do not fit in 64 MiB"));
}

static void layout(void **state)
{
	struct guest_mem mem;

	(void)state;
	assert_int_equal(arm64_memory_layout(&mem, 512 * MiB), 0);
	assert_int_equal(mem.nr_ram, 1);
	assert_int_equal(mem.ram[0].gpa, 0x40000000);
	assert_int_equal(mem.ram[0].size, 512 * MiB);
	assert_int_equal(mem.total, 512 * MiB);
	assert_null(mem.ram[0].hva);
	/* up to the 64-bit PCI window at 512 GiB, not a byte into it */
	assert_int_equal(arm64_memory_layout(&mem, ARM64_RAM_MAX), 0);
	assert_int_equal(mem.ram[0].gpa + mem.ram[0].size, ARM64_PCI_MMIO64_START);
	assert_int_equal(arm64_memory_layout(&mem, ARM64_RAM_MAX + 2 * MiB), -E2BIG);
	assert_int_equal(arm64_memory_layout(&mem, 0), -EINVAL);
	assert_int_equal(arm64_memory_layout(&mem, 3 * MiB), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good),
		cmocka_unit_test(bad),
		cmocka_unit_test(place),
		cmocka_unit_test(layout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
