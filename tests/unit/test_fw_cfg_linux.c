// SPDX-License-Identifier: MIT
/* Firmware kernel boot: the fw_cfg kernel items read back through the I/O interface, the patched
 * setup header, every refused input, and the boot option ROM image. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "firmware/fw_cfg_linux.h"
#include "linuxboot_fixture.h"
#include "vmm/x86/boot.h"
#include "vmm/x86/x86.h"

#define MIB FIX_MIB
#define KIB 1024ULL
#define GIB (1ULL << 30)

struct rig {
	struct guest_mem mem; /* laid out only: fw_cfg_add_linux() never touches guest RAM */
	struct fw_cfg fw;
};

static int rig_setup(void **state)
{
	static struct rig r;

	memset(&r, 0, sizeof(r));
	if (x86_memory_layout(&r.mem, 256 * MIB) || fw_cfg_init(&r.fw, NULL, NULL))
		return -1;
	*state = &r;
	return 0;
}

static int rig_teardown(void **state)
{
	struct rig *r = *state;

	fw_cfg_destroy(&r->fw);
	return 0;
}

/* Through the guest-facing registers, as the ROM reads them. */
static void read_item(struct fw_cfg *fw, uint16_t key, void *buf, size_t len)
{
	uint16_t k = htole16(key);

	fw_cfg_io_ops.write(fw, 0, &k, 2);
	for (size_t i = 0; i < len; i++)
		fw_cfg_io_ops.read(fw, 1, (uint8_t *)buf + i, 1);
}

static uint32_t item_u32(struct fw_cfg *fw, uint16_t key)
{
	uint32_t v;

	read_item(fw, key, &v, 4);
	return le32toh(v);
}

static bool has_item(const struct fw_cfg *fw, uint16_t key)
{
	for (unsigned int i = 0; i < fw->nr_items; i++)
		if (fw->items[i].key == key)
			return true;
	return false;
}

static uint8_t *item_bytes(struct fw_cfg *fw, uint16_t key, size_t len)
{
	uint8_t *b = malloc(len + 1);

	assert_non_null(b);
	read_item(fw, key, b, len + 1); /* one more: it must read as 0, past the end */
	assert_int_equal(b[len], 0);
	return b;
}

static int add(struct rig *r, const char *kernel, const char *initrd, const char *cmdline,
	       struct errbuf *e)
{
	struct x86_linux_args a = {.kernel = kernel, .initrd = initrd, .cmdline = cmdline};

	return fw_cfg_add_linux(&r->fw, &r->mem, &a, e);
}

static void ram_top_leaves_seabios_zone(void **state)
{
	struct guest_mem m;
	(void)state;

	assert_int_equal(x86_memory_layout(&m, 256 * MIB), 0);
	assert_true(fw_cfg_linux_ram_top(&m) == 240 * MIB);
	/* 34 MiB: [1 MiB, 34 MiB) holds 16 MiB above 17 MiB, so SeaBIOS takes 16 MiB */
	assert_int_equal(x86_memory_layout(&m, 34 * MIB), 0);
	assert_true(fw_cfg_linux_ram_top(&m) == 18 * MIB);
	/* 32 MiB: it does not, SeaBIOS takes 256 KiB */
	assert_int_equal(x86_memory_layout(&m, 32 * MIB), 0);
	assert_true(fw_cfg_linux_ram_top(&m) == 32 * MIB - 256 * KIB);
	/* RAM above the hole does not count: the zone is below 4 GiB */
	assert_int_equal(x86_memory_layout(&m, 4 * GIB), 0);
	assert_true(fw_cfg_linux_ram_top(&m) == X86_MMIO_HOLE_START - 16 * MIB);
}

