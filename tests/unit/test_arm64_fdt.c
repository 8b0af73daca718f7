// SPDX-License-Identifier: MIT
/*
 * The arm64 machine's device tree, parsed back with libfdt: every node, property, phandle,
 * interrupt-map and msi-map entry; and dtc's decompilation of it against a golden .dts.
 */
#include <errno.h>
#include <libfdt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "vmm/arm64/arm64.h"

#define BUF_SIZE 0x10000

static void *build(unsigned int cpus, uint64_t initrd_start, uint64_t initrd_end)
{
	struct arm64_fdt_args a = {
		.ram_base = ARM64_RAM_BASE,
		.ram_size = 256ULL << 20,
		.cpus = cpus,
		.bootargs = "console=ttyS0 earlycon panic=-1 quiet",
		.initrd_start = initrd_start,
		.initrd_end = initrd_end,
	};
	struct errbuf e = {""};
	void *fdt = malloc(BUF_SIZE);

	assert_non_null(fdt);
	assert_int_equal(arm64_fdt_build(&a, fdt, BUF_SIZE, &e), 0);
	assert_int_equal(fdt_check_header(fdt), 0);
	assert_int_equal(fdt_check_full(fdt, fdt_totalsize(fdt)), 0);
	return fdt;
}

static int node(const void *fdt, const char *path)
{
	int off = fdt_path_offset(fdt, path);

	if (off < 0)
		fail_msg("no node %s: %s", path, fdt_strerror(off));
	return off;
}

static const fdt32_t *cells(const void *fdt, int off, const char *name, int ncells)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, off, name, &len);

	if (!p)
		fail_msg("no property %s", name);
	assert_int_equal(len, ncells * 4);
	return p;
}

static uint32_t cell(const void *fdt, int off, const char *name)
{
	return fdt32_to_cpu(cells(fdt, off, name, 1)[0]);
}

static void expect_cells(const void *fdt, int off, const char *name, const uint32_t *want, int n)
{
	const fdt32_t *p = cells(fdt, off, name, n);

	for (int i = 0; i < n; i++)
		if (fdt32_to_cpu(p[i]) != want[i])
			fail_msg("%s cell %d: %#x, expected %#x", name, i, fdt32_to_cpu(p[i]),
				 want[i]);
}

static void expect_str(const void *fdt, int off, const char *name, const char *want)
{
	const char *s = fdt_getprop(fdt, off, name, NULL);

	assert_non_null(s);
	assert_string_equal(s, want);
}

static void expect_empty(const void *fdt, int off, const char *name)
{
	int len = -1;

	assert_non_null(fdt_getprop(fdt, off, name, &len));
	assert_int_equal(len, 0);
}

/* Every node of the tree, in order: nothing more, nothing less. */
static void nodes_are_exactly_these(void **state)
{
	static const char *const want[] = {
		"",
		"chosen",
		"memory@40000000",
		"cpus",
		"cpu@0",
		"cpu@1",
		"psci",
		"timer",
		"intc@8000000",
		"its@8080000",
		"pcie@3f000000",
		"serial@9000000",
	};
	void *fdt = build(2, 0, 0);
	unsigned int n = 0;
	int depth = 0;

	(void)state;
	for (int off = 0; off >= 0 && depth >= 0; off = fdt_next_node(fdt, off, &depth)) {
		assert_true(n < sizeof(want) / sizeof(want[0]));
		assert_string_equal(fdt_get_name(fdt, off, NULL), want[n]);
		n++;
	}
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	free(fdt);
}

