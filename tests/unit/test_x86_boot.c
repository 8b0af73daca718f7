// SPDX-License-Identifier: MIT
/* The Linux boot protocol side of vmm/x86: setup header, loader, e820, initrd, page tables. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "vmm/x86/boot.h"
#include "vmm/x86/x86.h"

#include "linuxboot_fixture.h"

#define MIB (1ULL << 20)
#define GIB (1ULL << 30)

#define TEST_KERNEL_BYTES (64 * 1024)
#define TEST_INIT_SIZE (32 * MIB)
#define TEST_PREF_ADDRESS (16 * MIB)

struct image {
	uint8_t *buf;
	size_t len;
	unsigned int setup_sects;
};

/* A synthetic bzImage: boot sector + setup sectors with a protocol 2.15 header, then a payload
 * whose bytes say their own offset. */
static struct image make_image(unsigned int setup_sects, uint16_t version, size_t kernel_bytes)
{
	struct image im = {.setup_sects = setup_sects};
	unsigned int sects = setup_sects ? setup_sects : 4;
	size_t setup = (sects + 1) * 512;
	struct setup_header h;

	im.len = setup + kernel_bytes;
	im.buf = calloc(1, im.len);
	assert_non_null(im.buf);
	memset(&h, 0, sizeof(h));
	h.setup_sects = setup_sects;
	h.syssize = kernel_bytes / 16;
	h.boot_flag = BZ_BOOT_FLAG;
	h.jump = 0xeb | (uint16_t)((BZ_SETUP_HEADER_OFFSET + sizeof(h) - 0x202) << 8);
	h.header = BZ_HDRS_MAGIC;
	h.version = version;
	h.loadflags = LOADED_HIGH;
	h.code32_start = 0x100000;
	h.initrd_addr_max = 0x7fffffff;
	h.kernel_alignment = 0x200000;
	h.relocatable_kernel = 1;
	h.xloadflags = XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G;
	h.cmdline_size = 2047;
	h.payload_offset = 0x100;
	h.payload_length = kernel_bytes - 0x200;
	h.pref_address = TEST_PREF_ADDRESS;
	h.init_size = TEST_INIT_SIZE;
	memcpy(im.buf + BZ_SETUP_HEADER_OFFSET, &h, sizeof(h));
	for (size_t i = 0; i < kernel_bytes; i++)
		im.buf[setup + i] = (uint8_t)(i * 7 + 3);
	return im;
}

static struct setup_header *hdr(struct image *im)
{
	return (struct setup_header *)(im->buf + BZ_SETUP_HEADER_OFFSET);
}

static int parse(struct image *im, size_t file_len, struct bzimage_info *info, struct errbuf *e)
{
	return bzimage_parse(im->buf, file_len, file_len, "vmlinuz-test", info, e);
}

static void good_image_parses(void **state)
{
	struct image im = make_image(27, 0x020f, TEST_KERNEL_BYTES);
	struct bzimage_info info;
	struct errbuf e = {""};
	(void)state;

	assert_int_equal(parse(&im, im.len, &info, &e), 0);
	assert_int_equal(info.version, 0x020f);
	assert_int_equal(info.setup_bytes, 28 * 512);
	assert_int_equal(info.kernel_bytes, TEST_KERNEL_BYTES);
	assert_int_equal(info.init_size, TEST_INIT_SIZE);
	assert_int_equal(info.cmdline_size, 2047);
	assert_int_equal(info.header_end, BZ_SETUP_HEADER_OFFSET + sizeof(struct setup_header));
	assert_true(info.pref_address == TEST_PREF_ADDRESS);
	free(im.buf);
}

static void setup_sects_zero_means_four(void **state)
{
	struct image im = make_image(0, 0x020f, TEST_KERNEL_BYTES);
	struct bzimage_info info;
	struct errbuf e = {""};
	(void)state;

	assert_int_equal(parse(&im, im.len, &info, &e), 0);
	assert_int_equal(info.setup_bytes, 5 * 512);
	assert_int_equal(info.kernel_bytes, TEST_KERNEL_BYTES);
	free(im.buf);
}

