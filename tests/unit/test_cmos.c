// SPDX-License-Identifier: MIT
/* CMOS/RTC: clock registers in both formats, status registers, index aliases, memory bytes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <cmocka.h>

#include "devices/cmos.h"

#define MIB (1ULL << 20)
#define GIB (1ULL << 30)

static time_t fixed_clock(void *opaque)
{
	return *(time_t *)opaque;
}

struct rig {
	struct io_bus bus;
	struct cmos c;
	time_t now;
};

static int rig_setup(void **state)
{
	static struct rig r;

	/* 2024-02-29 23:59:58 UTC, a Thursday */
	r.now = 1709251198;
	if (io_bus_init(&r.bus) || cmos_init(&r.c, fixed_clock, &r.now) ||
	    cmos_attach(&r.c, &r.bus))
		return -1;
	*state = &r;
	return 0;
}

static int rig_teardown(void **state)
{
	struct rig *r = *state;

	cmos_destroy(&r->c);
	io_bus_destroy(&r->bus);
	return 0;
}

static void outb(struct rig *r, uint16_t port, uint8_t v)
{
	assert_int_equal(io_bus_access(&r->bus, IO_SPACE_PIO, port, &v, 1, true), 0);
}

static uint8_t inb(struct rig *r, uint16_t port)
{
	uint8_t v = 0xaa;

	assert_int_equal(io_bus_access(&r->bus, IO_SPACE_PIO, port, &v, 1, false), 0);
	return v;
}

static uint8_t rd(struct rig *r, uint8_t reg)
{
	outb(r, CMOS_PORT_INDEX, reg);
	return inb(r, CMOS_PORT_DATA);
}

static void wr(struct rig *r, uint8_t reg, uint8_t v)
{
	outb(r, CMOS_PORT_INDEX, reg);
	outb(r, CMOS_PORT_DATA, v);
}

static void clock_in_bcd(void **state)
{
	struct rig *r = *state;

	assert_int_equal(rd(r, CMOS_STATUS_B), CMOS_B_24H); /* BCD, 24-hour */
	assert_int_equal(rd(r, CMOS_SECONDS), 0x58);
	assert_int_equal(rd(r, CMOS_MINUTES), 0x59);
	assert_int_equal(rd(r, CMOS_HOURS), 0x23);
	assert_int_equal(rd(r, CMOS_WEEKDAY), 5);
	assert_int_equal(rd(r, CMOS_DAY), 0x29);
	assert_int_equal(rd(r, CMOS_MONTH), 0x02);
	assert_int_equal(rd(r, CMOS_YEAR), 0x24);
	assert_int_equal(rd(r, CMOS_CENTURY), 0x20);
	/* each read asks the clock: two seconds later it is 1 March */
	r->now += 2;
	assert_int_equal(rd(r, CMOS_SECONDS), 0x00);
	assert_int_equal(rd(r, CMOS_HOURS), 0x00);
	assert_int_equal(rd(r, CMOS_DAY), 0x01);
	assert_int_equal(rd(r, CMOS_MONTH), 0x03);
	/* 1999-12-31 12:30:05, a Friday: century 19, noon */
	r->now = 946643405;
	assert_int_equal(rd(r, CMOS_YEAR), 0x99);
	assert_int_equal(rd(r, CMOS_CENTURY), 0x19);
	assert_int_equal(rd(r, CMOS_HOURS), 0x12);
	assert_int_equal(rd(r, CMOS_WEEKDAY), 6);
}

static void clock_binary_and_12_hour(void **state)
{
	struct rig *r = *state;

	wr(r, CMOS_STATUS_B, CMOS_B_24H | CMOS_B_DM_BINARY);
	assert_int_equal(rd(r, CMOS_SECONDS), 58);
	assert_int_equal(rd(r, CMOS_HOURS), 23);
	assert_int_equal(rd(r, CMOS_DAY), 29);
	assert_int_equal(rd(r, CMOS_CENTURY), 20);
	/* 12-hour binary: 23h is 11 PM */
	wr(r, CMOS_STATUS_B, CMOS_B_DM_BINARY);
	assert_int_equal(rd(r, CMOS_HOURS), 0x80 | 11);
	/* 12-hour BCD: 11 PM, then midnight is 12 AM, noon is 12 PM */
	wr(r, CMOS_STATUS_B, 0);
	assert_int_equal(rd(r, CMOS_HOURS), 0x91);
	r->now += 2;
	assert_int_equal(rd(r, CMOS_HOURS), 0x12);
	r->now += 12 * 3600;
	assert_int_equal(rd(r, CMOS_HOURS), 0x92);
	r->now += 3600;
	assert_int_equal(rd(r, CMOS_HOURS), 0x81);
}

