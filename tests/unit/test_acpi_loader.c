// SPDX-License-Identifier: MIT
/*
 * The etc/table-loader script: the builder's entries byte by byte, its refusals, and the
 * firmware-boot ACPI files run through a small executor with SeaBIOS's semantics
 * (romfile_loader.c), at different addresses, after which the tables must form a valid chain.
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
#include "devices/bus.h"
#include "firmware/acpi_loader.h"
#include "firmware/fw_cfg.h"
#include "vmm/x86/x86.h"

#define GUEST_RAM (16u << 20)
#define FSEG_START 0xf0000u
#define FSEG_END 0x100000u

static void allocate_entry_layout(void **state)
{
	struct acpi_loader l;
	uint8_t want[128] = {1, 0, 0, 0};
	(void)state;

	acpi_loader_init(&l);
	assert_int_equal(acpi_loader_allocate(&l, "etc/acpi/rsdp", 36, 16, ACPI_LOADER_ZONE_FSEG),
			 0);
	memcpy(want + 4, "etc/acpi/rsdp", 13);
	want[60] = 16; /* le32 align */
	want[64] = 2;  /* zone FSEG */
	assert_int_equal(l.len, 128);
	assert_memory_equal(l.buf, want, 128);
	acpi_loader_free(&l);
}

static void pointer_and_checksum_entry_layout(void **state)
{
	struct acpi_loader l;
	uint8_t ptr[128] = {2, 0, 0, 0}, csum[128] = {3, 0, 0, 0};
	(void)state;

	acpi_loader_init(&l);
	assert_int_equal(acpi_loader_allocate(&l, "a", 0x2000, 64, ACPI_LOADER_ZONE_HIGH), 0);
	assert_int_equal(acpi_loader_allocate(&l, "b", 4, 1, ACPI_LOADER_ZONE_HIGH), 0);
	assert_int_equal(acpi_loader_add_pointer(&l, "a", 0x1234, 8, "b"), 0);
	assert_int_equal(acpi_loader_add_checksum(&l, "a", 0x1009, 0x1000, 0x114), 0);
	assert_int_equal(l.len, 4 * 128);
	/* dest_file[56] at 4, src_file[56] at 60, le32 offset at 116, size at 120 */
	ptr[4] = 'a';
	ptr[60] = 'b';
	ptr[116] = 0x34;
	ptr[117] = 0x12;
	ptr[120] = 8;
	assert_memory_equal(l.buf + 2 * 128, ptr, 128);
	/* file[56] at 4, le32 offset at 60, start at 64, length at 68 */
	csum[4] = 'a';
	csum[60] = 0x09;
	csum[61] = 0x10;
	csum[65] = 0x10;
	csum[68] = 0x14;
	csum[69] = 0x01;
	assert_memory_equal(l.buf + 3 * 128, csum, 128);
	acpi_loader_free(&l);
	assert_null(l.buf);
	assert_int_equal(l.len, 0);
}