static void expect_noexec(struct image *im, size_t len, const char *words)
{
	struct bzimage_info info;
	struct errbuf e = {""};

	assert_int_equal(parse(im, len, &info, &e), -ENOEXEC);
	assert_non_null(strstr(e.msg, "vmlinuz-test"));
	if (!strstr(e.msg, words))
		fail_msg("message \"%s\" lacks \"%s\"", e.msg, words);
}

static void bad_magics_refused(void **state)
{
	struct image im = make_image(27, 0x020f, TEST_KERNEL_BYTES);
	(void)state;

	hdr(&im)->boot_flag = 0x1234;
	expect_noexec(&im, im.len, "0x1234, not 0xaa55");
	hdr(&im)->boot_flag = BZ_BOOT_FLAG;
	memcpy(im.buf + 0x202, "HdrZ", 4);
	expect_noexec(&im, im.len, "HdrS");
	memcpy(im.buf, "\177ELF", 4);
	expect_noexec(&im, im.len, "ELF");
	free(im.buf);
}

static void old_protocol_refused(void **state)
{
	struct image im = make_image(27, 0x0206, TEST_KERNEL_BYTES);
	(void)state;

	expect_noexec(&im, im.len, "protocol 2.06 is too old");
	expect_noexec(&im, im.len, "2.12");
	hdr(&im)->version = 0x020b;
	expect_noexec(&im, im.len, "protocol 2.11");
	free(im.buf);
}

static void truncated_files_refused(void **state)
{
	struct image im = make_image(27, 0x020f, TEST_KERNEL_BYTES);
	size_t setup = 28 * 512;
	(void)state;

	expect_noexec(&im, 0, "too short");
	expect_noexec(&im, 0x100, "too short");
	expect_noexec(&im, 0x230, "too short");
	expect_noexec(&im, 0x266, "truncated inside the setup header");
	expect_noexec(&im, setup, "setup code alone");
	expect_noexec(&im, setup + 512, "truncated");
	expect_noexec(&im, im.len - 16, "kernel is 65536 bytes");
	/* a header that claims a payload beyond the end */
	hdr(&im)->payload_length = TEST_KERNEL_BYTES;
	expect_noexec(&im, im.len, "payload");
	free(im.buf);
}

static void not_64bit_refused(void **state)
{
	struct image im = make_image(27, 0x020f, TEST_KERNEL_BYTES);
	(void)state;

	hdr(&im)->xloadflags = 0;
	expect_noexec(&im, im.len, "XLF_KERNEL_64");
	hdr(&im)->xloadflags = XLF_KERNEL_64;
	hdr(&im)->loadflags = 0;
	expect_noexec(&im, im.len, "zImage");
	free(im.buf);
}

static void guest(struct guest_mem *m, uint64_t bytes)
{
	assert_int_equal(x86_memory_layout(m, bytes), 0);
	assert_int_equal(guest_mem_alloc(m), 0);
}

static void check_e820(const struct guest_mem *m, const struct boot_params *bp)
{
	uint64_t ram = 0;
	bool legacy = false, kvm_pages = false;

	assert_true(bp->e820_entries >= 3);
	for (unsigned int i = 0; i < bp->e820_entries; i++) {
		const struct boot_e820_entry *e = &bp->e820_table[i];
		bool inside = false;

		assert_true(e->size > 0);
		if (i)
			assert_true(bp->e820_table[i - 1].addr + bp->e820_table[i - 1].size <=
				    e->addr); /* sorted, no overlap */
		if (e->type == E820_RAM) {
			for (unsigned int r = 0; r < m->nr_ram; r++)
				inside |= e->addr >= m->ram[r].gpa &&
					  e->addr + e->size <= m->ram[r].gpa + m->ram[r].size;
			assert_true(inside);
			/* nothing of the hole, the legacy area or the ACPI tables is RAM */
			assert_false(e->addr < X86_MMIO_HOLE_END &&
				     e->addr + e->size > X86_MMIO_HOLE_START);
			assert_false(e->addr < X86_BIOS_END && e->addr + e->size > X86_EBDA_START);
			ram += e->size;
		} else {
			assert_int_equal(e->type, E820_RESERVED);
			legacy |= e->addr == X86_EBDA_START && e->addr + e->size == X86_BIOS_END;
			kvm_pages |= e->addr <= X86_KVM_IDENTITY_MAP_ADDR &&
				     e->addr + e->size >= X86_KVM_TSS_ADDR + 3 * 4096;
		}
	}
	assert_true(legacy && kvm_pages);
	/* all of RAM is RAM except the reserved legacy window */
	assert_true(ram == m->total - (X86_BIOS_END - X86_EBDA_START));
}

