/* SPDX-License-Identifier: MIT */
/*
 * ACPI tables for the platform: RSDP -> XSDT -> {FADT -> DSDT (and FACS), MADT}, in two variants:
 *  - hardware-reduced (direct kernel boot): no PM timer, SCI, GPEs or fixed hardware; power-off
 *    and reset go through the FADT's sleep and reset registers, plain I/O ports that vmm/ decodes.
 *  - PC (firmware boot): the guest has a PIC and PIT that the firmware left programmed, so the
 *    FADT describes a legacy platform with PM1 event/control blocks, SCI 9, no SMI (ACPI mode
 *    always on) and a FACS.
 * Tables are built into two blobs, the RSDP alone and every other table, each for a base address
 * of the caller's choice; every pointer field and checksum is listed, so that a firmware can
 * move the blobs and patch them (see x86_acpi_firmware_blobs()).
 */
#ifndef VFVM_X86_ACPI_H
#define VFVM_X86_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/x86/aml.h"

#define ACPI_SDT_HEADER_LEN 36
#define ACPI_SDT_OFF_CHECKSUM 9
#define ACPI_RSDP_LEN 36
#define ACPI_RSDP_OFF_CHECKSUM 8 /* over the first 20 bytes (ACPI 1.0 part) */
#define ACPI_RSDP_OFF_XSDT 24
#define ACPI_RSDP_OFF_EXT_CHECKSUM 32 /* over all 36 bytes */
#define ACPI_FADT_LEN 276	      /* revision 6 */
#define ACPI_FACS_LEN 64
#define ACPI_FACS_ALIGN 64
#define ACPI_OEM_ID "VFVM  "

/* FADT fields we set (ACPI 6.x, table 5.9) */
#define FADT_OFF_FIRMWARE_CTRL 36
#define FADT_OFF_DSDT 40
#define FADT_OFF_SCI_INT 46
#define FADT_OFF_SMI_CMD 48
#define FADT_OFF_PM1A_EVT_BLK 56
#define FADT_OFF_PM1A_CNT_BLK 64
#define FADT_OFF_PM_TMR_BLK 76
#define FADT_OFF_PM1_EVT_LEN 88
#define FADT_OFF_PM1_CNT_LEN 89
#define FADT_OFF_PM_TMR_LEN 91
#define FADT_OFF_P_LVL2_LAT 96
#define FADT_OFF_P_LVL3_LAT 98
#define FADT_OFF_CENTURY 108
#define FADT_OFF_IAPC_BOOT_ARCH 109
#define FADT_OFF_FLAGS 112
#define FADT_OFF_RESET_REG 116
#define FADT_OFF_RESET_VALUE 128
#define FADT_OFF_MINOR_VERSION 131
#define FADT_OFF_X_FIRMWARE_CTRL 132
#define FADT_OFF_X_DSDT 140
#define FADT_OFF_X_PM1A_EVT_BLK 148
#define FADT_OFF_X_PM1A_CNT_BLK 172
#define FADT_OFF_X_PM_TMR_BLK 208
#define FADT_OFF_SLEEP_CONTROL 244
#define FADT_OFF_SLEEP_STATUS 256
#define FADT_OFF_HYPERVISOR_ID 268

#define FADT_F_WBINVD (1U << 0)
#define FADT_F_PWR_BUTTON (1U << 4) /* no fixed-feature power button */
#define FADT_F_SLP_BUTTON (1U << 5)
#define FADT_F_FIX_RTC (1U << 6) /* no RTC_STS / RTC_EN in the PM1 blocks */
#define FADT_F_RESET_REG_SUP (1U << 10)
#define FADT_F_HW_REDUCED_ACPI (1U << 20)

#define IAPC_BOOT_ARCH_LEGACY_DEVICES (1U << 0)
#define IAPC_BOOT_ARCH_8042 (1U << 1)
#define IAPC_BOOT_ARCH_VGA_NOT_PRESENT (1U << 2)
#define IAPC_BOOT_ARCH_ASPM_CONTROLS (1U << 4)
#define IAPC_BOOT_ARCH_CMOS_RTC_NOT_PRESENT (1U << 5)

/* The CMOS register holding the century (devices/cmos.h serves it). */
#define ACPI_CMOS_CENTURY 0x32

