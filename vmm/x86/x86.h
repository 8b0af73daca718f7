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
#define X86_MSI_WINDOW_END 0xfef00000ULL /* LAPIC page and MSI window: 0xfee00000 up to here */
#define X86_FIRMWARE_START 0xff000000ULL /* firmware flash up to 4 GiB */
#define X86_PCI_IO_START 0x1000		 /* I/O BAR window */
#define X86_PCI_IO_END 0x10000

/*
 * Fixed guest-physical addresses used to boot Linux. Everything below 1 MiB sits in RAM that the
 * e820 map gives the guest (Linux copies boot_params and the command line early and then reuses
 * it), except the ACPI area, which is in the reserved legacy BIOS region 0x9fc00-0x100000 where
 * Linux also scans for the RSDP.
 */
#define X86_BOOT_GDT 0x1000ULL	     /* null, null, code64 (0x10), data (0x18), TSS (0x20) */
#define X86_BOOT_PML4 0x2000ULL	     /* identity map of [0, 4 GiB) with 2 MiB pages: */
#define X86_BOOT_PDPT 0x3000ULL	     /*   one PML4, one PDPT, ... */
#define X86_BOOT_PD 0x4000ULL	     /*   ... and four page directories (0x4000-0x7fff) */
#define X86_BOOT_STACK_TOP 0x9000ULL /* 4 KiB stack below it (Linux switches stacks at once) */
#define X86_ZERO_PAGE 0x9000ULL	     /* struct boot_params, 4 KiB */
#define X86_CMDLINE_ADDR 0x20000ULL  /* kernel command line ... */
#define X86_CMDLINE_MAX 0x10000ULL   /* ... at most this long, NUL included */
#define X86_EBDA_START 0x9fc00ULL    /* reserved in e820 from here ... */
#define X86_VGA_START 0xa0000ULL     /* firmware boot: no RAM slot from here to 1 MiB (VGA, PAM) */
#define X86_BIOS_END 0x100000ULL     /* ... to 1 MiB (EBDA, VGA, BIOS area) */
#define X86_ACPI_START 0xe0000ULL    /* ACPI tables: RSDP first (found by Linux's scan) ... */
#define X86_ACPI_END 0xffff0ULL	     /* ... all of them inside the BIOS area */
/* The real-mode reset vector (f000:fff0): a stub that writes 0x06 to X86_RESET_PORT, for the
 * guest that reboots by jumping to the BIOS (Linux does after a failed EFI reboot). */
#define X86_RESET_VECTOR 0xffff0ULL
#define X86_ACPI_RSDP_ADDR X86_ACPI_START
#define X86_KERNEL_LOAD 0x100000ULL /* protected-mode kernel: 64-bit entry at +0x200 */
/* KVM's own pages (VMX only: real-mode TSS 3 pages, EPT identity-map page 1 page), in the hole
 * above the MSI window and away from the BAR windows; reserved in e820 as well. */
#define X86_KVM_IDENTITY_MAP_ADDR 0xfeffc000ULL
#define X86_KVM_TSS_ADDR 0xfeffd000ULL
#define X86_KVM_PRIVATE_END 0xff000000ULL

/* Ports of the platform devices that tables point the guest at. */
#define X86_ACPI_SLEEP_PORT 0x600 /* ACPI HW-reduced sleep control (write) / status (read) */
#define X86_RESET_PORT 0xcf9	  /* ACPI reset register: write 0x06 resets */
/*
 * The sleep control register is one byte: SLP_EN is bit 5, SLP_TYP bits 4:2. The DSDT's _S5_ says
 * SLP_TYP 5, so a guest powering off writes (5 << 2) | (1 << 5) = 0x34 to X86_ACPI_SLEEP_PORT.
 * Reads return the sleep status register (WAK_STS is bit 7; 0 is a fine answer).
 */
#define X86_ACPI_S5_SLP_TYP 5
#define X86_ACPI_SLP_EN 0x20
#define X86_ACPI_SLP_TYP(v) (((v) >> 2) & 7)