/* Everything SeaBIOS would skip is refused when added, and a refusal adds nothing. */
static void refusals(void **state)
{
	char longest[56], too_long[57];
	struct acpi_loader l;
	(void)state;

	memset(longest, 'x', 55);
	longest[55] = 0;
	memset(too_long, 'y', 56);
	too_long[56] = 0;
	acpi_loader_init(&l);
	assert_int_equal(acpi_loader_allocate(&l, "", 8, 16, ACPI_LOADER_ZONE_HIGH), -EINVAL);
	assert_int_equal(acpi_loader_allocate(&l, NULL, 8, 16, ACPI_LOADER_ZONE_HIGH), -EINVAL);
	assert_int_equal(acpi_loader_allocate(&l, too_long, 8, 16, ACPI_LOADER_ZONE_HIGH), -EINVAL);
	assert_int_equal(acpi_loader_allocate(&l, "f", 0, 16, ACPI_LOADER_ZONE_HIGH), -EINVAL);
	assert_int_equal(acpi_loader_allocate(&l, "f", 8, 0, ACPI_LOADER_ZONE_HIGH), -EINVAL);
	assert_int_equal(acpi_loader_allocate(&l, "f", 8, 48, ACPI_LOADER_ZONE_HIGH), -EINVAL);
	assert_int_equal(acpi_loader_allocate(&l, "f", 8, 16, 0), -EINVAL);
	assert_int_equal(acpi_loader_allocate(&l, "f", 8, 16, 3), -EINVAL);
	assert_int_equal(l.len, 0);

	assert_int_equal(acpi_loader_allocate(&l, longest, 64, 1, ACPI_LOADER_ZONE_HIGH), 0);
	assert_int_equal(acpi_loader_allocate(&l, longest, 64, 1, ACPI_LOADER_ZONE_HIGH), -EEXIST);
	assert_memory_equal(l.buf + 4, longest, 55);
	assert_int_equal(l.buf[59], 0); /* the name keeps its NUL inside the field */
	assert_int_equal(acpi_loader_allocate(&l, "g", 16, 1, ACPI_LOADER_ZONE_FSEG), 0);

	/* pointers: unknown files, sizes, fields outside the destination */
	assert_int_equal(acpi_loader_add_pointer(&l, "nope", 0, 4, "g"), -ENOENT);
	assert_int_equal(acpi_loader_add_pointer(&l, "g", 0, 4, "nope"), -ENOENT);
	assert_int_equal(acpi_loader_add_pointer(&l, "g", 0, 4, too_long), -ENOENT);
	assert_int_equal(acpi_loader_add_pointer(&l, "g", 0, 0, longest), -EINVAL);
	assert_int_equal(acpi_loader_add_pointer(&l, "g", 0, 3, longest), -EINVAL);
	assert_int_equal(acpi_loader_add_pointer(&l, "g", 0, 16, longest), -EINVAL);
	assert_int_equal(acpi_loader_add_pointer(&l, "g", 9, 8, longest), -ERANGE);
	assert_int_equal(acpi_loader_add_pointer(&l, "g", 0xfffffffc, 8, longest), -ERANGE);
	assert_int_equal(acpi_loader_add_pointer(&l, "g", 8, 8, longest), 0);
	assert_int_equal(acpi_loader_add_pointer(&l, "g", 15, 1, "g"), 0);

	/* checksums: ranges outside the file, a checksum byte outside its range */
	assert_int_equal(acpi_loader_add_checksum(&l, "nope", 0, 0, 1), -ENOENT);
	assert_int_equal(acpi_loader_add_checksum(&l, "g", 0, 0, 17), -ERANGE);
	assert_int_equal(acpi_loader_add_checksum(&l, "g", 0, 0xfffffff0, 0x20), -ERANGE);
	assert_int_equal(acpi_loader_add_checksum(&l, "g", 8, 0, 8), -ERANGE);
	assert_int_equal(acpi_loader_add_checksum(&l, "g", 3, 4, 8), -ERANGE);
	assert_int_equal(acpi_loader_add_checksum(&l, "g", 0, 0, 0), -ERANGE);
	assert_int_equal(acpi_loader_add_checksum(&l, "g", 15, 0, 16), 0);
	assert_int_equal(l.len, 5 * 128);

	/* the file table is bounded */
	for (unsigned int i = 2; i < ACPI_LOADER_MAX_FILES; i++) {
		char name[8];

		snprintf(name, sizeof(name), "f%u", i);
		assert_int_equal(acpi_loader_allocate(&l, name, 1, 1, ACPI_LOADER_ZONE_HIGH), 0);
	}
	assert_int_equal(acpi_loader_allocate(&l, "last", 1, 1, ACPI_LOADER_ZONE_HIGH), -ENOSPC);
	acpi_loader_free(&l);
}

/* The fw_cfg files a firmware would find, and where this run places each. */
struct fw_file {
	const char *name;
	const uint8_t *data;
	size_t size;
	uint32_t addr; /* chosen by the test; 0 until allocated */
};

