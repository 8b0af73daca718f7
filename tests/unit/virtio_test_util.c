// SPDX-License-Identifier: MIT
#include "tests/unit/virtio_test_util.h"

#include <linux/virtio_ring.h>
#include <stdlib.h>
#include <string.h>

void fake_ram_init(struct guest_mem *mem)
{
	memset(mem, 0, sizeof(*mem));
	mem->nr_ram = 2;
	mem->ram[0] = (struct ram_range){FAKE_RAM0, FAKE_RAM0_SIZE, calloc(1, FAKE_RAM0_SIZE)};
	mem->ram[1] = (struct ram_range){FAKE_RAM1, FAKE_RAM1_SIZE, calloc(1, FAKE_RAM1_SIZE)};
	mem->total = FAKE_RAM0_SIZE + FAKE_RAM1_SIZE;
}

void fake_ram_free(struct guest_mem *mem)
{
	free(mem->ram[0].hva);
	free(mem->ram[1].hva);
}

void *gpa(const struct guest_mem *mem, uint64_t addr)
{
	return guest_mem_ptr(mem, addr, 1);
}

void ring_setup(struct virtq *q, const struct guest_mem *mem, uint64_t base, uint16_t size)
{
	virtq_reset(q, size);
	q->desc = base;
	q->avail = base + 0x1000;
	q->used = base + 0x2000;
	memset(gpa(mem, base), 0, 0x3000);
	q->enabled = true;
}

void desc_set(const struct guest_mem *mem, uint64_t table, uint16_t i, uint64_t addr, uint32_t len,
	      uint16_t flags, uint16_t next)
{
	struct vring_desc d = {.addr = addr, .len = len, .flags = flags, .next = next};

	memcpy(gpa(mem, table + 16ULL * i), &d, sizeof(d));
}

void avail_push(const struct virtq *q, const struct guest_mem *mem, uint16_t head)
{
	uint16_t *avail = gpa(mem, q->avail);

	avail[2 + (avail[1] & (q->size - 1))] = head;
	avail[1]++;
}

uint16_t used_idx(const struct virtq *q, const struct guest_mem *mem)
{
	return ((uint16_t *)gpa(mem, q->used))[1];
}

void used_elem(const struct virtq *q, const struct guest_mem *mem, uint16_t i, uint32_t *id,
	       uint32_t *len)
{
	uint32_t *e = (uint32_t *)((uint8_t *)gpa(mem, q->used) + 4 + 8 * (i & (q->size - 1)));

	*id = e[0];
	*len = e[1];
}
