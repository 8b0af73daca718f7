/* SPDX-License-Identifier: MIT */
/*
 * The I/O bus: one table that maps guest PIO and MMIO ranges to device handlers.
 *
 * A vCPU's PIO or MMIO exit is looked up here and handed to the device that claimed the address;
 * nothing else in vfvm decodes guest addresses. Devices register, move (a guest that reprograms a
 * BAR) and unregister their ranges at run time, from any thread.
 *
 * Handlers run without the bus lock held, so a handler may itself move or unregister ranges (a
 * config-space write that relocates a BAR). A device must stay alive until every vCPU has stopped.
 */
#ifndef VFVM_DEVICES_BUS_H
#define VFVM_DEVICES_BUS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

enum io_space {
	IO_SPACE_PIO,
	IO_SPACE_MMIO,
	IO_SPACE_COUNT,
};

struct io_ops {
	/* offset is relative to the range's base; len is 1, 2, 4 or 8; data is little endian. */
	void (*read)(void *opaque, uint64_t offset, void *data, unsigned int len);
	void (*write)(void *opaque, uint64_t offset, const void *data, unsigned int len);
};

struct io_range {
	uint64_t base;
	uint64_t len;
	const struct io_ops *ops;
	void *opaque;
	const char *name;
};

struct io_bus {
	pthread_rwlock_t lock;
	struct io_range *ranges[IO_SPACE_COUNT]; /* sorted by base, never overlapping */
	unsigned int nr[IO_SPACE_COUNT];
	unsigned int cap[IO_SPACE_COUNT];
};

int io_bus_init(struct io_bus *bus);
void io_bus_destroy(struct io_bus *bus);

/* -EINVAL for an empty or wrapping range, -EEXIST if it overlaps a registered one. */
int io_bus_register(struct io_bus *bus, enum io_space space, uint64_t base, uint64_t len,
		    const struct io_ops *ops, void *opaque, const char *name);
/* The range at base owned by opaque; -ENOENT if there is none. */
int io_bus_unregister(struct io_bus *bus, enum io_space space, uint64_t base, void *opaque);
/* Move the range at old_base owned by opaque to new_base, keeping its length; -EEXIST on overlap. */
int io_bus_move(struct io_bus *bus, enum io_space space, uint64_t old_base, void *opaque,
		uint64_t new_base);

/*
 * Dispatch one guest access. An access no device claims returns -ENOENT and, for a read, fills data
 * with all-ones (what a read from an empty bus returns on real hardware). An access that crosses the
 * end of a range is cut at the range's end: the device sees only bytes inside its range.
 */
int io_bus_access(struct io_bus *bus, enum io_space space, uint64_t addr, void *data,
		  unsigned int len, bool is_write);

/* Name of the range at addr, or NULL (for diagnostics). */
const char *io_bus_name(struct io_bus *bus, enum io_space space, uint64_t addr);

#endif