/* MADT entry types */
#define MADT_LOCAL_APIC 0
#define MADT_IO_APIC 1
#define MADT_INT_SRC_OVERRIDE 2
#define MADT_LOCAL_APIC_NMI 4
#define MADT_PCAT_COMPAT 1U
/* MPS INTI flags of an interrupt source override: polarity bits 1:0, trigger mode bits 3:2 */
#define MADT_INTI_ACTIVE_HIGH 0x1
#define MADT_INTI_LEVEL 0xc

/* xAPIC ids are 8 bits and 0xff is the broadcast id */
#define ACPI_MAX_CPUS 255

struct acpi_config {
	unsigned int ncpus;
	bool hw_reduced; /* direct kernel boot; false: the PC variant for firmware boot */
	uint64_t mmio64_start, mmio64_end; /* the 64-bit PCI window [start, end); empty: none */
};

enum acpi_blob {
	ACPI_BLOB_RSDP,	  /* the RSDP alone */
	ACPI_BLOB_TABLES, /* every other table */
	ACPI_NR_BLOBS,
};

/* size bytes (little endian) at offset in blob `in` hold an address inside blob `to`. */
struct acpi_pointer {
	enum acpi_blob in, to;
	uint32_t offset;
	uint8_t size;
};

/* The byte at offset in blob `in` makes bytes [start, start + length) of that blob sum to 0. */
struct acpi_checksum {
	enum acpi_blob in;
	uint32_t offset, start, length;
};

#define ACPI_MAX_POINTERS 8
#define ACPI_MAX_CHECKSUMS 8

/*
 * The built tables. A pointer field holds base[to] plus the target's offset in its blob, so with
 * base 0 it holds just the offset, which is what a firmware's loader adds the blob's final
 * address to. The checksums are listed in the order in which they must be recomputed after the
 * pointers are patched (the RSDP's 20-byte checksum before its extended one, which covers it).
 */
struct acpi_tables {
	uint8_t *blob[ACPI_NR_BLOBS]; /* malloc()ed, free with acpi_tables_free() */
	size_t len[ACPI_NR_BLOBS];
	uint64_t base[ACPI_NR_BLOBS]; /* the address each blob was built for */
	/* where each table starts in ACPI_BLOB_TABLES; has_facs says whether facs is valid */
	uint32_t xsdt, fadt, madt, dsdt, facs;
	bool has_facs;
	struct acpi_pointer ptr[ACPI_MAX_POINTERS];
	unsigned int nr_ptrs;
	struct acpi_checksum csum[ACPI_MAX_CHECKSUMS];
	unsigned int nr_csums;
};

/*
 * Build every table for cfg, the RSDP for rsdp_base and the others for tables_base (both
 * 16-byte aligned, and the tables' end below 4 GiB for the 32-bit pointers; the FACS is placed
 * 64-byte aligned relative to tables_base). -EINVAL for ncpus 0 or above ACPI_MAX_CPUS or a bad
 * base, -ENOMEM.
 */
int acpi_tables_build(const struct acpi_config *cfg, uint64_t rsdp_base, uint64_t tables_base,
		      struct acpi_tables *t);
void acpi_tables_free(struct acpi_tables *t);

/* Where each table landed, as guest-physical addresses. */
struct acpi_layout {
	uint64_t rsdp, xsdt, fadt, madt, dsdt;
	size_t used; /* bytes of the area used from its start */
};

/* The DSDT's AML body (without the table header): _S5_, \_SB.PCI0 with _CRS and _PRT, COM1. */
int acpi_dsdt_aml(struct aml *a, const struct acpi_config *cfg);

/*
 * Direct boot: build the hardware-reduced tables into one area (whose first byte is
 * guest-physical area_gpa, which must be 16-byte aligned and below 4 GiB for the 32-bit
 * pointers), RSDP first and the other tables after it. -E2BIG if area_len is too small, -EINVAL
 * for ncpus 0 or above ACPI_MAX_CPUS, -ENOMEM.
 */
int acpi_build(uint8_t *area, uint64_t area_gpa, size_t area_len, const struct acpi_config *cfg,
	       struct acpi_layout *out);

/* Sum of bytes, modulo 256: 0 for a table with a valid checksum. */
uint8_t acpi_checksum(const void *p, size_t len);

#endif