static void items_and_patched_header(void **state)
{
	struct rig *r = *state;
	struct fix_image im = fix_image(FIX_SETUP_SECTS, FIX_KERNEL_BYTES);
	uint8_t initrd_data[10000];
	struct fix_file k, i;
	const char *cmd = "console=ttyS0 root=/dev/nvme0n1p1";
	struct setup_header *want = fix_hdr(&im), got;
	struct errbuf e = {""};
	uint32_t initrd_addr;
	uint8_t *setup, *kern, *ird, *cl;

	for (size_t n = 0; n < sizeof(initrd_data); n++)
		initrd_data[n] = (uint8_t)(n * 31 + 7);
	k = fix_file(im.buf, im.len);
	i = fix_file(initrd_data, sizeof(initrd_data));
	assert_int_equal(add(r, k.path, i.path, cmd, &e), 0);

	assert_int_equal(item_u32(&r->fw, FW_CFG_SETUP_ADDR), 0x10000);
	assert_int_equal(item_u32(&r->fw, FW_CFG_SETUP_SIZE), im.setup_len);
	assert_int_equal(item_u32(&r->fw, FW_CFG_KERNEL_ADDR), 0x100000);
	assert_int_equal(item_u32(&r->fw, FW_CFG_KERNEL_SIZE), FIX_KERNEL_BYTES);
	assert_int_equal(item_u32(&r->fw, FW_CFG_CMDLINE_ADDR), 0x20000);
	assert_int_equal(item_u32(&r->fw, FW_CFG_CMDLINE_SIZE), strlen(cmd) + 1);
	assert_int_equal(item_u32(&r->fw, FW_CFG_INITRD_SIZE), sizeof(initrd_data));
	initrd_addr = item_u32(&r->fw, FW_CFG_INITRD_ADDR);
	/* as high as it goes: the page below SeaBIOS's 16 MiB at the top of 256 MiB */
	assert_int_equal(initrd_addr, (240 * MIB - sizeof(initrd_data)) & ~4095ULL);

	kern = item_bytes(&r->fw, FW_CFG_KERNEL_DATA, FIX_KERNEL_BYTES);
	assert_memory_equal(kern, im.buf + im.setup_len, FIX_KERNEL_BYTES);
	ird = item_bytes(&r->fw, FW_CFG_INITRD_DATA, sizeof(initrd_data));
	assert_memory_equal(ird, initrd_data, sizeof(initrd_data));
	cl = item_bytes(&r->fw, FW_CFG_CMDLINE_DATA, strlen(cmd) + 1);
	assert_string_equal((char *)cl, cmd);

	setup = item_bytes(&r->fw, FW_CFG_SETUP_DATA, im.setup_len);
	/* the setup code around the header is the file's */
	assert_memory_equal(setup, im.buf, BZ_SETUP_HEADER_OFFSET);
	assert_memory_equal(setup + BZ_SETUP_HEADER_OFFSET + sizeof(got),
			    im.buf + BZ_SETUP_HEADER_OFFSET + sizeof(got),
			    im.setup_len - BZ_SETUP_HEADER_OFFSET - sizeof(got));
	memcpy(&got, setup + BZ_SETUP_HEADER_OFFSET, sizeof(got));
	assert_int_equal(got.type_of_loader, 0xff);
	assert_int_equal(got.loadflags, LOADED_HIGH | CAN_USE_HEAP); /* KEEP_SEGMENTS cleared */
	assert_int_equal(got.heap_end_ptr, 0xfe00);
	assert_int_equal(got.vid_mode, 0xffff);
	assert_int_equal(got.cmd_line_ptr, 0x20000);
	assert_int_equal(got.ramdisk_image, initrd_addr);
	assert_int_equal(got.ramdisk_size, sizeof(initrd_data));
	assert_int_equal(got.ext_loader_ver, 0);
	assert_int_equal(got.ext_loader_type, 0);
	/* what the kernel tells the loader stays */
	assert_int_equal(got.code32_start, want->code32_start);
	assert_int_equal(got.header, BZ_HDRS_MAGIC);
	assert_int_equal(got.init_size, want->init_size);
	assert_int_equal(got.cmdline_size, want->cmdline_size);
	assert_int_equal(got.setup_sects, FIX_SETUP_SECTS);
	/* heap end (0x10000 + 0xfe00 + 0x200) meets the command line */
	assert_int_equal(FW_CFG_LINUX_SETUP_ADDR + got.heap_end_ptr + 0x200,
			 FW_CFG_LINUX_CMDLINE_ADDR);

	free(setup);
	free(kern);
	free(ird);
	free(cl);
	fix_file_close(&k);
	fix_file_close(&i);
	free(im.buf);
}