static void loads_for_several_ram_sizes(void **state)
{
	const uint64_t sizes[] = {64 * MIB, 256 * MIB, 3 * GIB, 4 * GIB, 6 * GIB};
	struct image im = make_image(27, 0x020f, TEST_KERNEL_BYTES);
	static const char initrd[] = "initramfs contents";
	struct fix_file k = fix_file(im.buf, im.len), r = fix_file(initrd, sizeof(initrd));
	(void)state;

	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct x86_linux_args a = {k.path, r.path, "console=ttyS0 quiet"};
		struct x86_boot_entry entry;
		struct errbuf e = {""};
		struct guest_mem m;
		struct boot_params *bp;
		uint64_t low_end;

		guest(&m, sizes[i]);
		low_end = guest_mem_low_end(&m);
		assert_int_equal(x86_load_linux(&m, &a, &entry, &e), 0);
		bp = guest_mem_ptr(&m, entry.boot_params, sizeof(*bp));
		assert_non_null(bp);
		assert_true(entry.rip == X86_KERNEL_LOAD + 0x200);
		assert_true(entry.stack <= X86_ZERO_PAGE);
		assert_int_equal(bp->hdr.boot_flag, BZ_BOOT_FLAG);
		assert_int_equal(bp->hdr.header, BZ_HDRS_MAGIC);
		assert_int_equal(bp->hdr.type_of_loader, 0xff);
		assert_true(bp->hdr.loadflags & LOADED_HIGH);
		assert_int_equal(bp->hdr.cmd_line_ptr, X86_CMDLINE_ADDR);
		assert_string_equal(guest_mem_ptr(&m, X86_CMDLINE_ADDR, 1), "console=ttyS0 quiet");
		assert_true(bp->acpi_rsdp_addr == X86_ACPI_RSDP_ADDR);
		/* kernel copied to 1 MiB without its setup sectors */
		assert_memory_equal(guest_mem_ptr(&m, X86_KERNEL_LOAD, TEST_KERNEL_BYTES),
				    im.buf + 28 * 512, TEST_KERNEL_BYTES);
		/* initrd at the top of low RAM (or under initrd_addr_max: 2 GiB), page aligned */
		if (low_end > 2 * GIB)
			low_end = 2 * GIB;
		assert_int_equal(bp->hdr.ramdisk_size, sizeof(initrd));
		assert_int_equal(bp->hdr.ramdisk_image % 4096, 0);
		assert_true(bp->hdr.ramdisk_image + sizeof(initrd) <= low_end);
		assert_true(low_end - bp->hdr.ramdisk_image < 4096 + sizeof(initrd));
		assert_memory_equal(guest_mem_ptr(&m, bp->hdr.ramdisk_image, sizeof(initrd)),
				    initrd, sizeof(initrd));
		check_e820(&m, bp);
		guest_mem_free(&m);
	}
	close(k.fd);
	close(r.fd);
	free(im.buf);
}

static void old_protocol_gets_no_rsdp_pointer(void **state)
{
	struct image im = make_image(27, 0x020d, TEST_KERNEL_BYTES);
	struct fix_file k = fix_file(im.buf, im.len);
	struct x86_linux_args a = {k.path, NULL, NULL};
	struct x86_boot_entry entry;
	struct errbuf e = {""};
	struct guest_mem m;
	struct boot_params *bp;
	(void)state;

	guest(&m, 128 * MIB);
	assert_int_equal(x86_load_linux(&m, &a, &entry, &e), 0);
	bp = guest_mem_ptr(&m, X86_ZERO_PAGE, sizeof(*bp));
	assert_true(bp->acpi_rsdp_addr == 0);
	assert_int_equal(bp->hdr.ramdisk_image, 0);
	assert_string_equal(guest_mem_ptr(&m, X86_CMDLINE_ADDR, 1), "");
	guest_mem_free(&m);
	close(k.fd);
	free(im.buf);
}

