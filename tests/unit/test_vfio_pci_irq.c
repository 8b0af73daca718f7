// SPDX-License-Identifier: MIT
/* Passthrough interrupts: MSI-X table and PBA, MSI, INTx with resample, what VFIO and KVM are
 * asked. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <linux/pci_regs.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "vfio/pci_dev.h"
#include "vfio_sim.h"

#define MSIX_CAP 0xa0
#define MSI_CAP 0xd0
#define BAR3 0xfebf0000ULL
#define TABLE BAR3
#define PBA (BAR3 + 0x2000)
#define INTX_GSI 11

struct fx {
	struct sim_pci sim;
	struct rec_vm vm;
	struct vfio_pci *pci;
};

static void build(struct sim_pci *s)
{
	sim_bar(s, 0, 128 * 1024, 0, true);
	sim_bar(s, 3, 16 * 1024, 0, true);
	sim_msi(s, MSI_CAP, true, true, 3); /* up to 8 vectors, 64-bit, maskable */
	sim_msix(s, MSIX_CAP, 5, 3, 0, 3, 0x2000);
	sim_intx(s, 1);
	/* the device's own PBA: nothing pending out of reset */
	assert_int_equal(pwrite(s->regions[3].fd, &(uint64_t){0}, 8, 0x2000), 8);
}

static struct fx *fx_new(int intx_gsi)
{
	static struct fx f;
	struct vfio_pci_params params = {.name = "0000:00:02.0", .intx_gsi = intx_gsi};
	struct errbuf e = {""};

