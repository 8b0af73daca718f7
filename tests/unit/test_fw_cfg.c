// SPDX-License-Identifier: MIT
/* fw_cfg: selector/data port, file directory, and the DMA interface against real guest RAM. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <endian.h>
#include <string.h>
#include <cmocka.h>

#include "firmware/fw_cfg.h"
#include "vmm/memmap.h"

#define MIB (1ULL << 20)
#define GIB_4 (1ULL << 32)
#define DESC 0x1000ULL
#define BUF 0x2000ULL

/* 2 MiB at 0, a hole up to 4 GiB, 2 MiB at 4 GiB: both sides of every RAM edge are reachable. */
struct rig {
	struct guest_mem mem;
	struct io_bus bus;
	struct fw_cfg fw;
};

static int rig_setup(void **state)
{
	static struct rig r;

	memset(&r, 0, sizeof(r));
	if (guest_mem_layout(&r.mem, 4 * MIB, 2 * MIB, GIB_4) || guest_mem_alloc(&r.mem))
		return -1;
	if (io_bus_init(&r.bus) || fw_cfg_init(&r.fw, fw_cfg_guest_mem_ptr, &r.mem) ||
	    fw_cfg_attach(&r.fw, &r.bus))
		return -1;
	*state = &r;
	return 0;
}

static int rig_teardown(void **state)
{
	struct rig *r = *state;

	fw_cfg_destroy(&r->fw);
	io_bus_destroy(&r->bus);
	guest_mem_free(&r->mem);
	return 0;
}

static void outw(struct rig *r, uint16_t port, uint16_t v)
{
	v = htole16(v);
	assert_int_equal(io_bus_access(&r->bus, IO_SPACE_PIO, port, &v, 2, true), 0);
}

static uint8_t inb(struct rig *r, uint16_t port)
{
	uint8_t v = 0xaa;

	assert_int_equal(io_bus_access(&r->bus, IO_SPACE_PIO, port, &v, 1, false), 0);
	return v;
}

static void read_item(struct rig *r, uint16_t key, void *buf, size_t len)
{
	outw(r, FW_CFG_PORT_SEL, key);
	for (size_t i = 0; i < len; i++)
		((uint8_t *)buf)[i] = inb(r, FW_CFG_PORT_DATA);
}

static uint8_t *gpa(struct rig *r, uint64_t a, uint64_t len)
{
	uint8_t *p = guest_mem_ptr(&r->mem, a, len);

	assert_non_null(p);
	return p;
}

static void put_desc(struct rig *r, uint64_t at, uint32_t control, uint32_t len, uint64_t addr)
{
	uint8_t *p = gpa(r, at, 16);

	control = htobe32(control);
	len = htobe32(len);
	addr = htobe64(addr);
	memcpy(p, &control, 4);
	memcpy(p + 4, &len, 4);
	memcpy(p + 8, &addr, 8);
}

static uint32_t desc_control(struct rig *r, uint64_t at)
{
	uint32_t c;

	memcpy(&c, gpa(r, at, 4), 4);
	return be32toh(c);
}

/* The way SeaBIOS and Linux start a transfer: high half, then low half, big endian. */
static void dma_kick(struct rig *r, uint64_t desc)
{
	uint32_t hi = htobe32((uint32_t)(desc >> 32)), lo = htobe32((uint32_t)desc);

	assert_int_equal(io_bus_access(&r->bus, IO_SPACE_PIO, FW_CFG_PORT_DMA, &hi, 4, true), 0);
	assert_int_equal(io_bus_access(&r->bus, IO_SPACE_PIO, FW_CFG_PORT_DMA + 4, &lo, 4, true),
			 0);
}

/* Run one descriptor at DESC and return the control word written back. */
static uint32_t dma(struct rig *r, uint32_t control, uint32_t len, uint64_t addr)
{
	put_desc(r, DESC, control, len, addr);
	dma_kick(r, DESC);
	return desc_control(r, DESC);
}

