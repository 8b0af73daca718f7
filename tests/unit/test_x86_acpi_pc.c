// SPDX-License-Identifier: MIT
/*
 * The PC variant of the ACPI tables (firmware boot) and the description of pointer fields and
 * checksums that both variants carry, checked field by field against ACPI 6.x and, with iasl
 * installed, by ACPICA's disassembler.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "acpi_test_util.h"
#include "vmm/x86/acpi.h"
#include "vmm/x86/x86.h"

static const struct acpi_config pc = {.ncpus = 4, .hw_reduced = false};

static uint8_t *table(struct acpi_tables *t, uint32_t off, const char *sig)
{
	uint8_t *p = t->blob[ACPI_BLOB_TABLES] + off;

	assert_true(off + 8 <= t->len[ACPI_BLOB_TABLES]);
	assert_memory_equal(p, sig, 4);
	assert_true(off + rd32(p + 4) <= t->len[ACPI_BLOB_TABLES]);
	return p;
}

/* A Generic Address Structure for an I/O port block. */
static void expect_gas_io(const uint8_t *g, uint16_t port, uint8_t bits, uint8_t access)
{
	assert_int_equal(g[0], 1); /* SystemIO */
	assert_int_equal(g[1], bits);
	assert_int_equal(g[2], 0);
	assert_int_equal(g[3], access);
	assert_true(rd64(g + 4) == port);
}

static void expect_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assert_int_equal(p[i], 0);
}

static void fadt_describes_a_pc(void **state)
{
	struct acpi_tables t;
	const uint8_t *f;
	uint32_t flags, arch;
	(void)state;

	assert_int_equal(acpi_tables_build(&pc, 0xf0000, 0x7ff0000, &t), 0);
	f = table(&t, t.fadt, "FACP");
	assert_int_equal(rd32(f + 4), ACPI_FADT_LEN);
	assert_int_equal(f[8], 6);
	assert_int_equal(acpi_checksum(f, ACPI_FADT_LEN), 0);

	flags = rd32(f + FADT_OFF_FLAGS);
	assert_int_equal(flags & FADT_F_HW_REDUCED_ACPI, 0);
	assert_true(flags & FADT_F_RESET_REG_SUP);
	assert_true(flags & FADT_F_FIX_RTC); /* PM1 has no RTC_STS / RTC_EN */
	assert_true(flags & FADT_F_PWR_BUTTON);
	assert_true(flags & FADT_F_SLP_BUTTON);

	/* SCI on ISA IRQ 9; no SMI command port: always in ACPI mode */
	assert_int_equal(rd16(f + FADT_OFF_SCI_INT), 9);
	assert_int_equal(rd32(f + FADT_OFF_SMI_CMD), 0);
	assert_int_equal(f[52], 0); /* ACPI_ENABLE */
	assert_int_equal(f[53], 0); /* ACPI_DISABLE */

	/* PM1a event (4 bytes) and control (2 bytes) blocks, 32-bit and 64-bit forms agreeing */
	assert_int_equal(rd32(f + FADT_OFF_PM1A_EVT_BLK), 0x610);
	assert_int_equal(rd32(f + FADT_OFF_PM1A_CNT_BLK), 0x614);
	assert_int_equal(f[FADT_OFF_PM1_EVT_LEN], 4);
	assert_int_equal(f[FADT_OFF_PM1_CNT_LEN], 2);
	expect_gas_io(f + FADT_OFF_X_PM1A_EVT_BLK, 0x610, 32, 2);
	expect_gas_io(f + FADT_OFF_X_PM1A_CNT_BLK, 0x614, 16, 2);
	assert_int_equal(X86_ACPI_PM1_EVT, 0x610);
	assert_int_equal(X86_ACPI_PM1_CNT, 0x614);
	/* no PM1b, PM2, PM timer or GPE blocks, in either form */
	expect_zero(f + 60, 4);
	expect_zero(f + 68, 16); /* PM1b_CNT, PM2_CNT, PM_TMR, GPE0 */
	expect_zero(f + 84, 4);	 /* GPE1 */
	assert_int_equal(f[90], 0);
	assert_int_equal(f[FADT_OFF_PM_TMR_LEN], 0);
	expect_zero(f + 92, 4); /* GPE lengths, GPE1 base, CST_CNT */
	expect_zero(f + 160, 12);
	expect_zero(f + 184, 12 * 5); /* X_PM1b_CNT, X_PM2_CNT, X_PM_TMR, X_GPE0, X_GPE1 */
	/* C2 and C3 not supported: latencies above 100 and 1000 us */
	assert_true(rd16(f + FADT_OFF_P_LVL2_LAT) > 100);
	assert_true(rd16(f + FADT_OFF_P_LVL3_LAT) > 1000);

	/* legacy devices present, no 8042, no VGA, a CMOS RTC with a century register */
	arch = rd16(f + FADT_OFF_IAPC_BOOT_ARCH);
	assert_true(arch & IAPC_BOOT_ARCH_LEGACY_DEVICES);
	assert_int_equal(arch & IAPC_BOOT_ARCH_8042, 0);
	assert_true(arch & IAPC_BOOT_ARCH_VGA_NOT_PRESENT);
	assert_int_equal(arch & IAPC_BOOT_ARCH_CMOS_RTC_NOT_PRESENT, 0);
	assert_int_equal(f[FADT_OFF_CENTURY], 0x32);

	/* the reset register as in direct boot: byte 6 to port 0xcf9 */
	expect_gas_io(f + FADT_OFF_RESET_REG, X86_RESET_PORT, 8, 1);
	assert_int_equal(f[FADT_OFF_RESET_VALUE], 6);
	/* sleep control/status registers belong to hardware-reduced ACPI only */
	expect_zero(f + FADT_OFF_SLEEP_CONTROL, 24);

	/* DSDT in both forms; FACS in FIRMWARE_CTRL only (the spec allows one of the two) */
	assert_true(rd32(f + FADT_OFF_DSDT) == 0x7ff0000 + t.dsdt);
	assert_true(rd64(f + FADT_OFF_X_DSDT) == 0x7ff0000 + t.dsdt);
	assert_true(t.has_facs);
	assert_true(rd32(f + FADT_OFF_FIRMWARE_CTRL) == 0x7ff0000 + t.facs);
	assert_true(rd64(f + FADT_OFF_X_FIRMWARE_CTRL) == 0);
	acpi_tables_free(&t);
}

