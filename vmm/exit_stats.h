/* SPDX-License-Identifier: MIT */
/*
 * Counts of VM exits: by KVM exit reason, and PIO / MMIO exits by the device range they hit (or by
 * address when no device claimed it). Each vCPU keeps its own (no locking in the exit path); the
 * VM sums them at exit for `vfvm run --stats`.
 */
#ifndef VFVM_EXIT_STATS_H
#define VFVM_EXIT_STATS_H

#include <stdint.h>
#include <stdio.h>

#include "devices/bus.h"

#define EXIT_STATS_NR_REASONS 64 /* KVM_EXIT_* values at or above this count as "other" */
#define EXIT_STATS_NR_RANGES 64	 /* distinct ranges beyond this count as "other ranges" */

struct exit_stats_range {
	enum io_space space;
	const char *name; /* the device range's name; NULL: unclaimed, keyed by addr */
	uint64_t addr;
	uint64_t count;
};

struct exit_stats {
	uint64_t reason[EXIT_STATS_NR_REASONS + 1];
	struct exit_stats_range range[EXIT_STATS_NR_RANGES];
	unsigned int nr_range;
	uint64_t other_ranges;
};

/* Name of a KVM exit reason ("IO", "MMIO", "SHUTDOWN", ...), or NULL when unknown. */
const char *exit_reason_name(unsigned int reason);

void exit_stats_count(struct exit_stats *s, unsigned int reason);
/* One PIO or MMIO exit at addr, which hit the range called name (NULL: no device). */
void exit_stats_count_io(struct exit_stats *s, enum io_space space, const char *name,
			 uint64_t addr);
void exit_stats_add(struct exit_stats *sum, const struct exit_stats *s);
uint64_t exit_stats_total(const struct exit_stats *s);
void exit_stats_print(const struct exit_stats *s, FILE *out);

#endif