static void signature_and_features(void **state)
{
	struct rig *r = *state;
	struct fw_cfg plain;
	char sig[6];
	uint32_t id;

	read_item(r, FW_CFG_SIGNATURE, sig, 6);
	assert_memory_equal(sig, "QEMU\0\0", 6); /* past the end: zeros */
	read_item(r, FW_CFG_ID, &id, 4);
	assert_int_equal(le32toh(id), FW_CFG_FEATURE_TRADITIONAL | FW_CFG_FEATURE_DMA);

	/* without a RAM accessor: no DMA bit, no DMA ports */
	struct io_bus bus;
	uint8_t v = 0;

	assert_int_equal(io_bus_init(&bus), 0);
	assert_int_equal(fw_cfg_init(&plain, NULL, NULL), 0);
	assert_int_equal(fw_cfg_attach(&plain, &bus), 0);
	id = htole16(FW_CFG_ID);
	io_bus_access(&bus, IO_SPACE_PIO, FW_CFG_PORT_SEL, &id, 2, true);
	io_bus_access(&bus, IO_SPACE_PIO, FW_CFG_PORT_DATA, &v, 1, false);
	assert_int_equal(v, FW_CFG_FEATURE_TRADITIONAL);
	assert_int_equal(io_bus_access(&bus, IO_SPACE_PIO, FW_CFG_PORT_DMA, &v, 1, false), -ENOENT);
	fw_cfg_destroy(&plain);
	io_bus_destroy(&bus);
}

static void dma_signature_register(void **state)
{
	struct rig *r = *state;
	uint8_t sig[8];
	uint32_t w;

	assert_int_equal(io_bus_access(&r->bus, IO_SPACE_PIO, FW_CFG_PORT_DMA, sig, 8, false), 0);
	assert_memory_equal(sig, "QEMU CFG", 8);
	assert_int_equal(io_bus_access(&r->bus, IO_SPACE_PIO, FW_CFG_PORT_DMA + 4, &w, 4, false),
			 0);
	assert_memory_equal(&w, " CFG", 4);
	assert_int_equal(inb(r, FW_CFG_PORT_DMA + 1), 'E');
}

static void numeric_items(void **state)
{
	struct rig *r = *state;
	uint64_t ram;
	uint16_t cpus;
	char cmd[16];

	assert_int_equal(fw_cfg_set_u64(&r->fw, FW_CFG_RAM_SIZE, 0x123456789ULL), 0);
	assert_int_equal(fw_cfg_set_u16(&r->fw, FW_CFG_NB_CPUS, 2), 0);
	assert_int_equal(fw_cfg_set_u16(&r->fw, FW_CFG_MAX_CPUS, 4), 0);
	assert_int_equal(fw_cfg_set_u32(&r->fw, FW_CFG_CMDLINE_SIZE, 12), 0);
	assert_int_equal(fw_cfg_set_bytes(&r->fw, FW_CFG_CMDLINE_DATA, "old", 4), 0);
	assert_int_equal(fw_cfg_set_bytes(&r->fw, FW_CFG_CMDLINE_DATA, "console=ttyS0", 14), 0);
	read_item(r, FW_CFG_RAM_SIZE, &ram, 8);
	assert_true(le64toh(ram) == 0x123456789ULL);
	read_item(r, FW_CFG_NB_CPUS, &cpus, 2);
	assert_int_equal(le16toh(cpus), 2);
	read_item(r, FW_CFG_MAX_CPUS, &cpus, 2);
	assert_int_equal(le16toh(cpus), 4);
	read_item(r, FW_CFG_CMDLINE_DATA, cmd, 16); /* the replacement, then zeros */
	assert_memory_equal(cmd, "console=ttyS0\0\0\0", 16);
	/* an arch-local numeric key is allowed (legacy e820 lives at 0x8003) */
	assert_int_equal(fw_cfg_set_u32(&r->fw, FW_CFG_KEY_ARCH | 3, 0), 0);

	/* keys the device owns, file keys, write-mode keys */
	assert_int_equal(fw_cfg_set_u32(&r->fw, FW_CFG_SIGNATURE, 1), -EINVAL);
	assert_int_equal(fw_cfg_set_u32(&r->fw, FW_CFG_ID, 1), -EINVAL);
	assert_int_equal(fw_cfg_set_u32(&r->fw, FW_CFG_FILE_DIR, 1), -EINVAL);
	assert_int_equal(fw_cfg_set_u32(&r->fw, FW_CFG_FILE_FIRST, 1), -EINVAL);
	assert_int_equal(fw_cfg_set_u32(&r->fw, 0x3fff, 1), -EINVAL);
	assert_int_equal(fw_cfg_set_u32(&r->fw, FW_CFG_KEY_WRITE | 5, 1), -EINVAL);
	assert_int_equal(fw_cfg_set_u32(&r->fw, FW_CFG_KEY_ARCH | 0x20, 1), -EINVAL);
}

