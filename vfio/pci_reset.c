// SPDX-License-Identifier: MIT
/*
 * Resets and power states the guest asks of a passthrough function, and the one place that knows
 * what a reset puts back.
 *
 * The capabilities that reset the function are the device's own (passed through): vfio-pci acts
 * on a write that moves it from D3hot to D0 without No_Soft_Reset, on "Initiate FLR" in the PCIe
 * Device Control register when Device Capabilities offers FLR, and on the Advanced Features FLR
 * bit. After such a write the function is reset, so every register vfvm emulates goes back to
 * its value out of reset: MSI and MSI-X off (with their VFIO eventfds, routes and irqfds), the
 * MSI-X table masked and empty, BARs and the ROM BAR unassigned, decoding off, INTx the
 * function's interrupt again. The guest bus has no bridge, so no secondary bus reset reaches it.
 *
 * Outside D0 a function decodes no memory or I/O (vfio-pci even refuses faults on its BAR mmaps):
 * the BARs' slots and bus ranges go before the function leaves D0 and come back after it is in
 * D0 again, so a guest touching a BAR in D3hot reads all-ones, as on hardware.
 */
#include "vfio/pci_dev.h"

#include <linux/pci_regs.h>
#include <string.h>

static bool writes_byte(uint32_t off, unsigned int len, uint32_t at, const uint8_t *in,
			uint8_t *val)
{
	if (!at || at < off || at >= off + len)
		return false;
	*val = in[at - off];
	return true;
}

static uint32_t device_read(struct vfio_pci *p, uint32_t off, unsigned int len)
{
	uint32_t v = 0;

	if (p->be_ops->region_read(p->be, VFIO_PCI_CONFIG_REGION_INDEX, off, &v, len) !=
	    (ssize_t)len)
		return 0;
	return v;
}

void vfio_pci_reset_snapshot(struct vfio_pci *p)
{
	memcpy(p->reset_shadow, p->shadow, sizeof(p->shadow));
}

void vfio_pci_reset_state(struct vfio_pci *p)
{
	uint8_t line = p->shadow[PCI_INTERRUPT_LINE]; /* the firmware's, not the function's */
	uint16_t cmd = 0;

	vfio_pci_msix_off(p);
	vfio_pci_msi_off(p);
	memcpy(p->shadow, p->reset_shadow, sizeof(p->shadow));
	p->shadow[PCI_INTERRUPT_LINE] = line;
	vfio_pci_msix_table_reset(p);
	/* slots go before the device stops decoding */
	p->command = 0;
	p->power = VFIO_PCI_D0;
	vfio_pci_bars_update(p);
	/*
	 * vfio-pci restores the command register it saved around the reset; the guest expects
	 * what a reset leaves: no decoding, no mastering, INTx not disabled.
	 */
	p->be_ops->region_write(p->be, VFIO_PCI_CONFIG_REGION_INDEX, PCI_COMMAND, &cmd, 2);
	vfio_pci_intx_follow(p);
}

unsigned int vfio_pci_reset_before_write(struct vfio_pci *p, uint32_t off, const uint8_t *in,
					 unsigned int len)
{
	unsigned int old = p->power;
	uint8_t v;

	if (p->pm_cap && writes_byte(off, len, p->pm_cap + PCI_PM_CTRL, in, &v) &&
	    (v & PCI_PM_CTRL_STATE_MASK) != VFIO_PCI_D0 && p->power == VFIO_PCI_D0) {
		p->power = v & PCI_PM_CTRL_STATE_MASK;
		vfio_pci_bars_update(p);
	}
	return old;
}

void vfio_pci_reset_after_write(struct vfio_pci *p, uint32_t off, const uint8_t *in,
				unsigned int len, unsigned int old_power)
{
	bool reset = false;
	uint8_t v;

	if (p->pm_cap && writes_byte(off, len, p->pm_cap + PCI_PM_CTRL, in, &v)) {
		/* the state the function is in now: one it does not support was not entered */
		uint16_t pmcsr = (uint16_t)device_read(p, p->pm_cap + PCI_PM_CTRL, 2);

		p->power = pmcsr & PCI_PM_CTRL_STATE_MASK;
		reset = old_power == VFIO_PCI_D3HOT && p->power == VFIO_PCI_D0 &&
			!(pmcsr & PCI_PM_CTRL_NO_SOFT_RESET);
		if (!reset)
			vfio_pci_bars_update(p);
	}
	if (p->exp_cap && writes_byte(off, len, p->exp_cap + PCI_EXP_DEVCTL + 1, in, &v) &&
	    (v & (PCI_EXP_DEVCTL_BCR_FLR >> 8)) &&
	    (device_read(p, p->exp_cap + PCI_EXP_DEVCAP, 4) & PCI_EXP_DEVCAP_FLR))
		reset = true;
	if (p->af_cap && writes_byte(off, len, p->af_cap + PCI_AF_CTRL, in, &v) &&
	    (v & PCI_AF_CTRL_FLR) && (device_read(p, p->af_cap + PCI_AF_CAP, 1) & PCI_AF_CAP_FLR))
		reset = true;
	if (reset)
		vfio_pci_reset_state(p);
}
