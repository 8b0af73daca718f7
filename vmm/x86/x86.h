/* SPDX-License-Identifier: MIT */
/*
 * What is x86-only: the guest-physical layout, the Linux boot protocol, ACPI tables, CPUID / MSRs /
 * registers of a vCPU, and the VM-wide irqchip setup. vmm/ calls only this header; an arm64 port
 * brings its own vmm/arm64/ with the same role.
 */
#ifndef VFVM_X86_H
#define VFVM_X86_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/errbuf.h"
#include "vmm/memmap.h"

/* Guest-physical layout. RAM is split around [X86_MMIO_HOLE_START, 4 GiB). */
#define X86_MMIO_HOLE_START 0xc0000000ULL
#define X86_MMIO_HOLE_END 0x100000000ULL
#define X86_PCI_MMIO32_START 0xc0000000ULL /* 32-bit BAR window ... */
#define X86_PCI_MMIO32_END 0xfec00000ULL   /* ... up to the IOAPIC */
#define X86_IOAPIC_BASE 0xfec00000ULL
#define X86_LAPIC_BASE 0xfee00000ULL
#define X86_PCI_IO_START 0x1000 /* I/O BAR window */
#define X86_PCI_IO_END 0x10000

/* Ports of the platform devices that tables point the guest at. */
#define X86_ACPI_SLEEP_PORT 0x600 /* ACPI HW-reduced sleep control (write) / status (read) */
#define X86_RESET_PORT 0xcf9      /* ACPI reset register: write 0x06 resets */

/* Legacy ISA IRQs used by the platform. */
#define X86_UART_IRQ 4

/* IOAPIC GSI for a PCI INTx pin (pin 0 = INTA): the same formula builds the DSDT's _PRT. */
static inline unsigned int x86_pci_intx_gsi(unsigned int slot, unsigned int pin)
{
	return 16 + ((slot + pin) & 7);
}

/* Lay out guest RAM around the MMIO hole. -EINVAL for a size that is not a multiple of 2 MiB. */
int x86_memory_layout(struct guest_mem *mem, uint64_t ram_bytes);

struct x86_linux_args {
	const char *kernel; /* bzImage path */
	const char *initrd; /* may be NULL */
	const char *cmdline;
};

/* What the boot vCPU starts with, filled by x86_load_linux(). */
struct x86_boot_entry {
	uint64_t rip;
	uint64_t boot_params; /* guest-physical address of struct boot_params (%rsi) */
	uint64_t stack;
};

/*
 * Load a bzImage (and initrd, cmdline) into guest RAM and build boot_params with the e820 map from
 * mem. Errors name the file and what is wrong with it in err: -ENOENT / -EACCES for a file that
 * cannot be read, -ENOEXEC for something that is not a bzImage (bad magic, protocol too old,
 * truncated), -E2BIG when it does not fit in RAM.
 */
int x86_load_linux(const struct guest_mem *mem, const struct x86_linux_args *args,
		   struct x86_boot_entry *entry, struct errbuf *err);

/* Platform tables (ACPI: RSDP, XSDT, FADT, MADT, DSDT) describing ncpus vCPUs, the IOAPIC, the
 * sleep/reset ports above and the PCI INTx routing. Written into guest RAM below 1 MiB. */
int x86_build_tables(const struct guest_mem *mem, unsigned int ncpus, struct errbuf *err);

/* VM-wide setup before any vCPU exists: TSS and identity-map addresses, in-kernel irqchip, PIT. */
int x86_vm_init(int vm_fd, struct errbuf *err);

/*
 * One vCPU: CPUID (from KVM_GET_SUPPORTED_CPUID, adjusted: APIC id, topology, hypervisor bit,
 * TSC-deadline), MSRs, FPU, and registers. The boot vCPU (entry != NULL) starts at the kernel's
 * entry point; the others wait in the in-kernel LAPIC for INIT/SIPI.
 */
int x86_vcpu_init(int kvm_fd, int vcpu_fd, unsigned int index, unsigned int ncpus,
		  const struct x86_boot_entry *entry, struct errbuf *err);

#endif
