/* SPDX-License-Identifier: MIT */
/*
 * Guest RAM: the one table of RAM ranges.
 *
 * KVM memory slots, the e820 map / firmware tables and the VFIO DMA mappings (IOVA ==
 * guest-physical address) are all built from this table, so they cannot disagree. RAM is split
 * around one hole below 4 GiB that stays free for MMIO (PCI BARs, IOAPIC, LAPIC and the MSI window
 * at 0xfee00000).
 */
#ifndef VFVM_MEMMAP_H
#define VFVM_MEMMAP_H

#include <stdbool.h>
#include <stdint.h>

#define GUEST_MEM_MAX_RAM 2
#define GUEST_MEM_ALIGN (2ULL << 20) /* ranges are 2 MiB aligned: huge pages, IOMMU superpages */

struct ram_range {
	uint64_t gpa;
	uint64_t size;
	void *hva; /* NULL until guest_mem_alloc() */
};

struct guest_mem {
	struct ram_range ram[GUEST_MEM_MAX_RAM];
	unsigned int nr_ram;
	uint64_t total;
	/* set after guest_mem_layout(), read by guest_mem_alloc() */
	uint64_t page_size; /* 0: normal pages (THP where it can); else MFD_HUGETLB of this size */
	bool prealloc;	    /* fault every page in at allocation */
};

/*
 * Lay out ram_bytes of RAM: from 0 up to hole_start, the rest from hole_end (which is 4 GiB or
 * above). ram_bytes must be a non-zero multiple of GUEST_MEM_ALIGN; -EINVAL otherwise, or if the
 * hole is malformed.
 */
int guest_mem_layout(struct guest_mem *mem, uint64_t ram_bytes, uint64_t hole_start,
		     uint64_t hole_end);

/*
 * Back every range: anonymous memory (huge-page friendly), or a hugetlb memfd of page_size pages
 * (every range must be a multiple of it: -EINVAL). -ENOMEM if the host refuses (a hugetlb pool
 * too small, or prealloc failing to fault a page in).
 */
int guest_mem_alloc(struct guest_mem *mem);
void guest_mem_free(struct guest_mem *mem);

/* Host pointer for [gpa, gpa + len) if it lies entirely inside one allocated RAM range, else NULL.
 */
void *guest_mem_ptr(const struct guest_mem *mem, uint64_t gpa, uint64_t len);

/* Highest guest-physical address of RAM below 4 GiB, plus one. */
uint64_t guest_mem_low_end(const struct guest_mem *mem);

#endif