static void initrd_respects_addr_max_and_size(void **state)
{
	struct image im = make_image(27, 0x020f, TEST_KERNEL_BYTES);
	struct guest_mem m;
	uint64_t at = 0;
	(void)state;

	guest(&m, 256 * MIB);
	/* initrd_addr_max is the last byte the initrd may use */
	assert_int_equal(x86_initrd_place(&m, 100 * MIB - 1, 48 * MIB, 5000, &at), 0);
	assert_true(at == 100 * MIB - 8192);
	assert_int_equal(x86_initrd_place(&m, 0xffffffff, 48 * MIB, 4096, &at), 0);
	assert_true(at == 256 * MIB - 4096);
	/* exactly the room between kernel and the end of RAM fits; one byte more does not */
	assert_int_equal(x86_initrd_place(&m, 0xffffffff, 48 * MIB, 208 * MIB, &at), 0);
	assert_true(at == 48 * MIB);
	assert_int_equal(x86_initrd_place(&m, 0xffffffff, 48 * MIB, 208 * MIB + 1, &at), -E2BIG);
	assert_int_equal(x86_initrd_place(&m, 0xffffffff, 48 * MIB, 1024 * MIB, &at), -E2BIG);
	guest_mem_free(&m);
	free(im.buf);
}

static void too_big_initrd_names_file_and_sizes(void **state)
{
	struct image im = make_image(27, 0x020f, TEST_KERNEL_BYTES);
	size_t big = 20 * MIB;
	char *blob = calloc(1, big);
	struct fix_file k = fix_file(im.buf, im.len), r = fix_file(blob, big);
	struct x86_linux_args a = {k.path, r.path, ""};
	struct x86_boot_entry entry;
	struct errbuf e = {""};
	struct guest_mem m;
	(void)state;

	guest(&m, 64 * MIB); /* the kernel needs up to 48 MiB: 16 MiB left */
	assert_int_equal(x86_load_linux(&m, &a, &entry, &e), -E2BIG);
	assert_non_null(strstr(e.msg, r.path));
	assert_non_null(strstr(e.msg, "20971520 bytes"));
	guest_mem_free(&m);
	close(k.fd);
	close(r.fd);
	free(blob);
	free(im.buf);
}

static void kernel_needing_more_ram_refused(void **state)
{
	struct image im = make_image(27, 0x020f, TEST_KERNEL_BYTES);
	struct fix_file k;
	struct x86_linux_args a = {NULL, NULL, ""};
	struct x86_boot_entry entry;
	struct errbuf e = {""};
	struct guest_mem m;
	(void)state;

	hdr(&im)->init_size = 64 * MIB;
	k = fix_file(im.buf, im.len);
	a.kernel = k.path;
	guest(&m, 64 * MIB);
	assert_int_equal(x86_load_linux(&m, &a, &entry, &e), -E2BIG);
	assert_non_null(strstr(e.msg, "init_size"));
	guest_mem_free(&m);
	close(k.fd);
	free(im.buf);
}

static void cmdline_longer_than_cmdline_size_refused(void **state)
{
	struct image im = make_image(27, 0x020f, TEST_KERNEL_BYTES);
	struct fix_file k = fix_file(im.buf, im.len);
	char line[2049];
	struct x86_linux_args a = {k.path, NULL, line};
	struct x86_boot_entry entry;
	struct errbuf e = {""};
	struct guest_mem m;
	(void)state;

	guest(&m, 128 * MIB);
	memset(line, 'x', sizeof(line) - 1);
	line[2047] = 0; /* 2047 bytes: exactly cmdline_size */
	assert_int_equal(x86_load_linux(&m, &a, &entry, &e), 0);
	line[2047] = 'x';
	line[2048] = 0;
	assert_int_equal(x86_load_linux(&m, &a, &entry, &e), -E2BIG);
	assert_non_null(strstr(e.msg, "2048 bytes"));
	assert_non_null(strstr(e.msg, "2047"));
	guest_mem_free(&m);
	close(k.fd);
	free(im.buf);
}

