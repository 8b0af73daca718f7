// SPDX-License-Identifier: MIT
#include "vmm/exit_stats.h"

#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>

const char *exit_reason_name(unsigned int reason)
{
	static const char *const names[] = {
		[KVM_EXIT_UNKNOWN] = "UNKNOWN",
		[KVM_EXIT_EXCEPTION] = "EXCEPTION",
		[KVM_EXIT_IO] = "IO",
		[KVM_EXIT_HYPERCALL] = "HYPERCALL",
		[KVM_EXIT_DEBUG] = "DEBUG",
		[KVM_EXIT_HLT] = "HLT",
		[KVM_EXIT_MMIO] = "MMIO",
		[KVM_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
		[KVM_EXIT_SHUTDOWN] = "SHUTDOWN",
		[KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
		[KVM_EXIT_INTR] = "INTR",
		[KVM_EXIT_SET_TPR] = "SET_TPR",
		[KVM_EXIT_TPR_ACCESS] = "TPR_ACCESS",
		[KVM_EXIT_NMI] = "NMI",
		[KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
		[KVM_EXIT_OSI] = "OSI",
		[KVM_EXIT_PAPR_HCALL] = "PAPR_HCALL",
		[KVM_EXIT_WATCHDOG] = "WATCHDOG",
		[KVM_EXIT_EPR] = "EPR",
		[KVM_EXIT_SYSTEM_EVENT] = "SYSTEM_EVENT",
		[KVM_EXIT_IOAPIC_EOI] = "IOAPIC_EOI",
		[KVM_EXIT_HYPERV] = "HYPERV",
		[KVM_EXIT_X86_RDMSR] = "X86_RDMSR",
		[KVM_EXIT_X86_WRMSR] = "X86_WRMSR",
		[KVM_EXIT_DIRTY_RING_FULL] = "DIRTY_RING_FULL",
		[KVM_EXIT_X86_BUS_LOCK] = "X86_BUS_LOCK",
	};

	if (reason < sizeof(names) / sizeof(names[0]))
		return names[reason];
	return NULL;
}

void exit_stats_count(struct exit_stats *s, unsigned int reason)
{
	uint64_t *c = &s->reason[reason < EXIT_STATS_NR_REASONS ? reason : EXIT_STATS_NR_REASONS];

	/*
	 * The control socket's `status` reads these while the vCPU runs: an atomic store (one
	 * writer, so no locked add) keeps that read whole.
	 */
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
}

static void count_range(struct exit_stats *s, enum io_space space, const char *name, uint64_t addr,
			uint64_t n)
{
	struct exit_stats_range *r;

	if (name)
		addr = 0;
	for (unsigned int i = 0; i < s->nr_range; i++) {
		r = &s->range[i];
		/* names come from the bus table: the same range always has the same pointer */
		if (r->space == space && r->addr == addr &&
		    (r->name == name || (r->name && name && !strcmp(r->name, name)))) {
			r->count += n;
			return;
		}
	}
	if (s->nr_range == EXIT_STATS_NR_RANGES) {
		s->other_ranges += n;
		return;
	}
	s->range[s->nr_range++] =
		(struct exit_stats_range){.space = space, .name = name, .addr = addr, .count = n};
}

void exit_stats_count_io(struct exit_stats *s, enum io_space space, const char *name, uint64_t addr)
{
	/* unclaimed MMIO is grouped by page, unclaimed PIO by port */
	if (space == IO_SPACE_MMIO)
		addr &= ~0xfffULL;
	count_range(s, space, name, addr, 1);
}

void exit_stats_add(struct exit_stats *sum, const struct exit_stats *s)
{
	for (unsigned int i = 0; i <= EXIT_STATS_NR_REASONS; i++)
		sum->reason[i] += s->reason[i];
	for (unsigned int i = 0; i < s->nr_range; i++)
		count_range(sum, s->range[i].space, s->range[i].name, s->range[i].addr,
			    s->range[i].count);
	sum->other_ranges += s->other_ranges;
}

uint64_t exit_stats_total(const struct exit_stats *s)
{
	uint64_t t = 0;

	for (unsigned int i = 0; i <= EXIT_STATS_NR_REASONS; i++)
		t += s->reason[i];
	return t;
}

static int by_count(const void *a, const void *b)
{
	const struct exit_stats_range *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

void exit_stats_print(const struct exit_stats *s, FILE *out)
{
	static const char *const space_name[] = {"PIO", "MMIO"};
	struct exit_stats_range sorted[EXIT_STATS_NR_RANGES];

	fprintf(out, "vfvm: %llu exits by reason:\n", (unsigned long long)exit_stats_total(s));
	for (unsigned int i = 0; i <= EXIT_STATS_NR_REASONS; i++) {
		const char *n = i < EXIT_STATS_NR_REASONS ? exit_reason_name(i) : "other";

		if (!s->reason[i])
			continue;
		if (n)
			fprintf(out, "  %-16s %llu\n", n, (unsigned long long)s->reason[i]);
		else
			fprintf(out, "  reason %-9u %llu\n", i, (unsigned long long)s->reason[i]);
	}
	if (!s->nr_range)
		return;
	memcpy(sorted, s->range, s->nr_range * sizeof(sorted[0]));
	qsort(sorted, s->nr_range, sizeof(sorted[0]), by_count);
	fprintf(out, "vfvm: PIO/MMIO exits by device range:\n");
	for (unsigned int i = 0; i < s->nr_range; i++) {
		const struct exit_stats_range *r = &sorted[i];

		if (r->name)
			fprintf(out, "  %-4s %-20s %llu\n", space_name[r->space], r->name,
				(unsigned long long)r->count);
		else
			fprintf(out, "  %-4s unclaimed %#-10llx %llu\n", space_name[r->space],
				(unsigned long long)r->addr, (unsigned long long)r->count);
	}
	if (s->other_ranges)
		fprintf(out, "  other ranges              %llu\n",
			(unsigned long long)s->other_ranges);
}
