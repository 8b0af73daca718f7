// SPDX-License-Identifier: MIT
/*
 * The platform pieces of firmware boot: the i440FX's identity and PAM registers, what each PAM
 * mode does to the BIOS area (memory slots made and the answers of the MMIO handler), BIOS image
 * checks, and the debug port.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "devices/debugcon.h"
#include "devices/i440fx.h"
#include "firmware/bios_image.h"
#include "firmware/bios_shadow.h"

/* ---- i440FX ---- */

struct pam_log {
	unsigned int n;
	unsigned int seg[64];
	enum pam_mode mode[64];
};

static void log_update(void *opaque, unsigned int seg, enum pam_mode mode)
{
	struct pam_log *l = opaque;

	assert_true(l->n < 64);
	l->seg[l->n] = seg;
	l->mode[l->n++] = mode;
}

static void i440fx_identity(void **state)
{
	struct i440fx h;
	(void)state;

	assert_int_equal(i440fx_init(&h, NULL, NULL), 0);
	assert_int_equal(i440fx_ops.cfg_read(&h, PCI_VENDOR_ID, 4), 0x12378086);
	assert_int_equal(i440fx_ops.cfg_read(&h, PCI_SUBSYSTEM_VENDOR_ID, 4), 0x11001af4);
	assert_int_equal(i440fx_ops.cfg_read(&h, PCI_CLASS_DEVICE, 2), 0x0600);
	/* identity and everything but the PAM bits are read-only */
	i440fx_ops.cfg_write(&h, PCI_VENDOR_ID, 0xffffffff, 4);
	i440fx_ops.cfg_write(&h, 0x72, 0xff, 1); /* SMRAM: not modelled */
	assert_int_equal(i440fx_ops.cfg_read(&h, PCI_VENDOR_ID, 4), 0x12378086);
	assert_int_equal(i440fx_ops.cfg_read(&h, 0x72, 1), 0);
	i440fx_destroy(&h);
}

static void pam_segments_and_updates(void **state)
{
	struct pam_log l = {0};
	struct i440fx h;
	(void)state;

	assert_int_equal(pam_segment(0).base, 0xf0000);
	assert_int_equal(pam_segment(0).size, 0x10000);
	assert_int_equal(pam_segment(1).base, 0xc0000);
	assert_int_equal(pam_segment(2).base, 0xc4000);
	assert_int_equal(pam_segment(12).base, 0xec000);
	assert_int_equal(pam_segment(12).size, 0x4000);

	assert_int_equal(i440fx_init(&h, log_update, &l), 0);
	for (unsigned int i = 0; i < PAM_NR_SEGMENTS; i++)
		assert_int_equal(i440fx_pam_mode(&h, i), PAM_ROM);
	/* PAM0's low nibble is reserved: no change, no update */
	i440fx_ops.cfg_write(&h, I440FX_PAM0, 0x03, 1);
	assert_int_equal(l.n, 0);
	assert_int_equal(i440fx_ops.cfg_read(&h, I440FX_PAM0, 1), 0);
	/* what SeaBIOS does to unlock its shadow: two dword writes over 0x58-0x5f */
	i440fx_ops.cfg_write(&h, 0x58, 0x33333000, 4); /* 0x58 is not PAM */
	i440fx_ops.cfg_write(&h, 0x5c, 0x33333333, 4);
	/* 0x59 = 0x30 -> seg 0 RAM; 0x5a = 0x33 -> segs 1, 2; 0x5b = 0x33 -> segs 3, 4 ... */
	assert_int_equal(i440fx_pam_mode(&h, 0), PAM_RAM);
	for (unsigned int i = 1; i < PAM_NR_SEGMENTS; i++)
		assert_int_equal(i440fx_pam_mode(&h, i), PAM_RAM);
	assert_int_equal(l.n, PAM_NR_SEGMENTS);
	for (unsigned int i = 0; i < l.n; i++)
		assert_int_equal(l.mode[i], PAM_RAM);
	/* one nibble: only the segment it covers changes, and only once */
	l.n = 0;
	i440fx_ops.cfg_write(&h, I440FX_PAM0 + 3, 0x13, 1); /* PAM3: d0000 RAM, d4000 read-only */
	assert_int_equal(l.n, 1);
	assert_int_equal(l.seg[0], 6);
	assert_int_equal(l.mode[0], PAM_READ_RAM);
	i440fx_ops.cfg_write(&h, I440FX_PAM0 + 3, 0x13, 1);
	assert_int_equal(l.n, 1);
	/* reserved bits 2-3 and 6-7 stay clear */
	i440fx_ops.cfg_write(&h, I440FX_PAM0 + 6, 0xff, 1);
	assert_int_equal(i440fx_ops.cfg_read(&h, I440FX_PAM0 + 6, 1), 0x33);
	assert_int_equal(i440fx_pam_mode(&h, 99), PAM_ROM);
	i440fx_destroy(&h);
}

