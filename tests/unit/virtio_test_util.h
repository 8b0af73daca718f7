/* SPDX-License-Identifier: MIT */
/* Fake guest RAM and a driver's side of a split virtqueue, for the virtio unit tests. */
#ifndef VFVM_TESTS_VIRTIO_TEST_UTIL_H
#define VFVM_TESTS_VIRTIO_TEST_UTIL_H

#include <stdint.h>

#include "devices/virtqueue.h"

/* Two RAM ranges with a hole between them, as a VM has around the PCI hole. */
#define FAKE_RAM0 0x0ULL
#define FAKE_RAM0_SIZE 0x40000ULL
#define FAKE_RAM1 0x100000ULL
#define FAKE_RAM1_SIZE 0x40000ULL

void fake_ram_init(struct guest_mem *mem);
void fake_ram_free(struct guest_mem *mem);
void *gpa(const struct guest_mem *mem, uint64_t addr);

/* A queue of size entries with its rings at base (desc), base + 0x1000 (avail), base + 0x2000
 * (used), set up on q as a transport would, and enabled. */
void ring_setup(struct virtq *q, const struct guest_mem *mem, uint64_t base, uint16_t size);
/* Write descriptor i of the table at table. */
void desc_set(const struct guest_mem *mem, uint64_t table, uint16_t i, uint64_t addr, uint32_t len,
	      uint16_t flags, uint16_t next);
/* Offer head on the avail ring (and bump avail->idx). */
void avail_push(const struct virtq *q, const struct guest_mem *mem, uint16_t head);
uint16_t used_idx(const struct virtq *q, const struct guest_mem *mem);
void used_elem(const struct virtq *q, const struct guest_mem *mem, uint16_t i, uint32_t *id,
	       uint32_t *len);

#endif
