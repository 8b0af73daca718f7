// SPDX-License-Identifier: MIT
/*
 * Passthrough resets and power states: what the guest sees after it resets the function through
 * PM (D3hot -> D0), a PCIe FLR or an AF FLR, and what a BAR does while the function is not in D0.
 */
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

#define PM_CAP 0x40
#define MSI_CAP 0x50
#define MSIX_CAP 0x70
#define AF_CAP 0x60
#define EXP_CAP 0x80
#define BAR0 0xfe000000ULL
#define BAR3 0xfebf0000ULL
#define ROM 0xfeb00000ULL
#define INTX_GSI 11

struct fx {
	struct sim_pci sim;
	struct rec_vm vm;
	struct vfio_pci *pci;
};

enum { NSR = 1, FLR = 2, AF = 4 };

static struct fx *fx_new(unsigned int opts)
{
	static struct fx f;
	struct vfio_pci_params params = {
		.name = "0000:00:02.0", .intx_gsi = INTX_GSI, .page_size = 4096};
	struct errbuf e = {""};

	sim_init(&f.sim, 0x8086, 0x10d3, 4096);
	sim_bar(&f.sim, 0, 128 * 1024, 0, true);
	sim_bar(&f.sim, 2, 32, PCI_BASE_ADDRESS_SPACE_IO, false);
	sim_bar(&f.sim, 3, 16 * 1024, 0, true);
	sim_rom(&f.sim, 64 * 1024);
	sim_pm(&f.sim, PM_CAP, opts & NSR);
	sim_msi(&f.sim, MSI_CAP, true, false, 0);
	sim_msix(&f.sim, MSIX_CAP, 5, 3, 0, 3, 0x2000);
	if (opts & AF)
		sim_af(&f.sim, AF_CAP);
	sim_exp(&f.sim, EXP_CAP, opts & FLR);
	sim_intx(&f.sim, 1);
	rec_vm_init(&f.vm);
	if (vfio_pci_create(&f.pci, &sim_ops, &f.sim, &f.vm.vm, &params, &e))
		fail_msg("create: %s", e.msg);
	return &f;
}

static void fx_free(struct fx *f)
{
	vfio_pci_destroy(f->pci);
	assert_int_equal(rec_nr_routes(&f->vm), 0);
	assert_int_equal(rec_nr_irqfds(&f->vm), 0);
	assert_int_equal(rec_nr_slots(&f->vm), 0);
	rec_vm_fini(&f->vm);
	sim_fini(&f->sim);
}

static uint32_t mmio_r32(struct fx *f, uint64_t addr)
{
	uint32_t v = 0;

	io_bus_access(&f->vm.bus, IO_SPACE_MMIO, addr, &v, 4, false);
	return v;
}

static void mmio_w32(struct fx *f, uint64_t addr, uint32_t v)
{
	io_bus_access(&f->vm.bus, IO_SPACE_MMIO, addr, &v, 4, true);
}

/* What a driver leaves programmed: BARs, ROM, decoding, mastering. */
static void program(struct fx *f)
{
	cfg_wr(f->pci, PCI_BASE_ADDRESS_0, (uint32_t)BAR0, 4);
	cfg_wr(f->pci, PCI_BASE_ADDRESS_2, 0xc000, 4);
	cfg_wr(f->pci, PCI_BASE_ADDRESS_3, (uint32_t)BAR3, 4);
	cfg_wr(f->pci, PCI_ROM_ADDRESS, (uint32_t)ROM | PCI_ROM_ADDRESS_ENABLE, 4);
	cfg_wr(f->pci, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_IO | PCI_COMMAND_MASTER, 2);
	assert_non_null(rec_slot_at(&f->vm, BAR0));
	assert_non_null(rec_slot_at(&f->vm, ROM));
}

static void msi_on(struct fx *f)
{
	cfg_wr(f->pci, MSI_CAP + PCI_MSI_ADDRESS_LO, 0xfee01000, 4);
	cfg_wr(f->pci, MSI_CAP + PCI_MSI_DATA_64, 0x4041, 2);
	cfg_wr(f->pci, MSI_CAP + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE, 2);
	assert_int_equal(f->sim.nr_trigger[VFIO_PCI_MSI_IRQ_INDEX], 1);
	assert_int_equal(rec_nr_routes(&f->vm), 1);
}

