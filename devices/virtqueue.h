/* SPDX-License-Identifier: MIT */
/*
 * A split virtqueue (virtio 1.x) as a device reads it from guest RAM.
 *
 * Everything the guest writes is untrusted: every ring index, descriptor address, length, flag
 * and chain link is checked against guest RAM and the queue's size before it is used, and each
 * descriptor is copied out of guest memory once, so a guest changing it meanwhile changes
 * nothing. A request that breaks the rules makes the calls return -EIO; the transport then marks
 * the device DEVICE_NEEDS_RESET. Nothing outside guest RAM is ever read or written.
 */
#ifndef VFVM_DEVICES_VIRTQUEUE_H
#define VFVM_DEVICES_VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/memmap.h"

#define VIRTQ_MAX_SIZE 32768 /* the largest split ring the spec allows */

struct virtq {
	uint16_t size; /* entries; a power of two once enabled */
	bool enabled;
	bool indirect;		    /* VIRTIO_F_INDIRECT_DESC was negotiated */
	uint64_t desc, avail, used; /* guest-physical addresses of the three areas */
	uint16_t last_avail;	    /* next avail ring entry the device takes */
	uint16_t used_idx;	    /* what the device last published in used->idx */
};

/* One guest buffer of a chain: [gpa, gpa + len), inside one RAM range. */
struct virtq_seg {
	uint64_t gpa;
	uint32_t len;
	bool write; /* device-writable */
};

/* A descriptor chain: readable segments first, then writable ones. */
struct virtq_chain {
	uint16_t head;
	unsigned int nr;
	uint64_t read_len, write_len; /* sums of the segments' lengths */
	struct virtq_seg *seg;	      /* the caller's array of max entries */
	unsigned int max;
};

/* Put q back to its reset state (size max_size, everything else 0). */
void virtq_reset(struct virtq *q, uint16_t max_size);

/*
 * Check q's size and ring addresses before it is enabled: a power-of-two size of at most
 * VIRTQ_MAX_SIZE, each area aligned as the spec says and entirely inside guest RAM. -EINVAL if not.
 */
int virtq_check(const struct virtq *q, const struct guest_mem *mem);

/*
 * Take the next available chain into c (c->seg and c->max set by the caller). 1: a chain, 0: the
 * ring is empty, -EIO: the guest broke the rules (the index ran ahead by more than the size, a
 * head or link beyond the table, a loop, a buffer outside RAM, a nested or malformed indirect
 * table, a readable segment after a writable one, or more than c->max segments).
 */
int virtq_pop(struct virtq *q, const struct guest_mem *mem, struct virtq_chain *c);

/* Return chain head to the guest with len bytes written. -EIO if the used ring is gone. */
int virtq_push(struct virtq *q, const struct guest_mem *mem, uint16_t head, uint32_t len);

/* Whether the driver wants an interrupt for used buffers (VRING_AVAIL_F_NO_INTERRUPT clear). */
bool virtq_want_irq(const struct virtq *q, const struct guest_mem *mem);

/*
 * Copy len bytes at offset off of the chain's readable part into buf, or buf into its writable
 * part. Returns the bytes copied (less at the end of that part).
 */
uint64_t virtq_chain_read(const struct virtq_chain *c, const struct guest_mem *mem, uint64_t off,
			  void *buf, uint64_t len);
uint64_t virtq_chain_write(const struct virtq_chain *c, const struct guest_mem *mem, uint64_t off,
			   const void *buf, uint64_t len);

#endif