static void root_chosen_memory(void **state)
{
	void *fdt = build(1, 0x4f000000, 0x4f123457);
	const fdt64_t *p;
	int off, len;

	(void)state;
	off = node(fdt, "/");
	expect_str(fdt, off, "compatible", "linux,dummy-virt");
	assert_int_equal(cell(fdt, off, "#address-cells"), 2);
	assert_int_equal(cell(fdt, off, "#size-cells"), 2);
	assert_int_equal(cell(fdt, off, "interrupt-parent"), ARM64_PHANDLE_GIC);

	off = node(fdt, "/chosen");
	expect_str(fdt, off, "bootargs", "console=ttyS0 earlycon panic=-1 quiet");
	expect_str(fdt, off, "stdout-path", "/serial@9000000");
	/* stdout-path names a node that exists: earlycon finds the UART through it */
	assert_true(fdt_path_offset(fdt, fdt_getprop(fdt, off, "stdout-path", NULL)) > 0);
	p = fdt_getprop(fdt, off, "linux,initrd-start", &len);
	assert_non_null(p);
	assert_int_equal(len, 8);
	assert_int_equal(fdt64_ld(p), 0x4f000000);
	p = fdt_getprop(fdt, off, "linux,initrd-end", &len);
	assert_non_null(p);
	assert_int_equal(len, 8);
	assert_int_equal(fdt64_ld(p), 0x4f123457);

	off = node(fdt, "/memory@40000000");
	expect_str(fdt, off, "device_type", "memory");
	expect_cells(fdt, off, "reg", (const uint32_t[]){0, 0x40000000, 0, 0x10000000}, 4);
	free(fdt);

	/* no initrd: no initrd properties at all */
	fdt = build(1, 0, 0);
	off = node(fdt, "/chosen");
	assert_null(fdt_getprop(fdt, off, "linux,initrd-start", NULL));
	assert_null(fdt_getprop(fdt, off, "linux,initrd-end", NULL));
	free(fdt);
}

static void cpus_psci_timer(void **state)
{
	void *fdt = build(17, 0, 0);
	int off, n = 0;

	(void)state;
	off = node(fdt, "/cpus");
	assert_int_equal(cell(fdt, off, "#address-cells"), 1);
	assert_int_equal(cell(fdt, off, "#size-cells"), 0);
	for (int c = fdt_first_subnode(fdt, off); c >= 0; c = fdt_next_subnode(fdt, c), n++) {
		expect_str(fdt, c, "device_type", "cpu");
		expect_str(fdt, c, "compatible", "arm,arm-v8");
		expect_str(fdt, c, "enable-method", "psci");
		/* KVM's MPIDR: Aff0 counts to 15, then Aff1 */
		assert_int_equal(cell(fdt, c, "reg"), n < 16 ? n : 0x100 + (n - 16));
	}
	assert_int_equal(n, 17);
	node(fdt, "/cpus/cpu@f");
	node(fdt, "/cpus/cpu@100");

	off = node(fdt, "/psci");
	expect_str(fdt, off, "compatible", "arm,psci-0.2");
	expect_str(fdt, off, "method", "hvc");

	off = node(fdt, "/timer");
	expect_str(fdt, off, "compatible", "arm,armv8-timer");
	expect_cells(fdt, off, "interrupts",
		     (const uint32_t[]){1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4}, 12);
	expect_empty(fdt, off, "always-on");

	/* the GIC's redistributor region grows with the vCPUs: 17 x 128 KiB */
	off = node(fdt, "/intc@8000000");
	expect_cells(fdt, off, "reg",
		     (const uint32_t[]){0, 0x08000000, 0, 0x10000, 0, 0x080a0000, 0, 17 * 0x20000},
		     8);
	free(fdt);
}

static void gic_its_phandles(void **state)
{
	void *fdt = build(2, 0, 0);
	int gic, its;

	(void)state;
	gic = node(fdt, "/intc@8000000");
	expect_str(fdt, gic, "compatible", "arm,gic-v3");
	expect_empty(fdt, gic, "interrupt-controller");
	expect_empty(fdt, gic, "ranges");
	assert_int_equal(cell(fdt, gic, "#interrupt-cells"), 3);
	assert_int_equal(cell(fdt, gic, "#address-cells"), 2);
	assert_int_equal(cell(fdt, gic, "#size-cells"), 2);
	expect_cells(fdt, gic, "reg",
		     (const uint32_t[]){0, 0x08000000, 0, 0x10000, 0, 0x080a0000, 0, 0x40000}, 8);
	assert_int_equal(fdt_get_phandle(fdt, gic), ARM64_PHANDLE_GIC);
	assert_int_equal(fdt_node_offset_by_phandle(fdt, ARM64_PHANDLE_GIC), gic);

	its = node(fdt, "/intc@8000000/its@8080000");
	expect_str(fdt, its, "compatible", "arm,gic-v3-its");
	expect_empty(fdt, its, "msi-controller");
	assert_int_equal(cell(fdt, its, "#msi-cells"), 1);
	expect_cells(fdt, its, "reg", (const uint32_t[]){0, 0x08080000, 0, 0x20000}, 4);
	assert_int_equal(fdt_get_phandle(fdt, its), ARM64_PHANDLE_ITS);
	assert_int_equal(fdt_node_offset_by_phandle(fdt, ARM64_PHANDLE_ITS), its);
	/* the two phandles are the only ones */
	assert_int_equal(fdt_get_max_phandle(fdt), ARM64_PHANDLE_ITS);
	free(fdt);
}

