// SPDX-License-Identifier: MIT
/* Split virtqueues over fake guest RAM: sound chains, and every way a guest can get one wrong. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <linux/virtio_ring.h>

#include "tests/unit/virtio_test_util.h"

#define RING 0x10000ULL
#define BUF 0x20000ULL
#define QSIZE 8

struct fixture {
	struct guest_mem mem;
	struct virtq q;
	struct virtq_seg seg[16];
	struct virtq_chain c;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	fake_ram_init(&f->mem);
	ring_setup(&f->q, &f->mem, RING, QSIZE);
	f->c.seg = f->seg;
	f->c.max = 16;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	fake_ram_free(&f->mem);
	free(f);
	return 0;
}

static int pop(struct fixture *f)
{
	return virtq_pop(&f->q, &f->mem, &f->c);
}

static void sound_chain_is_taken_and_returned(void **state)
{
	struct fixture *f = *state;
	uint32_t id, len;
	char out[8] = "";

	assert_int_equal(pop(f), 0); /* empty */
	memcpy(gpa(&f->mem, BUF), "request", 8);
	desc_set(&f->mem, RING, 3, BUF, 8, VRING_DESC_F_NEXT, 5);
	desc_set(&f->mem, RING, 5, BUF + 0x100, 4, VRING_DESC_F_WRITE, 0);
	avail_push(&f->q, &f->mem, 3);
	assert_int_equal(pop(f), 1);
	assert_int_equal(f->c.head, 3);
	assert_int_equal(f->c.nr, 2);
	assert_int_equal(f->c.read_len, 8);
	assert_int_equal(f->c.write_len, 4);
	assert_false(f->seg[0].write);
	assert_true(f->seg[1].write);
	assert_int_equal(virtq_chain_read(&f->c, &f->mem, 0, out, sizeof(out)), 8);
	assert_string_equal(out, "request");
	assert_int_equal(virtq_chain_write(&f->c, &f->mem, 1, "xyz!", 4), 3);
	assert_memory_equal(gpa(&f->mem, BUF + 0x101), "xyz", 3);
	assert_int_equal(pop(f), 0);
	assert_int_equal(virtq_push(&f->q, &f->mem, 3, 4), 0);
	assert_int_equal(used_idx(&f->q, &f->mem), 1);
	used_elem(&f->q, &f->mem, 0, &id, &len);
	assert_int_equal(id, 3);
	assert_int_equal(len, 4);
	assert_true(virtq_want_irq(&f->q, &f->mem));
	((uint16_t *)gpa(&f->mem, f->q.avail))[0] = VRING_AVAIL_F_NO_INTERRUPT;
	assert_false(virtq_want_irq(&f->q, &f->mem));
}

static void index_ahead_by_more_than_the_size(void **state)
{
	struct fixture *f = *state;

	desc_set(&f->mem, RING, 0, BUF, 8, 0, 0);
	((uint16_t *)gpa(&f->mem, f->q.avail))[1] = QSIZE + 1;
	assert_int_equal(pop(f), -EIO);
	assert_int_equal(f->q.last_avail, 0);
}

static void head_beyond_the_table(void **state)
{
	struct fixture *f = *state;

	avail_push(&f->q, &f->mem, QSIZE);
	assert_int_equal(pop(f), -EIO);
}

static void link_beyond_the_table(void **state)
{
	struct fixture *f = *state;

	desc_set(&f->mem, RING, 0, BUF, 8, VRING_DESC_F_NEXT, QSIZE);
	avail_push(&f->q, &f->mem, 0);
	assert_int_equal(pop(f), -EIO);
}

static void loop_in_the_chain(void **state)
{
	struct fixture *f = *state;

	desc_set(&f->mem, RING, 0, BUF, 8, VRING_DESC_F_NEXT, 1);
	desc_set(&f->mem, RING, 1, BUF, 8, VRING_DESC_F_NEXT, 0);
	avail_push(&f->q, &f->mem, 0);
	assert_int_equal(pop(f), -EIO);
}