struct run {
	uint8_t *ram;
	struct fw_file files[2];
	unsigned int errors;		/* entries SeaBIOS would skip with a warning */
	unsigned int executed[4];	/* per command */
	bool checksums_before_pointers; /* a wrong order, to show the checks catch it */
};

/* Byte sum, written here rather than taken from the code under test. */
static uint8_t sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

static struct fw_file *find(struct run *r, const uint8_t *name, bool allocated)
{
	if (name[55])
		return NULL;
	for (unsigned int i = 0; i < 2; i++)
		if (!strcmp(r->files[i].name, (const char *)name) &&
		    (!allocated || r->files[i].addr))
			return &r->files[i];
	return NULL;
}

static void execute_one(struct run *r, const uint8_t *e, uint32_t addrs[2])
{
	uint32_t cmd = rd32(e);
	struct fw_file *f, *src;

	if (cmd == ACPI_LOADER_ALLOCATE) {
		uint32_t align = rd32(e + 60);

		f = find(r, e + 4, false);
		if (!f || (align & (align - 1)) || (e[64] != 1 && e[64] != 2)) {
			r->errors++;
			return;
		}
		f->addr = addrs[f - r->files];
		/* the test's addresses must honour what the script asks for */
		assert_int_equal(f->addr % (align ? align : 1), 0);
		if (e[64] == 2)
			assert_true(f->addr >= FSEG_START && f->addr + f->size <= FSEG_END);
		memcpy(r->ram + f->addr, f->data, f->size);
	} else if (cmd == ACPI_LOADER_ADD_POINTER) {
		uint32_t off = rd32(e + 116), size = e[120];
		uint64_t v = 0;

		f = find(r, e + 4, true);
		src = find(r, e + 60, true);
		if (!f || !src || size < 1 || size > 8 || (size & (size - 1)) ||
		    (uint64_t)off + size > f->size) {
			r->errors++;
			return;
		}
		memcpy(&v, r->ram + f->addr + off, size); /* little endian host, as SeaBIOS */
		v += src->addr;
		memcpy(r->ram + f->addr + off, &v, size);
	} else if (cmd == ACPI_LOADER_ADD_CHECKSUM) {
		uint32_t off = rd32(e + 60), start = rd32(e + 64), len = rd32(e + 68);

		f = find(r, e + 4, true);
		if (!f || off >= f->size || (uint64_t)start + len > f->size) {
			r->errors++;
			return;
		}
		r->ram[f->addr + off] -= sum8(r->ram + f->addr + start, len);
	} else {
		return; /* SeaBIOS skips unknown commands */
	}
	r->executed[cmd]++;
}

static void execute(struct run *r, const struct x86_acpi_blobs *b, uint32_t rsdp_addr,
		    uint32_t tables_addr)
{
	uint32_t addrs[2] = {rsdp_addr, tables_addr};
	const uint8_t *script = b->loader;

	r->files[0] = (struct fw_file){X86_ACPI_FW_RSDP, b->rsdp, b->rsdp_len, 0};
	r->files[1] = (struct fw_file){X86_ACPI_FW_TABLES, b->tables, b->tables_len, 0};
	assert_int_equal(b->loader_len % 128, 0);
	if (!r->checksums_before_pointers) {
		for (size_t off = 0; off < b->loader_len; off += 128)
			execute_one(r, script + off, addrs);
		return;
	}
	for (uint32_t pass = 0; pass < 3; pass++)
		for (size_t off = 0; off < b->loader_len; off += 128)
			if (rd32(script + off) == (const uint32_t[]){1, 3, 2}[pass])
				execute_one(r, script + off, addrs);
}

/* A table the chain points at: inside the tables file as the run placed it. */
static const uint8_t *follow(struct run *r, uint64_t addr, const char *sig)
{
	const struct fw_file *t = &r->files[1];

	assert_true(addr >= t->addr && addr + 8 <= t->addr + t->size);
	assert_memory_equal(r->ram + addr, sig, 4);
	assert_true(addr + rd32(r->ram + addr + 4) <= t->addr + t->size);
	return r->ram + addr;
}