static void pci_host(void **state)
{
	static const uint32_t ranges[] = {
		0x01000000, 0,	  0,	      0,    0x3eff0000, 0,    0x10000,	  /* I/O */
		0x02000000, 0,	  0x10000000, 0,    0x10000000, 0,    0x2eff0000, /* 32-bit */
		0x03000000, 0x80, 0,	      0x80, 0,		0x80, 0,	  /* 64-bit */
	};
	void *fdt = build(2, 0, 0);
	const fdt32_t *map;
	int off, gic, its;

	(void)state;
	off = node(fdt, "/pcie@3f000000");
	expect_str(fdt, off, "compatible", "pci-host-ecam-generic");
	expect_str(fdt, off, "device_type", "pci");
	assert_int_equal(cell(fdt, off, "#address-cells"), 3);
	assert_int_equal(cell(fdt, off, "#size-cells"), 2);
	assert_int_equal(cell(fdt, off, "#interrupt-cells"), 1);
	expect_cells(fdt, off, "reg", (const uint32_t[]){0, 0x3f000000, 0, 0x1000000}, 4);
	expect_cells(fdt, off, "bus-range", (const uint32_t[]){0, 15}, 2);
	assert_int_equal(cell(fdt, off, "linux,pci-domain"), 0);
	expect_empty(fdt, off, "dma-coherent");
	expect_cells(fdt, off, "ranges", ranges, 21);

	/* msi-map: requester IDs 0-0xffff are ITS device IDs 0-0xffff */
	its = node(fdt, "/intc@8000000/its@8080000");
	map = cells(fdt, off, "msi-map", 4);
	assert_int_equal(fdt32_to_cpu(map[0]), 0);
	assert_int_equal(fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(map[1])), its);
	assert_int_equal(fdt32_to_cpu(map[2]), 0);
	assert_int_equal(fdt32_to_cpu(map[3]), 0x10000);

	/* interrupt-map: slots 0-3 (the mask keeps two slot bits) x INTA-INTD, swizzled */
	expect_cells(fdt, off, "interrupt-map-mask", (const uint32_t[]){0x1800, 0, 0, 7}, 4);
	gic = node(fdt, "/intc@8000000");
	map = cells(fdt, off, "interrupt-map", 16 * 10);
	for (unsigned int i = 0; i < 16; i++) {
		const fdt32_t *e = map + i * 10;
		unsigned int slot = i / 4, pin = i % 4 + 1;

		assert_int_equal(fdt32_to_cpu(e[0]), slot << 11);
		assert_int_equal(fdt32_to_cpu(e[1]), 0);
		assert_int_equal(fdt32_to_cpu(e[2]), 0);
		assert_int_equal(fdt32_to_cpu(e[3]), pin);
		assert_int_equal(fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(e[4])), gic);
		assert_int_equal(fdt32_to_cpu(e[5]), 0); /* the GIC's #address-cells is 2 */
		assert_int_equal(fdt32_to_cpu(e[6]), 0);
		assert_int_equal(fdt32_to_cpu(e[7]), 0); /* SPI */
		/* SPIs 3-6: INTA of slot 0 is SPI 3, each slot further rotates by one */
		assert_int_equal(fdt32_to_cpu(e[8]), 3 + (slot + pin - 1) % 4);
		assert_int_equal(fdt32_to_cpu(e[8]), arm64_pci_intx_gsi(slot, pin - 1));
		assert_int_equal(fdt32_to_cpu(e[9]), 4); /* level, active high */
	}
	/* slot 4 folds onto slot 0, as the routing vfvm programs does */
	assert_int_equal(arm64_pci_intx_gsi(4, 0), arm64_pci_intx_gsi(0, 0));
	free(fdt);
}