static void self_loop(void **state)
{
	struct fixture *f = *state;

	desc_set(&f->mem, RING, 2, BUF, 8, VRING_DESC_F_NEXT, 2);
	avail_push(&f->q, &f->mem, 2);
	assert_int_equal(pop(f), -EIO);
}

static void buffers_outside_ram(void **state)
{
	static const struct {
		uint64_t addr;
		uint32_t len;
	} bad[] = {
		{FAKE_RAM0_SIZE, 1},		     /* in the hole */
		{FAKE_RAM0_SIZE - 4, 8},	     /* runs into the hole */
		{FAKE_RAM1 - 4, 8},		     /* from the hole into RAM */
		{FAKE_RAM1 + FAKE_RAM1_SIZE - 1, 2}, /* past the end */
		{UINT64_MAX - 3, 16},		     /* wraps */
		{0, 0xffffffffu},		     /* longer than RAM */
	};

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fixture *f = *state;

		ring_setup(&f->q, &f->mem, RING, QSIZE);
		desc_set(&f->mem, RING, 0, bad[i].addr, bad[i].len, 0, 0);
		avail_push(&f->q, &f->mem, 0);
		assert_int_equal(pop(f), -EIO);
	}
}

static void readable_after_writable(void **state)
{
	struct fixture *f = *state;

	desc_set(&f->mem, RING, 0, BUF, 8, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	desc_set(&f->mem, RING, 1, BUF, 8, 0, 0);
	avail_push(&f->q, &f->mem, 0);
	assert_int_equal(pop(f), -EIO);
}

static void more_segments_than_the_device_takes(void **state)
{
	struct fixture *f = *state;

	f->c.max = 2;
	desc_set(&f->mem, RING, 0, BUF, 8, VRING_DESC_F_NEXT, 1);
	desc_set(&f->mem, RING, 1, BUF, 8, VRING_DESC_F_NEXT, 2);
	desc_set(&f->mem, RING, 2, BUF, 8, 0, 0);
	avail_push(&f->q, &f->mem, 0);
	assert_int_equal(pop(f), -EIO);
}

#define ITABLE (RING + 0x3000)

static void indirect_table(void **state)
{
	struct fixture *f = *state;

	f->q.indirect = true;
	desc_set(&f->mem, ITABLE, 0, BUF, 8, VRING_DESC_F_NEXT, 2);
	desc_set(&f->mem, ITABLE, 2, BUF + 0x100, 16, VRING_DESC_F_WRITE, 0);
	desc_set(&f->mem, RING, 1, ITABLE, 3 * 16, VRING_DESC_F_INDIRECT, 0);
	avail_push(&f->q, &f->mem, 1);
	assert_int_equal(pop(f), 1);
	assert_int_equal(f->c.head, 1);
	assert_int_equal(f->c.nr, 2);
	assert_int_equal(f->c.write_len, 16);
	/* a direct descriptor may lead to the table */
	desc_set(&f->mem, RING, 4, BUF + 0x200, 4, VRING_DESC_F_NEXT, 1);
	avail_push(&f->q, &f->mem, 4);
	assert_int_equal(pop(f), 1);
	assert_int_equal(f->c.nr, 3);
}

static void indirect_rules(void **state)
{
	struct {
		uint64_t addr;
		uint32_t len;
		uint16_t flags;
		bool negotiated;
		bool nested;
		bool loop;
	} bad[] = {
		{ITABLE, 32, VRING_DESC_F_INDIRECT, false, false, false}, /* not negotiated */
		{ITABLE, 24, VRING_DESC_F_INDIRECT, true, false, false},  /* not whole entries */
		{ITABLE, 0, VRING_DESC_F_INDIRECT, true, false, false},	  /* empty */
		{ITABLE, 32, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, true, false, false},
		{FAKE_RAM0_SIZE - 16, 32, VRING_DESC_F_INDIRECT, true, false, false},
		{ITABLE, 32, VRING_DESC_F_INDIRECT, true, true, false}, /* a table in a table */
		{ITABLE, 32, VRING_DESC_F_INDIRECT, true, false, true}, /* a loop in the table */
		{ITABLE, 16u * (VIRTQ_MAX_SIZE + 1), VRING_DESC_F_INDIRECT, true, false, false},
	};

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fixture *f = *state;

		ring_setup(&f->q, &f->mem, RING, QSIZE);
		f->q.indirect = bad[i].negotiated;
		desc_set(&f->mem, ITABLE, 0, BUF, 8, 0, 0);
		if (bad[i].nested)
			desc_set(&f->mem, ITABLE, 0, ITABLE, 16, VRING_DESC_F_INDIRECT, 0);
		if (bad[i].loop) {
			desc_set(&f->mem, ITABLE, 0, BUF, 8, VRING_DESC_F_NEXT, 1);
			desc_set(&f->mem, ITABLE, 1, BUF, 8, VRING_DESC_F_NEXT, 0);
		}
		desc_set(&f->mem, RING, 0, bad[i].addr, bad[i].len, bad[i].flags, 0);
		avail_push(&f->q, &f->mem, 0);
		assert_int_equal(pop(f), -EIO);
	}
}

