/* SPDX-License-Identifier: MIT */
/*
 * What is arm64-only: the guest-physical layout, the Linux arm64 Image header, the device tree
 * that describes the machine to the guest. The machine itself (vmm/arm64/machine.c: KVM vCPUs,
 * vgic-v3 + ITS) is built only on arm64 hosts; what this header declares is plain C, built and
 * tested on every host.
 */
#ifndef VFVM_ARM64_H
#define VFVM_ARM64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/errbuf.h"
#include "vmm/memmap.h"

/*
 * Guest-physical layout, the shape of QEMU's virt machine (what arm64 guests and users know):
 * devices below 1 GiB, RAM from 1 GiB, 64-bit PCI memory at 512 GiB. Every device region is
 * 64 KiB aligned, so that a guest with 64 KiB pages can map each one on its own.
 */
#define ARM64_GIC_DIST_BASE 0x08000000ULL /* GICv3 distributor, 64 KiB */
#define ARM64_GIC_DIST_SIZE 0x10000ULL
#define ARM64_GIC_ITS_BASE 0x08080000ULL /* ITS, 128 KiB (control + translation frames) */
#define ARM64_GIC_ITS_SIZE 0x20000ULL
#define ARM64_GIC_REDIST_BASE 0x080a0000ULL /* one 128 KiB redistributor per vCPU ... */
#define ARM64_GIC_REDIST_SIZE 0x20000ULL
#define ARM64_GIC_REDIST_END 0x09000000ULL /* ... up to here: 123 vCPUs */
#define ARM64_MAX_CPUS ((ARM64_GIC_REDIST_END - ARM64_GIC_REDIST_BASE) / ARM64_GIC_REDIST_SIZE)
#define ARM64_UART_BASE 0x09000000ULL /* 16550A, byte registers (reg-shift 0) */
#define ARM64_UART_SIZE 0x1000ULL
#define ARM64_PCI_MMIO32_START 0x10000000ULL /* 32-bit BAR window */
#define ARM64_PCI_MMIO32_END 0x3eff0000ULL
#define ARM64_PCI_IO_CPU_BASE 0x3eff0000ULL /* PCI I/O space 0-0xffff as MMIO here */
#define ARM64_PCI_IO_SIZE 0x10000ULL
#define ARM64_PCI_IO_START 0x1000 /* I/O BAR window (PCI I/O addresses) */
#define ARM64_PCI_IO_END 0x10000
#define ARM64_PCI_ECAM_BASE 0x3f000000ULL /* ECAM: 1 MiB per bus ... */
#define ARM64_PCI_ECAM_BUSES 16		  /* ... for buses 0-15 */
#define ARM64_PCI_ECAM_SIZE ((uint64_t)ARM64_PCI_ECAM_BUSES << 20)
#define ARM64_RAM_BASE 0x40000000ULL
#define ARM64_PCI_MMIO64_START 0x8000000000ULL /* 64-bit BAR window, 512 GiB */
#define ARM64_PCI_MMIO64_SIZE 0x8000000000ULL
#define ARM64_RAM_MAX (ARM64_PCI_MMIO64_START - ARM64_RAM_BASE)

/*
 * Interrupts, as GIC SPI numbers (interrupt ID - 32), which are also their KVM GSIs: the vgic's
 * irqchip routes map GSI n to SPI n. Timer interrupts are PPIs (interrupt ID - 16).
 */
#define ARM64_UART_SPI 1
#define ARM64_PCI_INTX_SPI 3 /* INTA-INTD of slot 0; swizzled by slot as a PCI bridge does */
#define ARM64_PCI_INTX_LINES 4
#define ARM64_NR_SPIS 32 /* SPIs the vgic gets (a multiple of 32) */
#define ARM64_TIMER_PPI_SEC 13
#define ARM64_TIMER_PPI_NONSEC 14
#define ARM64_TIMER_PPI_VIRT 11
#define ARM64_TIMER_PPI_HYP 10

/* GIC SPI (= GSI) of INTx pin (0 = INTA) of a slot on bus 0: the FDT's interrupt-map says the same.
 */
static inline unsigned int arm64_pci_intx_gsi(unsigned int slot, unsigned int pin)
{
	return ARM64_PCI_INTX_SPI + ((slot + pin) % ARM64_PCI_INTX_LINES);
}

/*
 * The MPIDR affinity KVM gives vCPU index (Aff0 4 bits, so that a GICv3 target list reaches
 * 16 CPUs at once; Aff1 and Aff2 above): the /cpus node's reg of that vCPU.
 */