	sim_init(&f.sim, 0x8086, 0x10d3, 256);
	build(&f.sim);
	rec_vm_init(&f.vm);
	if (vfio_pci_create(&f.pci, &sim_ops, &f.sim, &f.vm.vm, &params, &e))
		fail_msg("create: %s", e.msg);
	/* the driver places BAR3 and turns memory decoding on */
	cfg_wr(f.pci, PCI_BASE_ADDRESS_3, (uint32_t)BAR3, 4);
	cfg_wr(f.pci, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
	return &f;
}

static void fx_free(struct fx *f)
{
	unsigned int resets = f->sim.resets;

	vfio_pci_destroy(f->pci);
	/* nothing left behind in the VM, and the device reset on the way out */
	assert_int_equal(rec_nr_routes(&f->vm), 0);
	assert_int_equal(rec_nr_irqfds(&f->vm), 0);
	assert_int_equal(rec_nr_slots(&f->vm), 0);
	assert_int_equal(f->sim.resets, resets + 1);
	for (unsigned int i = 0; i < VFIO_PCI_NUM_IRQS; i++)
		assert_int_equal(f->sim.nr_trigger[i], 0);
	rec_vm_fini(&f->vm);
	sim_fini(&f->sim);
}

static void mmio_w32(struct fx *f, uint64_t addr, uint32_t v)
{
	assert_int_equal(io_bus_access(&f->vm.bus, IO_SPACE_MMIO, addr, &v, 4, true), 0);
}

static uint32_t mmio_r32(struct fx *f, uint64_t addr)
{
	uint32_t v = 0;

	assert_int_equal(io_bus_access(&f->vm.bus, IO_SPACE_MMIO, addr, &v, 4, false), 0);
	return v;
}

static void msix_entry(struct fx *f, unsigned int n, uint64_t addr, uint32_t data, bool masked)
{
	mmio_w32(f, TABLE + 16 * n + PCI_MSIX_ENTRY_LOWER_ADDR, (uint32_t)addr);
	mmio_w32(f, TABLE + 16 * n + PCI_MSIX_ENTRY_UPPER_ADDR, (uint32_t)(addr >> 32));
	mmio_w32(f, TABLE + 16 * n + PCI_MSIX_ENTRY_DATA, data);
	mmio_w32(f, TABLE + 16 * n + PCI_MSIX_ENTRY_VECTOR_CTRL, masked);
}

static const struct rec_irqfd *msix_irqfd(struct fx *f, unsigned int n)
{
	return rec_irqfd_of(&f->vm, f->sim.trigger[VFIO_PCI_MSIX_IRQ_INDEX][n]);
}

static void intx_wired_at_start(void **state)
{
	struct fx *f = fx_new(INTX_GSI);
	const struct rec_irqfd *q;
	(void)state;

	assert_int_equal(cfg_rd(f->pci, PCI_INTERRUPT_PIN, 1), 1);
	assert_int_equal(f->sim.nr_trigger[VFIO_PCI_INTX_IRQ_INDEX], 1);
	q = rec_irqfd_of(&f->vm, f->sim.trigger[VFIO_PCI_INTX_IRQ_INDEX][0]);
	assert_non_null(q);
	assert_int_equal(q->gsi, INTX_GSI);
	/* the resample eventfd KVM signals on EOI is the one VFIO unmasks the line with */
	assert_true(q->resample >= 0);
	assert_int_equal(q->resample, f->sim.unmask_fd);
	fx_free(f);
}

static void no_intx_without_a_gsi(void **state)
{
	struct fx *f = fx_new(-1);
	(void)state;

	assert_int_equal(cfg_rd(f->pci, PCI_INTERRUPT_PIN, 1), 0);
	assert_int_equal(f->sim.nr_trigger[VFIO_PCI_INTX_IRQ_INDEX], 0);
	assert_int_equal(rec_nr_irqfds(&f->vm), 0);
	fx_free(f);
}

static void msix_enable_routes_and_masks(void **state)
{
	struct fx *f = fx_new(INTX_GSI);
	const struct rec_irqfd *q;
	int gsi;
	(void)state;

	/* the cap: 5 vectors, table in BAR3 at 0, PBA in BAR3 at 0x2000; enable is writable */
	assert_int_equal(cfg_rd(f->pci, MSIX_CAP, 1), PCI_CAP_ID_MSIX);
	assert_int_equal(cfg_rd(f->pci, MSIX_CAP + PCI_MSIX_FLAGS, 2), 4);
	assert_int_equal(cfg_rd(f->pci, MSIX_CAP + PCI_MSIX_TABLE, 4), 3);
	assert_int_equal(cfg_rd(f->pci, MSIX_CAP + PCI_MSIX_PBA, 4), 0x2003);
	/* out of reset every vector is masked */
	assert_int_equal(mmio_r32(f, TABLE + 16 * 4 + PCI_MSIX_ENTRY_VECTOR_CTRL), 1);

	cfg_wr(f->pci, MSIX_CAP + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL,
	       2);
	/* INTx off, then VFIO gets the vectors unmasked so far (none: one); nothing routed */
	assert_int_equal(f->sim.nr_trigger[VFIO_PCI_INTX_IRQ_INDEX], 0);
	assert_int_equal(f->sim.nr_trigger[VFIO_PCI_MSIX_IRQ_INDEX], 1);
	assert_int_equal(rec_nr_irqfds(&f->vm), 0);
	assert_int_equal(cfg_rd(f->pci, MSIX_CAP + PCI_MSIX_FLAGS, 2),
			 PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL | 4);

	msix_entry(f, 0, 0xfee01000, 0x4041, false);
	msix_entry(f, 2, 0xfee02000, 0x4042, true);
	assert_int_equal(rec_nr_irqfds(&f->vm), 0); /* the function mask still holds them */
	cfg_wr(f->pci, MSIX_CAP + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE, 2);
	q = msix_irqfd(f, 0);
	assert_non_null(q);
	gsi = q->gsi;
	assert_true(f->vm.routes[gsi].used);
	assert_true(f->vm.routes[gsi].addr == 0xfee01000 && f->vm.routes[gsi].data == 0x4041);
	assert_null(msix_irqfd(f, 2)); /* masked in its own entry */
	assert_int_equal(rec_nr_irqfds(&f->vm), 1);

	/* the guest retargets an unmasked vector: same GSI, new route */
	mmio_w32(f, TABLE + PCI_MSIX_ENTRY_DATA, 0x4051);
	assert_int_equal(msix_irqfd(f, 0)->gsi, gsi);
	assert_int_equal(f->vm.routes[gsi].data, 0x4051);
	assert_int_equal(f->vm.route_updates, 1);

	/* unmask vector 2 with a 64-bit write of address, then ctrl */
	{
		uint64_t w = 0;

		assert_int_equal(io_bus_access(&f->vm.bus, IO_SPACE_MMIO,
					       TABLE + 32 + PCI_MSIX_ENTRY_DATA, &w, 8, true),
				 0);
	}
	assert_non_null(msix_irqfd(f, 2));
	assert_int_equal(f->vm.routes[msix_irqfd(f, 2)->gsi].data, 0);
	assert_int_equal(mmio_r32(f, TABLE + 32 + PCI_MSIX_ENTRY_VECTOR_CTRL), 0);

	/* disabling releases everything and gives INTx back */
	cfg_wr(f->pci, MSIX_CAP + PCI_MSIX_FLAGS, 0, 2);
	assert_int_equal(f->sim.nr_trigger[VFIO_PCI_MSIX_IRQ_INDEX], 0);
	assert_int_equal(rec_nr_routes(&f->vm), 0);
	assert_int_equal(f->sim.nr_trigger[VFIO_PCI_INTX_IRQ_INDEX], 1);
	assert_int_equal(rec_nr_irqfds(&f->vm), 1); /* the INTx one */
	fx_free(f);
}

static void masked_vectors_show_pending_in_the_pba(void **state)
{
	struct fx *f = fx_new(-1);
	(void)state;

	cfg_wr(f->pci, MSIX_CAP + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE, 2);
	msix_entry(f, 1, 0xfee00000, 0x30, false);
	/* vector 3 used once (VFIO signals it now), then masked */
	msix_entry(f, 3, 0xfee00000, 0x31, false);
	mmio_w32(f, TABLE + 48 + PCI_MSIX_ENTRY_VECTOR_CTRL, 1);
	assert_int_equal(mmio_r32(f, PBA), 0);
	/* an unmasked vector's signal goes to KVM: never pending here */
	assert_true(sim_fire(&f->sim, VFIO_PCI_MSIX_IRQ_INDEX, 1));
	assert_true(sim_fire(&f->sim, VFIO_PCI_MSIX_IRQ_INDEX, 3));
	assert_int_equal(mmio_r32(f, PBA), 1u << 3);
	/* masking vector 1 detaches its irqfd: its (unconsumed) signal now shows */
	mmio_w32(f, TABLE + 16 + PCI_MSIX_ENTRY_VECTOR_CTRL, 1);
	assert_null(msix_irqfd(f, 1));
	assert_int_equal(mmio_r32(f, PBA), (1u << 3) | (1u << 1));
	/* unmasking 3 attaches it again (KVM delivers what is pending); the PBA is read-only */
	mmio_w32(f, TABLE + 48 + PCI_MSIX_ENTRY_VECTOR_CTRL, 0);
	assert_non_null(msix_irqfd(f, 3));
	mmio_w32(f, PBA, 0xffffffff);
	assert_int_equal(mmio_r32(f, PBA), 1u << 1);
	/* the function mask: everything detached */
	cfg_wr(f->pci, MSIX_CAP + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL,
	       2);
	assert_int_equal(rec_nr_irqfds(&f->vm), 0);
	assert_int_equal(mmio_r32(f, PBA), (1u << 3) | (1u << 1));
	fx_free(f);
}

/* the device's own pending bit (its PBA) for a vector VFIO does not carry */
static void hw_pba_set(struct fx *f, uint8_t bits)
{
	assert_int_equal(pwrite(f->sim.regions[3].fd, &bits, 1, 0x2000), 1);
}

static void vectors_vfio_does_not_carry_show_the_devices_pending_bits(void **state)
{
	struct fx *f = fx_new(-1);
	(void)state;

	/* MSI-X off: no vector is VFIO's, the device's bits show as they are */
	hw_pba_set(f, 1u << 4);
	assert_int_equal(mmio_r32(f, PBA), 1u << 4);
	/* vectors 0 and 1 granted, 4 masked and never used: left masked in the hardware table */
	cfg_wr(f->pci, MSIX_CAP + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE, 2);
	msix_entry(f, 1, 0xfee00000, 0x30, false);
	msix_entry(f, 4, 0xfee00000, 0x34, true);
	hw_pba_set(f, (1u << 4) | (1u << 1));
	/* 4 pends in the device; 1 is VFIO's (its signal goes to KVM), the device's bit for it is
	 * stale */
	assert_int_equal(mmio_r32(f, PBA), 1u << 4);
	hw_pba_set(f, 0);
	assert_int_equal(mmio_r32(f, PBA), 0);
	/* once used, 4 is VFIO's: its own eventfd decides */
	hw_pba_set(f, 1u << 4);
	mmio_w32(f, TABLE + 64 + PCI_MSIX_ENTRY_VECTOR_CTRL, 0);
	mmio_w32(f, TABLE + 64 + PCI_MSIX_ENTRY_VECTOR_CTRL, 1);
	assert_int_equal(mmio_r32(f, PBA), 0);
	assert_true(sim_fire(&f->sim, VFIO_PCI_MSIX_IRQ_INDEX, 4));
	assert_int_equal(mmio_r32(f, PBA), 1u << 4);
	fx_free(f);
}

static void msix_table_reserved_bits_and_odd_accesses(void **state)
{
	struct fx *f = fx_new(-1);
	uint8_t b = 0xff;
	uint16_t h;
	(void)state;

	mmio_w32(f, TABLE + PCI_MSIX_ENTRY_VECTOR_CTRL, 0xfffffffe);
	assert_int_equal(mmio_r32(f, TABLE + PCI_MSIX_ENTRY_VECTOR_CTRL), 0);
	/* byte and word accesses are applied as bytes, never beyond the table */
	io_bus_access(&f->vm.bus, IO_SPACE_MMIO, TABLE + PCI_MSIX_ENTRY_DATA + 1, &b, 1, true);
	assert_int_equal(mmio_r32(f, TABLE + PCI_MSIX_ENTRY_DATA), 0xff00);
	io_bus_access(&f->vm.bus, IO_SPACE_MMIO, TABLE + 5 * 16 - 1, &h, 2, false);
	/* every offset and size in and around the table and PBA: no crash, no stray vector */
	for (uint64_t off = 0; off < 0x2100; off++) {
		for (unsigned int len = 1; len <= 8; len *= 2) {
			uint64_t v = 0x0123456789abcdefULL * (off + len);

			if (off >= 0x100 && off < 0x1ff0)
				continue; /* plain device registers */
			io_bus_access(&f->vm.bus, IO_SPACE_MMIO, BAR3 + off, &v, len, true);
			io_bus_access(&f->vm.bus, IO_SPACE_MMIO, BAR3 + off, &v, len, false);
		}
	}
	/* MSI-X was never enabled: whatever the table holds, nothing was routed */
	assert_int_equal(rec_nr_irqfds(&f->vm), 0);
	assert_int_equal(f->sim.nr_trigger[VFIO_PCI_MSIX_IRQ_INDEX], 0);
	fx_free(f);
}

static void msi_multiple_vectors_and_masking(void **state)
{
	struct fx *f = fx_new(INTX_GSI);
	uint32_t gsi[4];
	(void)state;

	/* 64-bit, maskable, 8 vectors offered; enable and the vector count writable */
	assert_int_equal(cfg_rd(f->pci, MSI_CAP + PCI_MSI_FLAGS, 2),
			 PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT | (3 << 1));
	cfg_wr(f->pci, MSI_CAP + PCI_MSI_ADDRESS_LO, 0xfee00003, 4); /* low bits read-only 0 */
	cfg_wr(f->pci, MSI_CAP + PCI_MSI_ADDRESS_HI, 0, 4);
	cfg_wr(f->pci, MSI_CAP + PCI_MSI_DATA_64, 0x4023, 2);
	cfg_wr(f->pci, MSI_CAP + PCI_MSI_MASK_64, 0x2, 4);
	assert_int_equal(cfg_rd(f->pci, MSI_CAP + PCI_MSI_ADDRESS_LO, 4), 0xfee00000);
	cfg_wr(f->pci, MSI_CAP + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE | (2 << 4), 2); /* 4 vectors */
	assert_int_equal(f->sim.nr_trigger[VFIO_PCI_INTX_IRQ_INDEX], 0);
	assert_int_equal(f->sim.nr_trigger[VFIO_PCI_MSI_IRQ_INDEX], 4);
	for (unsigned int i = 0; i < 4; i++) {
		const struct rec_irqfd *q =
			rec_irqfd_of(&f->vm, f->sim.trigger[VFIO_PCI_MSI_IRQ_INDEX][i]);

		if (i == 1) {
			assert_null(q); /* masked */
			continue;
		}
		assert_non_null(q);
		gsi[i] = (uint32_t)q->gsi;
		/* the vector number replaces the low bits of the data */
		assert_int_equal(f->vm.routes[gsi[i]].data, 0x4020 | i);
		assert_true(f->vm.routes[gsi[i]].addr == 0xfee00000);
	}
	/* the masked vector fires: pending in config space; unmasking delivers through KVM */
	assert_true(sim_fire(&f->sim, VFIO_PCI_MSI_IRQ_INDEX, 1));
	assert_int_equal(cfg_rd(f->pci, MSI_CAP + PCI_MSI_PENDING_64, 4), 0x2);
	cfg_wr(f->pci, MSI_CAP + PCI_MSI_MASK_64, 0, 4);
	assert_non_null(rec_irqfd_of(&f->vm, f->sim.trigger[VFIO_PCI_MSI_IRQ_INDEX][1]));
	assert_int_equal(cfg_rd(f->pci, MSI_CAP + PCI_MSI_PENDING_64, 4), 0);
	/* a new address moves every vector's route, keeping the GSIs */
	cfg_wr(f->pci, MSI_CAP + PCI_MSI_ADDRESS_LO, 0xfee0f000, 4);
	assert_true(f->vm.routes[gsi[3]].addr == 0xfee0f000);

	cfg_wr(f->pci, MSI_CAP + PCI_MSI_FLAGS, 0, 2);
	assert_int_equal(f->sim.nr_trigger[VFIO_PCI_MSI_IRQ_INDEX], 0);
	assert_int_equal(rec_nr_routes(&f->vm), 0);
	assert_int_equal(f->sim.nr_trigger[VFIO_PCI_INTX_IRQ_INDEX], 1);
	fx_free(f);
}

static void msi_asking_too_many_vectors_gets_what_is_offered(void **state)
{
	struct fx *f = fx_new(-1);
	(void)state;

	cfg_wr(f->pci, MSI_CAP + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE | (5 << 4), 2); /* 32 */
	assert_int_equal(f->sim.nr_trigger[VFIO_PCI_MSI_IRQ_INDEX], 8);
	assert_int_equal((cfg_rd(f->pci, MSI_CAP + PCI_MSI_FLAGS, 2) & PCI_MSI_FLAGS_QSIZE) >> 4,
			 3);
	fx_free(f);
}

/* MSI-X enabled on top of MSI wins, as on a device, and the other way round. */
static void last_enable_wins(void **state)
{
	struct fx *f = fx_new(INTX_GSI);
	(void)state;

	cfg_wr(f->pci, MSI_CAP + PCI_MSI_ADDRESS_LO, 0xfee00000, 4);
	cfg_wr(f->pci, MSI_CAP + PCI_MSI_DATA_64, 0x4023, 2);
	cfg_wr(f->pci, MSI_CAP + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE, 2);
	assert_int_equal(f->sim.nr_trigger[VFIO_PCI_MSI_IRQ_INDEX], 1);
	assert_int_equal(rec_nr_routes(&f->vm), 1);

	cfg_wr(f->pci, MSIX_CAP + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE, 2);
	assert_int_equal(cfg_rd(f->pci, MSIX_CAP + PCI_MSIX_FLAGS, 2) & PCI_MSIX_FLAGS_ENABLE,
			 PCI_MSIX_FLAGS_ENABLE);
	assert_int_equal(cfg_rd(f->pci, MSI_CAP + PCI_MSI_FLAGS, 2) & PCI_MSI_FLAGS_ENABLE, 0);
	assert_int_equal(f->sim.nr_trigger[VFIO_PCI_MSI_IRQ_INDEX], 0);
	assert_true(f->sim.nr_trigger[VFIO_PCI_MSIX_IRQ_INDEX] > 0);
	assert_int_equal(f->sim.nr_trigger[VFIO_PCI_INTX_IRQ_INDEX], 0);
	assert_int_equal(rec_nr_routes(&f->vm), 0); /* MSI's route went with it */
	msix_entry(f, 1, 0xfee01000, 0x4041, false);
	assert_non_null(msix_irqfd(f, 1));
	assert_int_equal(rec_nr_irqfds(&f->vm), 1);

	/* and back: MSI wins over MSI-X */
	cfg_wr(f->pci, MSI_CAP + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE, 2);
	assert_int_equal(cfg_rd(f->pci, MSI_CAP + PCI_MSI_FLAGS, 2) & PCI_MSI_FLAGS_ENABLE,
			 PCI_MSI_FLAGS_ENABLE);
	assert_int_equal(cfg_rd(f->pci, MSIX_CAP + PCI_MSIX_FLAGS, 2) & PCI_MSIX_FLAGS_ENABLE, 0);
	assert_int_equal(f->sim.nr_trigger[VFIO_PCI_MSIX_IRQ_INDEX], 0);
	assert_int_equal(f->sim.nr_trigger[VFIO_PCI_MSI_IRQ_INDEX], 1);
	assert_int_equal(rec_nr_routes(&f->vm), 1);
	assert_int_equal(rec_nr_irqfds(&f->vm), 1);
	assert_int_equal(f->vm.warnings, 0);

	/* a refusal by the host is said out loud, and INTx stays the device's interrupt */
	cfg_wr(f->pci, MSI_CAP + PCI_MSI_FLAGS, 0, 2);
	f->sim.irqs[VFIO_PCI_MSIX_IRQ_INDEX].count = 0;
	cfg_wr(f->pci, MSIX_CAP + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE, 2);
	assert_int_equal(f->vm.warnings, 1);
	assert_non_null(strstr(f->vm.last_warning, "0000:00:02.0"));
	assert_non_null(strstr(f->vm.last_warning, "MSI-X"));
	assert_int_equal(f->sim.nr_trigger[VFIO_PCI_INTX_IRQ_INDEX], 1);
	f->sim.irqs[VFIO_PCI_MSIX_IRQ_INDEX].count = 5;
	fx_free(f);
}

/* The host grants fewer MSI vectors than asked (a positive SET_IRQS answer): MME says how many. */
static void msi_partial_grant_uses_fewer_vectors(void **state)
{
	struct fx *f = fx_new(INTX_GSI);
	(void)state;

	f->sim.grant[VFIO_PCI_MSI_IRQ_INDEX] = 3;
	cfg_wr(f->pci, MSI_CAP + PCI_MSI_ADDRESS_LO, 0xfee00000, 4);
	cfg_wr(f->pci, MSI_CAP + PCI_MSI_DATA_64, 0x4020, 2);
	cfg_wr(f->pci, MSI_CAP + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE | (3 << 4), 2); /* 8 */
	assert_int_equal(cfg_rd(f->pci, MSI_CAP + PCI_MSI_FLAGS, 2) & PCI_MSI_FLAGS_ENABLE,
			 PCI_MSI_FLAGS_ENABLE);
	/* a power of two: 2 */
	assert_int_equal((cfg_rd(f->pci, MSI_CAP + PCI_MSI_FLAGS, 2) & PCI_MSI_FLAGS_QSIZE) >> 4,
			 1);
	assert_int_equal(f->sim.nr_trigger[VFIO_PCI_MSI_IRQ_INDEX], 2);
	assert_int_equal(rec_nr_routes(&f->vm), 2);
	assert_int_equal(f->sim.nr_trigger[VFIO_PCI_INTX_IRQ_INDEX], 0);
	assert_int_equal(f->vm.warnings, 1);
	fx_free(f);
}

/* MSI-X asks VFIO for the vectors the guest unmasks, and grows when it unmasks more. */
static void msix_asks_for_unmasked_vectors_and_grows(void **state)
{
	struct fx *f = fx_new(-1);
	uint64_t one = 1;
	(void)state;

	cfg_wr(f->pci, MSIX_CAP + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE, 2);
	assert_int_equal(f->sim.nr_trigger[VFIO_PCI_MSIX_IRQ_INDEX], 1);
	msix_entry(f, 2, 0xfee01000, 0x4042, false);
	assert_int_equal(f->sim.nr_trigger[VFIO_PCI_MSIX_IRQ_INDEX], 3);
	assert_non_null(msix_irqfd(f, 2));
	msix_entry(f, 0, 0xfee01000, 0x4040, false);
	assert_int_equal(f->sim.nr_trigger[VFIO_PCI_MSIX_IRQ_INDEX], 3);
	assert_non_null(msix_irqfd(f, 0));
	assert_non_null(msix_irqfd(f, 2));
	/* a masked vector's signal waits in its eventfd, across the growth too */
	msix_entry(f, 1, 0xfee01000, 0x4041, true);
	assert_true(sim_fire(&f->sim, VFIO_PCI_MSIX_IRQ_INDEX, 1));
	f->sim.grant[VFIO_PCI_MSIX_IRQ_INDEX] = 4;
	/* the host has only 4: vector 4 cannot be given, and the guest is told why */
	msix_entry(f, 4, 0xfee01000, 0x4044, false);
	assert_int_equal(f->sim.nr_trigger[VFIO_PCI_MSIX_IRQ_INDEX], 4);
	assert_int_equal(f->vm.warnings, 1);
	assert_null(msix_irqfd(f, 4));
	assert_non_null(msix_irqfd(f, 0));
	assert_non_null(msix_irqfd(f, 2));
	assert_int_equal(mmio_r32(f, PBA), 1u << 1);
	(void)one;
	fx_free(f);
}

/* A write that unmasks every vector costs one route push, not one per vector. */
static void function_mask_toggle_is_one_push(void **state)
{
	struct fx *f;
	unsigned int pushes;
	(void)state;

	f = fx_new(-1);
	cfg_wr(f->pci, MSIX_CAP + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL,
	       2);
	for (unsigned int i = 0; i < 5; i++)
		msix_entry(f, i, 0xfee01000, 0x4040 + i, false);
	pushes = f->vm.pushes;
	cfg_wr(f->pci, MSIX_CAP + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE, 2);
	assert_int_equal(rec_nr_irqfds(&f->vm), 5);
	assert_int_equal(f->vm.pushes - pushes, 1);
	pushes = f->vm.pushes;
	/* masking detaches irqfds and changes no route */
	cfg_wr(f->pci, MSIX_CAP + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL,
	       2);
	assert_int_equal(rec_nr_irqfds(&f->vm), 0);
	assert_true(f->vm.pushes - pushes <= 1);
	pushes = f->vm.pushes;
	cfg_wr(f->pci, MSIX_CAP + PCI_MSIX_FLAGS, 0, 2);
	assert_int_equal(rec_nr_routes(&f->vm), 0);
	assert_true(f->vm.pushes - pushes <= 1);
	fx_free(f);
}

/* A route push KVM refuses: the vector stays unrouted, the guest is told, a retry works. */
static void failed_route_push_is_undone(void **state)
{
	struct fx *f = fx_new(-1);
	(void)state;

	cfg_wr(f->pci, MSIX_CAP + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE, 2);
	f->vm.fail_push = true;
	msix_entry(f, 0, 0xfee01000, 0x4040, false);
	assert_null(msix_irqfd(f, 0));
	assert_int_equal(rec_nr_routes(&f->vm), 0);
	assert_true(f->vm.warnings >= 1);
	f->vm.fail_push = false;
	mmio_w32(f, TABLE + PCI_MSIX_ENTRY_VECTOR_CTRL, 0);
	assert_non_null(msix_irqfd(f, 0));
	assert_int_equal(f->vm.routes[msix_irqfd(f, 0)->gsi].data, 0x4040);
	/* a failed retarget keeps the old route, in the VM and in the device's view */
	f->vm.fail_push = true;
	mmio_w32(f, TABLE + PCI_MSIX_ENTRY_DATA, 0x4050);
	assert_int_equal(f->vm.routes[msix_irqfd(f, 0)->gsi].data, 0x4040);
	f->vm.fail_push = false;
	mmio_w32(f, TABLE + PCI_MSIX_ENTRY_DATA, 0x4050);
	assert_int_equal(f->vm.routes[msix_irqfd(f, 0)->gsi].data, 0x4050);
	fx_free(f);
}

/* An access across the table's (or PBA's) edge: the table part emulated, the rest the device's. */
static void msix_access_straddling_the_table_edge(void **state)
{
	struct fx *f = fx_new(-1);
	uint64_t v = 0, w = 0x1122334400000000ULL;
	(void)state;

	/* 5 entries end at 0x50: an 8-byte read at 0x4c is vector 4's control, then a register */
	assert_int_equal(io_bus_access(&f->vm.bus, IO_SPACE_MMIO, TABLE + 0x4c, &v, 8, false), 0);
	assert_int_equal((uint32_t)v, 1);
	assert_int_equal((uint32_t)(v >> 32), sim_region_u32(&f->sim, 3, 0x50));
	io_bus_access(&f->vm.bus, IO_SPACE_MMIO, TABLE + 0x4c, &w, 8, true);
	assert_int_equal(sim_region_u32(&f->sim, 3, 0x50), 0x11223344);
	assert_int_equal(mmio_r32(f, TABLE + 0x4c), 0); /* the mask bit, written 0 */
	/* the PBA's 8 bytes end at 0x2008 */
	v = 0;
	io_bus_access(&f->vm.bus, IO_SPACE_MMIO, PBA + 4, &v, 8, false);
	assert_int_equal((uint32_t)v, 0);
	assert_int_equal((uint32_t)(v >> 32), sim_region_u32(&f->sim, 3, 0x2008));
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(intx_wired_at_start),
		cmocka_unit_test(no_intx_without_a_gsi),
		cmocka_unit_test(msix_enable_routes_and_masks),
		cmocka_unit_test(masked_vectors_show_pending_in_the_pba),
		cmocka_unit_test(vectors_vfio_does_not_carry_show_the_devices_pending_bits),
		cmocka_unit_test(msix_table_reserved_bits_and_odd_accesses),
		cmocka_unit_test(msi_multiple_vectors_and_masking),
		cmocka_unit_test(msi_asking_too_many_vectors_gets_what_is_offered),
		cmocka_unit_test(last_enable_wins),
		cmocka_unit_test(msi_partial_grant_uses_fewer_vectors),
		cmocka_unit_test(msix_asks_for_unmasked_vectors_and_grows),
		cmocka_unit_test(function_mask_toggle_is_one_push),
		cmocka_unit_test(failed_route_push_is_undone),
		cmocka_unit_test(msix_access_straddling_the_table_edge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
