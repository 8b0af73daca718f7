// SPDX-License-Identifier: MIT
/*
 * ACPI tables written into one area (the BIOS area 0xe0000-0xfffff in guest RAM): RSDP first so
 * that Linux's scan of that area finds it, then XSDT, FADT, MADT and DSDT, each 16-byte aligned.
 */
#include "vmm/x86/acpi.h"
#include "vmm/x86/x86.h"

#include <errno.h>
#include <string.h>

#define ALIGN16(x) (((x) + 15) & ~(size_t)15)
#define GAS_SYSTEM_IO 1
#define GAS_ACCESS_BYTE 1

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

/* Generic Address Structure: a byte-wide I/O port */
static void gas_io8(uint8_t *g, uint16_t port)
{
	g[0] = GAS_SYSTEM_IO;
	g[1] = 8; /* bit width */
	g[2] = 0; /* bit offset */
	g[3] = GAS_ACCESS_BYTE;
	put64(g + 4, port);
}

static void fadt(uint8_t *t, uint64_t dsdt)
{
	memset(t, 0, ACPI_FADT_LEN);
	sdt_header(t, "FACP", ACPI_FADT_LEN, 6, "VFVMFACP");
	put32(t + FADT_OFF_DSDT, (uint32_t)dsdt);
	put64(t + FADT_OFF_X_DSDT, dsdt);
	/* No 8042, no CMOS RTC, no VGA: Linux then probes none of them (each probe is PIO exits).
	 * ASPM_CONTROLS: there is no link whose power state the OS could manage. */
	put16(t + FADT_OFF_IAPC_BOOT_ARCH, IAPC_BOOT_ARCH_VGA_NOT_PRESENT |
						   IAPC_BOOT_ARCH_ASPM_CONTROLS |
						   IAPC_BOOT_ARCH_CMOS_RTC_NOT_PRESENT);
	/* Hardware-reduced: no PM timer, SCI or PIT/PIC setup by Linux; kvmclock and the LAPIC
	 * TSC-deadline timer replace them. */
	put32(t + FADT_OFF_FLAGS, FADT_F_WBINVD | FADT_F_PWR_BUTTON | FADT_F_SLP_BUTTON |
					  FADT_F_RESET_REG_SUP | FADT_F_HW_REDUCED_ACPI);
	gas_io8(t + FADT_OFF_RESET_REG, X86_RESET_PORT);
	t[FADT_OFF_RESET_VALUE] = 0x06; /* what 0xcf9 takes for a hard reset */
	t[FADT_OFF_MINOR_VERSION] = 0;
	gas_io8(t + FADT_OFF_SLEEP_CONTROL, X86_ACPI_SLEEP_PORT);
	gas_io8(t + FADT_OFF_SLEEP_STATUS, X86_ACPI_SLEEP_PORT);
	memcpy(t + FADT_OFF_HYPERVISOR_ID, "VFVM", 4);
	sdt_finish(t, ACPI_FADT_LEN);
}

static size_t madt_len(unsigned int ncpus)
{
	return ACPI_SDT_HEADER_LEN + 8 + ncpus * 8 + 12 + 10 + 6;
}