static void facs_is_aligned_and_madt_routes_the_sci(void **state)
{
	const uint64_t bases[] = {0, 0x10, 0x7ff0030, 0xfffe0000};
	(void)state;

	for (unsigned int i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		struct acpi_tables t;
		const uint8_t *facs, *madt, *e, *end;
		unsigned int sci = 0, irq0 = 0;

		assert_int_equal(acpi_tables_build(&pc, 0xf0000, bases[i], &t), 0);
		facs = table(&t, t.facs, "FACS");
		assert_int_equal((bases[i] + t.facs) % 64, 0);
		assert_int_equal(rd32(facs + 4), 64);
		assert_int_equal(facs[32], 2); /* version */
		expect_zero(facs + 8, 24);     /* no waking vector, global lock free, no S4BIOS */
		/* the FACS does not overlap the next table */
		assert_true(t.xsdt >= t.facs + 64);

		madt = table(&t, t.madt, "APIC");
		assert_int_equal(acpi_checksum(madt, rd32(madt + 4)), 0);
		assert_int_equal(rd32(madt + 40), MADT_PCAT_COMPAT);
		end = madt + rd32(madt + 4);
		for (e = madt + 44; e < end; e += e[1]) {
			assert_true(e[1] >= 2 && e + e[1] <= end);
			if (e[0] != MADT_INT_SRC_OVERRIDE)
				continue;
			if (e[3] == 0) {
				assert_int_equal(rd32(e + 4), 2);
				irq0++;
			} else {
				/* ISA IRQ 9 -> GSI 9, level, active high */
				assert_int_equal(e[3], 9);
				assert_int_equal(rd32(e + 4), 9);
				assert_int_equal(rd16(e + 8), 0x000d);
				sci++;
			}
		}
		assert_true(e == end);
		assert_int_equal(irq0, 1);
		assert_int_equal(sci, 1);
		acpi_tables_free(&t);
	}
}

/*
 * Every pointer the builder lists holds base[to] + the offset of a table start in `to`, every
 * table start is pointed at, and every listed checksum range sums to 0: for both variants and
 * bases that are not the ones direct boot uses.
 */