/*
 * Walk RSDP -> XSDT -> FADT -> DSDT / FACS and XSDT -> MADT as an OS does, checking where each
 * pointer lands; return how many of the six checksums (RSDP 20 and 36 bytes, XSDT, FADT, MADT,
 * DSDT) are wrong.
 */
static unsigned int check_chain(struct run *r, unsigned int ncpus)
{
	const uint8_t *rsdp = r->ram + r->files[0].addr, *xsdt, *fadt, *madt, *dsdt, *facs;
	unsigned int bad = 0;

	assert_memory_equal(rsdp, "RSD PTR ", 8);
	bad += sum8(rsdp, 20) != 0;
	bad += sum8(rsdp, 36) != 0;
	assert_int_equal(rd32(rsdp + 16), 0); /* no RSDT */
	xsdt = follow(r, rd64(rsdp + 24), "XSDT");
	assert_int_equal(rd32(xsdt + 4), 52);
	bad += sum8(xsdt, 52) != 0;
	fadt = follow(r, rd64(xsdt + 36), "FACP");
	madt = follow(r, rd64(xsdt + 44), "APIC");
	bad += sum8(fadt, rd32(fadt + 4)) != 0;
	bad += sum8(madt, rd32(madt + 4)) != 0;
	assert_int_equal(rd32(madt + 4), 44 + 8 * ncpus + 12 + 10 + 10 + 6);
	/* both DSDT pointers agree and land on it */
	assert_true(rd32(fadt + 40) == rd64(fadt + 140));
	dsdt = follow(r, rd32(fadt + 40), "DSDT");
	bad += sum8(dsdt, rd32(dsdt + 4)) != 0;
	assert_int_equal(rd64(fadt + 132), 0);
	assert_int_equal(rd32(fadt + 36) % 64, 0);
	facs = follow(r, rd32(fadt + 36), "FACS");
	assert_int_equal(rd32(facs + 4), 64);
	/* the firmware variant: not hardware-reduced, PM1 blocks */
	assert_int_equal(rd32(fadt + 112) & (1u << 20), 0);
	assert_int_equal(rd32(fadt + 56), X86_ACPI_PM1_EVT);
	assert_int_equal(rd32(fadt + 64), X86_ACPI_PM1_CNT);
	return bad;
}

/* Linux's scan of 0xe0000-0xfffff on 16-byte boundaries finds exactly one valid RSDP. */
static unsigned int rsdp_found_by_scan(struct run *r)
{
	unsigned int found = 0;

	for (uint32_t a = 0xe0000; a < 0x100000; a += 16)
		if (!memcmp(r->ram + a, "RSD PTR ", 8) && !sum8(r->ram + a, 20))
			found += a == r->files[0].addr ? 1 : 100;
	return found;
}

static void tables_come_out_whole_wherever_they_are_placed(void **state)
{
	/* RSDP somewhere in the F segment, tables high: two different placements */
	const uint32_t places[][2] = {{0xf5a30, 0xfe0a40}, {0xfffd0, 0x200000}, {0xf0000, 0x7fc0}};
	const unsigned int counts[] = {1, 4, 255};
	(void)state;

	for (unsigned int c = 0; c < 3; c++) {
		struct x86_acpi_blobs b;
		struct errbuf err = {""};

		assert_int_equal(x86_acpi_firmware_blobs(counts[c], NULL, NULL, &b, &err), 0);
		assert_int_equal(b.rsdp_len, 36);
		/* allocate both files, 6 pointers, 6 checksums */
		assert_int_equal(b.loader_len, (2 + 6 + 6) * 128);
		for (unsigned int p = 0; p < 3; p++) {
			struct run r = {.ram = calloc(1, GUEST_RAM)};

			assert_non_null(r.ram);
			execute(&r, &b, places[p][0], places[p][1]);
			assert_int_equal(r.errors, 0);
			assert_int_equal(r.executed[1], 2);
			assert_int_equal(r.executed[2], 6);
			assert_int_equal(r.executed[3], 6);
			assert_int_equal(check_chain(&r, counts[c]), 0);
			assert_int_equal(rsdp_found_by_scan(&r), 1);
			free(r.ram);
		}
		x86_acpi_blobs_free(&b);
		assert_null(b.loader);
	}
}