static void no_initrd_no_cmdline(void **state)
{
	struct rig *r = *state;
	struct fix_image im = fix_image(FIX_SETUP_SECTS, FIX_KERNEL_BYTES);
	struct fix_file k = fix_file(im.buf, im.len);
	struct errbuf e = {""};
	struct setup_header got;
	uint8_t *setup, *cl;

	assert_int_equal(add(r, k.path, NULL, NULL, &e), 0);
	assert_int_equal(item_u32(&r->fw, FW_CFG_INITRD_ADDR), 0);
	assert_int_equal(item_u32(&r->fw, FW_CFG_INITRD_SIZE), 0);
	assert_true(has_item(&r->fw, FW_CFG_INITRD_SIZE));
	assert_false(has_item(&r->fw, FW_CFG_INITRD_DATA));
	assert_int_equal(item_u32(&r->fw, FW_CFG_CMDLINE_SIZE), 1);
	cl = item_bytes(&r->fw, FW_CFG_CMDLINE_DATA, 1);
	assert_int_equal(cl[0], 0);
	setup = item_bytes(&r->fw, FW_CFG_SETUP_DATA, im.setup_len);
	memcpy(&got, setup + BZ_SETUP_HEADER_OFFSET, sizeof(got));
	assert_int_equal(got.ramdisk_image, 0);
	assert_int_equal(got.ramdisk_size, 0);
	assert_int_equal(got.cmd_line_ptr, 0x20000);
	free(setup);
	free(cl);
	fix_file_close(&k);
	free(im.buf);
}

static void initrd_below_initrd_addr_max(void **state)
{
	struct rig *r = *state;
	struct fix_image im = fix_image(FIX_SETUP_SECTS, FIX_KERNEL_BYTES);
	uint8_t initrd[8192] = {1, 2, 3};
	struct fix_file k, i;
	struct errbuf e = {""};

	fix_hdr(&im)->initrd_addr_max = 100 * MIB - 1;
	k = fix_file(im.buf, im.len);
	i = fix_file(initrd, sizeof(initrd));
	assert_int_equal(add(r, k.path, i.path, "", &e), 0);
	assert_int_equal(item_u32(&r->fw, FW_CFG_INITRD_ADDR), 100 * MIB - sizeof(initrd));
	fix_file_close(&k);
	fix_file_close(&i);
	free(im.buf);
}

/* A refused input names its file and value and leaves no kernel item behind. */
static void expect_refused(struct rig *r, const char *kernel, const char *initrd,
			   const char *cmdline, int err, const char *w1, const char *w2)
{
	struct errbuf e = {""};
	static const uint16_t keys[] = {
		FW_CFG_SETUP_ADDR,  FW_CFG_SETUP_SIZE,	 FW_CFG_SETUP_DATA,   FW_CFG_KERNEL_ADDR,
		FW_CFG_KERNEL_SIZE, FW_CFG_KERNEL_DATA,	 FW_CFG_INITRD_ADDR,  FW_CFG_INITRD_SIZE,
		FW_CFG_INITRD_DATA, FW_CFG_CMDLINE_ADDR, FW_CFG_CMDLINE_SIZE, FW_CFG_CMDLINE_DATA};

	assert_int_equal(add(r, kernel, initrd, cmdline, &e), -err);
	if (!strstr(e.msg, w1) || (w2 && !strstr(e.msg, w2)))
		fail_msg("message \"%s\" lacks \"%s\" or \"%s\"", e.msg, w1, w2 ? w2 : "");
	for (size_t n = 0; n < sizeof(keys) / sizeof(keys[0]); n++)
		if (has_item(&r->fw, keys[n]))
			fail_msg("item 0x%04x set after a refused input", keys[n]);
}

