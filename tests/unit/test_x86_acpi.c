// SPDX-License-Identifier: MIT
/* AML encoding and the ACPI tables of vmm/x86. With iasl installed, the tables are also
 * disassembled by ACPICA as an independent check; without it that test is skipped. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "acpi_test_util.h"
#include "vmm/x86/acpi.h"
#include "vmm/x86/aml.h"
#include "vmm/x86/x86.h"

#define AREA_LEN (X86_ACPI_END - X86_ACPI_START)

/* PkgLength decoding written from the spec (ACPI 6.x, 20.2.4), independent of the encoder. */
static size_t pkglen_decode(const uint8_t *p, unsigned int *nbytes)
{
	unsigned int follow = p[0] >> 6;
	size_t v;

	*nbytes = follow + 1;
	if (!follow)
		return p[0] & 0x3f;
	v = p[0] & 0x0f;
	for (unsigned int i = 0; i < follow; i++)
		v |= (size_t)p[1 + i] << (4 + 8 * i);
	return v;
}

static void pkglen_boundaries(void **state)
{
	uint8_t b[4];
	(void)state;

	assert_int_equal(aml_pkglen_encode(b, 0), 1);
	assert_int_equal(b[0], 1);
	/* 63 is the largest one-byte length */
	assert_int_equal(aml_pkglen_encode(b, 62), 1);
	assert_int_equal(b[0], 63);
	/* 63 bytes of content need two length bytes: total 65 */
	assert_int_equal(aml_pkglen_encode(b, 63), 2);
	assert_int_equal(b[0], 0x41);
	assert_int_equal(b[1], 0x04);
	/* 4095 is the largest two-byte length */
	assert_int_equal(aml_pkglen_encode(b, 4093), 2);
	assert_int_equal(b[0], 0x4f);
	assert_int_equal(b[1], 0xff);
	assert_int_equal(aml_pkglen_encode(b, 4094), 3);
	assert_int_equal(b[0], 0x81);
	assert_int_equal(b[1], 0x00);
	assert_int_equal(b[2], 0x01);
	assert_int_equal(aml_pkglen_encode(b, 0xfffff - 3), 3);
	assert_int_equal(aml_pkglen_encode(b, 0xfffff - 2), 4);
	assert_int_equal(aml_pkglen_encode(b, AML_PKGLEN_MAX - 4), 4);
	assert_int_equal(aml_pkglen_encode(b, AML_PKGLEN_MAX - 3), 0);
	for (size_t c = 0; c < 70000; c += (c < 5000 ? 1 : 97)) {
		unsigned int n = aml_pkglen_encode(b, c), m;

		assert_int_equal(pkglen_decode(b, &m), c + n);
		assert_int_equal(m, n);
	}
}

static void expect_bytes(struct aml *a, const void *want, size_t n)
{
	assert_int_equal(a->err, 0);
	assert_int_equal(a->len, n);
	assert_memory_equal(a->buf, want, n);
	aml_free(a);
}

static void integers_strings_names(void **state)
{
	struct aml a;
	(void)state;

	aml_init(&a);
	aml_integer(&a, 0);
	aml_integer(&a, 1);
	aml_integer(&a, 0xff);
	aml_integer(&a, 0x100);
	aml_integer(&a, 0x10000);
	aml_integer(&a, 0x100000000ULL);
	aml_integer(&a, UINT64_MAX);
	expect_bytes(&a,
		     "\x00\x01\x0a\xff\x0b\x00\x01\x0c\x00\x00\x01\x00"
		     "\x0e\x00\x00\x00\x00\x01\x00\x00\x00\xff",
		     22);

	aml_init(&a);
	aml_namestring(&a, "\\_SB_.PCI0");
	aml_namestring(&a, "_S5");
	aml_namestring(&a, "A.B.C");
	expect_bytes(&a,
		     "\\\x2e_SB_PCI0_S5_\x2f\x03"
		     "A___B___C___",
		     10 + 4 + 14);

	aml_init(&a);
	aml_string(&a, "hi");
	aml_eisaid(&a, "PNP0A03");
	expect_bytes(&a, "\x0dhi\x00\x0c\x41\xd0\x0a\x03", 9);

	/* names that AML cannot hold are refused, not truncated */
	const char *bad[] = {"pci0", "TOOLONG", "A..B", "", "1ABC", "\\"};
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		aml_init(&a);
		aml_namestring(&a, bad[i]);
		assert_int_equal(a.err, -EINVAL);
		aml_free(&a);
	}
	aml_init(&a);
	aml_eisaid(&a, "pnp0a03");
	assert_int_equal(a.err, -EINVAL);
	aml_free(&a);
}

