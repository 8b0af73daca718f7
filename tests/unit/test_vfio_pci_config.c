// SPDX-License-Identifier: MIT
/* The virtual config space: capability walk with hidden caps, header fields, malformed accesses. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <linux/pci_regs.h>
#include <string.h>
#include <cmocka.h>

#include "vfio/pci_dev.h"
#include "vfio_sim.h"

struct fx {
	struct sim_pci sim;
	struct rec_vm vm;
	struct vfio_pci *pci;
};

static int fx_try(struct fx *f, void (*build)(struct sim_pci *), uint32_t cfg_size,
		  struct errbuf *e)
{
	struct vfio_pci_params params = {.name = "0000:00:03.0", .intx_gsi = 10};

	sim_init(&f->sim, 0x1b36, 0x0010, cfg_size);
	build(&f->sim);
	rec_vm_init(&f->vm);
	return vfio_pci_create(&f->pci, &sim_ops, &f->sim, &f->vm.vm, &params, e);
}

static void fx_free(struct fx *f)
{
	vfio_pci_destroy(f->pci);
	assert_int_equal(rec_nr_irqfds(&f->vm), 0);
	assert_int_equal(rec_nr_routes(&f->vm), 0);
	rec_vm_fini(&f->vm);
	sim_fini(&f->sim);
}

/* PM, PCI-X (hidden), MSI, PCIe, HyperTransport (hidden), MSI-X, vendor, Enhanced Allocation
 * (hidden). */
static void build_many_caps(struct sim_pci *s)
{
	sim_bar(s, 0, 16384, PCI_BASE_ADDRESS_MEM_TYPE_64, true);
	sim_cap(s, PCI_CAP_ID_PM, 8, 0x40);
	s->cfg[0x42] = 0x03; /* PM capabilities: passed through as the device has them */
	sim_cap(s, PCI_CAP_ID_PCIX, 8, 0x48);
	sim_msi(s, 0x50, true, false, 0);
	sim_cap(s, PCI_CAP_ID_EXP, 0x3c, 0x70);
	sim_cap(s, PCI_CAP_ID_HT, 8, 0xb0);
	sim_msix(s, 0xb8, 16, 0, 0x2000, 0, 0x3000);
	sim_cap(s, PCI_CAP_ID_VNDR, 8, 0xd0);
	sim_cap(s, PCI_CAP_ID_EA, 8, 0xe0);
	sim_intx(s, 1);
	s->cfg[PCI_BIST] = 0x80; /* BIST capable */
}

static unsigned int guest_walk(struct vfio_pci *p, uint8_t *ids, unsigned int max)
{
	unsigned int n = 0;
	uint8_t ptr = (uint8_t)cfg_rd(p, PCI_CAPABILITY_LIST, 1);

	while (ptr && n < max) {
		ids[n++] = (uint8_t)cfg_rd(p, ptr, 1);
		ptr = (uint8_t)cfg_rd(p, ptr + 1, 1);
	}
	return n;
}