/*
 * Firmware boot describes a PC platform instead (vmm/x86/acpi.h): fixed ACPI hardware is the
 * PM1 event block (PM1_STS at +0, PM1_EN at +2, 16 bits each) and the 16-bit PM1 control register
 * (SCI_EN bit 0, SLP_TYP bits 12:10, SLP_EN bit 13; the same _S5_ SLP_TYP 5 powers off), served
 * by devices/power.h. The SCI is ISA IRQ 9 (GSI 9, level, active high). There is no PM timer, no
 * GPE block and no SMI command port: the platform is always in ACPI mode.
 */
#define X86_ACPI_PM1_EVT 0x610
#define X86_ACPI_PM1_EVT_LEN 4
#define X86_ACPI_PM1_CNT 0x614
#define X86_ACPI_PM1_CNT_LEN 2
#define X86_ACPI_SCI_IRQ 9

/*
 * Kernel command line words that suit this platform, for vmm/ to put before the user's words:
 *  console=ttyS0   the 8250 at 0x3f8 is the only console there is.
 *  8250.nr_uarts=1 only ttyS0 exists: each probe of the other three legacy UARTs is PIO exits.
 *  no_timer_check only matters when the guest ignores our ACPI (acpi=off): it skips the
 *                  IO-APIC timer_irq_works() probe, which busy-waits for PIT ticks.
 *  panic=-1        a panicking guest reboots at once (the reset port ends vfvm) instead of
 *                  hanging.
 *  reboot=acpi     reboot through the FADT reset register (0xcf9) first. Without it Linux on
 *                  hardware-reduced ACPI tries EFI, then jumps to the BIOS reset vector (our
 *                  stub at X86_RESET_VECTOR ends there too, only later).
 * No i8042 or RTC words: the FADT's boot flags say there is no 8042 and no CMOS RTC, and its
 * hardware-reduced flag that there is no PIC or PIT to set up, so Linux probes none of them.
 * Add "quiet" for speed: every console byte costs two PIO exits (data + status poll); a full
 * boot log is ~22000 bytes.
 */
#define X86_DEFAULT_CMDLINE "console=ttyS0 8250.nr_uarts=1 no_timer_check panic=-1 reboot=acpi"

/* Legacy ISA IRQs used by the platform. */
#define X86_UART_IRQ 4
/* Direct boot: the Generic Event Device's interrupt (edge, active high): the power button. */
#define X86_ACPI_GED_GSI 10

/* IOAPIC GSI for a PCI INTx pin (pin 0 = INTA): the same formula builds the DSDT's _PRT. */
static inline unsigned int x86_pci_intx_gsi(unsigned int slot, unsigned int pin)
{
	return 16 + ((slot + pin) & 7);
}

/*
 * Guest-physical ranges [start, end) of the hole that belong to the platform, where no PCI BAR may
 * be decoded: the IOAPIC, the LAPIC page and MSI window, KVM's private pages, the firmware flash.
 */
unsigned int x86_mmio_reserved(const uint64_t (**ranges)[2]);

/* Lay out guest RAM around the MMIO hole. -EINVAL for a size that is not a multiple of 2 MiB. */
int x86_memory_layout(struct guest_mem *mem, uint64_t ram_bytes);

/*
 * The 64-bit PCI window, for 64-bit BARs too large for the one below 4 GiB: X86_PCI_MMIO64_SIZE
 * from the first 1 GiB boundary above RAM (and above 4 GiB). The host bridge's _CRS declares it;
 * nothing else lies there. -ENOSPC when it would end above X86_PCI_MMIO64_LIMIT (a guest with
 * nearly that much RAM): then there is none.
 */
#define X86_PCI_MMIO64_SIZE (64ULL << 30)
#define X86_PCI_MMIO64_LIMIT (1ULL << 39) /* what every x86-64 CPU since ~2010 can address */
int x86_pci_mmio64_window(const struct guest_mem *mem, uint64_t *start, uint64_t *end);

struct x86_linux_args {
	const char *kernel; /* bzImage or vmlinux path */
	const char *initrd; /* may be NULL */
	const char *cmdline;
	bool unpack; /* decompress a bzImage's payload here and enter the kernel proper */
};

/* What the boot vCPU starts with, filled by x86_load_linux(). */
struct x86_boot_entry {
	bool reset; /* firmware boot: KVM's reset state, f000:fff0 (the rest is unused) */
	uint64_t rip;
	uint64_t boot_params; /* guest-physical address of struct boot_params (%rsi) */
	uint64_t stack;
};

