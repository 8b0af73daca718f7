// SPDX-License-Identifier: MIT
/*
 * The PC variant of the ACPI tables handed to the firmware: both blobs are built for base 0, so
 * every pointer field holds an offset into its target blob, and the loader script tells the
 * firmware to add the blob's final address to each and then to redo each checksum.
 */
#include "firmware/acpi_loader.h"
#include "vmm/x86/acpi.h"
#include "vmm/x86/x86.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const blob_file[ACPI_NR_BLOBS] = {
	[ACPI_BLOB_RSDP] = X86_ACPI_FW_RSDP,
	[ACPI_BLOB_TABLES] = X86_ACPI_FW_TABLES,
};

/* The RSDP where OSes scan for it (the F segment); the FACS inside the tables needs 64. */
static int script(struct acpi_loader *l, const struct acpi_tables *t)
{
	int ret;

	ret = acpi_loader_allocate(l, X86_ACPI_FW_RSDP, t->len[ACPI_BLOB_RSDP], 16,
				   ACPI_LOADER_ZONE_FSEG);
	if (!ret)
		ret = acpi_loader_allocate(l, X86_ACPI_FW_TABLES, t->len[ACPI_BLOB_TABLES],
					   ACPI_FACS_ALIGN, ACPI_LOADER_ZONE_HIGH);
	for (unsigned int i = 0; !ret && i < t->nr_ptrs; i++)
		ret = acpi_loader_add_pointer(l, blob_file[t->ptr[i].in], t->ptr[i].offset,
					      t->ptr[i].size, blob_file[t->ptr[i].to]);
	for (unsigned int i = 0; !ret && i < t->nr_csums; i++)
		ret = acpi_loader_add_checksum(l, blob_file[t->csum[i].in], t->csum[i].offset,
					       t->csum[i].start, t->csum[i].length);
	return ret;
}

int x86_acpi_firmware_blobs(unsigned int ncpus, const struct guest_mem *mem,
			    const struct x86_viot *viot, struct x86_acpi_blobs *out,
			    struct errbuf *err)
{
	struct acpi_config cfg = {.ncpus = ncpus, .hw_reduced = false, .viot = viot};
	struct acpi_tables t;
	struct acpi_loader l;
	int ret;

	memset(out, 0, sizeof(*out));
	if (mem && x86_pci_mmio64_window(mem, &cfg.mmio64_start, &cfg.mmio64_end))
		cfg.mmio64_start = cfg.mmio64_end = 0;
	ret = acpi_tables_build(&cfg, 0, 0, &t);
	if (ret == -EINVAL)
		return errbuf_set(err, EINVAL,
				  "ACPI tables: %u vCPUs (between 1 and %u supported), %u VIOT "
				  "endpoints (at most %u)",
				  ncpus, ACPI_MAX_CPUS, viot ? viot->nr : 0,
				  X86_VIOT_MAX_ENDPOINTS);
	if (ret)
		return errbuf_set(err, -ret, "ACPI tables for the firmware: out of memory");
	acpi_loader_init(&l);
	ret = script(&l, &t);
	if (ret) {
		/* Only a builder bug gets here: the tables list fields outside themselves. */
		acpi_loader_free(&l);
		acpi_tables_free(&t);
		return errbuf_set(err, -ret, "ACPI table loader script (%s): %s",
				  X86_ACPI_FW_LOADER, strerror(-ret));
	}
	out->rsdp = t.blob[ACPI_BLOB_RSDP];
	out->rsdp_len = t.len[ACPI_BLOB_RSDP];
	out->tables = t.blob[ACPI_BLOB_TABLES];
	out->tables_len = t.len[ACPI_BLOB_TABLES];
	out->loader = l.buf;
	out->loader_len = l.len;
	return 0;
}

void x86_acpi_blobs_free(struct x86_acpi_blobs *b)
{
	free(b->rsdp);
	free(b->tables);
	free(b->loader);
	memset(b, 0, sizeof(*b));
}