static void selector_and_data_port(void **state)
{
	struct rig *r = *state;
	uint8_t wide[4], one = 0x55;
	uint16_t key;

	assert_int_equal(fw_cfg_add_file(&r->fw, "f", "abcdef", 6, &key), 0);
	outw(r, FW_CFG_PORT_SEL, key);
	assert_int_equal(inb(r, FW_CFG_PORT_DATA), 'a');
	assert_int_equal(inb(r, FW_CFG_PORT_DATA), 'b');
	/* a 2-byte read at 0x510 is two successive data bytes */
	assert_int_equal(io_bus_access(&r->bus, IO_SPACE_PIO, FW_CFG_PORT_SEL, wide, 2, false), 0);
	assert_memory_equal(wide, "cd", 2);
	/* data-port writes and 1-byte selector writes are ignored: no change of item or offset */
	io_bus_access(&r->bus, IO_SPACE_PIO, FW_CFG_PORT_DATA, &one, 1, true);
	io_bus_access(&r->bus, IO_SPACE_PIO, FW_CFG_PORT_SEL, &one, 1, true);
	assert_int_equal(inb(r, FW_CFG_PORT_DATA), 'e');
	/* a 4-byte read at 0x511 is cut by the bus to the one data byte */
	assert_int_equal(io_bus_access(&r->bus, IO_SPACE_PIO, FW_CFG_PORT_DATA, wide, 4, false), 0);
	assert_int_equal(wide[0], 'f');
	/* the offset stops at the end: zeros from now on, also for a wide read */
	assert_int_equal(inb(r, FW_CFG_PORT_DATA), 0);
	assert_int_equal(io_bus_access(&r->bus, IO_SPACE_PIO, FW_CFG_PORT_SEL, wide, 2, false), 0);
	assert_memory_equal(wide, "\0\0", 2);
	/* selecting again rewinds */
	outw(r, FW_CFG_PORT_SEL, key);
	assert_int_equal(inb(r, FW_CFG_PORT_DATA), 'a');
	/* the write-mode bit still selects the item, for reading */
	outw(r, FW_CFG_PORT_SEL, key | FW_CFG_KEY_WRITE);
	assert_int_equal(inb(r, FW_CFG_PORT_DATA), 'a');
	/* a key with no item reads zeros, however long */
	outw(r, FW_CFG_PORT_SEL, 0x0002);
	for (int i = 0; i < 8; i++)
		assert_int_equal(inb(r, FW_CFG_PORT_DATA), 0);
	outw(r, FW_CFG_PORT_SEL, 0xffff);
	assert_int_equal(inb(r, FW_CFG_PORT_DATA), 0);
}