static inline uint64_t arm64_vcpu_mpidr(unsigned int index)
{
	return (index & 0xf) | (uint64_t)((index >> 4) & 0xff) << 8 |
	       (uint64_t)((index >> 12) & 0xff) << 16;
}

/*
 * Kernel command line words for this platform, before the user's:
 *  console=ttyS0 earlycon  the 16550 is the only console; earlycon finds it by stdout-path
 *  panic=-1                a panicking guest resets at once (PSCI SYSTEM_RESET ends vfvm)
 */
#define ARM64_DEFAULT_CMDLINE "console=ttyS0 earlycon panic=-1"

/*
 * Lay out ram_bytes of guest RAM as one range from ARM64_RAM_BASE. -EINVAL for a size that is not
 * a non-zero multiple of 2 MiB, -E2BIG for more than reaches the 64-bit PCI window (ARM64_RAM_MAX).
 */
int arm64_memory_layout(struct guest_mem *mem, uint64_t ram_bytes);
/* Guest-physical ranges [start, end) the platform keeps, where no PCI BAR may be decoded. */
unsigned int arm64_mmio_reserved(const uint64_t (**ranges)[2]);

/* ---- the Linux arm64 Image (Documentation/arch/arm64/booting.rst) ---- */

#define ARM64_IMAGE_HEADER_SIZE 64
#define ARM64_IMAGE_MAGIC 0x644d5241  /* "ARM\x64", little endian, at offset 56 */
#define ARM64_IMAGE_FLAG_BE 0x1	      /* a big-endian kernel */
#define ARM64_IMAGE_FLAG_ANYWHERE 0x8 /* may sit anywhere in RAM, not only near its start */
/* Before Linux 3.17 image_size was 0: text_offset is then 0x80000 whatever the header says. */
#define ARM64_IMAGE_OLD_TEXT_OFFSET 0x80000ULL

struct arm64_image {
	uint64_t text_offset; /* from a 2 MiB aligned base */
	uint64_t image_size;  /* what the kernel occupies from there, BSS included */
	uint64_t flags;
	uint64_t file_size;
};

/*
 * Check an Image's header (the file's first bytes, file_size bytes in all) against a guest of
 * ram_size bytes. -ENOEXEC with the one line saying what is wrong (short file, bad magic, a
 * gzip-compressed Image, a big-endian kernel), -E2BIG when text_offset or the image does not fit
 * in RAM. The file is named by the caller.
 */
int arm64_image_parse(const void *head, size_t head_len, uint64_t file_size, uint64_t ram_size,
		      struct arm64_image *img, struct errbuf *err);

/*
 * Where the kernel, the device tree and the initrd go in RAM [ram_base, ram_base + ram_size):
 * the kernel at text_offset from the start of RAM (a 2 MiB boundary), the DTB in the last 2 MiB
 * block of RAM (nothing else shares that block), the initrd right below it on a page boundary.
 * -E2BIG with a message when they do not fit.
 */
#define ARM64_FDT_MAX 0x200000ULL
struct arm64_boot_layout {
	uint64_t kernel, kernel_end; /* guest-physical */
	uint64_t fdt;
	uint64_t initrd, initrd_end; /* initrd == initrd_end: none */
};
int arm64_boot_place(uint64_t ram_base, uint64_t ram_size, const struct arm64_image *img,
		     uint64_t initrd_size, struct arm64_boot_layout *out, struct errbuf *err);

/* ---- the device tree (libfdt) ---- */

#define ARM64_PHANDLE_GIC 1
#define ARM64_PHANDLE_ITS 2
#define ARM64_FDT_UART_PATH "/serial@9000000"

struct arm64_fdt_args {
	uint64_t ram_base, ram_size;
	unsigned int cpus;
	const char *bootargs;
	uint64_t initrd_start, initrd_end; /* equal: no initrd */
};

/*
 * The device tree of the machine: /cpus (PSCI), /memory, /chosen, /psci, the timer, GICv3 with
 * its ITS, the ECAM PCI host bridge (windows, msi-map to the ITS, INTx interrupt-map), the
 * 16550A. Written into buf (size bytes); its length is fdt_totalsize(buf). -ENOSPC when it does
 * not fit, -EINVAL for a vCPU count the GIC layout cannot hold (err names it).
 */
int arm64_fdt_build(const struct arm64_fdt_args *a, void *buf, size_t size, struct errbuf *err);

#endif
