// SPDX-License-Identifier: MIT
/* Loading an uncompressed kernel (vmlinux ELF) through the same 64-bit boot protocol. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "vmm/x86/boot.h"
#include "vmm/x86/x86.h"

#define MIB (1ULL << 20)
#define TEXT_PADDR (16 * MIB)
#define TEXT_VADDR (0xffffffff80000000ULL + TEXT_PADDR)
#define TEXT_BYTES 8192
#define DATA_PADDR (20 * MIB)
#define DATA_FILE 4096
#define DATA_MEM (3 * MIB) /* the rest is bss */
#define ENTRY_OFF 0xb53

struct elf_image {
	uint8_t buf[0x1000 + TEXT_BYTES + DATA_FILE];
	Elf64_Ehdr *eh;
	Elf64_Phdr *ph;
};

/* The shape of a real x86-64 vmlinux: text and data PT_LOADs at 16 MiB and up, a PT_NOTE, and
 * e_entry the physical address of startup_64. */
static void make_elf(struct elf_image *im)
{
	memset(im, 0, sizeof(*im));
	im->eh = (Elf64_Ehdr *)im->buf;
	im->ph = (Elf64_Phdr *)(im->buf + sizeof(Elf64_Ehdr));
	memcpy(im->eh->e_ident, ELFMAG, SELFMAG);
	im->eh->e_ident[EI_CLASS] = ELFCLASS64;
	im->eh->e_ident[EI_DATA] = ELFDATA2LSB;
	im->eh->e_ident[EI_VERSION] = EV_CURRENT;
	im->eh->e_type = ET_EXEC;
	im->eh->e_machine = EM_X86_64;
	im->eh->e_version = EV_CURRENT;
	im->eh->e_entry = TEXT_PADDR + ENTRY_OFF;
	im->eh->e_phoff = sizeof(Elf64_Ehdr);
	im->eh->e_ehsize = sizeof(Elf64_Ehdr);
	im->eh->e_phentsize = sizeof(Elf64_Phdr);
	im->eh->e_phnum = 3;
	im->ph[0] = (Elf64_Phdr){.p_type = PT_LOAD,
				 .p_flags = PF_R | PF_X,
				 .p_offset = 0x1000,
				 .p_vaddr = TEXT_VADDR,
				 .p_paddr = TEXT_PADDR,
				 .p_filesz = TEXT_BYTES,
				 .p_memsz = TEXT_BYTES};
	im->ph[1] = (Elf64_Phdr){.p_type = PT_LOAD,
				 .p_flags = PF_R | PF_W,
				 .p_offset = 0x1000 + TEXT_BYTES,
				 .p_vaddr = TEXT_VADDR + DATA_PADDR - TEXT_PADDR,
				 .p_paddr = DATA_PADDR,
				 .p_filesz = DATA_FILE,
				 .p_memsz = DATA_MEM};
	im->ph[2] = (Elf64_Phdr){.p_type = PT_NOTE, .p_offset = 0x1000, .p_filesz = 16};
	for (size_t i = 0x1000; i < sizeof(im->buf); i++)
		im->buf[i] = (uint8_t)(i * 13 + 1);
}

static int parse(struct elf_image *im, size_t len, struct vmlinux_info *info, struct errbuf *e)
{
	return vmlinux_parse(im->buf, len, len, "vmlinux-test", info, e);
}

static void parses_segments_and_entry(void **state)
{
	struct elf_image im;
	struct vmlinux_info info;
	struct errbuf e = {""};
	(void)state;

	make_elf(&im);
	assert_int_equal(parse(&im, sizeof(im.buf), &info, &e), 0);
	assert_int_equal(info.nseg, 2);
	assert_true(info.entry == TEXT_PADDR + ENTRY_OFF);
	assert_true(info.end == DATA_PADDR + DATA_MEM);
	assert_true(info.seg[1].filesz == DATA_FILE && info.seg[1].memsz == DATA_MEM);
	/* an entry point given as a virtual address is translated */
	im.eh->e_entry = TEXT_VADDR + ENTRY_OFF;
	assert_int_equal(parse(&im, sizeof(im.buf), &info, &e), 0);
	assert_true(info.entry == TEXT_PADDR + ENTRY_OFF);
}

static void expect_noexec(struct elf_image *im, size_t len, const char *words)
{
	struct vmlinux_info info;
	struct errbuf e = {""};

	assert_int_equal(parse(im, len, &info, &e), -ENOEXEC);
	assert_non_null(strstr(e.msg, "vmlinux-test"));
	if (!strstr(e.msg, words))
		fail_msg("message \"%s\" lacks \"%s\"", e.msg, words);
}

static void bad_files_refused(void **state)
{
	struct elf_image im;
	(void)state;

	make_elf(&im);
	expect_noexec(&im, sizeof(im.buf) - 1, "truncated"); /* data segment cut short */
	expect_noexec(&im, 100, "truncated");		     /* program headers cut off */
	expect_noexec(&im, 3, "not an ELF");
	im.eh->e_machine = EM_AARCH64;
	expect_noexec(&im, sizeof(im.buf), "x86-64");
	make_elf(&im);
	im.eh->e_type = ET_DYN;
	expect_noexec(&im, sizeof(im.buf), "not an executable");
	make_elf(&im);
	im.ph[0].p_paddr = 0x8000; /* would overwrite boot_params and the page tables */
	expect_noexec(&im, sizeof(im.buf), "outside 1 MiB");
	make_elf(&im);
	im.ph[1].p_paddr = TEXT_PADDR + 4096;
	expect_noexec(&im, sizeof(im.buf), "overlap");
	make_elf(&im);
	im.ph[1].p_filesz = DATA_MEM + 1;
	expect_noexec(&im, sizeof(im.buf), "more file bytes");
	make_elf(&im);
	im.eh->e_entry = 0x1234;
	expect_noexec(&im, sizeof(im.buf), "entry point 0x1234");
	make_elf(&im);
	im.ph[0].p_type = PT_NULL;
	im.ph[1].p_type = PT_NULL;
	expect_noexec(&im, sizeof(im.buf), "without loadable segments");
}