static void madt(uint8_t *t, unsigned int ncpus)
{
	size_t len = madt_len(ncpus);
	uint8_t *e = t + ACPI_SDT_HEADER_LEN + 8;

	memset(t, 0, len);
	sdt_header(t, "APIC", (uint32_t)len, 5, "VFVMAPIC");
	put32(t + 36, (uint32_t)X86_LAPIC_BASE);
	put32(t + 40, MADT_PCAT_COMPAT); /* KVM's in-kernel irqchip has the 8259 pair */
	for (unsigned int i = 0; i < ncpus; i++, e += 8) {
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
	 * otherwise. */
	e[0] = MADT_INT_SRC_OVERRIDE;
	e[1] = 10;
	e[2] = 0; /* ISA */
	e[3] = 0; /* IRQ0 */
	put32(e + 4, 2);
	put16(e + 8, 0); /* conforms to the bus: edge, active high */
	e += 10;
	e[0] = MADT_LOCAL_APIC_NMI;
	e[1] = 6;
	e[2] = 0xff; /* all processors */
	put16(e + 3, 0);
	e[5] = 1; /* LINT1 */
	sdt_finish(t, (uint32_t)len);
}

int acpi_build(uint8_t *area, uint64_t area_gpa, size_t area_len, unsigned int ncpus,
	       struct acpi_layout *out)
{
	struct aml dsdt_body;
	size_t off_xsdt, off_fadt, off_madt, off_dsdt, dsdt_len, end;
	uint8_t *rsdp, *xsdt;
	int ret;

	if (!ncpus || ncpus > ACPI_MAX_CPUS || area_gpa % 16 ||
	    area_gpa + area_len > 0x100000000ULL)
		return -EINVAL;
	aml_init(&dsdt_body);
	ret = acpi_dsdt_aml(&dsdt_body);
	if (ret)
		goto out;

	off_xsdt = ALIGN16(ACPI_RSDP_LEN);
	off_fadt = ALIGN16(off_xsdt + ACPI_SDT_HEADER_LEN + 2 * 8);
	off_madt = ALIGN16(off_fadt + ACPI_FADT_LEN);
	off_dsdt = ALIGN16(off_madt + madt_len(ncpus));
	dsdt_len = ACPI_SDT_HEADER_LEN + dsdt_body.len;
	end = off_dsdt + dsdt_len;
	if (end > area_len) {
		ret = -E2BIG;
		goto out;
	}
	memset(area, 0, end);

	out->rsdp = area_gpa;
	out->xsdt = area_gpa + off_xsdt;
	out->fadt = area_gpa + off_fadt;
	out->madt = area_gpa + off_madt;
	out->dsdt = area_gpa + off_dsdt;
	out->used = end;

	/* DSDT revision 2: integers are 64 bits */
	sdt_header(area + off_dsdt, "DSDT", (uint32_t)dsdt_len, 2, "VFVMDSDT");
	memcpy(area + off_dsdt + ACPI_SDT_HEADER_LEN, dsdt_body.buf, dsdt_body.len);
	sdt_finish(area + off_dsdt, (uint32_t)dsdt_len);
	fadt(area + off_fadt, out->dsdt);
	madt(area + off_madt, ncpus);

	xsdt = area + off_xsdt;
	sdt_header(xsdt, "XSDT", ACPI_SDT_HEADER_LEN + 16, 1, "VFVMXSDT");
	put64(xsdt + ACPI_SDT_HEADER_LEN, out->fadt);
	put64(xsdt + ACPI_SDT_HEADER_LEN + 8, out->madt);
	sdt_finish(xsdt, ACPI_SDT_HEADER_LEN + 16);

	/* RSDP revision 2 (ACPI 2.0+): XSDT only, no RSDT */
	rsdp = area;
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, ACPI_OEM_ID, 6);
	rsdp[15] = 2;
	put32(rsdp + 20, ACPI_RSDP_LEN);
	put64(rsdp + 24, out->xsdt);
	rsdp[8] = (uint8_t)-acpi_checksum(rsdp, 20);
	rsdp[32] = (uint8_t)-acpi_checksum(rsdp, ACPI_RSDP_LEN);
	ret = 0;
out:
	aml_free(&dsdt_body);
	return ret;
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
	struct acpi_layout layout;
	int ret;

	if (!area)
		return errbuf_set(err, EFAULT, "guest RAM does not back the BIOS area 0x%llx",
				  (unsigned long long)X86_ACPI_START);
	reset_stub(area + (X86_RESET_VECTOR - X86_ACPI_START));
	ret = acpi_build(area, X86_ACPI_START, X86_ACPI_END - X86_ACPI_START, ncpus, &layout);
	if (ret == -EINVAL)
		return errbuf_set(err, EINVAL, "ACPI tables: %u vCPUs; between 1 and %u supported",
				  ncpus, ACPI_MAX_CPUS);
	if (ret)
		return errbuf_set(err, ret, "ACPI tables do not fit in 0x%llx-0x%llx",
				  (unsigned long long)X86_ACPI_START,
				  (unsigned long long)X86_ACPI_END);
	return 0;
}