static void packages_and_buffers(void **state)
{
	struct aml a;
	size_t outer, inner, buf;
	(void)state;

	aml_init(&a);
	aml_name(&a, "_S5_");
	outer = aml_package_begin(&a, 2);
	aml_integer(&a, 5);
	inner = aml_package_begin(&a, 1);
	aml_integer(&a, 0);
	aml_close(&a, inner);
	aml_close(&a, outer);
	expect_bytes(&a, "\x08_S5_\x12\x08\x02\x0a\x05\x12\x03\x01\x00", 14);

	aml_init(&a);
	buf = aml_buffer_begin(&a);
	aml_res_io(&a, 0x3f8, 8);
	aml_res_irq(&a, 4);
	aml_res_end_tag(&a);
	aml_buffer_end(&a, buf);
	/* Buffer, PkgLength, DWord size 13, IO(Decode16, 0x3f8, 0x3f8, 1, 8), IRQNoFlags {4}, end
	 */
	expect_bytes(&a,
		     "\x11\x13\x0c\x0d\x00\x00\x00"
		     "\x47\x01\xf8\x03\xf8\x03\x01\x08\x22\x10\x00\x79\x00",
		     20);

	/* a package large enough for a two-byte PkgLength */
	aml_init(&a);
	outer = aml_package_begin(&a, 100);
	for (unsigned int i = 0; i < 100; i++)
		aml_integer(&a, 0x1000 + i);
	aml_close(&a, outer);
	{
		unsigned int n;

		assert_int_equal(a.err, 0);
		assert_int_equal(pkglen_decode(a.buf + 1, &n), a.len - 1);
		assert_int_equal(n, 2);
	}
	aml_free(&a);
}

struct built {
	uint8_t *area;
	struct acpi_layout l;
};

static uint8_t *at(struct built *b, uint64_t gpa)
{
	assert_true(gpa >= X86_ACPI_START && gpa < X86_ACPI_START + b->l.used);
	return b->area + (gpa - X86_ACPI_START);
}

/* The 64-bit PCI window of a guest with less than 3 GiB of RAM: 64 GiB from 4 GiB. */
#define MMIO64_START (4ULL << 30)
#define MMIO64_END (68ULL << 30)

static void build(struct built *b, unsigned int ncpus)
{
	const struct acpi_config cfg = {
		.ncpus = ncpus, .mmio64_start = MMIO64_START, .mmio64_end = MMIO64_END};

	b->area = calloc(1, AREA_LEN);
	assert_non_null(b->area);
	assert_int_equal(acpi_build(b->area, X86_ACPI_START, AREA_LEN, &cfg, &b->l), 0);
}

static void check_sdt(uint8_t *t, const char *sig)
{
	assert_memory_equal(t, sig, 4);
	assert_int_equal(acpi_checksum(t, rd32(t + 4)), 0);
}