static void file_directory(void **state)
{
	struct rig *r = *state;
	static const char *names[] = {"etc/sercon-port", "bootorder", "etc/e820"};
	uint16_t keys[3];
	uint8_t dir[4 + 3 * 64], expect[64];
	uint32_t be;
	char name55[56];

	assert_int_equal(fw_cfg_add_file(&r->fw, names[0], "\xf8\x03", 2, &keys[0]), 0);
	assert_int_equal(fw_cfg_add_file(&r->fw, names[1], "/pci@i0cf8/*@4\n", 15, &keys[1]), 0);
	assert_int_equal(fw_cfg_add_file(&r->fw, names[2], "0123456789abcdefghij", 20, &keys[2]),
			 0);
	/* keys in the order of adding, from 0x20 */
	assert_int_equal(keys[0], FW_CFG_FILE_FIRST);
	assert_int_equal(keys[1], FW_CFG_FILE_FIRST + 1);
	assert_int_equal(keys[2], FW_CFG_FILE_FIRST + 2);

	read_item(r, FW_CFG_FILE_DIR, dir, sizeof(dir));
	memcpy(&be, dir, 4);
	assert_int_equal(be32toh(be), 3);
	/* sorted by name: bootorder, etc/e820, etc/sercon-port */
	static const struct {
		uint32_t size;
		uint16_t key;
		const char *name;
	} want[] = {{15, FW_CFG_FILE_FIRST + 1, "bootorder"},
		    {20, FW_CFG_FILE_FIRST + 2, "etc/e820"},
		    {2, FW_CFG_FILE_FIRST, "etc/sercon-port"}};
	for (int i = 0; i < 3; i++) {
		memset(expect, 0, sizeof(expect));
		be = htobe32(want[i].size);
		memcpy(expect, &be, 4);
		expect[4] = want[i].key >> 8;
		expect[5] = want[i].key & 0xff;
		strcpy((char *)expect + 8, want[i].name);
		assert_memory_equal(dir + 4 + i * 64, expect, 64);
	}
	/* the file's own key reads its bytes */
	read_item(r, keys[0], expect, 3);
	assert_memory_equal(expect, "\xf8\x03\0", 3);

	/* names: empty, too long, duplicate; 55 characters is the limit */
	memset(name55, 'n', 55);
	name55[55] = 0;
	assert_int_equal(fw_cfg_add_file(&r->fw, "", "x", 1, NULL), -EINVAL);
	assert_int_equal(fw_cfg_add_file(&r->fw, NULL, "x", 1, NULL), -EINVAL);
	assert_int_equal(fw_cfg_add_file(&r->fw, "etc/e820", "x", 1, NULL), -EEXIST);
	assert_int_equal(fw_cfg_add_file(&r->fw, name55, "x", 1, NULL), 0);
	char name56[57];

	memset(name56, 'm', 56);
	name56[56] = 0;
	assert_int_equal(fw_cfg_add_file(&r->fw, name56, "x", 1, NULL), -EINVAL);
	read_item(r, FW_CFG_FILE_DIR, &be, 4);
	assert_int_equal(be32toh(be), 4);
	/* an empty file is listed with size 0 */
	assert_int_equal(fw_cfg_add_file(&r->fw, "a-empty", NULL, 0, NULL), 0);
	read_item(r, FW_CFG_FILE_DIR, dir, 4 + 64);
	assert_int_equal(dir[3], 5);
	assert_memory_equal(dir + 4, "\0\0\0\0\0\x24\0\0a-empty", 15);
}

static void dma_reads(void **state)
{
	struct rig *r = *state;
	uint16_t key;
	uint8_t *buf = gpa(r, BUF, 16);
	uint64_t desc_hi = GIB_4 + 0x100, full;

	assert_int_equal(fw_cfg_add_file(&r->fw, "etc/table", "0123456789", 10, &key), 0);
	memset(buf, 0xee, 16);
	/* select + read part, then skip, then read the rest: the offset is shared */
	assert_int_equal(dma(r, FW_CFG_DMA_SELECT | FW_CFG_DMA_READ | key << 16, 3, BUF), 0);
	assert_memory_equal(buf, "012\xee", 4);
	assert_int_equal(dma(r, FW_CFG_DMA_SKIP, 2, 0), 0);
	assert_int_equal(dma(r, FW_CFG_DMA_READ, 5, BUF + 3), 0);
	assert_memory_equal(buf, "01256789\xee", 9);
	/* the data port continues where DMA stopped: at the end */
	assert_int_equal(inb(r, FW_CFG_PORT_DATA), 0);
	/* a bare SELECT (length ignored) rewinds, and the data port follows it */
	assert_int_equal(dma(r, FW_CFG_DMA_SELECT | key << 16, 0, 0), 0);
	assert_int_equal(inb(r, FW_CFG_PORT_DATA), '0');

	/* a descriptor above 4 GiB, reading into RAM above 4 GiB, started by one 8-byte write */
	put_desc(r, desc_hi, FW_CFG_DMA_SELECT | FW_CFG_DMA_READ | key << 16, 10, GIB_4 + 0x1000);
	full = htobe64(desc_hi);
	assert_int_equal(io_bus_access(&r->bus, IO_SPACE_PIO, FW_CFG_PORT_DMA, &full, 8, true), 0);
	assert_int_equal(desc_control(r, desc_hi), 0);
	assert_memory_equal(gpa(r, GIB_4 + 0x1000, 10), "0123456789", 10);
	/* a read that ends exactly at the end of a RAM range is fine */
	assert_int_equal(dma(r, FW_CFG_DMA_SELECT | FW_CFG_DMA_READ | key << 16, 10, 2 * MIB - 10),
			 0);
	assert_memory_equal(gpa(r, 2 * MIB - 10, 10), "0123456789", 10);
}