static void clock_out_of_range(void **state)
{
	struct rig *r = *state;
	struct cmos host;
	uint8_t v;

	/* a clock gmtime cannot express: 2000-01-01 00:00:00, a Saturday */
	r->now = (time_t)INT64_MAX;
	assert_int_equal(rd(r, CMOS_YEAR), 0x00);
	assert_int_equal(rd(r, CMOS_CENTURY), 0x20);
	assert_int_equal(rd(r, CMOS_MONTH), 0x01);
	assert_int_equal(rd(r, CMOS_DAY), 0x01);
	assert_int_equal(rd(r, CMOS_WEEKDAY), 7);
	/* the default clock is the host's: a valid BCD date in this century */
	assert_int_equal(cmos_init(&host, NULL, NULL), 0);
	host.index_port = CMOS_CENTURY;
	cmos_ops.read(&host, 1, &v, 1);
	assert_int_equal(v, 0x20);
	host.index_port = CMOS_MONTH;
	cmos_ops.read(&host, 1, &v, 1);
	assert_true(v >= 0x01 && v <= 0x12 && (v & 0x0f) <= 9);
	cmos_destroy(&host);
}

static void status_registers(void **state)
{
	struct rig *r = *state;

	/* A: the reset value; UIP never reads set, even if written */
	assert_int_equal(rd(r, CMOS_STATUS_A), 0x26);
	wr(r, CMOS_STATUS_A, 0xa6);
	assert_int_equal(rd(r, CMOS_STATUS_A), 0x26);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(rd(r, CMOS_STATUS_A) & CMOS_A_UIP, 0);
	wr(r, CMOS_STATUS_A, 0x2f);
	assert_int_equal(rd(r, CMOS_STATUS_A), 0x2f);
	/* B: plain storage of the guest's choice, SET included; the clock keeps running */
	wr(r, CMOS_STATUS_B, CMOS_B_SET | CMOS_B_24H | 0x70);
	assert_int_equal(rd(r, CMOS_STATUS_B), CMOS_B_SET | CMOS_B_24H | 0x70);
	assert_int_equal(rd(r, CMOS_SECONDS), 0x58);
	/* C: no interrupt flags; D: valid RAM and time; writes change neither */
	wr(r, CMOS_STATUS_C, 0xff);
	wr(r, CMOS_STATUS_D, 0x00);
	assert_int_equal(rd(r, CMOS_STATUS_C), 0);
	assert_int_equal(rd(r, CMOS_STATUS_D), CMOS_D_VRT);
	/* time writes are ignored; alarms are storage */
	wr(r, CMOS_SECONDS, 0x11);
	wr(r, CMOS_YEAR, 0x11);
	wr(r, CMOS_CENTURY, 0x11);
	assert_int_equal(rd(r, CMOS_SECONDS), 0x58);
	assert_int_equal(rd(r, CMOS_YEAR), 0x24);
	assert_int_equal(rd(r, CMOS_CENTURY), 0x20);
	wr(r, 0x01, 0x42);
	wr(r, 0x03, 0x43);
	wr(r, 0x05, 0x44);
	assert_int_equal(rd(r, 0x01), 0x42);
	assert_int_equal(rd(r, 0x03), 0x43);
	assert_int_equal(rd(r, 0x05), 0x44);
}

static void index_port_and_nmi(void **state)
{
	struct rig *r = *state;
	uint16_t w;

	assert_false(cmos_nmi_disabled(&r->c));
	/* 0x80-0xff: the same register with NMI disabled; the index port reads back */
	wr(r, 0x80 | 0x40, 0x5a);
	assert_true(cmos_nmi_disabled(&r->c));
	assert_int_equal(inb(r, CMOS_PORT_INDEX), 0xc0);
	assert_int_equal(rd(r, 0x40), 0x5a);
	assert_false(cmos_nmi_disabled(&r->c));
	assert_int_equal(rd(r, 0xff), 0); /* register 0x7f, never written */
	/* every storage register round-trips through both aliases */
	for (unsigned int reg = 0x0e; reg < 0x80; reg++) {
		if (reg == CMOS_CENTURY)
			continue;
		wr(r, (uint8_t)(reg | 0x80), (uint8_t)(reg ^ 0xa5));
		assert_int_equal(rd(r, (uint8_t)reg), reg ^ 0xa5);
	}
	/* outw 0x70: index then data; inw 0x70: index then data */
	w = 0x3300 | 0x50;
	assert_int_equal(io_bus_access(&r->bus, IO_SPACE_PIO, CMOS_PORT_INDEX, &w, 2, true), 0);
	assert_int_equal(rd(r, 0x50), 0x33);
	w = 0;
	assert_int_equal(io_bus_access(&r->bus, IO_SPACE_PIO, CMOS_PORT_INDEX, &w, 2, false), 0);
	assert_int_equal(w, 0x3350);
	/* a 2-byte read at 0x71 is cut by the bus to the data port alone */
	w = 0xffff;
	assert_int_equal(io_bus_access(&r->bus, IO_SPACE_PIO, CMOS_PORT_DATA, &w, 2, false), 0);
	assert_int_equal(w & 0xff, 0x33);
}