static void pointers_and_checksums_are_listed(void **state)
{
	const struct acpi_config cfgs[] = {{1, true}, {4, false}, {255, false}, {2, true}};
	(void)state;

	for (unsigned int c = 0; c < sizeof(cfgs) / sizeof(cfgs[0]); c++) {
		struct acpi_tables t;
		const uint64_t rsdp_base = 0xf5a30, tables_base = 0x3ffe1c0;
		unsigned int seen_xsdt = 0, seen_fadt = 0, seen_madt = 0, seen_dsdt = 0,
			     seen_facs = 0;
		unsigned int sdt_csums = 0;

		assert_int_equal(acpi_tables_build(&cfgs[c], rsdp_base, tables_base, &t), 0);
		assert_true(t.base[ACPI_BLOB_RSDP] == rsdp_base);
		assert_true(t.base[ACPI_BLOB_TABLES] == tables_base);
		assert_int_equal(t.len[ACPI_BLOB_RSDP], 36);
		assert_int_equal(t.has_facs, !cfgs[c].hw_reduced);
		assert_int_equal(t.nr_ptrs, cfgs[c].hw_reduced ? 5 : 6);
		for (unsigned int i = 0; i < t.nr_ptrs; i++) {
			const struct acpi_pointer *p = &t.ptr[i];
			const uint8_t *field = t.blob[p->in] + p->offset;
			uint64_t v;

			assert_true(p->size == 4 || p->size == 8);
			assert_true(p->offset + p->size <= t.len[p->in]);
			assert_int_equal(p->to, ACPI_BLOB_TABLES);
			v = p->size == 4 ? rd32(field) : rd64(field);
			assert_true(v >= tables_base && v < tables_base + t.len[ACPI_BLOB_TABLES]);
			v -= tables_base;
			seen_xsdt += v == t.xsdt;
			seen_fadt += v == t.fadt;
			seen_madt += v == t.madt;
			seen_dsdt += v == t.dsdt;
			seen_facs += t.has_facs && v == t.facs;
		}
		assert_int_equal(seen_xsdt, 1);
		assert_int_equal(seen_fadt, 1);
		assert_int_equal(seen_madt, 1);
		assert_int_equal(seen_dsdt, 2); /* DSDT and X_DSDT */
		assert_int_equal(seen_facs, t.has_facs ? 1 : 0);

		/* RSDP: the 20-byte checksum first, then the extended one that covers it */
		assert_true(t.nr_csums == 6);
		assert_int_equal(t.csum[0].in, ACPI_BLOB_RSDP);
		assert_int_equal(t.csum[0].offset, 8);
		assert_int_equal(t.csum[0].length, 20);
		assert_int_equal(t.csum[1].in, ACPI_BLOB_RSDP);
		assert_int_equal(t.csum[1].offset, 32);
		assert_int_equal(t.csum[1].length, 36);
		for (unsigned int i = 0; i < t.nr_csums; i++) {
			const struct acpi_checksum *k = &t.csum[i];
			const uint8_t *b = t.blob[k->in];

			assert_true(k->start + k->length <= t.len[k->in]);
			assert_true(k->offset >= k->start && k->offset < k->start + k->length);
			assert_int_equal(acpi_checksum(b + k->start, k->length), 0);
			if (k->in == ACPI_BLOB_TABLES) {
				/* a whole table: header checksum byte, header length */
				assert_int_equal(k->offset, k->start + 9);
				assert_int_equal(k->length, rd32(b + k->start + 4));
				sdt_csums++;
			}
		}
		assert_int_equal(sdt_csums, 4); /* XSDT, FADT, MADT, DSDT; the FACS has none */
		assert_true(rd64(t.blob[ACPI_BLOB_RSDP] + 24) == tables_base + t.xsdt);
		acpi_tables_free(&t);
	}
}

static void bad_arguments(void **state)
{
	struct acpi_tables t;
	const struct acpi_config none = {0, false}, many = {256, false};
	(void)state;

	assert_int_equal(acpi_tables_build(&none, 0, 0, &t), -EINVAL);
	assert_int_equal(acpi_tables_build(&many, 0, 0, &t), -EINVAL);
	assert_int_equal(acpi_tables_build(&pc, 8, 0, &t), -EINVAL);	  /* RSDP not 16-aligned */
	assert_int_equal(acpi_tables_build(&pc, 0, 0x1004, &t), -EINVAL); /* tables not aligned */
	/* 32-bit pointer fields: the tables must end below 4 GiB */
	assert_int_equal(acpi_tables_build(&pc, 0, 0xfffffc00, &t), -EINVAL);
	assert_int_equal(acpi_tables_build(&pc, 0x100000000ULL, 0, &t), -EINVAL);
	/* nothing to free after a failure, and freeing twice is harmless */
	assert_null(t.blob[0]);
	assert_null(t.blob[1]);
	acpi_tables_free(&t);
}

/* The DSDT inside the firmware's tables file: found by its signature, length and checksum. */
static const uint8_t *fw_dsdt(const struct x86_acpi_blobs *b)
{
	const uint8_t *p = b->tables;

	for (size_t i = 0; i + 36 <= b->tables_len; i++) {
		uint32_t len = rd32(p + i + 4);
		uint8_t sum = 0;

		if (memcmp(p + i, "DSDT", 4) || len < 36 || i + len > b->tables_len)
			continue;
		for (uint32_t k = 0; k < len; k++)
			sum += p[i + k];
		if (!sum)
			return p + i;
	}
	return NULL;
}