/* One refused request: error bit, nothing written to buf, the item's offset (at 2) unchanged. */
static void expect_refused(struct rig *r, uint16_t key, uint32_t control, uint32_t len,
			   uint64_t addr)
{
	uint8_t *buf = gpa(r, BUF, 16);

	assert_int_equal(dma(r, FW_CFG_DMA_SELECT | FW_CFG_DMA_SKIP | key << 16, 2, 0), 0);
	memset(buf, 0xee, 16);
	assert_int_equal(dma(r, control, len, addr), FW_CFG_DMA_ERROR);
	for (int i = 0; i < 16; i++)
		assert_int_equal(buf[i], 0xee);
	assert_int_equal(inb(r, FW_CFG_PORT_DATA), '2');
}

static void dma_bad_requests(void **state)
{
	struct rig *r = *state;
	uint16_t key;

	assert_int_equal(fw_cfg_add_file(&r->fw, "etc/table", "0123456789", 10, &key), 0);
	/* unknown control bits, the ERROR bit as input, a selector without SELECT */
	expect_refused(r, key, FW_CFG_DMA_READ | 0x20, 4, BUF);
	expect_refused(r, key, FW_CFG_DMA_READ | 0x8000, 4, BUF);
	expect_refused(r, key, FW_CFG_DMA_READ | FW_CFG_DMA_ERROR, 4, BUF);
	expect_refused(r, key, FW_CFG_DMA_READ | 7u << 16, 4, BUF);
	/* WRITE: items are read-only; two transfer bits at once */
	expect_refused(r, key, FW_CFG_DMA_WRITE, 4, BUF);
	expect_refused(r, key, FW_CFG_DMA_READ | FW_CFG_DMA_SKIP, 4, BUF);
	expect_refused(r, key, FW_CFG_DMA_READ | FW_CFG_DMA_WRITE, 4, BUF);
	/* zero length */
	expect_refused(r, key, FW_CFG_DMA_READ, 0, BUF);
	expect_refused(r, key, FW_CFG_DMA_SKIP, 0, 0);
	/* past the end of the item (8 bytes remain) */
	expect_refused(r, key, FW_CFG_DMA_READ, 9, BUF);
	expect_refused(r, key, FW_CFG_DMA_SKIP, 9, 0);
	expect_refused(r, key, FW_CFG_DMA_READ, 0xffffffff, BUF);
	/* destination: in the hole, straddling the end of low RAM, past all RAM, wrapping */
	expect_refused(r, key, FW_CFG_DMA_READ, 4, 3 * MIB);
	expect_refused(r, key, FW_CFG_DMA_READ, 8, 2 * MIB - 4);
	expect_refused(r, key, FW_CFG_DMA_READ, 4, GIB_4 + 2 * MIB);
	expect_refused(r, key, FW_CFG_DMA_READ, 8, UINT64_MAX - 3);
	/* SELECT of a key with no item, then READ */
	assert_int_equal(dma(r, FW_CFG_DMA_SELECT | FW_CFG_DMA_READ | 0x0002u << 16, 1, BUF),
			 FW_CFG_DMA_ERROR);
	assert_int_equal(dma(r, FW_CFG_DMA_SKIP, 1, 0), FW_CFG_DMA_ERROR);
	/* after all that, a good request still works */
	assert_int_equal(dma(r, FW_CFG_DMA_SELECT | FW_CFG_DMA_READ | key << 16, 10, BUF), 0);
	assert_memory_equal(gpa(r, BUF, 10), "0123456789", 10);
}

