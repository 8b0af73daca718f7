// SPDX-License-Identifier: MIT
/*
 * acpi_fw_blobs NCPUS DIR: write the firmware-boot ACPI files (etc/acpi/rsdp, etc/acpi/tables,
 * etc/table-loader) as DIR/rsdp, DIR/tables and DIR/table-loader, for scripts/acpi-tables-qemu
 * to hand to the real SeaBIOS, for the 256 MiB of RAM that script gives QEMU (so the DSDT's
 * 64-bit window starts at 4 GiB). Exit status 0, 1 on a failure (printed), 2 on bad arguments.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/x86/x86.h"

static int write_file(const char *dir, const char *name, const void *p, size_t n)
{
	char path[4096];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	ok = f && fwrite(p, 1, n, f) == n;
	if (f && fclose(f))
		ok = 0;
	if (!ok)
		fprintf(stderr, "acpi_fw_blobs: cannot write %s: %s\n", path, strerror(errno));
	return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct x86_acpi_blobs b;
	struct errbuf err = {""};
	struct guest_mem mem = {0};
	char *end;
	unsigned long ncpus;
	int ret;

	if (argc != 3) {
		fprintf(stderr, "usage: acpi_fw_blobs NCPUS DIR\n");
		return 2;
	}
	ncpus = strtoul(argv[1], &end, 10);
	if (*end || end == argv[1] || ncpus > 1024) {
		fprintf(stderr, "acpi_fw_blobs: bad vCPU count '%s'\n", argv[1]);
		return 2;
	}
	if (x86_memory_layout(&mem, 256ULL << 20) ||
	    x86_acpi_firmware_blobs((unsigned int)ncpus, &mem, NULL, &b, &err)) {
		fprintf(stderr, "acpi_fw_blobs: %s\n", errbuf_msg(&err));
		return 1;
	}
	ret = write_file(argv[2], "rsdp", b.rsdp, b.rsdp_len) ||
	      write_file(argv[2], "tables", b.tables, b.tables_len) ||
	      write_file(argv[2], "table-loader", b.loader, b.loader_len);
	x86_acpi_blobs_free(&b);
	return ret ? 1 : 0;
}