/* The _CRS's QWord memory descriptor (ACPI 6.4 6.4.3.5.1): min, max and length; 0 when none. */
static int qword_window(const uint8_t *dsdt, uint64_t *min, uint64_t *max, uint64_t *len)
{
	static const uint8_t tag[] = {0x8a, 0x2b, 0x00, 0x00}; /* QWord, 43 bytes, memory range */

	for (uint32_t i = 36; i + 46 <= rd32(dsdt + 4); i++)
		if (!memcmp(dsdt + i, tag, sizeof(tag))) {
			*min = rd64(dsdt + i + 14);
			*max = rd64(dsdt + i + 22);
			*len = rd64(dsdt + i + 38);
			return 1;
		}
	return 0;
}

/*
 * Firmware boot: the host bridge declares the 64-bit window where SeaBIOS puts the 64-bit BARs
 * that do not fit below 4 GiB (the first 1 GiB boundary above the RAM its e820 file lists), and
 * no RAM lies in it.
 */
static void firmware_dsdt_declares_the_64bit_window(void **state)
{
	/* RAM 512 MiB: from 4 GiB; 5 GiB: 3 below the hole, 2 from 4 GiB, so from 6 GiB */
	const struct {
		uint64_t ram, start;
	} cases[] = {{512ULL << 20, 4ULL << 30}, {5ULL << 30, 6ULL << 30}};
	(void)state;

	for (unsigned int c = 0; c < 2; c++) {
		struct guest_mem mem = {0};
		struct x86_acpi_blobs b;
		struct errbuf err = {""};
		uint64_t min, max, len;
		const uint8_t *d;

		assert_int_equal(x86_memory_layout(&mem, cases[c].ram), 0);
		assert_int_equal(x86_acpi_firmware_blobs(2, &mem, NULL, &b, &err), 0);
		d = fw_dsdt(&b);
		assert_non_null(d);
		assert_int_equal(qword_window(d, &min, &max, &len), 1);
		assert_true(min == cases[c].start);
		assert_true(len == X86_PCI_MMIO64_SIZE);
		assert_true(max == min + len - 1);
		for (unsigned int i = 0; i < mem.nr_ram; i++)
			assert_true(mem.ram[i].gpa + mem.ram[i].size <= min);
		x86_acpi_blobs_free(&b);
	}
}

/* Without guest RAM to place it by (the unit tests' other callers), or without room: none. */
static void firmware_dsdt_without_a_window(void **state)
{
	struct guest_mem mem = {0};
	struct x86_acpi_blobs b;
	struct errbuf err = {""};
	uint64_t min, max, len;
	(void)state;

	assert_int_equal(x86_acpi_firmware_blobs(2, NULL, NULL, &b, &err), 0);
	assert_non_null(fw_dsdt(&b));
	assert_int_equal(qword_window(fw_dsdt(&b), &min, &max, &len), 0);
	x86_acpi_blobs_free(&b);
	/* RAM up to where the window would end above X86_PCI_MMIO64_LIMIT */
	assert_int_equal(x86_memory_layout(&mem, X86_PCI_MMIO64_LIMIT - (32ULL << 30)), 0);
	assert_int_equal(x86_acpi_firmware_blobs(2, &mem, NULL, &b, &err), 0);
	assert_int_equal(qword_window(fw_dsdt(&b), &min, &max, &len), 0);
	x86_acpi_blobs_free(&b);
}

