// SPDX-License-Identifier: MIT
/*
 * ACPI tables built into two blobs: the RSDP alone, and XSDT, FADT, MADT and DSDT (with a FACS
 * first in the PC variant), each 16-byte aligned. Direct boot writes both blobs into the BIOS
 * area 0xe0000-0xfffff, the RSDP first so that Linux's scan of that area finds it; firmware boot
 * hands them to the firmware to place (see acpi_firmware.c).
 */
#include "vmm/x86/acpi.h"
#include "vmm/x86/x86.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ALIGN16(x) (((x) + 15) & ~(size_t)15)
#define GAS_SYSTEM_IO 1
#define GAS_ACCESS_BYTE 1
#define GAS_ACCESS_WORD 2

uint8_t acpi_checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (unsigned int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (unsigned int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void sdt_header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev, const char *oem_tid)
{
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = rev;
	memcpy(t + 10, ACPI_OEM_ID, 6);
	memcpy(t + 16, oem_tid, 8);
	put32(t + 24, 1);	   /* OEM revision */
	memcpy(t + 28, "VFVM", 4); /* creator id */
	put32(t + 32, 1);	   /* creator revision */
}

static void sdt_finish(uint8_t *t, uint32_t len)
{
	t[9] = 0;
	t[9] = (uint8_t)-acpi_checksum(t, len);
}

/* Generic Address Structure of an I/O port block */
static void gas_io(uint8_t *g, uint16_t port, uint8_t bits, uint8_t access)
{
	g[0] = GAS_SYSTEM_IO;
	g[1] = bits;
	g[2] = 0; /* bit offset */
	g[3] = access;
	put64(g + 4, port);
}

static void fadt_hw_reduced(uint8_t *t)
{
	/* No 8042, no CMOS RTC, no VGA: Linux then probes none of them (each probe is PIO exits).
	 * ASPM_CONTROLS: there is no link whose power state the OS could manage. */
	put16(t + FADT_OFF_IAPC_BOOT_ARCH, IAPC_BOOT_ARCH_VGA_NOT_PRESENT |
						   IAPC_BOOT_ARCH_ASPM_CONTROLS |
						   IAPC_BOOT_ARCH_CMOS_RTC_NOT_PRESENT);
	/* Hardware-reduced: no PM timer, SCI or PIT/PIC setup by Linux; kvmclock and the LAPIC
	 * TSC-deadline timer replace them. */
	put32(t + FADT_OFF_FLAGS, FADT_F_WBINVD | FADT_F_PWR_BUTTON | FADT_F_SLP_BUTTON |
					  FADT_F_RESET_REG_SUP | FADT_F_HW_REDUCED_ACPI);
	gas_io(t + FADT_OFF_SLEEP_CONTROL, X86_ACPI_SLEEP_PORT, 8, GAS_ACCESS_BYTE);
	gas_io(t + FADT_OFF_SLEEP_STATUS, X86_ACPI_SLEEP_PORT, 8, GAS_ACCESS_BYTE);
}

/*
 * The firmware leaves the 8259 PIC and the PIT programmed, which only an OS that knows it is on
 * a PC puts in order. SMI_CMD 0: the platform is always in ACPI mode (SCI_EN reads 1). The
 * fixed hardware is PM1 status/enable and control (devices/power.h), nothing else: no PM timer,
 * no GPE blocks, no C2/C3 (latencies above the limits mean "not supported").
 */
static void fadt_pc(uint8_t *t)
{
	put16(t + FADT_OFF_SCI_INT, X86_ACPI_SCI_IRQ);
	put32(t + FADT_OFF_SMI_CMD, 0);
	put32(t + FADT_OFF_PM1A_EVT_BLK, X86_ACPI_PM1_EVT);
	put32(t + FADT_OFF_PM1A_CNT_BLK, X86_ACPI_PM1_CNT);
	t[FADT_OFF_PM1_EVT_LEN] = X86_ACPI_PM1_EVT_LEN;
	t[FADT_OFF_PM1_CNT_LEN] = X86_ACPI_PM1_CNT_LEN;
	t[FADT_OFF_PM_TMR_LEN] = 0;
	put16(t + FADT_OFF_P_LVL2_LAT, 101);
	put16(t + FADT_OFF_P_LVL3_LAT, 1001);
	t[FADT_OFF_CENTURY] = ACPI_CMOS_CENTURY;
	/* ISA devices (UART, CMOS RTC, PIC, PIT) are there; no 8042 and no VGA. */
	put16(t + FADT_OFF_IAPC_BOOT_ARCH, IAPC_BOOT_ARCH_LEGACY_DEVICES |
						   IAPC_BOOT_ARCH_VGA_NOT_PRESENT |
						   IAPC_BOOT_ARCH_ASPM_CONTROLS);
	put32(t + FADT_OFF_FLAGS, FADT_F_WBINVD | FADT_F_PWR_BUTTON | FADT_F_SLP_BUTTON |
					  FADT_F_FIX_RTC | FADT_F_RESET_REG_SUP);
	/* The two 16-bit registers of each block are accessed as words. */
	gas_io(t + FADT_OFF_X_PM1A_EVT_BLK, X86_ACPI_PM1_EVT, X86_ACPI_PM1_EVT_LEN * 8,
	       GAS_ACCESS_WORD);
	gas_io(t + FADT_OFF_X_PM1A_CNT_BLK, X86_ACPI_PM1_CNT, X86_ACPI_PM1_CNT_LEN * 8,
	       GAS_ACCESS_WORD);
}

/* dsdt and facs are what the pointer fields hold: addresses, or offsets in a blob built for
 * base 0 that the firmware's loader turns into addresses. Without a FACS, facs is 0. */
static void fadt(uint8_t *t, const struct acpi_config *cfg, uint64_t dsdt, uint64_t facs)
{
	memset(t, 0, ACPI_FADT_LEN);
	sdt_header(t, "FACP", ACPI_FADT_LEN, 6, "VFVMFACP");
	/* Only one of FIRMWARE_CTRL and X_FIRMWARE_CTRL may be set: the FACS is below 4 GiB. */
	put32(t + FADT_OFF_FIRMWARE_CTRL, (uint32_t)facs);
	put32(t + FADT_OFF_DSDT, (uint32_t)dsdt);
	put64(t + FADT_OFF_X_DSDT, dsdt);
	if (cfg->hw_reduced)
		fadt_hw_reduced(t);
	else
		fadt_pc(t);
	gas_io(t + FADT_OFF_RESET_REG, X86_RESET_PORT, 8, GAS_ACCESS_BYTE);
	t[FADT_OFF_RESET_VALUE] = 0x06; /* what 0xcf9 takes for a hard reset */
	t[FADT_OFF_MINOR_VERSION] = 0;
	memcpy(t + FADT_OFF_HYPERVISOR_ID, "VFVM", 4);
	sdt_finish(t, ACPI_FADT_LEN);
}

/* The FACS: no waking vector (no S1-S4), a global lock no one holds. No checksum. */
static void write_facs(uint8_t *t)
{
	memset(t, 0, ACPI_FACS_LEN);
	memcpy(t, "FACS", 4);
	put32(t + 4, ACPI_FACS_LEN);
	t[32] = 2; /* version */
}

static size_t madt_len(const struct acpi_config *cfg)
{
	return ACPI_SDT_HEADER_LEN + 8 + cfg->ncpus * 8 + 12 + 10 + (cfg->hw_reduced ? 0 : 10) + 6;
}

static uint8_t *madt_iso(uint8_t *e, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	e[0] = MADT_INT_SRC_OVERRIDE;
	e[1] = 10;
	e[2] = 0; /* ISA */
	e[3] = irq;
	put32(e + 4, gsi);
	put16(e + 8, flags);
	return e + 10;
}

static void madt(uint8_t *t, const struct acpi_config *cfg)
{
	size_t len = madt_len(cfg);
	uint8_t *e = t + ACPI_SDT_HEADER_LEN + 8;

	memset(t, 0, len);
	sdt_header(t, "APIC", (uint32_t)len, 5, "VFVMAPIC");
	put32(t + 36, (uint32_t)X86_LAPIC_BASE);
	put32(t + 40, MADT_PCAT_COMPAT); /* KVM's in-kernel irqchip has the 8259 pair */
	for (unsigned int i = 0; i < cfg->ncpus; i++, e += 8) {
		e[0] = MADT_LOCAL_APIC;
		e[1] = 8;
		e[2] = (uint8_t)i; /* ACPI processor UID */
		e[3] = (uint8_t)i; /* APIC id: KVM gives vCPU i LAPIC id i */
		put32(e + 4, 1);   /* enabled */
	}
	e[0] = MADT_IO_APIC;
	e[1] = 12;
	e[2] = 0; /* the id KVM's IOAPIC reports after reset */
	put32(e + 4, (uint32_t)X86_IOAPIC_BASE);
	put32(e + 8, 0); /* GSI base */
	e += 12;
	/* The PIT's IRQ0 is wired to IOAPIC pin 2, as on every PC (and in KVM's PIT). Other ISA
	 * IRQs map 1:1 to GSIs 0-15, edge, active high: Linux assumes that where no override says
	 * otherwise. Flags 0: conforms to the bus. */
	e = madt_iso(e, 0, 2, 0);
	/* Without an override Linux programs the SCI level-triggered, active low (the spec's
	 * default); the line vfvm would raise it on is active high, as the other ISA lines. */
	if (!cfg->hw_reduced)
		e = madt_iso(e, X86_ACPI_SCI_IRQ, X86_ACPI_SCI_IRQ,
			     MADT_INTI_ACTIVE_HIGH | MADT_INTI_LEVEL);
	e[0] = MADT_LOCAL_APIC_NMI;
	e[1] = 6;
	e[2] = 0xff; /* all processors */
	put16(e + 3, 0);
	e[5] = 1; /* LINT1 */
	sdt_finish(t, (uint32_t)len);
}

static void add_pointer(struct acpi_tables *t, enum acpi_blob in, uint32_t offset, uint8_t size,
			enum acpi_blob to)
{
	t->ptr[t->nr_ptrs++] =
		(struct acpi_pointer){.in = in, .to = to, .offset = offset, .size = size};
}

static void add_checksum(struct acpi_tables *t, enum acpi_blob in, uint32_t offset, uint32_t start,
			 uint32_t length)
{
	t->csum[t->nr_csums++] = (struct acpi_checksum){
		.in = in, .offset = offset, .start = start, .length = length};
}

static void add_sdt_checksum(struct acpi_tables *t, uint32_t table)
{
	const uint8_t *p = t->blob[ACPI_BLOB_TABLES] + table;

	add_checksum(t, ACPI_BLOB_TABLES, table + ACPI_SDT_OFF_CHECKSUM, table,
		     (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 |
			     (uint32_t)p[7] << 24);
}

static void rsdp(struct acpi_tables *t)
{
	uint8_t *r = t->blob[ACPI_BLOB_RSDP];

	/* Revision 2 (ACPI 2.0+): XSDT only, no RSDT */
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, ACPI_OEM_ID, 6);
	r[15] = 2;
	put32(r + 20, ACPI_RSDP_LEN);
	put64(r + ACPI_RSDP_OFF_XSDT, t->base[ACPI_BLOB_TABLES] + t->xsdt);
	r[ACPI_RSDP_OFF_CHECKSUM] = (uint8_t)-acpi_checksum(r, 20);
	r[ACPI_RSDP_OFF_EXT_CHECKSUM] = (uint8_t)-acpi_checksum(r, ACPI_RSDP_LEN);
	add_pointer(t, ACPI_BLOB_RSDP, ACPI_RSDP_OFF_XSDT, 8, ACPI_BLOB_TABLES);
	add_checksum(t, ACPI_BLOB_RSDP, ACPI_RSDP_OFF_CHECKSUM, 0, 20);
	add_checksum(t, ACPI_BLOB_RSDP, ACPI_RSDP_OFF_EXT_CHECKSUM, 0, ACPI_RSDP_LEN);
}

/* Offsets of every table in the tables blob, and its length. */
static void place(struct acpi_tables *t, const struct acpi_config *cfg, size_t dsdt_len)
{
	uint64_t base = t->base[ACPI_BLOB_TABLES];
	size_t off = 0;

	t->has_facs = !cfg->hw_reduced;
	if (t->has_facs) {
		uint64_t at = (base + ACPI_FACS_ALIGN - 1) & ~(uint64_t)(ACPI_FACS_ALIGN - 1);

		t->facs = (uint32_t)(at - base);
		off = t->facs + ACPI_FACS_LEN;
	}
	t->xsdt = (uint32_t)ALIGN16(off);
	t->fadt = (uint32_t)ALIGN16(t->xsdt + ACPI_SDT_HEADER_LEN + 2 * 8);
	t->madt = (uint32_t)ALIGN16(t->fadt + ACPI_FADT_LEN);
	t->dsdt = (uint32_t)ALIGN16(t->madt + madt_len(cfg));
	t->len[ACPI_BLOB_TABLES] = t->dsdt + dsdt_len;
	t->len[ACPI_BLOB_RSDP] = ACPI_RSDP_LEN;
}

int acpi_tables_build(const struct acpi_config *cfg, uint64_t rsdp_base, uint64_t tables_base,
		      struct acpi_tables *t)
{
	enum acpi_blob tb = ACPI_BLOB_TABLES;
	uint64_t at;
	struct aml dsdt_body;
	size_t dsdt_len;
	uint8_t *b, *xsdt;
	int ret;

	memset(t, 0, sizeof(*t));
	if (!cfg->ncpus || cfg->ncpus > ACPI_MAX_CPUS || rsdp_base % 16 || tables_base % 16 ||
	    rsdp_base + ACPI_RSDP_LEN > 0x100000000ULL || tables_base >= 0x100000000ULL)
		return -EINVAL;
	aml_init(&dsdt_body);
	ret = acpi_dsdt_aml(&dsdt_body, cfg);
	if (ret)
		goto out;
	dsdt_len = ACPI_SDT_HEADER_LEN + dsdt_body.len;
	t->base[ACPI_BLOB_RSDP] = rsdp_base;
	t->base[tb] = tables_base;
	place(t, cfg, dsdt_len);
	ret = -EINVAL;
	if (tables_base + t->len[tb] > 0x100000000ULL)
		goto out;
	ret = -ENOMEM;
	t->blob[ACPI_BLOB_RSDP] = calloc(1, t->len[ACPI_BLOB_RSDP]);
	t->blob[tb] = calloc(1, t->len[tb]);
	if (!t->blob[ACPI_BLOB_RSDP] || !t->blob[tb])
		goto out;
	b = t->blob[tb];
	at = tables_base;

	/* DSDT revision 2: integers are 64 bits */
	sdt_header(b + t->dsdt, "DSDT", (uint32_t)dsdt_len, 2, "VFVMDSDT");
	memcpy(b + t->dsdt + ACPI_SDT_HEADER_LEN, dsdt_body.buf, dsdt_body.len);
	sdt_finish(b + t->dsdt, (uint32_t)dsdt_len);
	if (t->has_facs)
		write_facs(b + t->facs);
	fadt(b + t->fadt, cfg, at + t->dsdt, t->has_facs ? at + t->facs : 0);
	madt(b + t->madt, cfg);

	xsdt = b + t->xsdt;
	sdt_header(xsdt, "XSDT", ACPI_SDT_HEADER_LEN + 16, 1, "VFVMXSDT");
	put64(xsdt + ACPI_SDT_HEADER_LEN, at + t->fadt);
	put64(xsdt + ACPI_SDT_HEADER_LEN + 8, at + t->madt);
	sdt_finish(xsdt, ACPI_SDT_HEADER_LEN + 16);

	rsdp(t);
	add_pointer(t, tb, t->xsdt + ACPI_SDT_HEADER_LEN, 8, tb);
	add_pointer(t, tb, t->xsdt + ACPI_SDT_HEADER_LEN + 8, 8, tb);
	add_pointer(t, tb, t->fadt + FADT_OFF_DSDT, 4, tb);
	add_pointer(t, tb, t->fadt + FADT_OFF_X_DSDT, 8, tb);
	if (t->has_facs)
		add_pointer(t, tb, t->fadt + FADT_OFF_FIRMWARE_CTRL, 4, tb);
	add_sdt_checksum(t, t->xsdt);
	add_sdt_checksum(t, t->fadt);
	add_sdt_checksum(t, t->madt);
	add_sdt_checksum(t, t->dsdt);
	ret = 0;
out:
	aml_free(&dsdt_body);
	if (ret)
		acpi_tables_free(t);
	return ret;
}

void acpi_tables_free(struct acpi_tables *t)
{
	for (unsigned int i = 0; i < ACPI_NR_BLOBS; i++) {
		free(t->blob[i]);
		t->blob[i] = NULL;
	}
}

int acpi_build(uint8_t *area, uint64_t area_gpa, size_t area_len, const struct acpi_config *in,
	       struct acpi_layout *out)
{
	struct acpi_config cfg = *in;
	size_t tables_off = ALIGN16(ACPI_RSDP_LEN);
	struct acpi_tables t;
	int ret;

	if (area_gpa % 16 || area_gpa + area_len > 0x100000000ULL)
		return -EINVAL;
	cfg.hw_reduced = true;
	ret = acpi_tables_build(&cfg, area_gpa, area_gpa + tables_off, &t);
	if (ret)
		return ret;
	if (tables_off + t.len[ACPI_BLOB_TABLES] > area_len) {
		acpi_tables_free(&t);
		return -E2BIG;
	}
	memset(area, 0, tables_off);
	memcpy(area, t.blob[ACPI_BLOB_RSDP], ACPI_RSDP_LEN);
	memcpy(area + tables_off, t.blob[ACPI_BLOB_TABLES], t.len[ACPI_BLOB_TABLES]);
	out->rsdp = area_gpa;
	out->xsdt = area_gpa + tables_off + t.xsdt;
	out->fadt = area_gpa + tables_off + t.fadt;
	out->madt = area_gpa + tables_off + t.madt;
	out->dsdt = area_gpa + tables_off + t.dsdt;
	out->used = tables_off + t.len[ACPI_BLOB_TABLES];
	acpi_tables_free(&t);
	return 0;
}

/*
 * What a guest finds at the real-mode reset vector f000:fff0 when it reboots "through the BIOS":
 * mov $6, %al; mov $X86_RESET_PORT, %dx; out %al, %dx; 1: hlt; jmp 1b
 */
static void reset_stub(uint8_t *p)
{
	const uint8_t code[] = {0xb0, 0x06, 0xba, X86_RESET_PORT & 0xff, X86_RESET_PORT >> 8, 0xee,
				0xf4, 0xeb, 0xfd};

	memset(p, 0xf4, 16); /* hlt */
	memcpy(p, code, sizeof(code));
}

int x86_build_tables(const struct guest_mem *mem, unsigned int ncpus, struct errbuf *err)
{
	uint8_t *area = guest_mem_ptr(mem, X86_ACPI_START, X86_BIOS_END - X86_ACPI_START);
	struct acpi_config cfg = {.ncpus = ncpus, .hw_reduced = true};
	struct acpi_layout layout;
	int ret;

	/* no room for a 64-bit window above RAM: the guest has the one below 4 GiB only */
	if (x86_pci_mmio64_window(mem, &cfg.mmio64_start, &cfg.mmio64_end))
		cfg.mmio64_start = cfg.mmio64_end = 0;
	if (!area)
		return errbuf_set(err, EFAULT, "guest RAM does not back the BIOS area 0x%llx",
				  (unsigned long long)X86_ACPI_START);
	reset_stub(area + (X86_RESET_VECTOR - X86_ACPI_START));
	ret = acpi_build(area, X86_ACPI_START, X86_ACPI_END - X86_ACPI_START, &cfg, &layout);
	if (ret == -EINVAL)
		return errbuf_set(err, EINVAL, "ACPI tables: %u vCPUs; between 1 and %u supported",
				  ncpus, ACPI_MAX_CPUS);
	if (ret)
		return errbuf_set(err, ret, "ACPI tables do not fit in 0x%llx-0x%llx",
				  (unsigned long long)X86_ACPI_START,
				  (unsigned long long)X86_ACPI_END);
	return 0;
}