static void unreadable_files_refused(void **state)
{
	struct rig *r = *state;
	struct fix_image im = fix_image(FIX_SETUP_SECTS, FIX_KERNEL_BYTES);
	struct fix_file k = fix_file(im.buf, im.len), empty = fix_file("", 0);

	expect_refused(r, "/nonexistent/bzImage", NULL, "", ENOENT, "kernel /nonexistent/bzImage",
		       "No such file");
	expect_refused(r, "/", NULL, "", EISDIR, "kernel /", "not a regular file");
	expect_refused(r, k.path, "/nonexistent/initrd", "", ENOENT, "initrd /nonexistent/initrd",
		       NULL);
	expect_refused(r, k.path, empty.path, "", EINVAL, empty.path, "empty");
	fix_file_close(&k);
	fix_file_close(&empty);
	free(im.buf);
}

static void wrong_kernels_refused(void **state)
{
	struct rig *r = *state;
	struct fix_image im = fix_image(FIX_SETUP_SECTS, FIX_KERNEL_BYTES);
	struct fix_image big = fix_image(64, FIX_KERNEL_BYTES);
	struct fix_file k;

	memcpy(im.buf, "\177ELF", 4);
	k = fix_file(im.buf, im.len);
	expect_refused(r, k.path, NULL, "", ENOEXEC, k.path, "vmlinux");
	fix_file_close(&k);

	memcpy(im.buf, "\x4d\x5a", 2);
	fix_hdr(&im)->header = 0x12345678;
	k = fix_file(im.buf, im.len);
	expect_refused(r, k.path, NULL, "", ENOEXEC, "kernel /proc/self/fd/", "HdrS");
	fix_file_close(&k);

	/* 65 sectors of real-mode code do not fit below the heap */
	k = fix_file(big.buf, big.len);
	expect_refused(r, k.path, NULL, "", ENOEXEC, k.path, "33280 bytes (setup_sects 64)");
	fix_file_close(&k);

	free(im.buf);
	im = fix_image(FIX_SETUP_SECTS, FIX_KERNEL_BYTES);
	k = fix_file(im.buf, im.len - 512); /* truncated */
	expect_refused(r, k.path, NULL, "", ENOEXEC, k.path, "truncated");
	fix_file_close(&k);
	free(im.buf);
	free(big.buf);
}

static void cmdline_length_checked(void **state)
{
	struct rig *r = *state;
	struct fix_image im = fix_image(FIX_SETUP_SECTS, FIX_KERNEL_BYTES);
	struct fix_file k;
	struct errbuf e = {""};

	fix_hdr(&im)->cmdline_size = 10;
	k = fix_file(im.buf, im.len);
	expect_refused(r, k.path, NULL, "console=tty", E2BIG, "11 bytes", "at most 10");
	assert_int_equal(add(r, k.path, NULL, "console=tt", &e), 0);
	assert_int_equal(item_u32(&r->fw, FW_CFG_CMDLINE_SIZE), 11);
	fix_file_close(&k);
	free(im.buf);
}

static void too_big_refused(void **state)
{
	struct rig *r = *state;
	struct fix_image im = fix_image(FIX_SETUP_SECTS, FIX_KERNEL_BYTES);
	size_t initrd_len = 201 * MIB; /* sparse: a memfd of that size costs no RAM */
	struct fix_file k, i;
	char want[64];

	k = fix_file(im.buf, im.len);
	i = fix_file("", 0);
	assert_int_equal(ftruncate(i.fd, (off_t)initrd_len), 0);
	/* 256 MiB: the kernel needs up to 40 MiB, SeaBIOS may keep from 240 MiB */
	snprintf(want, sizeof(want), "%zu bytes do not fit", initrd_len);
	expect_refused(r, k.path, i.path, "", E2BIG, i.path, want);
	expect_refused(r, k.path, i.path, "", E2BIG, "0xf000000", "209715200 bytes free");
	fix_file_close(&k);

	fix_hdr(&im)->init_size = 230 * MIB;
	k = fix_file(im.buf, im.len);
	expect_refused(r, k.path, NULL, "", E2BIG, k.path, "0xf000000");
	fix_file_close(&k);
	fix_file_close(&i);
	free(im.buf);
}

