// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "devices/bus.h"

struct fake_dev {
	uint64_t last_off;
	unsigned int last_len;
	uint8_t last_write[8];
	int reads, writes;
	struct io_bus *bus; /* for the handler that moves itself */
	uint64_t base;
};

static void fake_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	struct fake_dev *d = opaque;

	d->reads++;
	d->last_off = off;
	d->last_len = len;
	memset(data, (int)(0x10 + off), len);
}

static void fake_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	struct fake_dev *d = opaque;

	d->writes++;
	d->last_off = off;
	d->last_len = len;
	memcpy(d->last_write, data, len);
}

/* A write handler that relocates its own range, as a BAR write through config space does. */
static void moving_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	struct fake_dev *d = opaque;
	uint32_t nb;

	(void)off;
	memcpy(&nb, data, len < 4 ? len : 4);
	if (io_bus_move(d->bus, IO_SPACE_MMIO, d->base, d, nb) == 0)
		d->base = nb;
}

static const struct io_ops fake_ops = { fake_read, fake_write };
static const struct io_ops moving_ops = { fake_read, moving_write };

static void dispatch_reaches_the_right_device(void **state)
{
	struct io_bus bus;
	struct fake_dev a = { 0 }, b = { 0 };
	uint32_t v = 0;
	(void)state;

	assert_int_equal(io_bus_init(&bus), 0);
	assert_int_equal(io_bus_register(&bus, IO_SPACE_PIO, 0x3f8, 8, &fake_ops, &a, "uart"), 0);
	assert_int_equal(io_bus_register(&bus, IO_SPACE_PIO, 0xcf8, 8, &fake_ops, &b, "pci"), 0);

	assert_int_equal(io_bus_access(&bus, IO_SPACE_PIO, 0x3fd, &v, 1, false), 0);
	assert_int_equal(a.reads, 1);
	assert_int_equal(a.last_off, 5);
	assert_int_equal(v & 0xff, 0x15);
	assert_int_equal(b.reads, 0);

	v = 0x80000000;
	assert_int_equal(io_bus_access(&bus, IO_SPACE_PIO, 0xcf8, &v, 4, true), 0);
	assert_int_equal(b.writes, 1);
	assert_int_equal(b.last_len, 4);
	assert_memory_equal(b.last_write, &v, 4);
	assert_string_equal(io_bus_name(&bus, IO_SPACE_PIO, 0xcfc), "pci");
	/* PIO and MMIO are separate spaces */
	assert_null(io_bus_name(&bus, IO_SPACE_MMIO, 0xcfc));
	io_bus_destroy(&bus);
}

static void unclaimed_reads_all_ones(void **state)
{
	struct io_bus bus;
	uint64_t v = 0;
	(void)state;

	assert_int_equal(io_bus_init(&bus), 0);
	assert_int_equal(io_bus_access(&bus, IO_SPACE_MMIO, 0xfebf0000, &v, 8, false), -ENOENT);
	assert_true(v == UINT64_MAX);
	assert_int_equal(io_bus_access(&bus, IO_SPACE_MMIO, 0xfebf0000, &v, 8, true), -ENOENT);
	/* lengths the CPU cannot produce are refused, not dispatched */
	assert_int_equal(io_bus_access(&bus, IO_SPACE_MMIO, 0, &v, 0, false), -EINVAL);
	assert_int_equal(io_bus_access(&bus, IO_SPACE_MMIO, 0, &v, 9, false), -EINVAL);
	io_bus_destroy(&bus);
}

static void overlaps_and_bad_ranges_refused(void **state)
{
	struct io_bus bus;
	struct fake_dev a = { 0 };
	(void)state;

	assert_int_equal(io_bus_init(&bus), 0);
	assert_int_equal(io_bus_register(&bus, IO_SPACE_MMIO, 0x1000, 0x1000, &fake_ops, &a, "a"), 0);
	assert_int_equal(io_bus_register(&bus, IO_SPACE_MMIO, 0x1fff, 1, &fake_ops, &a, "b"), -EEXIST);
	assert_int_equal(io_bus_register(&bus, IO_SPACE_MMIO, 0x0, 0x1001, &fake_ops, &a, "c"), -EEXIST);
	assert_int_equal(io_bus_register(&bus, IO_SPACE_MMIO, 0x0, 0x1000, &fake_ops, &a, "d"), 0);
	assert_int_equal(io_bus_register(&bus, IO_SPACE_MMIO, 0x2000, 0, &fake_ops, &a, "e"), -EINVAL);
	assert_int_equal(io_bus_register(&bus, IO_SPACE_MMIO, UINT64_MAX, 2, &fake_ops, &a, "f"),
			 -EINVAL);
	/* the very top byte of the address space is a valid one-byte range */
	assert_int_equal(io_bus_register(&bus, IO_SPACE_MMIO, UINT64_MAX, 1, &fake_ops, &a, "g"), 0);
	assert_string_equal(io_bus_name(&bus, IO_SPACE_MMIO, UINT64_MAX), "g");
	assert_int_equal(io_bus_unregister(&bus, IO_SPACE_MMIO, 0x1000, &a), 0);
	assert_int_equal(io_bus_unregister(&bus, IO_SPACE_MMIO, 0x1000, &a), -ENOENT);
	assert_null(io_bus_name(&bus, IO_SPACE_MMIO, 0x1800));
	io_bus_destroy(&bus);
}