static void iasl_accepts_pc_tables(void **state)
{
	char dir[] = "vfvm-acpi-pc-XXXXXX", cmd[600], log[600], *fadt, *madt, *facs, *text;
	const char *const names[] = {"facp", "apic", "facs"};
	struct acpi_tables t;
	uint8_t *b;
	(void)state;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(acpi_tables_build(&pc, 0xf0000, 0x7ff0000, &t), 0);
	b = t.blob[ACPI_BLOB_TABLES];
	fadt = iasl_disassemble(dir, "facp", b + t.fadt, ACPI_FADT_LEN);
	madt = iasl_disassemble(dir, "apic", b + t.madt, rd32(b + t.madt + 4));
	facs = iasl_disassemble(dir, "facs", b + t.facs, ACPI_FACS_LEN);
	assert_non_null(fadt);
	assert_non_null(madt);
	assert_non_null(facs);

	assert_non_null(strstr(fadt, "Hardware Reduced (V5) : 0"));
	assert_non_null(strstr(fadt, "SCI Interrupt : 0009"));
	assert_non_null(strstr(fadt, "SMI Command Port : 00000000"));
	assert_non_null(strstr(fadt, "PM1A Event Block Address : 00000610"));
	assert_non_null(strstr(fadt, "PM1A Control Block Address : 00000614"));
	assert_non_null(strstr(fadt, "PM1 Event Block Length : 04"));
	assert_non_null(strstr(fadt, "PM1 Control Block Length : 02"));
	assert_non_null(strstr(fadt, "PM Timer Block Length : 00"));
	assert_non_null(strstr(fadt, "Legacy Devices Supported (V2) : 1"));
	assert_non_null(strstr(fadt, "8042 Present on ports 60/64 (V2) : 0"));
	assert_non_null(strstr(fadt, "CMOS RTC Not Present (V5) : 0"));
	assert_non_null(strstr(fadt, "RTC Century Index : 32"));
	assert_non_null(strstr(fadt, "FACS Address : 07FF0000"));
	assert_non_null(strstr(fadt, "Value to cause reset : 06"));
	assert_non_null(strstr(madt, "Source : 09"));
	assert_non_null(strstr(facs, "Signature : \"FACS\""));
	for (unsigned int i = 0; i < 3; i++) {
		text = i == 0 ? fadt : i == 1 ? madt : facs;
		assert_null(strstr(text, "Checksum is incorrect"));
		assert_null(strstr(text, "Error"));
		assert_null(strstr(text, "Warning"));
		assert_null(strstr(text, "Invalid"));
		snprintf(log, sizeof(log), "%s/%s.log", dir, names[i]);
		text = slurp(log);
		assert_non_null(text);
		assert_null(strstr(text, "Error"));
		assert_null(strstr(text, "Warning"));
		free(text);
	}
	free(fadt);
	free(madt);
	free(facs);
	acpi_tables_free(&t);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* The firmware's DSDT of a 5 GiB guest, through iasl and back: the window as ACPICA reads it. */
static void iasl_reads_the_firmware_window(void **state)
{
	char dir[] = "vfvm-acpi-pc64-XXXXXX", cmd[600], *dsdt;
	struct guest_mem mem = {0};
	struct x86_acpi_blobs b;
	struct errbuf err = {""};
	const uint8_t *d;
	(void)state;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(x86_memory_layout(&mem, 5ULL << 30), 0);
	assert_int_equal(x86_acpi_firmware_blobs(2, &mem, NULL, &b, &err), 0);
	d = fw_dsdt(&b);
	assert_non_null(d);
	dsdt = iasl_disassemble(dir, "dsdt", d, rd32(d + 4));
	assert_non_null(dsdt);
	assert_non_null(
		strstr(dsdt, "QWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed"));
	assert_non_null(strstr(dsdt, "0x0000000180000000, // Range Minimum"));
	assert_non_null(strstr(dsdt, "0x000000117FFFFFFF, // Range Maximum"));
	assert_non_null(strstr(dsdt, "0x0000001000000000, // Length"));
	/* the window below 4 GiB is still there */
	assert_non_null(strstr(dsdt, "0xC0000000"));
	assert_null(strstr(dsdt, "Error"));
	snprintf(cmd, sizeof(cmd), "cd '%s' && iasl -p recompiled dsdt.dsl >recompile.log 2>&1",
		 dir);
	assert_int_equal(system(cmd), 0);
	free(dsdt);
	x86_acpi_blobs_free(&b);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fadt_describes_a_pc),
		cmocka_unit_test(facs_is_aligned_and_madt_routes_the_sci),
		cmocka_unit_test(pointers_and_checksums_are_listed),
		cmocka_unit_test(bad_arguments),
		cmocka_unit_test(firmware_dsdt_declares_the_64bit_window),
		cmocka_unit_test(firmware_dsdt_without_a_window),
		cmocka_unit_test(iasl_accepts_pc_tables), /* last two: optional */
		cmocka_unit_test(iasl_reads_the_firmware_window),
	};
	size_t n = sizeof(tests) / sizeof(tests[0]);

	/* cmocka reports a skip as "not ok # SKIP", which meson counts as a failure */
	if (!iasl_present()) {
		printf("# iasl_accepts_pc_tables, iasl_reads_the_firmware_window not run: iasl "
		       "(acpica-tools) is not installed\n");
		n -= 2;
	}
	return _cmocka_run_group_tests("x86_acpi_pc", tests, n, NULL, NULL);
}