/* The ROM image as SeaBIOS's option ROM scan checks it. */
static void rom_image(void **state)
{
	const uint8_t *rom = vfvm_linuxboot_rom;
	size_t size = vfvm_linuxboot_rom_size;
	uint8_t sum = 0;
	uint16_t pnp, bev, name;
	(void)state;

	assert_true(size >= 512 && size % 512 == 0);
	assert_int_equal(rom[0], 0x55);
	assert_int_equal(rom[1], 0xaa);
	assert_int_equal(rom[2] * 512, size);
	for (size_t i = 0; i < size; i++)
		sum += rom[i];
	assert_int_equal(sum, 0);
	assert_int_equal(rom[3], 0xcb); /* init entry: lret */

	pnp = (uint16_t)(rom[0x1a] | rom[0x1b] << 8);
	assert_true(pnp >= 0x1c && (size_t)pnp + 32 <= size);
	assert_memory_equal(rom + pnp, "$PnP", 4);
	assert_int_equal(rom[pnp + 4], 1);
	assert_int_equal(rom[pnp + 5], 2); /* 32 bytes */
	sum = 0;
	for (size_t i = 0; i < 32; i++)
		sum += rom[pnp + i];
	assert_int_equal(sum, 0);
	assert_int_equal(rom[pnp + 6] | rom[pnp + 7] << 8, 0);	     /* no next header */
	assert_int_equal(rom[pnp + 0x16] | rom[pnp + 0x17] << 8, 0); /* no BCV */
	bev = (uint16_t)(rom[pnp + 0x1a] | rom[pnp + 0x1b] << 8);
	assert_true(bev > pnp + 32 && bev < size);
	/* the BEV starts by saving the caller's registers: pushal */
	assert_int_equal(rom[bev], 0x66);
	assert_int_equal(rom[bev + 1], 0x60);
	name = (uint16_t)(rom[pnp + 0x10] | rom[pnp + 0x11] << 8);
	assert_true(name < size);
	assert_string_equal((const char *)rom + name, FW_CFG_LINUXBOOT_PRODUCT);
}

static void rom_file_added(void **state)
{
	struct rig *r = *state;
	uint8_t dir[4 + FW_CFG_DIR_ENTRY_SIZE];
	uint8_t *data;
	uint16_t key;
	uint32_t n, size;

	assert_string_equal(FW_CFG_LINUXBOOT_BOOTORDER, "/rom@genroms/vfvm-linuxboot.bin");
	assert_int_equal(fw_cfg_add_linuxboot_rom(&r->fw), 0);
	read_item(&r->fw, FW_CFG_FILE_DIR, dir, sizeof(dir));
	memcpy(&n, dir, 4);
	assert_int_equal(be32toh(n), 1);
	memcpy(&size, dir + 4, 4);
	assert_int_equal(be32toh(size), vfvm_linuxboot_rom_size);
	memcpy(&key, dir + 8, 2);
	assert_string_equal((char *)dir + 12, "genroms/vfvm-linuxboot.bin");
	data = item_bytes(&r->fw, be16toh(key), vfvm_linuxboot_rom_size);
	assert_memory_equal(data, vfvm_linuxboot_rom, vfvm_linuxboot_rom_size);
	free(data);
	assert_int_equal(fw_cfg_add_linuxboot_rom(&r->fw), -EEXIST);
}

#define T(f) cmocka_unit_test_setup_teardown(f, rig_setup, rig_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ram_top_leaves_seabios_zone),
		T(items_and_patched_header),
		T(no_initrd_no_cmdline),
		T(initrd_below_initrd_addr_max),
		T(unreadable_files_refused),
		T(wrong_kernels_refused),
		T(cmdline_length_checked),
		T(too_big_refused),
		cmocka_unit_test(rom_image),
		T(rom_file_added),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