struct mem_case {
	uint64_t ram, hole_start;
	uint16_t base, ext, above16m;
	uint32_t above4g;
};

static void memory_bytes(void **state)
{
	struct rig *r = *state;
	static const struct mem_case cases[] = {
		{2 * MIB, 3 * GIB, 640, 1024, 0, 0},
		{64 * MIB, 3 * GIB, 640, 0xfc00, 0x300, 0},
		{2 * GIB, 3 * GIB, 640, 0xffff, 0x7f00, 0},
		{4 * GIB, 3 * GIB, 640, 0xffff, 0xbf00, 0x4000},
		{1024 * GIB, 2 * GIB, 640, 0xffff, 0x7f00, 0xff8000},
		/* more than 1 TiB above 4 GiB: the 24-bit field saturates */
		{1026 * GIB, 2 * GIB, 640, 0xffff, 0x7f00, 0xffffff},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct mem_case *m = &cases[i];
		struct guest_mem mem;
		uint64_t low_end, high;

		assert_int_equal(guest_mem_layout(&mem, m->ram, m->hole_start, 4 * GIB), 0);
		cmos_set_memory(&r->c, &mem);
		assert_int_equal(rd(r, CMOS_BASE_MEM_LO) | rd(r, CMOS_BASE_MEM_HI) << 8, m->base);
		assert_int_equal(rd(r, CMOS_EXT_MEM_LO) | rd(r, CMOS_EXT_MEM_HI) << 8, m->ext);
		assert_int_equal(rd(r, CMOS_EXT_MEM2_LO) | rd(r, CMOS_EXT_MEM2_HI) << 8, m->ext);
		assert_int_equal(rd(r, CMOS_MEM_16M_LO) | rd(r, CMOS_MEM_16M_HI) << 8, m->above16m);
		high = rd(r, CMOS_MEM_4G_LO) | rd(r, CMOS_MEM_4G_MID) << 8 |
		       (uint32_t)rd(r, CMOS_MEM_4G_HI) << 16;
		assert_int_equal(high, m->above4g);
		/* what the BIOS computes from them gives the RAM table back (when not saturated) */
		low_end = m->ram < m->hole_start ? m->ram : m->hole_start;
		if (low_end > 16 * MIB)
			assert_int_equal(16 * MIB + (uint64_t)m->above16m * 65536, low_end);
		if (m->above4g < 0xffffff)
			assert_int_equal(high * 65536, m->ram - low_end);
	}
}

static void cpu_count(void **state)
{
	struct rig *r = *state;

	assert_int_equal(cmos_set_cpus(&r->c, 1), 0);
	assert_int_equal(rd(r, CMOS_CPU_COUNT), 0);
	assert_int_equal(cmos_set_cpus(&r->c, 256), 0);
	assert_int_equal(rd(r, CMOS_CPU_COUNT), 255);
	assert_int_equal(cmos_set_cpus(&r->c, 0), -EINVAL);
	assert_int_equal(cmos_set_cpus(&r->c, 257), -EINVAL);
	assert_int_equal(rd(r, CMOS_CPU_COUNT), 255);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(clock_in_bcd, rig_setup, rig_teardown),
		cmocka_unit_test_setup_teardown(clock_binary_and_12_hour, rig_setup, rig_teardown),
		cmocka_unit_test_setup_teardown(clock_out_of_range, rig_setup, rig_teardown),
		cmocka_unit_test_setup_teardown(status_registers, rig_setup, rig_teardown),
		cmocka_unit_test_setup_teardown(index_port_and_nmi, rig_setup, rig_teardown),
		cmocka_unit_test_setup_teardown(memory_bytes, rig_setup, rig_teardown),
		cmocka_unit_test_setup_teardown(cpu_count, rig_setup, rig_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
