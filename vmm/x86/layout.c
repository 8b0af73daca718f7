// SPDX-License-Identifier: MIT
/* Where things go in guest-physical memory: RAM around the MMIO hole, the e820 map, the initrd. */
#include "vmm/x86/boot.h"
#include "vmm/x86/x86.h"

#include <errno.h>
#include <string.h>

#define PAGE_SIZE 4096ULL

int x86_memory_layout(struct guest_mem *mem, uint64_t ram_bytes)
{
	return guest_mem_layout(mem, ram_bytes, X86_MMIO_HOLE_START, X86_MMIO_HOLE_END);
}

int x86_pci_mmio64_window(const struct guest_mem *mem, uint64_t *start, uint64_t *end)
{
	uint64_t top = 1ULL << 32;

	for (unsigned int i = 0; i < mem->nr_ram; i++)
		if (mem->ram[i].gpa + mem->ram[i].size > top)
			top = mem->ram[i].gpa + mem->ram[i].size;
	top = (top + (1ULL << 30) - 1) & ~((1ULL << 30) - 1);
	if (top > X86_PCI_MMIO64_LIMIT - X86_PCI_MMIO64_SIZE)
		return -ENOSPC;
	*start = top;
	*end = top + X86_PCI_MMIO64_SIZE;
	return 0;
}

static int e820_add(struct boot_params *bp, uint64_t addr, uint64_t size, uint32_t type)
{
	struct boot_e820_entry *e;

	if (!size)
		return 0;
	if (bp->e820_entries >= E820_MAX_ENTRIES_ZEROPAGE)
		return -E2BIG;
	e = &bp->e820_table[bp->e820_entries++];
	e->addr = addr;
	e->size = size;
	e->type = type;
	return 0;
}

int x86_e820_build(const struct guest_mem *mem, struct boot_params *bp)
{
	int ret = 0;

	bp->e820_entries = 0;
	memset(bp->e820_table, 0, sizeof(bp->e820_table));
	/* guest_mem_layout() puts the first range at 0; everything below needs 1 MiB of it. */
	if (!mem->nr_ram || mem->ram[0].gpa != 0 || mem->ram[0].size < GUEST_MEM_ALIGN)
		return -EINVAL;

	for (unsigned int i = 0; i < mem->nr_ram && !ret; i++) {
		const struct ram_range *r = &mem->ram[i];

		if (r->gpa == 0) {
			/* What a PC BIOS leaves: the EBDA, VGA window and BIOS ROM area are not
			 * RAM. Our ACPI tables live there, so Linux must not reuse it. */
			ret = e820_add(bp, 0, X86_EBDA_START, E820_RAM) ?:
			      e820_add(bp, X86_EBDA_START, X86_BIOS_END - X86_EBDA_START,
				       E820_RESERVED) ?:
			      e820_add(bp, X86_BIOS_END, r->size - X86_BIOS_END, E820_RAM);
		} else {
			ret = e820_add(bp, r->gpa, r->size, E820_RAM);
		}
		/* KVM's TSS and identity-map pages sit in the hole: keep BARs away from them. */
		if (!ret && r->gpa < X86_KVM_IDENTITY_MAP_ADDR &&
		    (i + 1 == mem->nr_ram || mem->ram[i + 1].gpa > X86_KVM_IDENTITY_MAP_ADDR))
			ret = e820_add(bp, X86_KVM_IDENTITY_MAP_ADDR,
				       X86_KVM_PRIVATE_END - X86_KVM_IDENTITY_MAP_ADDR,
				       E820_RESERVED);
	}
	return ret;
}

int x86_initrd_place(const struct guest_mem *mem, uint32_t initrd_addr_max, uint64_t kernel_end,
		     uint64_t size, uint64_t *addr)
{
	uint64_t top = guest_mem_low_end(mem);
	uint64_t at;

	if ((uint64_t)initrd_addr_max + 1 < top)
		top = (uint64_t)initrd_addr_max + 1;
	if (!size || size > top)
		return size ? -E2BIG : -EINVAL;
	at = (top - size) & ~(PAGE_SIZE - 1);
	if (at < kernel_end)
		return -E2BIG;
	*addr = at;
	return 0;
}

unsigned int x86_mmio_reserved(const uint64_t (**ranges)[2])
{
	static const uint64_t r[][2] = {
		{X86_IOAPIC_BASE, X86_IOAPIC_BASE + 0x1000},
		{X86_LAPIC_BASE, X86_MSI_WINDOW_END},
		{X86_KVM_IDENTITY_MAP_ADDR, X86_KVM_PRIVATE_END},
		{X86_FIRMWARE_START, X86_MMIO_HOLE_END},
	};

	*ranges = r;
	return sizeof(r) / sizeof(r[0]);
}
