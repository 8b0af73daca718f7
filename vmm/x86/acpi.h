/* SPDX-License-Identifier: MIT */
/*
 * ACPI tables for the platform: RSDP -> XSDT -> {FADT -> DSDT, MADT}. Hardware-reduced ACPI (no
 * PM timer, SCI, GPEs or fixed hardware): power-off and reset go through the FADT's sleep and
 * reset registers, which are plain I/O ports that vmm/ decodes.
 */
#ifndef VFVM_X86_ACPI_H
#define VFVM_X86_ACPI_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/x86/aml.h"

#define ACPI_SDT_HEADER_LEN 36
#define ACPI_RSDP_LEN 36
#define ACPI_FADT_LEN 276 /* revision 6 */
#define ACPI_OEM_ID "VFVM  "

/* FADT fields we set (ACPI 6.x, table 5.9) */
#define FADT_OFF_DSDT 40
#define FADT_OFF_IAPC_BOOT_ARCH 109
#define FADT_OFF_FLAGS 112
#define FADT_OFF_RESET_REG 116
#define FADT_OFF_RESET_VALUE 128
#define FADT_OFF_MINOR_VERSION 131
#define FADT_OFF_X_DSDT 140
#define FADT_OFF_SLEEP_CONTROL 244
#define FADT_OFF_SLEEP_STATUS 256
#define FADT_OFF_HYPERVISOR_ID 268

#define FADT_F_WBINVD (1U << 0)
#define FADT_F_PWR_BUTTON (1U << 4) /* no fixed-feature power button */
#define FADT_F_SLP_BUTTON (1U << 5)
#define FADT_F_RESET_REG_SUP (1U << 10)
#define FADT_F_HW_REDUCED_ACPI (1U << 20)

#define IAPC_BOOT_ARCH_VGA_NOT_PRESENT (1U << 2)
#define IAPC_BOOT_ARCH_ASPM_CONTROLS (1U << 4)
#define IAPC_BOOT_ARCH_CMOS_RTC_NOT_PRESENT (1U << 5)

/* MADT entry types */
#define MADT_LOCAL_APIC 0
#define MADT_IO_APIC 1
#define MADT_INT_SRC_OVERRIDE 2
#define MADT_LOCAL_APIC_NMI 4
#define MADT_PCAT_COMPAT 1U

/* xAPIC ids are 8 bits and 0xff is the broadcast id */
#define ACPI_MAX_CPUS 255

/* Where each table landed, as guest-physical addresses. */
struct acpi_layout {
	uint64_t rsdp, xsdt, fadt, madt, dsdt;
	size_t used; /* bytes of the area used from its start */
};

/* The DSDT's AML body (without the table header): _S5_, \_SB.PCI0 with _CRS and _PRT, COM1. */
int acpi_dsdt_aml(struct aml *a);

/*
 * Build every table into area (whose first byte is guest-physical area_gpa, which must be
 * 16-byte aligned and below 4 GiB for the 32-bit pointers), RSDP first. -E2BIG if area_len is too
 * small, -EINVAL for ncpus 0 or above ACPI_MAX_CPUS.
 */
int acpi_build(uint8_t *area, uint64_t area_gpa, size_t area_len, unsigned int ncpus,
	       struct acpi_layout *out);

/* Sum of bytes, modulo 256: 0 for a table with a valid checksum. */
uint8_t acpi_checksum(const void *p, size_t len);

#endif