static void unreadable_files_named(void **state)
{
	struct image im = make_image(27, 0x020f, TEST_KERNEL_BYTES);
	struct fix_file k = fix_file(im.buf, im.len);
	struct x86_linux_args a = {"/nonexistent/vmlinuz", NULL, ""};
	struct x86_boot_entry entry;
	struct errbuf e = {""};
	struct guest_mem m;
	(void)state;

	guest(&m, 128 * MIB);
	assert_int_equal(x86_load_linux(&m, &a, &entry, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "kernel /nonexistent/vmlinuz"));
	a.kernel = k.path;
	a.initrd = "/nonexistent/initrd";
	assert_int_equal(x86_load_linux(&m, &a, &entry, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "initrd /nonexistent/initrd"));
	a.initrd = "/";
	assert_int_equal(x86_load_linux(&m, &a, &entry, &e), -EISDIR);
	guest_mem_free(&m);
	close(k.fd);
	free(im.buf);
}

/* Walk the boot page tables as the MMU would. */
static uint64_t translate(const struct guest_mem *m, uint64_t va)
{
	const uint64_t *pml4 = guest_mem_ptr(m, X86_BOOT_PML4, 4096), *pdpt, *pd;
	uint64_t e = pml4[(va >> 39) & 511];

	assert_true(e & 1);
	pdpt = guest_mem_ptr(m, e & ~0xfffULL, 4096);
	e = pdpt[(va >> 30) & 511];
	assert_true(e & 1);
	pd = guest_mem_ptr(m, e & ~0xfffULL, 4096);
	e = pd[(va >> 21) & 511];
	assert_true((e & 0x83) == 0x83); /* present, writable, 2 MiB page */
	return (e & ~0x1fffffULL & ((1ULL << 52) - 1)) | (va & 0x1fffff);
}