/* The executor and checks are not trivially satisfied: checksums fixed before the pointers
 * are patched leave the tables that hold pointers with bad checksums. */
static void a_misordered_script_is_caught(void **state)
{
	struct x86_acpi_blobs b;
	struct errbuf err = {""};
	struct run r = {.ram = calloc(1, GUEST_RAM), .checksums_before_pointers = true};
	(void)state;

	assert_non_null(r.ram);
	assert_int_equal(x86_acpi_firmware_blobs(2, NULL, NULL, &b, &err), 0);
	execute(&r, &b, 0xf5a30, 0xfe0a40);
	assert_int_equal(r.errors, 0);
	/* the RSDP's extended checksum (its XSDT pointer is past the first 20 bytes), XSDT and
	 * FADT hold pointers; MADT and DSDT do not */
	assert_int_equal(check_chain(&r, 2), 3);
	free(r.ram);
	x86_acpi_blobs_free(&b);
}

/* Read fw_cfg file `name` through the selector and data ports, as SeaBIOS's romfile does. */
static uint8_t *fw_cfg_read_file(struct io_bus *bus, const char *name, size_t *size)
{
	uint16_t sel = FW_CFG_FILE_DIR;
	uint8_t hdr[4], ent[64], *data;
	uint32_t count;

	io_bus_access(bus, IO_SPACE_PIO, FW_CFG_PORT_SEL, &sel, 2, true);
	for (unsigned int i = 0; i < 4; i++)
		io_bus_access(bus, IO_SPACE_PIO, FW_CFG_PORT_DATA, &hdr[i], 1, false);
	count = (uint32_t)hdr[0] << 24 | hdr[1] << 16 | hdr[2] << 8 | hdr[3];
	for (uint32_t n = 0; n < count; n++) {
		/* be32 size, be16 select, be16 reserved, name[56] */
		for (unsigned int i = 0; i < 64; i++)
			io_bus_access(bus, IO_SPACE_PIO, FW_CFG_PORT_DATA, &ent[i], 1, false);
		if (strcmp((const char *)ent + 8, name))
			continue;
		*size = (size_t)ent[0] << 24 | ent[1] << 16 | ent[2] << 8 | ent[3];
		sel = (uint16_t)(ent[4] << 8 | ent[5]);
		data = malloc(*size);
		assert_non_null(data);
		io_bus_access(bus, IO_SPACE_PIO, FW_CFG_PORT_SEL, &sel, 2, true);
		for (size_t i = 0; i < *size; i++)
			io_bus_access(bus, IO_SPACE_PIO, FW_CFG_PORT_DATA, &data[i], 1, false);
		return data;
	}
	return NULL;
}