/* ---- BIOS area ---- */

struct slot_log {
	unsigned int next;
	struct {
		uint64_t gpa, size;
		void *hva;
		bool ro, live;
	} s[64];
	int fail_map; /* make map fail when > 0 */
};

static int rec_map(void *opaque, uint64_t gpa, uint64_t size, void *hva, bool ro,
		   unsigned int *slot)
{
	struct slot_log *l = opaque;

	if (l->fail_map)
		return -ENOSPC;
	assert_true(l->next < 64);
	l->s[l->next].gpa = gpa;
	l->s[l->next].size = size;
	l->s[l->next].hva = hva;
	l->s[l->next].ro = ro;
	l->s[l->next].live = true;
	*slot = l->next++;
	return 0;
}

static int rec_unmap(void *opaque, unsigned int slot)
{
	struct slot_log *l = opaque;

	assert_true(slot < l->next && l->s[slot].live);
	l->s[slot].live = false;
	return 0;
}

static const struct bios_shadow_slots rec_slots = {rec_map, rec_unmap};

/* The live slot covering gpa, or -1. */
static int live_slot(struct slot_log *l, uint64_t gpa)
{
	for (unsigned int i = 0; i < l->next; i++)
		if (l->s[i].live && gpa >= l->s[i].gpa && gpa < l->s[i].gpa + l->s[i].size)
			return i;
	return -1;
}

struct area {
	uint8_t *ram; /* 1 MiB */
	uint8_t *rom; /* 128 KiB, page aligned */
	struct slot_log log;
	struct bios_shadow s;
};

static int area_setup(void **state)
{
	struct area *a = calloc(1, sizeof(*a));

	a->ram = calloc(1, 0x100000);
	a->rom = aligned_alloc(4096, 0x20000);
	memset(a->ram, 0x11, 0x100000);
	for (unsigned int i = 0; i < 0x20000; i++)
		a->rom[i] = (uint8_t)(0x80 + i % 64);
	*state = a;
	return 0;
}

static int area_teardown(void **state)
{
	struct area *a = *state;

	free(a->ram);
	free(a->rom);
	free(a);
	return 0;
}

static uint8_t rd(struct area *a, uint32_t gpa)
{
	uint8_t v = 0;

	bios_shadow_mmio_ops.read(&a->s, gpa - PAM_AREA_START, &v, 1);
	return v;
}

static void wr(struct area *a, uint32_t gpa, uint8_t v)
{
	bios_shadow_mmio_ops.write(&a->s, gpa - PAM_AREA_START, &v, 1);
}