static void tables_chain_and_checksums(void **state)
{
	const unsigned int counts[] = {1, 2, 8, 255};
	(void)state;

	for (unsigned int c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		unsigned int ncpus = counts[c], lapics = 0, ioapics = 0, isos = 0, nmis = 0;
		struct built b;
		uint8_t *rsdp, *xsdt, *fadt, *madt, *e, *end;

		build(&b, ncpus);
		rsdp = at(&b, b.l.rsdp);
		assert_true(b.l.rsdp == X86_ACPI_RSDP_ADDR);
		assert_memory_equal(rsdp, "RSD PTR ", 8);
		assert_int_equal(acpi_checksum(rsdp, 20), 0);
		assert_int_equal(acpi_checksum(rsdp, 36), 0);
		assert_int_equal(rsdp[15], 2);

		xsdt = at(&b, rd64(rsdp + 24));
		check_sdt(xsdt, "XSDT");
		assert_int_equal(rd32(xsdt + 4), 36 + 16);
		fadt = at(&b, rd64(xsdt + 36));
		madt = at(&b, rd64(xsdt + 44));
		check_sdt(fadt, "FACP");
		check_sdt(madt, "APIC");
		assert_int_equal(fadt[8], 6);
		assert_int_equal(rd32(fadt + 4), 276);
		check_sdt(at(&b, rd64(fadt + FADT_OFF_X_DSDT)), "DSDT");
		assert_true(rd32(fadt + FADT_OFF_DSDT) == rd64(fadt + FADT_OFF_X_DSDT));

		assert_true(rd32(fadt + FADT_OFF_FLAGS) & FADT_F_HW_REDUCED_ACPI);
		assert_true(rd32(fadt + FADT_OFF_FLAGS) & FADT_F_RESET_REG_SUP);
		/* reset: byte write of 6 to port 0xcf9 */
		assert_int_equal(fadt[FADT_OFF_RESET_REG], 1);
		assert_true(rd64(fadt + FADT_OFF_RESET_REG + 4) == X86_RESET_PORT);
		assert_int_equal(fadt[FADT_OFF_RESET_VALUE], 6);
		assert_int_equal(fadt[FADT_OFF_SLEEP_CONTROL], 1);
		assert_int_equal(fadt[FADT_OFF_SLEEP_CONTROL + 1], 8);
		assert_true(rd64(fadt + FADT_OFF_SLEEP_CONTROL + 4) == X86_ACPI_SLEEP_PORT);
		assert_true(rd64(fadt + FADT_OFF_SLEEP_STATUS + 4) == X86_ACPI_SLEEP_PORT);

		assert_true(rd32(madt + 36) == X86_LAPIC_BASE);
		e = madt + 44;
		end = madt + rd32(madt + 4);
		while (e < end) {
			assert_true(e[1] >= 2 && e + e[1] <= end);
			switch (e[0]) {
			case MADT_LOCAL_APIC:
				assert_int_equal(e[2], lapics); /* UID */
				assert_int_equal(e[3], lapics); /* APIC id == vCPU index */
				assert_int_equal(rd32(e + 4), 1);
				lapics++;
				break;
			case MADT_IO_APIC:
				assert_true(rd32(e + 4) == X86_IOAPIC_BASE);
				assert_int_equal(rd32(e + 8), 0);
				ioapics++;
				break;
			case MADT_INT_SRC_OVERRIDE:
				assert_int_equal(e[3], 0);
				assert_int_equal(rd32(e + 4), 2);
				isos++;
				break;
			case MADT_LOCAL_APIC_NMI:
				assert_int_equal(e[5], 1);
				nmis++;
				break;
			default:
				fail_msg("unexpected MADT entry type %u", e[0]);
			}
			e += e[1];
		}
		assert_true(e == end);
		assert_int_equal(lapics, ncpus);
		assert_int_equal(ioapics + isos + nmis, 3);
		/* every table lies inside the BIOS area and none overlaps the next */
		assert_true(b.l.xsdt >= b.l.rsdp + 36 && b.l.fadt >= b.l.xsdt + 52 &&
			    b.l.madt >= b.l.fadt + 276 && b.l.dsdt >= b.l.madt + rd32(madt + 4));
		assert_true(X86_ACPI_START + b.l.used <= X86_ACPI_END);
		free(b.area);
	}
}

/*
 * Direct kernel boot keeps its hardware-reduced tables byte for byte: data/acpi-direct-*cpu.bin
 * are the area the builder writes (RSDP at 0xe0000, tables after it) for a guest with the 64-bit
 * PCI window of one below 3 GiB of RAM; last replaced, deliberately, when that window came into
 * the host bridge's _CRS (46 bytes more DSDT). A deliberate change replaces these files again.
 */
static void direct_boot_tables_unchanged(void **state)
{
	const unsigned int counts[] = {1, 4, 255};
	const char *dir = getenv("VFVM_TEST_DATA");
	(void)state;

	assert_non_null(dir);
	for (unsigned int c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		char path[512];
		uint8_t *want = malloc(AREA_LEN);
		struct built b;
		FILE *f;
		size_t n;

		snprintf(path, sizeof(path), "%s/acpi-direct-%ucpu.bin", dir, counts[c]);
		f = fopen(path, "rb");
		assert_non_null(f);
		n = fread(want, 1, AREA_LEN, f);
		fclose(f);
		build(&b, counts[c]);
		assert_int_equal(b.l.used, n);
		assert_memory_equal(b.area, want, n);
		free(want);
		free(b.area);
	}
}