static void msix_on(struct fx *f)
{
	cfg_wr(f->pci, MSIX_CAP + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE, 2);
	mmio_w32(f, BAR3 + 16 + PCI_MSIX_ENTRY_LOWER_ADDR, 0xfee02000);
	mmio_w32(f, BAR3 + 16 + PCI_MSIX_ENTRY_DATA, 0x4042);
	mmio_w32(f, BAR3 + 16 + PCI_MSIX_ENTRY_VECTOR_CTRL, 0);
	assert_true(f->sim.nr_trigger[VFIO_PCI_MSIX_IRQ_INDEX] > 0);
	assert_int_equal(rec_nr_routes(&f->vm), 1);
}

static void pmcsr(struct fx *f, unsigned int state)
{
	cfg_wr(f->pci, PM_CAP + PCI_PM_CTRL, state, 2);
}

/* Everything vfvm emulates is back at its reset value; INTx is the device's interrupt again. */
static void assert_reset_state(struct fx *f)
{
	assert_int_equal(cfg_rd(f->pci, PCI_COMMAND, 2), 0);
	assert_int_equal(cfg_rd(f->pci, PCI_BASE_ADDRESS_0, 4), 0);
	assert_int_equal(cfg_rd(f->pci, PCI_BASE_ADDRESS_2, 4), PCI_BASE_ADDRESS_SPACE_IO);
	assert_int_equal(cfg_rd(f->pci, PCI_BASE_ADDRESS_3, 4), 0);
	assert_int_equal(cfg_rd(f->pci, PCI_ROM_ADDRESS, 4), 0);
	assert_int_equal(rec_nr_slots(&f->vm), 0);
	assert_int_equal(f->vm.bus.nr[IO_SPACE_MMIO] + f->vm.bus.nr[IO_SPACE_PIO], 0);
	assert_int_equal(cfg_rd(f->pci, MSI_CAP + PCI_MSI_FLAGS, 2) & PCI_MSI_FLAGS_ENABLE, 0);
	assert_int_equal(cfg_rd(f->pci, MSI_CAP + PCI_MSI_ADDRESS_LO, 4), 0);
	assert_int_equal(cfg_rd(f->pci, MSI_CAP + PCI_MSI_DATA_64, 2), 0);
	assert_int_equal(cfg_rd(f->pci, MSIX_CAP + PCI_MSIX_FLAGS, 2), 4);
	assert_int_equal(f->sim.nr_trigger[VFIO_PCI_MSI_IRQ_INDEX], 0);
	assert_int_equal(f->sim.nr_trigger[VFIO_PCI_MSIX_IRQ_INDEX], 0);
	assert_int_equal(rec_nr_routes(&f->vm), 0);
	/* INTx on again, its irqfd the only one */
	assert_int_equal(f->sim.nr_trigger[VFIO_PCI_INTX_IRQ_INDEX], 1);
	assert_int_equal(rec_nr_irqfds(&f->vm), 1);
	assert_int_equal(cfg_rd(f->pci, PCI_INTERRUPT_PIN, 1), 1);
}

static void pm_reset_puts_msi_state_back(void **state)
{
	struct fx *f = fx_new(0);
	(void)state;

	program(f);
	msi_on(f);
	pmcsr(f, 3);
	pmcsr(f, 0);
	assert_int_equal(f->sim.pm_resets, 1);
	assert_reset_state(f);
	/* the guest restores its state, as Linux does after a reset, and the device works */
	program(f);
	msi_on(f);
	assert_non_null(rec_irqfd_of(&f->vm, f->sim.trigger[VFIO_PCI_MSI_IRQ_INDEX][0]));
	fx_free(f);
}

