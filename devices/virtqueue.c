// SPDX-License-Identifier: MIT
/* Split virtqueues read from guest RAM, every guest-written value checked before use. */
#include "devices/virtqueue.h"

#include <endian.h>
#include <errno.h>
#include <linux/virtio_ring.h>
#include <string.h>

static uint64_t desc_bytes(uint16_t size)
{
	return (uint64_t)size * sizeof(struct vring_desc);
}

/* flags, idx, ring[size], used_event */
static uint64_t avail_bytes(uint16_t size)
{
	return 6 + 2 * (uint64_t)size;
}

/* flags, idx, ring[size] of {id, len}, avail_event */
static uint64_t used_bytes(uint16_t size)
{
	return 6 + 8 * (uint64_t)size;
}

void virtq_reset(struct virtq *q, uint16_t max_size)
{
	memset(q, 0, sizeof(*q));
	q->size = max_size;
}

int virtq_check(const struct virtq *q, const struct guest_mem *mem)
{
	if (!q->size || q->size & (q->size - 1) || q->size > VIRTQ_MAX_SIZE)
		return -EINVAL;
	if (q->desc % 16 || q->avail % 2 || q->used % 4)
		return -EINVAL;
	if (!guest_mem_ptr(mem, q->desc, desc_bytes(q->size)) ||
	    !guest_mem_ptr(mem, q->avail, avail_bytes(q->size)) ||
	    !guest_mem_ptr(mem, q->used, used_bytes(q->size)))
		return -EINVAL;
	return 0;
}

/* One descriptor, copied out of guest RAM so that the guest cannot change it under us. */
static int desc_fetch(const struct guest_mem *mem, uint64_t table, uint32_t i, struct vring_desc *d)
{
	const void *p = guest_mem_ptr(mem, table + (uint64_t)i * sizeof(*d), sizeof(*d));

	if (!p)
		return -EIO;
	memcpy(d, p, sizeof(*d));
	d->addr = le64toh(d->addr);
	d->len = le32toh(d->len);
	d->flags = le16toh(d->flags);
	d->next = le16toh(d->next);
	return 0;
}

/* Walk the chain starting at head; q->last_avail moves only for a chain that is sound. */
static int chain_walk(const struct virtq *q, const struct guest_mem *mem, uint16_t head,
		      struct virtq_chain *c)
{
	uint64_t table = q->desc;
	uint32_t tsize = q->size, i = head, count = 0;
	bool indirect = false, seen_write = false;

	c->nr = 0;
	c->read_len = c->write_len = 0;
	c->head = head;
	for (;;) {
		struct vring_desc d;
		bool write;

		/* more descriptors than the table holds can only be a loop */
		if (count++ >= tsize || desc_fetch(mem, table, i, &d))
			return -EIO;
		if (d.flags & VRING_DESC_F_INDIRECT) {
			/* one table per chain, as its last element, never inside another */
			if (!q->indirect || indirect || d.flags & VRING_DESC_F_NEXT || !d.len ||
			    d.len % sizeof(struct vring_desc) ||
			    d.len / sizeof(struct vring_desc) > VIRTQ_MAX_SIZE ||
			    !guest_mem_ptr(mem, d.addr, d.len))
				return -EIO;
			table = d.addr;
			tsize = d.len / sizeof(struct vring_desc);
			i = 0;
			count = 0;
			indirect = true;
			continue;
		}
		if (d.len && !guest_mem_ptr(mem, d.addr, d.len))
			return -EIO;
		write = d.flags & VRING_DESC_F_WRITE;
		if ((!write && seen_write) || c->nr >= c->max)
			return -EIO;
		seen_write |= write;
		c->seg[c->nr++] = (struct virtq_seg){.gpa = d.addr, .len = d.len, .write = write};
		if (write)
			c->write_len += d.len;
		else
			c->read_len += d.len;
		if (!(d.flags & VRING_DESC_F_NEXT))
			return 0;
		i = d.next;
		if (i >= tsize)
			return -EIO;
	}
}

int virtq_pop(struct virtq *q, const struct guest_mem *mem, struct virtq_chain *c)
{
	uint8_t *avail;
	uint16_t idx, head;
	int err;

	if (!q->enabled)
		return 0;
	avail = guest_mem_ptr(mem, q->avail, avail_bytes(q->size));
	if (!avail)
		return -EIO;
	/* the ring entries the index covers are read only after the index */
	idx = le16toh(__atomic_load_n((uint16_t *)(avail + 2), __ATOMIC_ACQUIRE));
	if (idx == q->last_avail)
		return 0;
	if ((uint16_t)(idx - q->last_avail) > q->size)
		return -EIO;
	memcpy(&head, avail + 4 + 2 * (q->last_avail & (q->size - 1)), 2);
	head = le16toh(head);
	if (head >= q->size)
		return -EIO;
	err = chain_walk(q, mem, head, c);
	if (err)
		return err;
	q->last_avail++;
	return 1;
}

int virtq_push(struct virtq *q, const struct guest_mem *mem, uint16_t head, uint32_t len)
{
	uint8_t *used = guest_mem_ptr(mem, q->used, used_bytes(q->size));
	uint32_t elem[2] = {htole32(head), htole32(len)};

	if (!used || head >= q->size)
		return -EIO;
	memcpy(used + 4 + 8 * (q->used_idx & (q->size - 1)), elem, sizeof(elem));
	q->used_idx++;
	/* the element is visible before the index that hands it over */
	__atomic_store_n((uint16_t *)(used + 2), htole16(q->used_idx), __ATOMIC_RELEASE);
	return 0;
}

bool virtq_want_irq(const struct virtq *q, const struct guest_mem *mem)
{
	const uint8_t *avail = guest_mem_ptr(mem, q->avail, avail_bytes(q->size));
	uint16_t flags;

	if (!avail)
		return true;
	/* the used index is published before the driver's flag is read (the driver does the mirror
	 * image) */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	flags = le16toh(__atomic_load_n((const uint16_t *)avail, __ATOMIC_RELAXED));
	return !(flags & VRING_AVAIL_F_NO_INTERRUPT);
}

static uint64_t chain_copy(const struct virtq_chain *c, const struct guest_mem *mem, bool write,
			   uint64_t off, uint8_t *buf, uint64_t len)
{
	uint64_t done = 0;

	for (unsigned int i = 0; i < c->nr && done < len; i++) {
		const struct virtq_seg *s = &c->seg[i];
		uint64_t n;
		uint8_t *p;

		if (s->write != write)
			continue;
		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		n = s->len - off;
		if (n > len - done)
			n = len - done;
		/* checked when the chain was taken; RAM never moves while the VM lives */
		p = guest_mem_ptr(mem, s->gpa + off, n);
		if (!p)
			break;
		if (write)
			memcpy(p, buf + done, n);
		else
			memcpy(buf + done, p, n);
		done += n;
		off = 0;
	}
	return done;
}

uint64_t virtq_chain_read(const struct virtq_chain *c, const struct guest_mem *mem, uint64_t off,
			  void *buf, uint64_t len)
{
	return chain_copy(c, mem, false, off, buf, len);
}

uint64_t virtq_chain_write(const struct virtq_chain *c, const struct guest_mem *mem, uint64_t off,
			   const void *buf, uint64_t len)
{
	return chain_copy(c, mem, true, off, (uint8_t *)buf, len);
}