static int memfile(const void *data, size_t len, char *path, size_t path_len)
{
	int fd = memfd_create("x86-test", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	snprintf(path, path_len, "/proc/self/fd/%d", fd);
	return fd;
}

static void loads_into_guest_ram(void **state)
{
	static const char initrd[] = "initramfs";
	struct elf_image im;
	struct guest_mem m;
	struct x86_boot_entry entry;
	struct errbuf e = {""};
	struct boot_params *bp;
	char kpath[64], rpath[64];
	int kfd, rfd;
	uint8_t *bss;
	(void)state;

	make_elf(&im);
	kfd = memfile(im.buf, sizeof(im.buf), kpath, sizeof(kpath));
	rfd = memfile(initrd, sizeof(initrd), rpath, sizeof(rpath));
	assert_int_equal(x86_memory_layout(&m, 64 * MIB), 0);
	assert_int_equal(guest_mem_alloc(&m), 0);
	memset(guest_mem_ptr(&m, DATA_PADDR, DATA_MEM), 0xaa, DATA_MEM); /* stale bytes */

	struct x86_linux_args a = {kpath, rpath, "console=ttyS0"};
	assert_int_equal(x86_load_linux(&m, &a, &entry, &e), 0);
	assert_true(entry.rip == TEXT_PADDR + ENTRY_OFF);
	assert_memory_equal(guest_mem_ptr(&m, TEXT_PADDR, TEXT_BYTES), im.buf + 0x1000, TEXT_BYTES);
	assert_memory_equal(guest_mem_ptr(&m, DATA_PADDR, DATA_FILE), im.buf + 0x1000 + TEXT_BYTES,
			    DATA_FILE);
	bss = guest_mem_ptr(&m, DATA_PADDR + DATA_FILE, DATA_MEM - DATA_FILE);
	for (size_t i = 0; i < DATA_MEM - DATA_FILE; i++)
		if (bss[i])
			fail_msg("bss byte %zu is 0x%x", i, bss[i]);

	/* boot_params carries the header a bzImage would have */
	bp = guest_mem_ptr(&m, X86_ZERO_PAGE, sizeof(*bp));
	assert_int_equal(bp->hdr.header, BZ_HDRS_MAGIC);
	assert_int_equal(bp->hdr.boot_flag, BZ_BOOT_FLAG);
	assert_true(bp->hdr.version >= 0x020e);
	assert_true(bp->acpi_rsdp_addr == X86_ACPI_RSDP_ADDR);
	assert_int_equal(bp->hdr.type_of_loader, 0xff);
	assert_int_equal(bp->hdr.cmd_line_ptr, X86_CMDLINE_ADDR);
	assert_int_equal(bp->hdr.ramdisk_size, sizeof(initrd));
	assert_true(bp->hdr.ramdisk_image >= DATA_PADDR + DATA_MEM);
	assert_true(bp->hdr.ramdisk_image + sizeof(initrd) <= 64 * MIB);
	assert_true(bp->e820_entries >= 3);

	/* the same kernel needs more RAM than 16 MiB: refused with the numbers */
	guest_mem_free(&m);
	assert_int_equal(x86_memory_layout(&m, 16 * MIB), 0);
	assert_int_equal(guest_mem_alloc(&m), 0);
	assert_int_equal(x86_load_linux(&m, &a, &entry, &e), -E2BIG);
	assert_non_null(strstr(e.msg, kpath));
	guest_mem_free(&m);
	close(kfd);
	close(rfd);
}

/* A real vmlinux, when the environment names one (VFVM_TEST_VMLINUX=path). */
static void real_vmlinux_loads(void **state)
{
	const char *path = getenv("VFVM_TEST_VMLINUX");
	struct x86_linux_args a = {path, NULL, "console=ttyS0"};
	struct x86_boot_entry entry;
	struct errbuf e = {""};
	struct guest_mem m;
	(void)state;

	assert_int_equal(x86_memory_layout(&m, 256 * MIB), 0);
	assert_int_equal(guest_mem_alloc(&m), 0);
	if (x86_load_linux(&m, &a, &entry, &e))
		fail_msg("%s", e.msg);
	assert_true(entry.rip >= X86_KERNEL_LOAD && entry.rip < 256 * MIB);
	guest_mem_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_segments_and_entry), cmocka_unit_test(bad_files_refused),
		cmocka_unit_test(loads_into_guest_ram),
		cmocka_unit_test(real_vmlinux_loads), /* last: optional */
	};
	const char *real = getenv("VFVM_TEST_VMLINUX");
	size_t n = sizeof(tests) / sizeof(tests[0]);

	/* cmocka reports a skip as "not ok # SKIP", which meson counts as a failure */
	if (!real || access(real, R_OK)) {
		printf("# real_vmlinux_loads not run: VFVM_TEST_VMLINUX names no readable file\n");
		n--;
	}
	return _cmocka_run_group_tests("x86_vmlinux", tests, n, NULL, NULL);
}