static void access_crossing_the_end_is_cut(void **state)
{
	struct io_bus bus;
	struct fake_dev a = { 0 };
	uint32_t v = 0;
	(void)state;

	assert_int_equal(io_bus_init(&bus), 0);
	assert_int_equal(io_bus_register(&bus, IO_SPACE_PIO, 0x510, 2, &fake_ops, &a, "fw_cfg"), 0);
	assert_int_equal(io_bus_access(&bus, IO_SPACE_PIO, 0x511, &v, 4, false), 0);
	assert_int_equal(a.last_len, 1);
	assert_int_equal(v, 0xffffff11);
	io_bus_destroy(&bus);
}

static void handler_may_move_its_own_range(void **state)
{
	struct io_bus bus;
	struct fake_dev d = { .bus = &bus, .base = 0xc0000000 };
	struct fake_dev other = { 0 };
	uint32_t nb = 0xd0000000, v;
	(void)state;

	assert_int_equal(io_bus_init(&bus), 0);
	assert_int_equal(io_bus_register(&bus, IO_SPACE_MMIO, d.base, 0x1000, &moving_ops, &d, "bar"), 0);
	assert_int_equal(io_bus_register(&bus, IO_SPACE_MMIO, 0xe0000000, 0x1000, &fake_ops, &other, "x"), 0);
	assert_int_equal(io_bus_access(&bus, IO_SPACE_MMIO, 0xc0000000, &nb, 4, true), 0);
	assert_true(d.base == 0xd0000000);
	assert_int_equal(io_bus_access(&bus, IO_SPACE_MMIO, 0xc0000000, &v, 4, false), -ENOENT);
	assert_int_equal(io_bus_access(&bus, IO_SPACE_MMIO, 0xd0000004, &v, 4, false), 0);
	assert_int_equal(d.last_off, 4);
	/* moving onto another device's range is refused and leaves the range where it was */
	assert_int_equal(io_bus_move(&bus, IO_SPACE_MMIO, 0xd0000000, &d, 0xe0000800), -EEXIST);
	assert_string_equal(io_bus_name(&bus, IO_SPACE_MMIO, 0xd0000000), "bar");
	/* only the owner may move or remove a range */
	assert_int_equal(io_bus_move(&bus, IO_SPACE_MMIO, 0xd0000000, &other, 0x0), -ENOENT);
	assert_int_equal(io_bus_unregister(&bus, IO_SPACE_MMIO, 0xd0000000, &other), -ENOENT);
	io_bus_destroy(&bus);
}

static void many_ranges_stay_sorted(void **state)
{
	struct io_bus bus;
	struct fake_dev d[64];
	uint8_t v;
	(void)state;

	memset(d, 0, sizeof(d));
	assert_int_equal(io_bus_init(&bus), 0);
	/* registered in a scrambled order, past the initial capacity */
	for (unsigned int i = 0; i < 64; i++) {
		unsigned int k = (i * 37) % 64;

		assert_int_equal(io_bus_register(&bus, IO_SPACE_PIO, 0x100 + k * 4, 4, &fake_ops, &d[k],
						 "d"), 0);
	}
	for (unsigned int k = 0; k < 64; k++) {
		assert_int_equal(io_bus_access(&bus, IO_SPACE_PIO, 0x100 + k * 4 + 3, &v, 1, false), 0);
		assert_int_equal(d[k].reads, 1);
		assert_int_equal(d[k].last_off, 3);
	}
	io_bus_destroy(&bus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dispatch_reaches_the_right_device),
		cmocka_unit_test(unclaimed_reads_all_ones),
		cmocka_unit_test(overlaps_and_bad_ranges_refused),
		cmocka_unit_test(access_crossing_the_end_is_cut),
		cmocka_unit_test(handler_may_move_its_own_range),
		cmocka_unit_test(many_ranges_stay_sorted),
	};

	return cmocka_run_group_tests_name("bus", tests, NULL, NULL);
}
