// SPDX-License-Identifier: MIT
#include "vmm/memmap.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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
	mem->ram[mem->nr_ram++] = (struct ram_range){.gpa = 0, .size = low};
	if (ram_bytes > low)
		mem->ram[mem->nr_ram++] =
			(struct ram_range){.gpa = hole_end, .size = ram_bytes - low};
	mem->total = ram_bytes;
	return 0;
}

/* the huge page size of a hugetlb memfd: log2 of the size in bits 26-31 (linux/memfd.h) */
#define MEMFD_HUGE_SHIFT 26
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static void *map_hugetlb(uint64_t size, uint64_t page_size)
{
	unsigned int flags = MFD_CLOEXEC | MFD_HUGETLB;
	void *p;
	int fd;

	flags |= (page_size == (1ULL << 30) ? 30U : 21U) << MEMFD_HUGE_SHIFT;
	fd = memfd_create("vfvm-ram", flags);
	if (fd < 0)
		return MAP_FAILED;
	/* MAP_SHARED without MAP_NORESERVE: the pool is charged now, not at a guest's page fault */
	p = ftruncate(fd, (off_t)size)
		    ? MAP_FAILED
		    : mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p;
}

/* Fault every page in, writable: the kernel's populate call, or a write per page before 5.14. */
static int populate(void *p, uint64_t size, uint64_t page_size)
{
	if (!madvise(p, size, MADV_POPULATE_WRITE))
		return 0;
	if (errno != EINVAL)
		return -ENOMEM;
	for (uint64_t off = 0; off < size; off += page_size)
		((volatile char *)p)[off] = 0;
	return 0;
}

int guest_mem_alloc(struct guest_mem *mem)
{
	uint64_t step = mem->page_size ? mem->page_size : 4096;

	if (mem->page_size != 0 && mem->page_size != (2ULL << 20) && mem->page_size != (1ULL << 30))
		return -EINVAL;
	for (unsigned int i = 0; i < mem->nr_ram; i++)
		if (mem->ram[i].gpa % step || mem->ram[i].size % step)
			return -EINVAL;
	for (unsigned int i = 0; i < mem->nr_ram; i++) {
		struct ram_range *r = &mem->ram[i];
		void *p;

		if (mem->page_size) {
			p = map_hugetlb(r->size, mem->page_size);
		} else {
			p = mmap(NULL, r->size, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
			/* best effort: fewer TLB misses and fewer IOMMU page-table entries */
			if (p != MAP_FAILED)
				madvise(p, r->size, MADV_HUGEPAGE);
		}
		if (p == MAP_FAILED) {
			guest_mem_free(mem);
			return -ENOMEM;
		}
		r->hva = p;
		if (mem->prealloc && populate(p, r->size, step)) {
			guest_mem_free(mem);
			return -ENOMEM;
		}
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