static void shadow_modes(void **state)
{
	struct area *a = *state;
	int k;

	assert_int_equal(bios_shadow_init(&a->s, a->ram, a->rom, 0x20000, &rec_slots, &a->log), 0);
	/* reset: the ROM shows at 0xe0000-0xfffff through read-only slots; c0000-dffff no slot */
	k = live_slot(&a->log, 0xf0000);
	assert_true(k >= 0);
	assert_true(a->log.s[k].ro);
	assert_ptr_equal(a->log.s[k].hva, a->rom + 0x10000);
	k = live_slot(&a->log, 0xe4000);
	assert_ptr_equal(a->log.s[k].hva, a->rom + 0x4000);
	assert_int_equal(live_slot(&a->log, 0xc0000), -1);
	assert_int_equal(live_slot(&a->log, 0xdc000), -1);
	/* the handler: ROM bytes, all-ones below the image, writes dropped */
	assert_int_equal(rd(a, 0xfffff), a->rom[0x1ffff]);
	assert_int_equal(rd(a, 0xc0000), 0xff);
	wr(a, 0xf0000, 0x55);
	wr(a, 0xc0000, 0x55);
	assert_int_equal(a->ram[0xf0000], 0x11);
	assert_int_equal(a->ram[0xc0000], 0x11);

	/* read/write RAM: a writable slot on RAM; writes reach RAM */
	bios_shadow_update(&a->s, 0, PAM_RAM);
	k = live_slot(&a->log, 0xf8000);
	assert_false(a->log.s[k].ro);
	assert_ptr_equal(a->log.s[k].hva, a->ram + 0xf0000);
	wr(a, 0xf0001, 0x66);
	assert_int_equal(a->ram[0xf0001], 0x66);
	assert_int_equal(rd(a, 0xf0001), 0x66);

	/* read-only RAM (what SeaBIOS ends with): read-only slot on RAM, writes dropped */
	bios_shadow_update(&a->s, 0, PAM_READ_RAM);
	k = live_slot(&a->log, 0xf0000);
	assert_true(a->log.s[k].ro);
	assert_ptr_equal(a->log.s[k].hva, a->ram + 0xf0000);
	wr(a, 0xf0001, 0x77);
	assert_int_equal(a->ram[0xf0001], 0x66);

	/* write-only: no slot; reads from the ROM side, writes to RAM */
	bios_shadow_update(&a->s, 1, PAM_WRITE_RAM);
	assert_int_equal(live_slot(&a->log, 0xc0000), -1);
	wr(a, 0xc0010, 0x42);
	assert_int_equal(a->ram[0xc0010], 0x42);
	assert_int_equal(rd(a, 0xc0010), 0xff);
	bios_shadow_update(&a->s, 12, PAM_WRITE_RAM); /* ec000: the ROM side is the image */
	wr(a, 0xec000, 0x42);
	assert_int_equal(a->ram[0xec000], 0x42);
	assert_int_equal(rd(a, 0xec000), a->rom[0xc000]);

	/* a dword straddling two segments of different modes: each byte as its segment says */
	bios_shadow_update(&a->s, 2, PAM_RAM);
	{
		uint32_t v = 0x44332211, r = 0;

		bios_shadow_mmio_ops.write(&a->s, 0xc3ffe - PAM_AREA_START, &v, 4);
		assert_int_equal(a->ram[0xc3ffe], 0x11);
		assert_int_equal(a->ram[0xc4001], 0x44);
		bios_shadow_mmio_ops.read(&a->s, 0xc3ffe - PAM_AREA_START, &r, 4);
		assert_int_equal(r, 0x4433ffff);
	}
	/* back to ROM: the RAM slot goes, the ROM slot returns */
	bios_shadow_update(&a->s, 0, PAM_ROM);
	k = live_slot(&a->log, 0xf0000);
	assert_ptr_equal(a->log.s[k].hva, a->rom + 0x10000);
	/* out-of-range segment numbers and mode bits are ignored / masked */
	bios_shadow_update(&a->s, PAM_NR_SEGMENTS, PAM_RAM);
	bios_shadow_update(&a->s, 3, 0xff);
	assert_int_equal(a->s.mode[3], PAM_RAM);

	bios_shadow_destroy(&a->s);
	for (unsigned int i = 0; i < a->log.next; i++)
		assert_false(a->log.s[i].live);
}

static void shadow_without_slots_still_right(void **state)
{
	struct area *a = *state;

	a->log.fail_map = 1;
	assert_int_equal(bios_shadow_init(&a->s, a->ram, a->rom, 0x20000, &rec_slots, &a->log), 0);
	assert_int_equal(a->s.slot_errors, 5); /* the ROM's slots: four at e0000-effff, f0000 */
	assert_int_equal(rd(a, 0xf0000), a->rom[0x10000]);
	bios_shadow_update(&a->s, 0, PAM_RAM);
	wr(a, 0xf0000, 0x99);
	assert_int_equal(rd(a, 0xf0000), 0x99);
	bios_shadow_destroy(&a->s);
}

static void shadow_small_image(void **state)
{
	struct area *a = *state;

	/* a 64 KiB image shows at 0xf0000 only; e0000-effff reads all-ones */
	assert_int_equal(bios_shadow_init(&a->s, a->ram, a->rom, 0x10000, &rec_slots, &a->log), 0);
	assert_int_equal(rd(a, 0xe0000), 0xff);
	assert_int_equal(rd(a, 0xf0000), a->rom[0]);
	assert_int_equal(live_slot(&a->log, 0xe0000), -1);
	bios_shadow_destroy(&a->s);
	assert_int_equal(bios_shadow_init(&a->s, a->ram, a->rom, 0x21000, &rec_slots, &a->log),
			 -EINVAL);
	assert_int_equal(bios_shadow_init(&a->s, a->ram, a->rom + 1, 0x1000, &rec_slots, &a->log),
			 -EINVAL);
}

/* ---- BIOS image ---- */

