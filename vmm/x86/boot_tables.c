// SPDX-License-Identifier: MIT
/*
 * The CPU state tables the 64-bit entry of the boot protocol needs in guest RAM: a GDT with flat
 * __BOOT_CS (0x10) and __BOOT_DS (0x18), and page tables that identity-map at least the kernel,
 * boot_params and the command line. We map all of [0, 4 GiB) with 2 MiB pages (6 pages of
 * tables), which covers low RAM wherever the kernel, initrd and tables land.
 */
#include "vmm/x86/boot.h"
#include "vmm/x86/x86.h"

#include <errno.h>
#include <string.h>

#define PTE_PRESENT (1ULL << 0)
#define PTE_WRITE (1ULL << 1)
#define PTE_LARGE (1ULL << 7)

/* flags: G=1 (4 KiB granularity), for code L=1 (64-bit); access: P=1, S=1, type */
#define GDT_CODE64 0x00af9b000000ffffULL /* execute/read, accessed */
#define GDT_DATA 0x00cf93000000ffffULL	 /* read/write, accessed, D/B=1 */
#define GDT_TSS64 0x0000890000000067ULL	 /* available 64-bit TSS at 0, limit 0x67 */

int x86_write_boot_tables(const struct guest_mem *mem)
{
	uint64_t *gdt = guest_mem_ptr(mem, X86_BOOT_GDT, X86_BOOT_GDT_ENTRIES * 8);
	uint64_t *pml4 = guest_mem_ptr(mem, X86_BOOT_PML4, 4096);
	uint64_t *pdpt = guest_mem_ptr(mem, X86_BOOT_PDPT, 4096);
	uint64_t *pd = guest_mem_ptr(mem, X86_BOOT_PD, 4 * 4096);

	if (!gdt || !pml4 || !pdpt || !pd)
		return -EFAULT;

	memset(gdt, 0, X86_BOOT_GDT_ENTRIES * 8);
	gdt[X86_BOOT_CS / 8] = GDT_CODE64;
	gdt[X86_BOOT_DS / 8] = GDT_DATA;
	gdt[X86_BOOT_TSS / 8] = GDT_TSS64; /* upper half (base 63:32) stays 0 */

	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	pml4[0] = X86_BOOT_PDPT | PTE_PRESENT | PTE_WRITE;
	for (uint64_t g = 0; g < 4; g++) {
		pdpt[g] = (X86_BOOT_PD + g * 4096) | PTE_PRESENT | PTE_WRITE;
		for (uint64_t i = 0; i < 512; i++)
			pd[g * 512 + i] = (g << 30 | i << 21) | PTE_PRESENT | PTE_WRITE | PTE_LARGE;
	}
	return 0;
}