static void page_tables_identity_map_4g(void **state)
{
	const uint64_t probes[] = {0,	       0x9000,	   0x100200,   0x1234567,
				   0xbfffffff, 0xfec00000, 0xfee00000, 0xffffffff};
	struct guest_mem m;
	const uint64_t *gdt;
	(void)state;

	guest(&m, 128 * MIB);
	assert_int_equal(x86_write_boot_tables(&m), 0);
	for (unsigned int i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		assert_true(translate(&m, probes[i]) == probes[i]);
	for (uint64_t va = 0; va < 4 * GIB; va += 2 * MIB)
		assert_true(translate(&m, va) == va);
	gdt = guest_mem_ptr(&m, X86_BOOT_GDT, 8 * X86_BOOT_GDT_ENTRIES);
	/* __BOOT_CS: present, code, long mode; __BOOT_DS: present, writable data */
	assert_true(gdt[X86_BOOT_CS / 8] >> 40 & 0x80 && gdt[X86_BOOT_CS / 8] >> 53 & 1);
	assert_true((gdt[X86_BOOT_CS / 8] >> 40 & 0x1f) == 0x1b);
	assert_true((gdt[X86_BOOT_DS / 8] >> 40 & 0x1f) == 0x13);
	/* nothing the tables use overlaps boot_params, the stack or the command line */
	assert_true(X86_BOOT_PD + 4 * 4096 <= X86_BOOT_STACK_TOP - 4096);
	assert_true(X86_ZERO_PAGE + 4096 <= X86_CMDLINE_ADDR);
	guest_mem_free(&m);
}

static void layout_rejects_odd_sizes(void **state)
{
	struct guest_mem m;
	(void)state;

	assert_int_equal(x86_memory_layout(&m, 512 * MIB + 4096), -EINVAL);
	assert_int_equal(x86_memory_layout(&m, 4 * GIB), 0);
	assert_true(m.ram[0].size == X86_MMIO_HOLE_START && m.ram[1].gpa == X86_MMIO_HOLE_END);
}

/* The 64-bit PCI window starts at the first 1 GiB boundary above RAM and 4 GiB. */
static void mmio64_window_lies_above_ram(void **state)
{
	struct guest_mem m;
	uint64_t start, end;
	(void)state;

	assert_int_equal(x86_memory_layout(&m, 512 * MIB), 0);
	assert_int_equal(x86_pci_mmio64_window(&m, &start, &end), 0);
	assert_true(start == 4 * GIB && end == 4 * GIB + X86_PCI_MMIO64_SIZE);
	/* 3 GiB low, 3 GiB high from 4 GiB: RAM ends at 7 GiB */
	assert_int_equal(x86_memory_layout(&m, 6 * GIB), 0);
	assert_int_equal(x86_pci_mmio64_window(&m, &start, &end), 0);
	assert_true(start == 7 * GIB && end == 7 * GIB + X86_PCI_MMIO64_SIZE);
	/* ... and at 6 GiB + 2 MiB: rounded up to 7 GiB, nothing of RAM inside */
	assert_int_equal(x86_memory_layout(&m, 5 * GIB + 2 * MIB), 0);
	assert_int_equal(x86_pci_mmio64_window(&m, &start, &end), 0);
	assert_true(start == 7 * GIB);
	assert_true(m.ram[1].gpa + m.ram[1].size <= start);
	/* so much RAM that the window would end beyond what every CPU can address: none */
	assert_int_equal(x86_memory_layout(&m, X86_PCI_MMIO64_LIMIT - 32 * GIB), 0);
	assert_int_equal(x86_pci_mmio64_window(&m, &start, &end), -ENOSPC);
}

/* A real distribution kernel, when the environment names one (VFVM_TEST_BZIMAGE=path). */
static void real_bzimage_loads(void **state)
{
	const char *path = getenv("VFVM_TEST_BZIMAGE");
	struct x86_linux_args a = {path, NULL, "console=ttyS0"};
	struct x86_boot_entry entry;
	struct errbuf e = {""};
	struct guest_mem m;
	struct boot_params *bp;
	(void)state;

	guest(&m, 256 * MIB);
	if (x86_load_linux(&m, &a, &entry, &e))
		fail_msg("%s", e.msg);
	bp = guest_mem_ptr(&m, X86_ZERO_PAGE, sizeof(*bp));
	assert_true(bp->hdr.version >= 0x020c);
	assert_true(bp->hdr.xloadflags & XLF_KERNEL_64);
	/* a payload vfvm decompresses: entered at its vmlinux's startup_64, at the link address
	 * (16 MiB for distribution kernels); else at the compressed kernel's 64-bit entry */
	if (entry.rip != X86_KERNEL_LOAD + 0x200)
		assert_true(entry.rip >= 16 * MIB && entry.rip < 64 * MIB);
	else /* the 64-bit entry of a compressed kernel starts with cld (0xfc) */
		assert_int_equal(*(uint8_t *)guest_mem_ptr(&m, entry.rip, 1), 0xfc);
	check_e820(&m, bp);
	guest_mem_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_image_parses),
		cmocka_unit_test(setup_sects_zero_means_four),
		cmocka_unit_test(bad_magics_refused),
		cmocka_unit_test(old_protocol_refused),
		cmocka_unit_test(truncated_files_refused),
		cmocka_unit_test(not_64bit_refused),
		cmocka_unit_test(loads_for_several_ram_sizes),
		cmocka_unit_test(old_protocol_gets_no_rsdp_pointer),
		cmocka_unit_test(initrd_respects_addr_max_and_size),
		cmocka_unit_test(too_big_initrd_names_file_and_sizes),
		cmocka_unit_test(kernel_needing_more_ram_refused),
		cmocka_unit_test(cmdline_longer_than_cmdline_size_refused),
		cmocka_unit_test(unreadable_files_named),
		cmocka_unit_test(page_tables_identity_map_4g),
		cmocka_unit_test(layout_rejects_odd_sizes),
		cmocka_unit_test(mmio64_window_lies_above_ram),
		cmocka_unit_test(real_bzimage_loads), /* last: optional */
	};
	const char *real = getenv("VFVM_TEST_BZIMAGE");
	size_t n = sizeof(tests) / sizeof(tests[0]);

	/* cmocka reports a skip as "not ok # SKIP", which meson counts as a failure */
	if (!real || access(real, R_OK)) {
		printf("# real_bzimage_loads not run: VFVM_TEST_BZIMAGE names no readable file\n");
		n--;
	}
	return _cmocka_run_group_tests("x86_boot", tests, n, NULL, NULL);
}