static void image_checks(void **state)
{
	static uint8_t img[0x20000] __attribute__((aligned(4096)));
	struct errbuf e = {""};
	(void)state;

	memset(img, 0, sizeof(img));
	img[sizeof(img) - 16] = 0xea; /* ljmp */
	assert_int_equal(bios_image_check(img, sizeof(img), "bios.bin", &e), 0);
	img[sizeof(img) - 16] = 0x00;
	assert_int_equal(bios_image_check(img, sizeof(img), "bios.bin", &e), -ENOEXEC);
	assert_non_null(strstr(errbuf_msg(&e), "--firmware bios.bin: not a BIOS image"));
	img[sizeof(img) - 16] = 0x90; /* nop: UEFI-style */
	assert_int_equal(bios_image_check(img, sizeof(img), "bios.bin", &e), 0);
	assert_int_equal(bios_image_check(img, 4095, "odd.bin", &e), -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "--firmware odd.bin: 4095 bytes"));
	assert_int_equal(bios_image_check(img, 0x1001000, "big.bin", &e), -EINVAL);
	assert_int_equal(bios_image_check(img, 0, "empty.bin", &e), -EINVAL);
}

static void image_load(void **state)
{
	char path[] = "/tmp/vfvm-bios-XXXXXX";
	struct bios_image img;
	struct errbuf e = {""};
	uint8_t buf[0x3000];
	int fd = mkstemp(path);
	(void)state;

	assert_true(fd >= 0);
	/* empty */
	assert_int_equal(bios_image_load(&img, path, &e), -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "0 bytes"));
	/* a 12 KiB image: mapped so that it ends at 4 GiB, all of it below 1 MiB as well */
	memset(buf, 0xcc, sizeof(buf));
	buf[sizeof(buf) - 16] = 0xea;
	assert_int_equal(write(fd, buf, sizeof(buf)), (ssize_t)sizeof(buf));
	assert_int_equal(bios_image_load(&img, path, &e), 0);
	assert_int_equal(img.size, 0x3000);
	assert_true(bios_image_gpa(&img) == 0xffffd000ULL);
	assert_int_equal(bios_image_low_len(&img), 0x3000);
	assert_memory_equal(img.data, buf, sizeof(buf));
	assert_int_equal((uintptr_t)img.data % 4096, 0);
	bios_image_free(&img);
	assert_null(img.data);
	/* not a whole page */
	assert_int_equal(write(fd, buf, 1), 1);
	assert_int_equal(bios_image_load(&img, path, &e), -EINVAL);
	close(fd);
	unlink(path);
	assert_int_equal(bios_image_load(&img, path, &e), -ENOENT);
	assert_non_null(strstr(errbuf_msg(&e), path));
	assert_int_equal(bios_image_load(&img, "/tmp", &e), -EISDIR);
	assert_non_null(strstr(errbuf_msg(&e), "not a regular file"));
}

/* ---- debug port ---- */

static void debugcon(void **state)
{
	int p[2];
	struct debugcon d;
	struct io_bus bus;
	char out[64] = {0};
	uint8_t v = 0;
	(void)state;

	assert_int_equal(pipe(p), 0);
	assert_int_equal(io_bus_init(&bus), 0);
	assert_int_equal(debugcon_init(&d, p[1]), 0);
	assert_int_equal(debugcon_attach(&d, &bus, DEBUGCON_PORT), 0);
	assert_int_equal(io_bus_access(&bus, IO_SPACE_PIO, DEBUGCON_PORT, &v, 1, false), 0);
	assert_int_equal(v, DEBUGCON_READBACK);
	for (const char *c = "SeaBIOS\nhalf"; *c; c++)
		io_bus_access(&bus, IO_SPACE_PIO, DEBUGCON_PORT, (void *)c, 1, true);
	/* whole lines go out at once; the rest at destroy */
	assert_int_equal(read(p[0], out, sizeof(out)), 8);
	assert_string_equal(out, "SeaBIOS\n");
	debugcon_destroy(&d);
	memset(out, 0, sizeof(out));
	assert_int_equal(read(p[0], out, sizeof(out)), 4);
	assert_string_equal(out, "half");
	assert_int_equal(d.bytes, 12);
	io_bus_destroy(&bus);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(i440fx_identity),
		cmocka_unit_test(pam_segments_and_updates),
		cmocka_unit_test_setup_teardown(shadow_modes, area_setup, area_teardown),
		cmocka_unit_test_setup_teardown(shadow_without_slots_still_right, area_setup,
						area_teardown),
		cmocka_unit_test_setup_teardown(shadow_small_image, area_setup, area_teardown),
		cmocka_unit_test(image_checks),
		cmocka_unit_test(image_load),
		cmocka_unit_test(debugcon),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