static void bad_cpu_counts_and_small_area(void **state)
{
	uint8_t *area = calloc(1, AREA_LEN);
	struct acpi_config cfg = {.ncpus = 0};
	struct acpi_layout l;
	(void)state;

	assert_int_equal(acpi_build(area, X86_ACPI_START, AREA_LEN, &cfg, &l), -EINVAL);
	cfg.ncpus = 256;
	assert_int_equal(acpi_build(area, X86_ACPI_START, AREA_LEN, &cfg, &l), -EINVAL);
	cfg.ncpus = 1;
	assert_int_equal(acpi_build(area, X86_ACPI_START, 512, &cfg, &l), -E2BIG);
	free(area);
}

/* Find the package that follows Name(_PRT, ...) and check every entry. */
static void dsdt_prt_covers_every_slot(void **state)
{
	struct built b;
	uint8_t *dsdt, *p, *end, *prt_end;
	unsigned int n, count;
	(void)state;

	build(&b, 1);
	dsdt = at(&b, b.l.dsdt);
	end = dsdt + rd32(dsdt + 4);
	p = memmem(dsdt, rd32(dsdt + 4), "\x08_PRT\x12", 6);
	assert_non_null(p);
	p += 6;
	prt_end = p + pkglen_decode(p, &n);
	assert_true(prt_end <= end);
	p += n;
	count = *p++;
	assert_int_equal(count, 31 * 4);
	for (unsigned int i = 0; i < count; i++) {
		unsigned int slot = i / 4 + 1, pin = i % 4, gsi = x86_pci_intx_gsi(slot, pin);
		uint8_t *next;

		assert_int_equal(*p++, 0x12);
		next = p + pkglen_decode(p, &n);
		p += n;
		assert_int_equal(*p++, 4);
		assert_int_equal(*p++, 0x0c);
		assert_int_equal(rd32(p), slot << 16 | 0xffff);
		p += 4;
		/* pin: Zero, One or BytePrefix */
		if (pin <= 1)
			assert_int_equal(*p++, pin);
		else
			assert_true(p[0] == 0x0a && p[1] == pin), p += 2;
		assert_int_equal(*p++, 0x00); /* no link device: a GSI follows */
		assert_true(p[0] == 0x0a && p[1] == gsi && gsi >= 16 && gsi < 24);
		p += 2;
		assert_true(p == next);
	}
	assert_true(p == prt_end);
	/* _S5_ with SLP_TYPa 5 */
	assert_non_null(memmem(dsdt, rd32(dsdt + 4), "\x08_S5_\x12\x07\x04\x0a\x05", 10));
	free(b.area);
}

static void tables_land_in_guest_ram_where_linux_scans(void **state)
{
	struct guest_mem m;
	struct errbuf e = {""};
	const uint8_t *bios;
	unsigned int found = 0;
	(void)state;

	assert_int_equal(x86_memory_layout(&m, 64ULL << 20), 0);
	assert_int_equal(guest_mem_alloc(&m), 0);
	assert_int_equal(x86_build_tables(&m, 2, &e), 0);
	bios = guest_mem_ptr(&m, X86_ACPI_START, AREA_LEN);
	/* Linux scans 0xe0000-0xfffff on 16-byte boundaries for a valid RSDP */
	for (size_t off = 0; off < AREA_LEN; off += 16)
		if (!memcmp(bios + off, "RSD PTR ", 8) && !acpi_checksum(bios + off, 20))
			found++;
	assert_int_equal(found, 1);
	/* the reset vector writes 6 to the reset port: mov $6,%al; mov $0xcf9,%dx; out %al,%dx */
	assert_memory_equal(guest_mem_ptr(&m, X86_RESET_VECTOR, 6), "\xb0\x06\xba\xf9\x0c\xee", 6);
	assert_int_equal(x86_build_tables(&m, 300, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "300 vCPUs"));
	guest_mem_free(&m);
}