/*
 * Load a bzImage (and initrd, cmdline) into guest RAM and build boot_params with the e820 map from
 * mem. An uncompressed vmlinux (ELF) is accepted too and entered at its startup_64 through the
 * same protocol: no decompression in the guest (~0.5 s less in the nested L2 boot), but no
 * physical KASLR. Errors name the file and what is wrong with it in err: -ENOENT / -EACCES for a
 * file that cannot be read, -ENOEXEC for something that is not a bzImage (bad magic, protocol too
 * old, truncated), -E2BIG when it does not fit in RAM.
 */
int x86_load_linux(const struct guest_mem *mem, const struct x86_linux_args *args,
		   struct x86_boot_entry *entry, struct errbuf *err);

/*
 * A virtio-iommu on PCI bus 0 and the functions it translates (their devfns, which are also their
 * endpoint IDs), as the ACPI VIOT table describes them.
 */
#define X86_VIOT_MAX_ENDPOINTS 16
struct x86_viot {
	uint16_t iommu_bdf;
	unsigned int nr;
	uint16_t ep_bdf[X86_VIOT_MAX_ENDPOINTS];
};

/* Platform tables (ACPI: RSDP, XSDT, FADT, MADT, DSDT) describing ncpus vCPUs, the IOAPIC, the
 * sleep/reset ports above and the PCI INTx routing, and a VIOT if viot is not NULL. Written into
 * guest RAM below 1 MiB. */
int x86_build_tables(const struct guest_mem *mem, unsigned int ncpus, const struct x86_viot *viot,
		     struct errbuf *err);

/*
 * ACPI tables for firmware boot (the PC variant above), as the three fw_cfg files QEMU's
 * linker/loader interface uses and SeaBIOS executes: X86_ACPI_FW_RSDP (the RSDP, placed in the
 * F segment), X86_ACPI_FW_TABLES (every other table, placed high) and X86_ACPI_FW_LOADER (the
 * commands that allocate both, patch the pointers between them and fix the checksums).
 */
#define X86_ACPI_FW_RSDP "etc/acpi/rsdp"
#define X86_ACPI_FW_TABLES "etc/acpi/tables"
#define X86_ACPI_FW_LOADER "etc/table-loader"

struct x86_acpi_blobs {
	void *rsdp, *tables, *loader; /* malloc()ed */
	size_t rsdp_len, tables_len, loader_len;
};

/*
 * Build the three files for ncpus vCPUs and the guest RAM mem, with a VIOT if viot is not NULL
 * (--viommu); free them with x86_acpi_blobs_free() (fw_cfg_add_file() copies them). The host
 * bridge's _CRS declares the 64-bit window of x86_pci_mmio64_window() (none when mem is NULL or
 * has no room for one): SeaBIOS puts the 64-bit BARs that do not fit below 4 GiB at its start, the
 * first 1 GiB boundary above RAM, RAM being what the e820 file tells it. -EINVAL (with a message
 * naming ncpus) for 0 or more than 255 vCPUs or too many VIOT endpoints, -ENOMEM.
 */
int x86_acpi_firmware_blobs(unsigned int ncpus, const struct guest_mem *mem,
			    const struct x86_viot *viot, struct x86_acpi_blobs *out,
			    struct errbuf *err);
void x86_acpi_blobs_free(struct x86_acpi_blobs *b);

/* VM-wide setup before any vCPU exists: TSS and identity-map addresses, in-kernel irqchip, PIT. */
int x86_vm_init(int vm_fd, struct errbuf *err);

/*
 * One vCPU: CPUID (from KVM_GET_SUPPORTED_CPUID, adjusted: APIC id, topology, hypervisor bit,
 * TSC-deadline), MSRs, FPU, and registers. The boot vCPU (entry != NULL) starts at the kernel's
 * entry point, or with entry->reset in the CPU's reset state for the firmware; the others wait in
 * the in-kernel LAPIC for INIT/SIPI.
 */
int x86_vcpu_init(int kvm_fd, int vcpu_fd, unsigned int index, unsigned int ncpus,
		  const struct x86_boot_entry *entry, struct errbuf *err);

#endif