static void uart(void **state)
{
	void *fdt = build(1, 0, 0);
	int off;

	(void)state;
	off = node(fdt, "/serial@9000000");
	expect_str(fdt, off, "compatible", "ns16550a");
	expect_cells(fdt, off, "reg", (const uint32_t[]){0, 0x09000000, 0, 0x1000}, 4);
	expect_cells(fdt, off, "interrupts", (const uint32_t[]){0, 1, 4}, 3);
	assert_int_equal(cell(fdt, off, "clock-frequency"), 1843200);
	assert_int_equal(cell(fdt, off, "reg-shift"), 0);
	assert_int_equal(cell(fdt, off, "reg-io-width"), 1);
	free(fdt);
}

static void bad_inputs(void **state)
{
	struct arm64_fdt_args a = {.ram_base = ARM64_RAM_BASE, .ram_size = 1 << 30, .cpus = 0};
	struct errbuf e = {""};
	char small[256];
	void *fdt = malloc(BUF_SIZE);

	(void)state;
	assert_int_equal(arm64_fdt_build(&a, fdt, BUF_SIZE, &e), -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "0 vCPUs"));
	a.cpus = ARM64_MAX_CPUS + 1;
	assert_int_equal(arm64_fdt_build(&a, fdt, BUF_SIZE, &e), -EINVAL);
	assert_non_null(strstr(errbuf_msg(&e), "124 vCPUs"));
	a.cpus = ARM64_MAX_CPUS;
	assert_int_equal(arm64_fdt_build(&a, fdt, BUF_SIZE, &e), 0);
	a.cpus = 1;
	assert_int_equal(arm64_fdt_build(&a, small, sizeof(small), &e), -ENOSPC);
	assert_non_null(strstr(errbuf_msg(&e), "does not fit in 256 bytes"));
	free(fdt);
}

/* dtc's reading of the blob, as a user sees it with `vfvm run --dump-dtb`, against the golden. */
static void golden_dts(void **state)
{
	const char *dtc = getenv("DTC"), *data = getenv("VFVM_TEST_DATA");
	char blob[] = "/tmp/vfvm-fdt-XXXXXX", cmd[512], path[512];
	static char got[BUF_SIZE], want[BUF_SIZE];
	size_t got_len, want_len;
	void *fdt;
	FILE *f;
	int fd;

	(void)state;
	if (!dtc || !*dtc)
		skip(); /* meson found no dtc (Debian device-tree-compiler) */
	assert_non_null(data);
	fdt = build(2, 0x4f000000, 0x4f800000);
	fd = mkstemp(blob);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, fdt, fdt_totalsize(fdt)), fdt_totalsize(fdt));
	close(fd);
	free(fdt);
	snprintf(cmd, sizeof(cmd), "'%s' -q -I dtb -O dts '%s'", dtc, blob);
	f = popen(cmd, "r");
	assert_non_null(f);
	got_len = fread(got, 1, sizeof(got) - 1, f);
	assert_int_equal(pclose(f), 0);
	unlink(blob);
	got[got_len] = 0;

	snprintf(path, sizeof(path), "%s/arm64-2cpu.dts", data);
	f = fopen(path, "r");
	assert_non_null(f);
	want_len = fread(want, 1, sizeof(want) - 1, f);
	fclose(f);
	want[want_len] = 0;
	if (strcmp(got, want))
		fail_msg("dtc's decompilation differs from %s; it is:\n%s", path, got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nodes_are_exactly_these),
		cmocka_unit_test(root_chosen_memory),
		cmocka_unit_test(cpus_psci_timer),
		cmocka_unit_test(gic_its_phandles),
		cmocka_unit_test(pci_host),
		cmocka_unit_test(uart),
		cmocka_unit_test(bad_inputs),
		cmocka_unit_test(golden_dts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