static void iasl_accepts_tables(void **state)
{
	char dir[] = "vfvm-acpi-XXXXXX", cmd[600]; /* in the test's working directory */
	struct built b;
	char *dsdt, *fadt, *madt;
	uint8_t *t;
	(void)state;

	assert_non_null(mkdtemp(dir));
	build(&b, 4);
	t = at(&b, b.l.dsdt);
	dsdt = iasl_disassemble(dir, "dsdt", t, rd32(t + 4));
	t = at(&b, b.l.fadt);
	fadt = iasl_disassemble(dir, "facp", t, rd32(t + 4));
	t = at(&b, b.l.madt);
	madt = iasl_disassemble(dir, "apic", t, rd32(t + 4));
	assert_non_null(dsdt);
	assert_non_null(fadt);
	assert_non_null(madt);

	assert_non_null(strstr(dsdt, "Name (_S5, Package (0x04)"));
	assert_non_null(strstr(dsdt, "Device (PCI0)"));
	assert_non_null(strstr(dsdt, "EisaId (\"PNP0A03\")"));
	assert_non_null(strstr(dsdt, "Name (_PRT, Package (0x7C)"));
	assert_non_null(strstr(dsdt, "0xFEBFFFFF"));
	assert_non_null(strstr(dsdt, "0xC0000000"));
	assert_non_null(strstr(dsdt, "WordBusNumber"));
	/* the 64-bit window above RAM, where Linux puts 64-bit BARs too large for the low one */
	assert_non_null(
		strstr(dsdt, "QWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed"));
	assert_non_null(strstr(dsdt, "0x0000000100000000, // Range Minimum"));
	assert_non_null(strstr(dsdt, "0x00000010FFFFFFFF, // Range Maximum"));
	assert_non_null(strstr(dsdt, "0x0000001000000000, // Length"));
	assert_non_null(strstr(dsdt, "EisaId (\"PNP0501\")"));
	assert_non_null(strstr(dsdt, "IRQNoFlags ()\n                    {4}"));
	/* the power button: a GED whose _EVT notifies the PNP0C0C device */
	assert_non_null(strstr(dsdt, "Device (PWRB)"));
	assert_non_null(strstr(dsdt, "EisaId (\"PNP0C0C\") /* Power Button Device */"));
	assert_non_null(strstr(dsdt, "Name (_HID, \"ACPI0013\" /* Generic Event Device */)"));
	assert_non_null(strstr(dsdt,
			       "Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive, ,, )\n"
			       "                {\n                    0x0000000A,"));
	assert_non_null(strstr(dsdt, "Method (_EVT, 1, NotSerialized)"));
	assert_non_null(strstr(dsdt, "Notify (\\_SB.PWRB, 0x80)"));
	assert_null(strstr(dsdt, "Error"));
	assert_null(strstr(dsdt, "Unknown"));
	/* and what it disassembled compiles again without errors */
	snprintf(cmd, sizeof(cmd), "cd '%s' && iasl -p recompiled dsdt.dsl >recompile.log 2>&1",
		 dir);
	assert_int_equal(system(cmd), 0);

	assert_non_null(strstr(fadt, "Hardware Reduced (V5) : 1"));
	assert_non_null(strstr(fadt, "Value to cause reset : 06"));
	assert_null(strstr(fadt, "Checksum is incorrect"));
	assert_null(strstr(fadt, "Error"));
	assert_non_null(strstr(madt, "Local APIC NMI"));
	assert_non_null(strstr(madt, "Interrupt Source Override"));
	assert_null(strstr(madt, "Checksum is incorrect"));
	assert_null(strstr(madt, "Error"));

	free(dsdt);
	free(fadt);
	free(madt);
	free(b.area);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pkglen_boundaries),
		cmocka_unit_test(integers_strings_names),
		cmocka_unit_test(packages_and_buffers),
		cmocka_unit_test(tables_chain_and_checksums),
		cmocka_unit_test(direct_boot_tables_unchanged),
		cmocka_unit_test(bad_cpu_counts_and_small_area),
		cmocka_unit_test(dsdt_prt_covers_every_slot),
		cmocka_unit_test(tables_land_in_guest_ram_where_linux_scans),
		cmocka_unit_test(iasl_accepts_tables), /* last: optional */
	};
	size_t n = sizeof(tests) / sizeof(tests[0]);

	/* cmocka reports a skip as "not ok # SKIP", which meson counts as a failure */
	if (!iasl_present()) {
		printf("# iasl_accepts_tables not run: iasl (acpica-tools) is not installed\n");
		n--;
	}
	return _cmocka_run_group_tests("x86_acpi", tests, n, NULL, NULL);
}