static void hidden_caps_are_skipped(void **state)
{
	static const uint8_t want[] = {PCI_CAP_ID_PM, PCI_CAP_ID_MSI, PCI_CAP_ID_EXP,
				       PCI_CAP_ID_MSIX, PCI_CAP_ID_VNDR};
	struct errbuf e = {""};
	uint8_t ids[64];
	struct fx f;
	(void)state;

	assert_int_equal(fx_try(&f, build_many_caps, 256, &e), 0);
	assert_int_equal(guest_walk(f.pci, ids, 64), sizeof(want));
	assert_memory_equal(ids, want, sizeof(want));
	assert_true(cfg_rd(f.pci, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	/* a passed-through cap's body is the device's */
	assert_int_equal(cfg_rd(f.pci, 0x42, 1), 0x03);
	/* hidden caps read as nothing even when addressed directly */
	assert_int_equal(cfg_rd(f.pci, 0x48, 2), 0);
	assert_int_equal(cfg_rd(f.pci, 0xe0, 2), 0);
	/* the guest sees one function, no BIST, vendor and device as they are */
	assert_int_equal(cfg_rd(f.pci, PCI_HEADER_TYPE, 1), 0);
	assert_int_equal(cfg_rd(f.pci, PCI_BIST, 1), 0);
	assert_int_equal(cfg_rd(f.pci, PCI_VENDOR_ID, 4), 0x00101b36);
	/* the next pointers are read-only */
	cfg_wr(f.pci, 0x41, 0x48, 1);
	assert_int_equal(cfg_rd(f.pci, 0x41, 1), 0x50);
	fx_free(&f);
}

static void build_loop(struct sim_pci *s)
{
	sim_cap(s, PCI_CAP_ID_PM, 8, 0x40);
	sim_cap(s, PCI_CAP_ID_VNDR, 8, 0x60);
	s->cfg[0x61] = 0x40; /* back to the first */
}

static void build_into_header(struct sim_pci *s)
{
	sim_cap(s, PCI_CAP_ID_PM, 8, 0x40);
	s->cfg[0x41] = 0x10; /* into the BARs */
}

static void build_bad_msix(struct sim_pci *s)
{
	sim_bar(s, 0, 4096, 0, true);
	sim_msix(s, 0x40, 512, 0, 0, 0, 0x800); /* an 8 KiB table in a 4 KiB BAR */
	sim_cap(s, PCI_CAP_ID_PM, 8, 0x50);
}

static void build_msix_in_missing_bar(struct sim_pci *s)
{
	sim_msix(s, 0x40, 4, 4, 0, 4, 0x800);
}

static void malformed_chains_end_cleanly(void **state)
{
	struct errbuf e = {""};
	uint8_t ids[64];
	struct fx f;
	(void)state;

	assert_int_equal(fx_try(&f, build_loop, 256, &e), 0);
	assert_int_equal(guest_walk(f.pci, ids, 64), 2);
	fx_free(&f);

	assert_int_equal(fx_try(&f, build_into_header, 256, &e), 0);
	assert_int_equal(guest_walk(f.pci, ids, 64), 1);
	fx_free(&f);

	/* an MSI-X table that does not fit its BAR: the cap is hidden, the rest stays */
	assert_int_equal(fx_try(&f, build_bad_msix, 256, &e), 0);
	assert_int_equal(guest_walk(f.pci, ids, 64), 1);
	assert_int_equal(ids[0], PCI_CAP_ID_PM);
	fx_free(&f);
	assert_int_equal(fx_try(&f, build_msix_in_missing_bar, 256, &e), 0);
	assert_int_equal(guest_walk(f.pci, ids, 64), 0);
	assert_false(cfg_rd(f.pci, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	fx_free(&f);
}

static void build_bridge(struct sim_pci *s)
{
	s->cfg[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_BRIDGE;
}

static void build_plain(struct sim_pci *s)
{
	sim_bar(s, 0, 4096, 0, true);
}

static void bridges_are_refused_by_name(void **state)
{
	struct errbuf e = {""};
	struct fx f;
	(void)state;

	assert_int_equal(fx_try(&f, build_bridge, 256, &e), -ENOTSUP);
	assert_null(f.pci);
	assert_non_null(strstr(e.msg, "0000:00:03.0 has header type 1"));
	rec_vm_fini(&f.vm);
	sim_fini(&f.sim);
}

static void extended_space_reads_empty(void **state)
{
	struct errbuf e = {""};
	struct fx f;
	(void)state;

	assert_int_equal(fx_try(&f, build_plain, 4096, &e), 0);
	f.sim.cfg[0x100] = 0x01; /* AER on the host */
	assert_int_equal(vfio_pci_config_size(f.pci), 4096);
	assert_int_equal(cfg_rd(f.pci, 0x100, 4), 0);
	cfg_wr(f.pci, 0x104, 0xffffffff, 4);
	assert_int_equal(f.sim.cfg[0x104], 0);
	fx_free(&f);
}

static void interrupt_line_is_the_guests(void **state)
{
	struct errbuf e = {""};
	struct fx f;
	(void)state;

	assert_int_equal(fx_try(&f, build_many_caps, 256, &e), 0);
	cfg_wr(f.pci, PCI_INTERRUPT_LINE, 10, 1);
	assert_int_equal(cfg_rd(f.pci, PCI_INTERRUPT_LINE, 1), 10);
	assert_int_equal(cfg_rd(f.pci, PCI_INTERRUPT_PIN, 1), 1);
	cfg_wr(f.pci, PCI_INTERRUPT_PIN, 3, 1);
	assert_int_equal(cfg_rd(f.pci, PCI_INTERRUPT_PIN, 1), 1);
	fx_free(&f);
}

/* No bus mastering before guest RAM is mapped for DMA (vfio_vm.map_in_background). */
static void bus_master_waits_for_dma_mapping(void **state)
{
	struct errbuf e = {""};
	struct fx f;
	(void)state;

	assert_int_equal(fx_try(&f, build_plain, 256, &e), 0);
	/* memory decode alone does not wait */
	cfg_wr(f.pci, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	assert_int_equal(f.vm.dma_ready_calls, 0);
	/* the mapping failed: mastering stays off, in the device and in what the guest reads */
	f.vm.dma_ready_result = -ENOMEM;
	cfg_wr(f.pci, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
	assert_int_equal(f.vm.dma_ready_calls, 1);
	assert_int_equal(f.sim.cfg[PCI_COMMAND] & PCI_COMMAND_MASTER, 0);
	assert_int_equal(cfg_rd(f.pci, PCI_COMMAND, 2) & PCI_COMMAND_MASTER, 0);
	assert_true(cfg_rd(f.pci, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY);
	/* mapped: the byte write that sets it goes through, and only the first enable asks */
	f.vm.dma_ready_result = 0;
	cfg_wr(f.pci, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 1);
	assert_int_equal(f.vm.dma_ready_calls, 2);
	assert_true(f.sim.cfg[PCI_COMMAND] & PCI_COMMAND_MASTER);
	cfg_wr(f.pci, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 4);
	assert_int_equal(f.vm.dma_ready_calls, 2);
	/* a write to the high byte of the command register alone never asks */
	cfg_wr(f.pci, PCI_COMMAND + 1, 0, 1);
	assert_int_equal(f.vm.dma_ready_calls, 2);
	fx_free(&f);
}

static void malformed_accesses_are_defined(void **state)
{
	struct errbuf e = {""};
	uint8_t buf[8];
	struct fx f;
	(void)state;

	assert_int_equal(fx_try(&f, build_many_caps, 256, &e), 0);
	/* wrong sizes and offsets beyond the space: all-ones, nothing written */
	memset(buf, 0, sizeof(buf));
	vfio_pci_config_read(f.pci, 0, buf, 3);
	assert_true(buf[0] == 0xff && buf[1] == 0xff && buf[2] == 0xff && buf[3] == 0);
	assert_int_equal(cfg_rd(f.pci, 0xfe, 4), 0xffffffff);
	assert_int_equal(cfg_rd(f.pci, 0x1000, 1), 0xff);
	assert_int_equal(cfg_rd(f.pci, UINT32_MAX, 4), 0xffffffff);
	vfio_pci_config_write(f.pci, 0x04, "\x07\x00\x00", 3);
	vfio_pci_config_write(f.pci, UINT32_MAX - 1, "\xff\xff\xff\xff", 4);
	assert_int_equal(f.sim.cfg[PCI_COMMAND], 0);

	/* every offset, every size, several values: nothing crashes, the identity stays */
	for (uint32_t off = 0; off < 260; off++) {
		for (unsigned int len = 1; len <= 4; len *= 2) {
			static const uint32_t vals[] = {0, 0xffffffff, 0x55aa55aa, 0x8001};

			for (unsigned int v = 0; v < 4; v++) {
				cfg_wr(f.pci, off, vals[v], len);
				(void)cfg_rd(f.pci, off, len);
			}
		}
	}
	assert_int_equal(cfg_rd(f.pci, PCI_VENDOR_ID, 4), 0x00101b36);
	assert_int_equal(cfg_rd(f.pci, PCI_CAPABILITY_LIST, 1), 0x40);
	fx_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hidden_caps_are_skipped),
		cmocka_unit_test(malformed_chains_end_cleanly),
		cmocka_unit_test(bridges_are_refused_by_name),
		cmocka_unit_test(extended_space_reads_empty),
		cmocka_unit_test(interrupt_line_is_the_guests),
		cmocka_unit_test(bus_master_waits_for_dma_mapping),
		cmocka_unit_test(malformed_accesses_are_defined),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