static void dma_descriptor_outside_ram(void **state)
{
	struct rig *r = *state;
	uint8_t *edge = gpa(r, 2 * MIB - 8, 8);
	uint32_t lo, zero = 0;

	memset(edge, 0x77, 8);
	/* in the hole; straddling the end of low RAM; wrapping; above all RAM */
	dma_kick(r, 3 * MIB);
	dma_kick(r, 2 * MIB - 8);
	dma_kick(r, UINT64_MAX - 7);
	dma_kick(r, GIB_4 + 2 * MIB - 15);
	assert_int_equal(r->fw.dma_dropped, 4);
	for (int i = 0; i < 8; i++)
		assert_int_equal(edge[i], 0x77);

	/* writes of other widths or offsets do nothing; the high half is cleared after a kick */
	lo = htobe32(1);
	io_bus_access(&r->bus, IO_SPACE_PIO, FW_CFG_PORT_DMA, &lo, 4, true); /* high = 1 */
	io_bus_access(&r->bus, IO_SPACE_PIO, FW_CFG_PORT_DMA + 4, &zero, 2, true);
	io_bus_access(&r->bus, IO_SPACE_PIO, FW_CFG_PORT_DMA + 2, &zero, 1, true);
	assert_int_equal(r->fw.dma_dropped, 4);
	put_desc(r, DESC, FW_CFG_DMA_SELECT, 0, 0);
	put_desc(r, GIB_4 + DESC, FW_CFG_DMA_SELECT, 0, 0);
	lo = htobe32((uint32_t)DESC);
	io_bus_access(&r->bus, IO_SPACE_PIO, FW_CFG_PORT_DMA + 4, &lo, 4, true);
	/* the latched high half made it 4 GiB + DESC */
	assert_int_equal(desc_control(r, GIB_4 + DESC), 0);
	assert_int_equal(desc_control(r, DESC), FW_CFG_DMA_SELECT);
	assert_int_equal(r->fw.dma_dropped, 4);
	/* the high half was consumed: the next low-only kick means DESC below 4 GiB */
	io_bus_access(&r->bus, IO_SPACE_PIO, FW_CFG_PORT_DMA + 4, &lo, 4, true);
	assert_int_equal(desc_control(r, DESC), 0);
}

static void e820_file(void **state)
{
	struct rig *r = *state;
	/* given out of order: the file is sorted by address */
	static const struct fw_cfg_range kvm[] = {{0xfeffd000, 0x3000}, {0xfeffc000, 0x1000}};
	static const uint8_t want[4][20] = {
		{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0, 0, 0, 1, 0, 0, 0},
		{0, 0xc0, 0xff, 0xfe, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0},
		{0, 0xd0, 0xff, 0xfe, 0, 0, 0, 0, 0, 0x30, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0},
		{0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0x20, 0, 0, 0, 0, 0, 1, 0, 0, 0},
	};
	static const struct fw_cfg_range bad[] = {{0x1000, 0}, {UINT64_MAX - 10, 0x100}};
	uint8_t dir[4 + 64], blob[4 * 20 + 1];
	uint32_t size;
	uint16_t key;

	assert_int_equal(fw_cfg_add_e820(&r->fw, &r->mem, &bad[0], 1), -EINVAL);
	assert_int_equal(fw_cfg_add_e820(&r->fw, &r->mem, &bad[1], 1), -EINVAL);
	assert_int_equal(fw_cfg_add_e820(&r->fw, &r->mem, kvm, FW_CFG_E820_MAX), -E2BIG);
	assert_int_equal(fw_cfg_add_e820(&r->fw, &r->mem, kvm, 2), 0);
	/* a second one is a duplicate file */
	assert_int_equal(fw_cfg_add_e820(&r->fw, &r->mem, kvm, 2), -EEXIST);
	read_item(r, FW_CFG_FILE_DIR, dir, sizeof(dir));
	assert_int_equal(dir[3], 1);
	assert_string_equal((char *)dir + 12, "etc/e820");
	memcpy(&size, dir + 4, 4);
	assert_int_equal(be32toh(size), 80);
	key = (uint16_t)(dir[8] << 8 | dir[9]);
	read_item(r, key, blob, sizeof(blob));
	assert_memory_equal(blob, want, 80);
	assert_int_equal(blob[80], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(signature_and_features, rig_setup, rig_teardown),
		cmocka_unit_test_setup_teardown(dma_signature_register, rig_setup, rig_teardown),
		cmocka_unit_test_setup_teardown(numeric_items, rig_setup, rig_teardown),
		cmocka_unit_test_setup_teardown(selector_and_data_port, rig_setup, rig_teardown),
		cmocka_unit_test_setup_teardown(file_directory, rig_setup, rig_teardown),
		cmocka_unit_test_setup_teardown(dma_reads, rig_setup, rig_teardown),
		cmocka_unit_test_setup_teardown(dma_bad_requests, rig_setup, rig_teardown),
		cmocka_unit_test_setup_teardown(dma_descriptor_outside_ram, rig_setup,
						rig_teardown),
		cmocka_unit_test_setup_teardown(e820_file, rig_setup, rig_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