static void pm_reset_masks_every_msix_vector(void **state)
{
	struct fx *f = fx_new(0);
	(void)state;

	program(f);
	msix_on(f);
	/* garbage in another entry, and the function mask */
	mmio_w32(f, BAR3 + 48 + PCI_MSIX_ENTRY_DATA, 0xdeadbeef);
	pmcsr(f, 3);
	pmcsr(f, 0);
	assert_reset_state(f);
	cfg_wr(f->pci, PCI_BASE_ADDRESS_3, (uint32_t)BAR3, 4);
	cfg_wr(f->pci, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	for (unsigned int i = 0; i < 5; i++) {
		assert_int_equal(mmio_r32(f, BAR3 + 16 * i + PCI_MSIX_ENTRY_VECTOR_CTRL), 1);
		assert_int_equal(mmio_r32(f, BAR3 + 16 * i + PCI_MSIX_ENTRY_LOWER_ADDR), 0);
		assert_int_equal(mmio_r32(f, BAR3 + 16 * i + PCI_MSIX_ENTRY_DATA), 0);
	}
	/* enabling again routes only what the guest unmasks now */
	cfg_wr(f->pci, MSIX_CAP + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE, 2);
	assert_int_equal(rec_nr_routes(&f->vm), 0);
	assert_int_equal(rec_nr_irqfds(&f->vm), 0);
	fx_free(f);
}

static void d3hot_drops_slots_and_reads_all_ones(void **state)
{
	struct fx *f = fx_new(NSR);
	uint32_t before = sim_region_u32(&f->sim, 0, 0x100);
	(void)state;

	program(f);
	msi_on(f);
	pmcsr(f, 3);
	/* vfio-pci zaps its mmaps in D3hot: no slot may stay over them */
	assert_int_equal(rec_nr_slots(&f->vm), 0);
	assert_int_equal(mmio_r32(f, BAR0 + 0x100), 0xffffffff);
	mmio_w32(f, BAR0 + 0x100, 0x12345678);
	assert_int_equal(sim_region_u32(&f->sim, 0, 0x100), before);
	/* the config space still answers, and the guest's registers are kept */
	assert_int_equal(cfg_rd(f->pci, PCI_BASE_ADDRESS_0, 4), BAR0);
	/* back to D0 without a soft reset: the BARs come back where they were, MSI stays on */
	pmcsr(f, 0);
	assert_int_equal(f->sim.pm_resets, 0);
	assert_non_null(rec_slot_at(&f->vm, BAR0));
	assert_non_null(rec_slot_at(&f->vm, ROM));
	assert_int_equal(mmio_r32(f, BAR0 + 0x100), before);
	assert_int_equal(f->sim.nr_trigger[VFIO_PCI_MSI_IRQ_INDEX], 1);
	assert_int_equal(rec_nr_routes(&f->vm), 1);
	fx_free(f);
}

static void pcie_flr_resets_when_devcap_says_so(void **state)
{
	struct fx *f = fx_new(FLR);
	(void)state;

	program(f);
	msi_on(f);
	cfg_wr(f->pci, EXP_CAP + PCI_EXP_DEVCTL, PCI_EXP_DEVCTL_BCR_FLR, 2);
	assert_int_equal(f->sim.flrs, 1);
	assert_reset_state(f);
	fx_free(f);

	/* without FLR in DevCap the bit does nothing, here as on the device */
	f = fx_new(0);
	program(f);
	msi_on(f);
	cfg_wr(f->pci, EXP_CAP + PCI_EXP_DEVCTL, PCI_EXP_DEVCTL_BCR_FLR, 2);
	assert_int_equal(f->sim.flrs, 0);
	assert_non_null(rec_slot_at(&f->vm, BAR0));
	assert_int_equal(f->sim.nr_trigger[VFIO_PCI_MSI_IRQ_INDEX], 1);
	fx_free(f);
}

static void af_flr_resets(void **state)
{
	struct fx *f = fx_new(AF);
	(void)state;

	program(f);
	msix_on(f);
	cfg_wr(f->pci, AF_CAP + PCI_AF_CTRL, PCI_AF_CTRL_FLR, 1);
	assert_int_equal(f->sim.flrs, 1);
	assert_reset_state(f);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pm_reset_puts_msi_state_back),
		cmocka_unit_test(pm_reset_masks_every_msix_vector),
		cmocka_unit_test(d3hot_drops_slots_and_reads_all_ones),
		cmocka_unit_test(pcie_flr_resets_when_devcap_says_so),
		cmocka_unit_test(af_flr_resets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
