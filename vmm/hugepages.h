/* SPDX-License-Identifier: MIT */
/*
 * Guest RAM on huge pages: the words of `--memory SIZE[,hugepages[=2M|1G]][,prealloc]` and the
 * host's pools of huge pages (sysfs kernel/mm/hugepages/hugepages-NkB).
 *
 * The pool is checked before anything is allocated, so that a short pool is a usage error that
 * says how many pages of which size are missing and where to reserve them, not a failed mmap.
 */
#ifndef VFVM_HUGEPAGES_H
#define VFVM_HUGEPAGES_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/errbuf.h"

#define HUGEPAGE_2M (2ULL << 20)
#define HUGEPAGE_1G (1ULL << 30)
#define HUGEPAGE_DEFAULT HUGEPAGE_2M

/* How guest RAM is backed. */
struct ram_backing {
	uint64_t page_size; /* 0: the host's normal pages (transparent huge pages where it can) */
	bool prealloc;	    /* fault every page in before the guest runs */
};

/*
 * Parse the comma-separated words after --memory's size ("hugepages", "hugepages=2M",
 * "hugepages=1G", "prealloc"; empty: normal pages). arg is the whole option value, for messages.
 * -EINVAL with a message naming the word at fault.
 */
int ram_backing_parse(const char *words, const char *arg, struct ram_backing *b,
		      struct errbuf *err);

/* "2M" / "1G" for a huge page size (for messages). */
const char *hugepage_name(uint64_t page_size);

/* What a pool of one page size holds (sysfs counters). */
struct hugepage_pool {
	uint64_t nr;   /* nr_hugepages: reserved for huge page use */
	uint64_t free; /* free_hugepages */
	uint64_t resv; /* resv_hugepages: promised to mappings, not yet faulted in */
};

/*
 * Read the pool of page_size pages under sys ("/sys", or a test's tree). -ENOENT when the host has
 * no such page size, -errno when a counter cannot be read.
 */
int hugepage_pool_read(const char *sys, uint64_t page_size, struct hugepage_pool *pool);

/*
 * Whether bytes of RAM fit in the free pages of page_size under sys. -ENOMEM (pages missing) or
 * -ENOENT (no such page size) with a message that names the count missing and the sysfs file to
 * reserve them in; arg is the --memory value for the message.
 */
int hugepages_check(const char *sys, uint64_t page_size, uint64_t bytes, const char *arg,
		    struct errbuf *err);

#endif
