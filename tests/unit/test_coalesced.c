// SPDX-License-Identifier: MIT
/* Coalesced writes: KVM's ring drained to the bus in guest order, wrap-around, bad entries. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/coalesced.h"

#define MAX 8

/* What a device saw: (space, offset, value, len) in order. */
struct seen {
	unsigned int n;
	struct {
		int space;
		uint64_t off, val;
		unsigned int len;
	} w[32];
};

struct dev {
	struct seen *log;
	int space;
};

static void dev_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	(void)opaque;
	(void)off;
	memset(data, 0, len);
}

static void dev_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	struct dev *d = opaque;
	uint64_t v = 0;

	memcpy(&v, data, len);
	d->log->w[d->log->n].space = d->space;
	d->log->w[d->log->n].off = off;
	d->log->w[d->log->n].val = v;
	d->log->w[d->log->n].len = len;
	d->log->n++;
}

static const struct io_ops dev_ops = {dev_read, dev_write};

static struct kvm_coalesced_mmio_ring *ring_new(void)
{
	return calloc(1, sizeof(struct kvm_coalesced_mmio_ring) +
				 MAX * sizeof(struct kvm_coalesced_mmio));
}

static void put(struct kvm_coalesced_mmio_ring *r, uint64_t addr, uint32_t len, bool pio,
		uint64_t val)
{
	struct kvm_coalesced_mmio *e = &r->coalesced_mmio[r->last];

	e->phys_addr = addr;
	e->len = len;
	e->pio = pio;
	memcpy(e->data, &val, 8);
	r->last = (r->last + 1) % MAX;
}

struct fx {
	struct io_bus bus;
	struct seen log;
	struct dev cmos, vga;
	struct kvm_coalesced_mmio_ring *ring;
};

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (io_bus_init(&f->bus))
		return -1;
	f->cmos = (struct dev){&f->log, IO_SPACE_PIO};
	f->vga = (struct dev){&f->log, IO_SPACE_MMIO};
	if (io_bus_register(&f->bus, IO_SPACE_PIO, 0x70, 2, &dev_ops, &f->cmos, "cmos") ||
	    io_bus_register(&f->bus, IO_SPACE_MMIO, 0xb8000, 0x8000, &dev_ops, &f->vga, "vga"))
		return -1;
	f->ring = ring_new();
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	io_bus_destroy(&f->bus);
	free(f->ring);
	free(f);
	return 0;
}

static void writes_reach_the_bus_in_order(void **state)
{
	struct fx *f = *state;

	put(f->ring, 0x70, 1, true, 0x0f);
	put(f->ring, 0xb8000, 2, false, 0x0741);
	put(f->ring, 0x70, 1, true, 0x8a);
	assert_int_equal(coalesced_drain(f->ring, MAX, &f->bus), 3);
	assert_int_equal(f->log.n, 3);
	assert_true(f->log.w[0].space == IO_SPACE_PIO && f->log.w[0].off == 0 &&
		    f->log.w[0].val == 0x0f && f->log.w[0].len == 1);
	assert_true(f->log.w[1].space == IO_SPACE_MMIO && f->log.w[1].off == 0 &&
		    f->log.w[1].val == 0x0741 && f->log.w[1].len == 2);
	assert_true(f->log.w[2].val == 0x8a);
	/* the ring is KVM's again, and draining an empty one does nothing */
	assert_int_equal(f->ring->first, f->ring->last);
	assert_int_equal(coalesced_drain(f->ring, MAX, &f->bus), 0);
	assert_int_equal(f->log.n, 3);
}

static void ring_wraps_around(void **state)
{
	struct fx *f = *state;

	f->ring->first = f->ring->last = MAX - 2;
	for (unsigned int i = 0; i < 5; i++)
		put(f->ring, 0x70, 1, true, i);
	assert_int_equal(f->ring->last, 3);
	assert_int_equal(coalesced_drain(f->ring, MAX, &f->bus), 5);
	for (unsigned int i = 0; i < 5; i++)
		assert_true(f->log.w[i].val == i);
	assert_int_equal(f->ring->first, 3);
}

static void bad_entries_and_rings_are_dropped(void **state)
{
	struct fx *f = *state;

	put(f->ring, 0x70, 3, true, 1);	       /* no such access size */
	put(f->ring, 0x70, 0, true, 2);	       /* nor an empty one */
	put(f->ring, 0xb9000, 4, false, 0x33); /* kept */
	put(f->ring, 0xc0000000, 4, false, 4); /* nobody there: the bus drops it */
	assert_int_equal(coalesced_drain(f->ring, MAX, &f->bus), 2);
	assert_int_equal(f->log.n, 1);
	assert_true(f->log.w[0].off == 0x1000 && f->log.w[0].val == 0x33);
	/* indexes outside the ring: not touched at all */
	f->ring->first = 0;
	f->ring->last = MAX + 3;
	assert_int_equal(coalesced_drain(f->ring, MAX, &f->bus), 0);
	assert_int_equal(f->ring->first, 0);
	assert_int_equal(coalesced_drain(f->ring, 0, &f->bus), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(writes_reach_the_bus_in_order, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(ring_wraps_around, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(bad_entries_and_rings_are_dropped, fx_setup,
						fx_teardown),
	};

	return cmocka_run_group_tests_name("coalesced", tests, NULL, NULL);
}
