// SPDX-License-Identifier: MIT
#include "devices/bus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int io_bus_init(struct io_bus *bus)
{
	memset(bus, 0, sizeof(*bus));
	return -pthread_rwlock_init(&bus->lock, NULL);
}

void io_bus_destroy(struct io_bus *bus)
{
	for (int s = 0; s < IO_SPACE_COUNT; s++)
		free(bus->ranges[s]);
	pthread_rwlock_destroy(&bus->lock);
	memset(bus, 0, sizeof(*bus));
}

/* Index of the first range whose end lies above addr (the only candidate that may contain it). */
static unsigned int find_slot(const struct io_bus *bus, enum io_space space, uint64_t addr)
{
	const struct io_range *r = bus->ranges[space];
	unsigned int lo = 0, hi = bus->nr[space];

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (r[mid].base + (r[mid].len - 1) < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool overlaps(const struct io_bus *bus, enum io_space space, uint64_t base, uint64_t len,
		     const struct io_range *skip)
{
	unsigned int i = find_slot(bus, space, base);
	const struct io_range *r;

	/* no pointer into a table that may still be NULL (empty) before i is known to be inside */
	if (i < bus->nr[space] && &bus->ranges[space][i] == skip)
		i++;
	if (i >= bus->nr[space])
		return false;
	r = &bus->ranges[space][i];
	return r->base <= base + (len - 1);
}

static int insert(struct io_bus *bus, enum io_space space, const struct io_range *nr)
{
	unsigned int i;

	if (bus->nr[space] == bus->cap[space]) {
		unsigned int cap = bus->cap[space] ? bus->cap[space] * 2 : 16;
		struct io_range *r = realloc(bus->ranges[space], cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		bus->ranges[space] = r;
		bus->cap[space] = cap;
	}
	i = find_slot(bus, space, nr->base);
	memmove(&bus->ranges[space][i + 1], &bus->ranges[space][i],
		(bus->nr[space] - i) * sizeof(*nr));
	bus->ranges[space][i] = *nr;
	bus->nr[space]++;
	return 0;
}

static struct io_range *lookup(struct io_bus *bus, enum io_space space, uint64_t addr)
{
	unsigned int i = find_slot(bus, space, addr);

	if (i < bus->nr[space] && bus->ranges[space][i].base <= addr)
		return &bus->ranges[space][i];
	return NULL;
}

static void remove_at(struct io_bus *bus, enum io_space space, struct io_range *r)
{
	unsigned int i = r - bus->ranges[space];

	memmove(r, r + 1, (bus->nr[space] - i - 1) * sizeof(*r));
	bus->nr[space]--;
}

static bool valid(enum io_space space, uint64_t base, uint64_t len)
{
	return space < IO_SPACE_COUNT && len && base + (len - 1) >= base;
}

int io_bus_register(struct io_bus *bus, enum io_space space, uint64_t base, uint64_t len,
		    const struct io_ops *ops, void *opaque, const char *name)
{
	struct io_range r = {base, len, ops, opaque, name};
	int ret;

	if (!valid(space, base, len) || !ops)
		return -EINVAL;
	pthread_rwlock_wrlock(&bus->lock);
	ret = overlaps(bus, space, base, len, NULL) ? -EEXIST : insert(bus, space, &r);
	pthread_rwlock_unlock(&bus->lock);
	return ret;
}

int io_bus_unregister(struct io_bus *bus, enum io_space space, uint64_t base, void *opaque)
{
	struct io_range *r;
	int ret = -ENOENT;

	if (space >= IO_SPACE_COUNT)
		return -EINVAL;
	pthread_rwlock_wrlock(&bus->lock);
	r = lookup(bus, space, base);
	if (r && r->base == base && r->opaque == opaque) {
		remove_at(bus, space, r);
		ret = 0;
	}
	pthread_rwlock_unlock(&bus->lock);
	return ret;
}

int io_bus_move(struct io_bus *bus, enum io_space space, uint64_t old_base, void *opaque,
		uint64_t new_base)
{
	struct io_range *r, moved;
	int ret = -ENOENT;

	if (space >= IO_SPACE_COUNT)
		return -EINVAL;
	pthread_rwlock_wrlock(&bus->lock);
	r = lookup(bus, space, old_base);
	if (!r || r->base != old_base || r->opaque != opaque)
		goto out;
	ret = -EINVAL;
	if (!valid(space, new_base, r->len))
		goto out;
	ret = -EEXIST;
	if (overlaps(bus, space, new_base, r->len, r))
		goto out;
	moved = *r;
	moved.base = new_base;
	remove_at(bus, space, r);
	ret = insert(bus, space, &moved); /* cannot fail: the array only shrank */
out:
	pthread_rwlock_unlock(&bus->lock);
	return ret;
}

int io_bus_access(struct io_bus *bus, enum io_space space, uint64_t addr, void *data,
		  unsigned int len, bool is_write)
{
	struct io_range *r, copy;
	uint64_t off;

	if (space >= IO_SPACE_COUNT || !len || len > 8)
		return -EINVAL;
	pthread_rwlock_rdlock(&bus->lock);
	r = lookup(bus, space, addr);
	if (r)
		copy = *r;
	pthread_rwlock_unlock(&bus->lock);
	if (!r) {
		if (!is_write)
			memset(data, 0xff, len);
		return -ENOENT;
	}
	off = addr - copy.base;
	if (off + len > copy.len) {
		if (!is_write)
			memset(data, 0xff, len);
		len = copy.len - off;
	}
	if (is_write) {
		if (copy.ops->write)
			copy.ops->write(copy.opaque, off, data, len);
	} else if (copy.ops->read) {
		copy.ops->read(copy.opaque, off, data, len);
	} else {
		memset(data, 0xff, len);
	}
	return 0;
}

const char *io_bus_name(struct io_bus *bus, enum io_space space, uint64_t addr)
{
	const struct io_range *r;
	const char *name = NULL;

	if (space >= IO_SPACE_COUNT)
		return NULL;
	pthread_rwlock_rdlock(&bus->lock);
	r = lookup(bus, space, addr);
	if (r)
		name = r->name;
	pthread_rwlock_unlock(&bus->lock);
	return name;
}