/* The three files as fw_cfg serves them (what the lead's wiring adds) run the same way. */
static void through_fw_cfg(void **state)
{
	struct x86_acpi_blobs b, got;
	struct errbuf err = {""};
	struct io_bus bus;
	struct fw_cfg fw;
	struct run r = {.ram = calloc(1, GUEST_RAM)};
	(void)state;

	assert_non_null(r.ram);
	assert_int_equal(x86_acpi_firmware_blobs(3, NULL, NULL, &b, &err), 0);
	assert_int_equal(io_bus_init(&bus), 0);
	assert_int_equal(fw_cfg_init(&fw, NULL, NULL), 0);
	assert_int_equal(fw_cfg_attach(&fw, &bus), 0);
	assert_int_equal(fw_cfg_add_file(&fw, X86_ACPI_FW_RSDP, b.rsdp, b.rsdp_len, NULL), 0);
	assert_int_equal(fw_cfg_add_file(&fw, X86_ACPI_FW_TABLES, b.tables, b.tables_len, NULL), 0);
	assert_int_equal(fw_cfg_add_file(&fw, X86_ACPI_FW_LOADER, b.loader, b.loader_len, NULL), 0);
	x86_acpi_blobs_free(&b);

	got.rsdp = fw_cfg_read_file(&bus, X86_ACPI_FW_RSDP, &got.rsdp_len);
	got.tables = fw_cfg_read_file(&bus, X86_ACPI_FW_TABLES, &got.tables_len);
	got.loader = fw_cfg_read_file(&bus, ACPI_LOADER_FILE, &got.loader_len);
	assert_non_null(got.rsdp);
	assert_non_null(got.tables);
	assert_non_null(got.loader);
	execute(&r, &got, 0xf6000, 0xffd000);
	assert_int_equal(r.errors, 0);
	assert_int_equal(check_chain(&r, 3), 0);
	assert_int_equal(rsdp_found_by_scan(&r), 1);
	x86_acpi_blobs_free(&got);
	fw_cfg_destroy(&fw);
	io_bus_destroy(&bus);
	free(r.ram);
}

/*
 * --viommu with --firmware: the VIOT is a third XSDT entry the loader relocates like the others,
 * and its checksum holds once the BIOS placed it.
 */
static void viot_for_the_bios(void **state)
{
	const struct x86_viot viot = {.iommu_bdf = 0x20, .nr = 2, .ep_bdf = {0x10, 0x18}};
	struct x86_acpi_blobs b;
	struct errbuf err = {""};
	struct run r = {.ram = calloc(1, GUEST_RAM)};
	const uint8_t *xsdt, *v;
	(void)state;

	assert_non_null(r.ram);
	assert_int_equal(x86_acpi_firmware_blobs(2, NULL, &viot, &b, &err), 0);
	/* one pointer (XSDT -> VIOT) and one checksum (the VIOT's) more */
	assert_int_equal(b.loader_len, (2 + 7 + 7) * 128);
	execute(&r, &b, 0xf5a30, 0xfe0a40);
	assert_int_equal(r.errors, 0);
	xsdt = follow(&r, rd64(r.ram + r.files[0].addr + 24), "XSDT");
	assert_int_equal(rd32(xsdt + 4), 60);
	assert_int_equal(sum8(xsdt, 60), 0);
	v = follow(&r, rd64(xsdt + 52), "VIOT");
	assert_int_equal(sum8(v, rd32(v + 4)), 0);
	assert_int_equal(v[36] | v[37] << 8,
			 3); /* node count: the virtio-pci IOMMU, two PCI ranges */
	x86_acpi_blobs_free(&b);
	/* more endpoints than the table holds: refused, naming them */
	struct x86_viot many = {.nr = X86_VIOT_MAX_ENDPOINTS + 1};

	assert_int_equal(x86_acpi_firmware_blobs(2, NULL, &many, &b, &err), -EINVAL);
	assert_non_null(strstr(errbuf_msg(&err), "VIOT endpoints"));
	free(r.ram);
}

static void bad_cpu_counts(void **state)
{
	struct x86_acpi_blobs b;
	struct errbuf err = {""};
	(void)state;

	assert_int_equal(x86_acpi_firmware_blobs(0, NULL, NULL, &b, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "0 vCPUs"));
	assert_null(b.rsdp);
	assert_null(b.loader);
	assert_int_equal(x86_acpi_firmware_blobs(256, NULL, NULL, &b, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "256 vCPUs"));
	x86_acpi_blobs_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(allocate_entry_layout),
		cmocka_unit_test(pointer_and_checksum_entry_layout),
		cmocka_unit_test(refusals),
		cmocka_unit_test(tables_come_out_whole_wherever_they_are_placed),
		cmocka_unit_test(a_misordered_script_is_caught),
		cmocka_unit_test(through_fw_cfg),
		cmocka_unit_test(viot_for_the_bios),
		cmocka_unit_test(bad_cpu_counts),
	};

	return cmocka_run_group_tests_name("acpi_loader", tests, NULL, NULL);
}
