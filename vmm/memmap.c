// SPDX-License-Identifier: MIT
#include "vmm/memmap.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#define GIB_4 (1ULL << 32)

int guest_mem_layout(struct guest_mem *mem, uint64_t ram_bytes, uint64_t hole_start,
		     uint64_t hole_end)
{
	uint64_t low;

	memset(mem, 0, sizeof(*mem));
	if (!ram_bytes || ram_bytes % GUEST_MEM_ALIGN || hole_start % GUEST_MEM_ALIGN ||
	    hole_end % GUEST_MEM_ALIGN || hole_start >= hole_end || hole_start > GIB_4 ||
	    hole_end < GIB_4)
		return -EINVAL;
	/* the high range must not wrap around the physical address space */
	if (ram_bytes > hole_start && ram_bytes - hole_start > UINT64_MAX - hole_end)
		return -EINVAL;

	low = ram_bytes < hole_start ? ram_bytes : hole_start;
	mem->ram[mem->nr_ram++] = (struct ram_range){ .gpa = 0, .size = low };
	if (ram_bytes > low)
		mem->ram[mem->nr_ram++] = (struct ram_range){ .gpa = hole_end, .size = ram_bytes - low };
	mem->total = ram_bytes;
	return 0;
}

int guest_mem_alloc(struct guest_mem *mem)
{
	for (unsigned int i = 0; i < mem->nr_ram; i++) {
		struct ram_range *r = &mem->ram[i];
		void *p = mmap(NULL, r->size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (p == MAP_FAILED) {
			guest_mem_free(mem);
			return -ENOMEM;
		}
		/* best effort: fewer TLB misses for the guest and fewer IOMMU page-table entries */
		madvise(p, r->size, MADV_HUGEPAGE);
		r->hva = p;
	}
	return 0;
}

void guest_mem_free(struct guest_mem *mem)
{
	for (unsigned int i = 0; i < mem->nr_ram; i++) {
		if (mem->ram[i].hva)
			munmap(mem->ram[i].hva, mem->ram[i].size);
		mem->ram[i].hva = NULL;
	}
}

void *guest_mem_ptr(const struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	for (unsigned int i = 0; i < mem->nr_ram; i++) {
		const struct ram_range *r = &mem->ram[i];

		if (gpa >= r->gpa && gpa - r->gpa <= r->size && len <= r->size - (gpa - r->gpa))
			return r->hva ? (char *)r->hva + (gpa - r->gpa) : NULL;
	}
	return NULL;
}

uint64_t guest_mem_low_end(const struct guest_mem *mem)
{
	uint64_t end = 0;

	for (unsigned int i = 0; i < mem->nr_ram; i++)
		if (mem->ram[i].gpa < GIB_4 && mem->ram[i].gpa + mem->ram[i].size > end)
			end = mem->ram[i].gpa + mem->ram[i].size;
	return end;
}
