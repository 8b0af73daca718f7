// SPDX-License-Identifier: MIT
/*
 * The ACPI VIOT table that tells an x86 guest which functions sit behind the virtio-iommu
 * (--viommu), read back by its layout in the VIOT specification, and by iasl where it knows
 * the table. Without a vIOMMU the tables are the golden ones byte for byte (test_x86_acpi).
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

#include "tests/unit/acpi_test_util.h"
#include "vmm/x86/acpi.h"
#include "vmm/x86/x86.h"

#define AREA_LEN (X86_ACPI_END - X86_ACPI_START)

static const struct x86_viot two = {.iommu_bdf = 0x18, .nr = 2, .ep_bdf = {0x08, 0x10}};

static uint8_t *at(uint8_t *area, uint64_t gpa)
{
	assert_true(gpa >= X86_ACPI_START && gpa < X86_ACPI_END);
	return area + (gpa - X86_ACPI_START);
}

static void xsdt_lists_the_viot(void **state)
{
	uint8_t *area = calloc(1, AREA_LEN), *xsdt, *v;
	struct acpi_layout l;
	(void)state;

	assert_int_equal(acpi_build_viot(area, X86_ACPI_START, AREA_LEN, 2, &two, &l), 0);
	xsdt = at(area, l.xsdt);
	assert_int_equal(rd32(xsdt + 4), 36 + 3 * 8);
	assert_int_equal(acpi_checksum(xsdt, rd32(xsdt + 4)), 0);
	assert_int_equal(rd64(xsdt + 36 + 16), l.viot);
	assert_int_equal(rd64(xsdt + 36), l.fadt);
	v = at(area, l.viot);
	assert_memory_equal(v, "VIOT", 4);
	assert_int_equal(rd32(v + 4), ACPI_VIOT_HEADER_LEN + 16 + 2 * 24);
	assert_int_equal(acpi_checksum(v, rd32(v + 4)), 0);
	assert_true(l.viot + rd32(v + 4) <= X86_ACPI_START + l.used);
	free(area);
}

static void nodes_as_the_spec_lays_them_out(void **state)
{
	uint8_t *area = calloc(1, AREA_LEN), *v, *n;
	struct acpi_layout l;
	unsigned int count, off;
	(void)state;

	assert_int_equal(acpi_build_viot(area, X86_ACPI_START, AREA_LEN, 1, &two, &l), 0);
	v = at(area, l.viot);
	count = rd16(v + 36);
	off = rd16(v + 38);
	assert_int_equal(count, 3);
	assert_int_equal(off, ACPI_VIOT_HEADER_LEN);
	/* node 0: the virtio-pci IOMMU at 00:03.0 */
	n = v + off;
	assert_int_equal(n[0], ACPI_VIOT_NODE_VIRTIO_PCI);
	assert_int_equal(rd16(n + 2), 16);
	assert_int_equal(rd16(n + 4), 0);
	assert_int_equal(rd16(n + 6), 0x18);
	/* then one PCI range per function, endpoint ID == BDF, output node == the IOMMU */
	for (unsigned int i = 0; i < 2; i++) {
		n = v + off + 16 + 24 * i;
		assert_int_equal(n[0], ACPI_VIOT_NODE_PCI_RANGE);
		assert_int_equal(rd16(n + 2), 24);
		assert_int_equal(rd32(n + 4), two.ep_bdf[i]);
		assert_int_equal(rd16(n + 8), 0);
		assert_int_equal(rd16(n + 10), 0);
		assert_int_equal(rd16(n + 12), two.ep_bdf[i]);
		assert_int_equal(rd16(n + 14), two.ep_bdf[i]);
		assert_int_equal(rd16(n + 16), off);
		for (unsigned int k = 18; k < 24; k++)
			assert_int_equal(n[k], 0);
	}
	free(area);
}

static void without_viot_same_bytes(void **state)
{
	uint8_t *a = calloc(1, AREA_LEN), *b = calloc(1, AREA_LEN);
	const struct acpi_config plain = {.ncpus = 4, .hw_reduced = true};
	struct acpi_layout la, lb;
	struct x86_viot many = two;
	(void)state;

	assert_int_equal(acpi_build(a, X86_ACPI_START, AREA_LEN, &plain, &la), 0);
	assert_int_equal(acpi_build_viot(b, X86_ACPI_START, AREA_LEN, 4, NULL, &lb), 0);
	assert_int_equal(la.used, lb.used);
	assert_memory_equal(a, b, AREA_LEN);
	assert_int_equal(lb.viot, 0);
	many.nr = X86_VIOT_MAX_ENDPOINTS + 1;
	assert_int_equal(acpi_build_viot(b, X86_ACPI_START, AREA_LEN, 4, &many, &lb), -EINVAL);
	free(a);
	free(b);
}

/* iasl before 20210604 does not decode VIOT; it still checks the header and the checksum. */
static void iasl_reads_the_viot(void **state)
{
	char dir[] = "vfvm-viot-XXXXXX", cmd[300];
	uint8_t *area = calloc(1, AREA_LEN), *v;
	struct acpi_layout l;
	char *dsl;
	(void)state;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(acpi_build_viot(area, X86_ACPI_START, AREA_LEN, 1, &two, &l), 0);
	v = at(area, l.viot);
	dsl = iasl_disassemble(dir, "viot", v, rd32(v + 4));
	assert_non_null(dsl);
	assert_non_null(strstr(dsl, "Signature : \"VIOT\""));
	assert_non_null(strstr(dsl, "Table Length : 00000070"));
	assert_null(strstr(dsl, "Checksum is incorrect"));
	assert_null(strstr(dsl, "Error"));
	if (strstr(dsl, "Unknown ACPI table signature"))
		printf("# this iasl does not decode VIOT nodes (needs ACPICA 20210604 or later)\n");
	else
		assert_null(strstr(dsl, "Invalid"));
	free(dsl);
	free(area);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(xsdt_lists_the_viot),
		cmocka_unit_test(nodes_as_the_spec_lays_them_out),
		cmocka_unit_test(without_viot_same_bytes),
		cmocka_unit_test(iasl_reads_the_viot), /* last: optional */
	};
	size_t n = sizeof(tests) / sizeof(tests[0]);

	if (!iasl_present()) {
		printf("# iasl_reads_the_viot not run: iasl (acpica-tools) is not installed\n");
		n--;
	}
	return _cmocka_run_group_tests("x86_viot", tests, n, NULL, NULL);
}