static void ring_checks_before_enable(void **state)
{
	struct fixture *f = *state;
	struct virtq q;

	ring_setup(&q, &f->mem, RING, QSIZE);
	assert_int_equal(virtq_check(&q, &f->mem), 0);
	q.size = 6;
	assert_int_equal(virtq_check(&q, &f->mem), -EINVAL);
	q.size = 0;
	assert_int_equal(virtq_check(&q, &f->mem), -EINVAL);
	ring_setup(&q, &f->mem, RING, QSIZE);
	q.desc = RING + 8;
	assert_int_equal(virtq_check(&q, &f->mem), -EINVAL);
	ring_setup(&q, &f->mem, RING, QSIZE);
	q.avail = RING + 0x1001;
	assert_int_equal(virtq_check(&q, &f->mem), -EINVAL);
	ring_setup(&q, &f->mem, RING, QSIZE);
	q.used = RING + 0x2002;
	assert_int_equal(virtq_check(&q, &f->mem), -EINVAL);
	ring_setup(&q, &f->mem, RING, QSIZE);
	q.used = FAKE_RAM0_SIZE - 8; /* the used ring runs into the hole */
	assert_int_equal(virtq_check(&q, &f->mem), -EINVAL);
	ring_setup(&q, &f->mem, RING, 4096);
	q.desc = FAKE_RAM1 + FAKE_RAM1_SIZE - 0x8000; /* 64 KiB of descriptors do not fit */
	assert_int_equal(virtq_check(&q, &f->mem), -EINVAL);
}

static void used_ring_wraps(void **state)
{
	struct fixture *f = *state;
	uint32_t id, len;

	desc_set(&f->mem, RING, 0, BUF, 8, 0, 0);
	for (unsigned int i = 0; i < 3 * QSIZE; i++) {
		avail_push(&f->q, &f->mem, 0);
		assert_int_equal(pop(f), 1);
		assert_int_equal(virtq_push(&f->q, &f->mem, 0, i), 0);
		used_elem(&f->q, &f->mem, (uint16_t)i, &id, &len);
		assert_int_equal(len, i);
	}
	assert_int_equal(used_idx(&f->q, &f->mem), 3 * QSIZE);
	assert_int_equal(virtq_push(&f->q, &f->mem, QSIZE, 0), -EIO);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(sound_chain_is_taken_and_returned),
		T(index_ahead_by_more_than_the_size),
		T(head_beyond_the_table),
		T(link_beyond_the_table),
		T(loop_in_the_chain),
		T(self_loop),
		T(buffers_outside_ram),
		T(readable_after_writable),
		T(more_segments_than_the_device_takes),
		T(indirect_table),
		T(indirect_rules),
		T(ring_checks_before_enable),
		T(used_ring_wraps),
	};

	return cmocka_run_group_tests_name("virtqueue", tests, NULL, NULL);
}
