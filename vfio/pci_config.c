// SPDX-License-Identifier: MIT
/*
 * The virtual config space of a passthrough device: the real one seen through a per-bit mask.
 *
 * Emulated (the guest sees vfvm's copy): the BARs and the ROM BAR (so that sizing and relocation
 * move our mappings), the capability pointer and every "next" pointer (so the chain can skip the
 * capabilities we hide), the MSI and MSI-X capabilities (their vectors become KVM routes), the
 * interrupt line and pin, the multi-function bit (the guest sees a single function), BIST (no
 * self-test behind the guest's back) and the PCIe extended space (read as empty: the host bridge
 * has no ECAM, and AER, SR-IOV or ACS mean nothing inside the guest). Everything else, including
 * the command register, is the device's own: the kernel's vfio-pci filters what reaches it.
 */
#include "vfio/pci_dev.h"

#include <errno.h>
#include <linux/pci_regs.h>
#include <string.h>

#define MAX_CAPS 48 /* a 256-byte space holds at most 48 four-byte-aligned capabilities */

enum cap_policy { CAP_HIDE, CAP_PASS, CAP_MSI, CAP_MSIX };

static enum cap_policy cap_policy(uint8_t id)
{
	switch (id) {
	/*
	 * Passed through: drivers use them (D-states, PCIe device/link control, VPD, vendor data,
	 * function-level reset), and vfio-pci already virtualizes their writable fields.
	 */
	case PCI_CAP_ID_PM:
	case PCI_CAP_ID_VPD:
	case PCI_CAP_ID_VNDR:
	case PCI_CAP_ID_EXP:
	case PCI_CAP_ID_AF:
		return CAP_PASS;
	case PCI_CAP_ID_MSI:
		return CAP_MSI;
	case PCI_CAP_ID_MSIX:
		return CAP_MSIX;
	/*
	 * Hidden: they describe a bus or platform the guest does not have (AGP, PCI-X,
	 * HyperTransport, hot-plug, CompactPCI, bridge capabilities, debug ports) or resources vfvm
	 * does not emulate (Enhanced Allocation would describe BARs that bypass our BAR emulation).
	 */
	default:
		return CAP_HIDE;
	}
}

void vfio_pci_emulate(struct vfio_pci *p, uint32_t off, uint32_t len, uint8_t wmask)
{
	for (uint32_t i = off; i < off + len && i < PCI_CFG_SPACE_EXP; i++) {
		p->emu[i] = 0xff;
		p->wmask[i] = wmask;
	}
}

uint32_t vfio_pci_shadow_read(const struct vfio_pci *p, uint32_t off, unsigned int len)
{
	uint32_t v = 0;

	for (unsigned int i = 0; i < len && off + i < PCI_CFG_SPACE_EXP; i++)
		v |= (uint32_t)p->shadow[off + i] << (8 * i);
	return v;
}

void vfio_pci_shadow_write(struct vfio_pci *p, uint32_t off, uint32_t val, unsigned int len)
{
	for (unsigned int i = 0; i < len && off + i < PCI_CFG_SPACE_EXP; i++)
		p->shadow[off + i] = (uint8_t)(val >> (8 * i));
}

static unsigned int msi_cap_len(const uint8_t *real, uint8_t cap)
{
	uint16_t flags = (uint16_t)(real[cap + PCI_MSI_FLAGS] | real[cap + PCI_MSI_FLAGS + 1] << 8);
	unsigned int len = (flags & PCI_MSI_FLAGS_64BIT) ? 14 : 10;

	return (flags & PCI_MSI_FLAGS_MASKBIT) ? len + 10 : len;
}

static int walk_caps(struct vfio_pci *p, const uint8_t *real)
{
	bool seen[PCI_CFG_SPACE / 4] = {false};
	uint32_t link = PCI_CAPABILITY_LIST; /* the byte that points at the next kept cap */
	uint8_t ptr =
		(real[PCI_STATUS] & PCI_STATUS_CAP_LIST) ? real[PCI_CAPABILITY_LIST] & 0xfc : 0;
	int err;

	vfio_pci_emulate(p, PCI_CAPABILITY_LIST, 1, 0);
	p->shadow[PCI_CAPABILITY_LIST] = 0;
	/* a chain that loops or points into the header ends there */
	for (unsigned int n = 0; ptr >= 0x40 && !seen[ptr / 4] && n < MAX_CAPS; n++) {
		uint8_t id = real[ptr], next = real[ptr + PCI_CAP_LIST_NEXT] & 0xfc;
		enum cap_policy pol = cap_policy(id);

		seen[ptr / 4] = true;
		if (id == PCI_CAP_ID_PM && !p->pm_cap)
			p->pm_cap = ptr;
		if (id == PCI_CAP_ID_EXP && !p->exp_cap)
			p->exp_cap = ptr;
		if (id == PCI_CAP_ID_AF && !p->af_cap)
			p->af_cap = ptr;
		if (pol == CAP_MSI && ptr + msi_cap_len(real, ptr) > PCI_CFG_SPACE)
			pol = CAP_HIDE;
		if (pol == CAP_MSIX &&
		    (ptr + PCI_CAP_MSIX_SIZEOF > PCI_CFG_SPACE || p->msix.present))
			pol = CAP_HIDE;
		if (pol == CAP_MSI && p->msi.present)
			pol = CAP_HIDE;
		if (pol == CAP_MSIX) {
			err = vfio_pci_msix_init(p, ptr, real);
			if (err == -EINVAL)
				pol = CAP_HIDE; /* a table outside its BAR: better no MSI-X than a
						   wild one */
			else if (err)
				return err;
		}
		if (pol == CAP_MSI)
			vfio_pci_msi_init(p, ptr, real);
		if (pol == CAP_HIDE) {
			vfio_pci_emulate(p, ptr, 2, 0);
			p->shadow[ptr] = 0;
			p->shadow[ptr + 1] = 0;
		} else {
			p->shadow[link] = ptr;
			vfio_pci_emulate(p, ptr + PCI_CAP_LIST_NEXT, 1, 0);
			p->shadow[ptr + PCI_CAP_LIST_NEXT] = 0;
			link = ptr + PCI_CAP_LIST_NEXT;
		}
		ptr = next;
	}
	p->emu[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	if (p->shadow[PCI_CAPABILITY_LIST])
		p->shadow[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	return 0;
}

int vfio_pci_config_init(struct vfio_pci *p, const uint8_t *real, struct errbuf *e)
{
	uint8_t type = real[PCI_HEADER_TYPE] & 0x7f;

	if (real[PCI_VENDOR_ID] == 0xff && real[PCI_VENDOR_ID + 1] == 0xff)
		return errbuf_set(e, ENODEV, "%s: config space reads all-ones (device gone?)",
				  p->name);
	if (type != PCI_HEADER_TYPE_NORMAL)
		return errbuf_set(
			e, ENOTSUP,
			"%s has header type %u (a bridge?): vfvm passes through endpoints only",
			p->name, type);
	memset(p->emu, 0, sizeof(p->emu));
	memset(p->wmask, 0, sizeof(p->wmask));
	memset(p->shadow, 0, sizeof(p->shadow));
	p->emu[PCI_HEADER_TYPE] = 0x80;
	vfio_pci_emulate(p, PCI_BIST, 1, 0);
	vfio_pci_emulate(p, PCI_BASE_ADDRESS_0, 24, 0); /* pci_bar.c sets the masks */
	vfio_pci_emulate(p, PCI_ROM_ADDRESS, 4, 0);
	vfio_pci_emulate(p, PCI_CAPABILITY_LIST + 1, 7, 0); /* reserved */
	vfio_pci_emulate(p, PCI_INTERRUPT_LINE, 1, 0xff);
	vfio_pci_emulate(p, PCI_INTERRUPT_PIN, 1, 0); /* pci_irq.c sets it */
	if (p->cfg_size > PCI_CFG_SPACE)
		vfio_pci_emulate(p, PCI_CFG_SPACE, p->cfg_size - PCI_CFG_SPACE, 0);
	return walk_caps(p, real);
}

uint32_t vfio_pci_config_size(const struct vfio_pci *p)
{
	return p->cfg_size;
}

static bool access_ok(const struct vfio_pci *p, uint32_t off, unsigned int len)
{
	return (len == 1 || len == 2 || len == 4) && off < p->cfg_size && len <= p->cfg_size - off;
}

static bool overlaps(uint32_t off, unsigned int len, uint32_t start, uint32_t size)
{
	return off < start + size && start < off + len;
}

void vfio_pci_config_read(struct vfio_pci *p, uint32_t off, void *data, unsigned int len)
{
	uint8_t *out = data, dev[4] = {0xff, 0xff, 0xff, 0xff};
	bool need_dev = false;

	if (!access_ok(p, off, len)) {
		memset(data, 0xff, len < 8 ? len : 8);
		return;
	}
	pthread_mutex_lock(&p->lock);
	for (unsigned int i = 0; i < len; i++)
		need_dev |= p->emu[off + i] != 0xff;
	if (need_dev &&
	    p->be_ops->region_read(p->be, VFIO_PCI_CONFIG_REGION_INDEX, off, dev, len) != len)
		memset(dev, 0xff, sizeof(dev));
	for (unsigned int i = 0; i < len; i++)
		out[i] = (uint8_t)((dev[i] & ~p->emu[off + i]) |
				   (p->shadow[off + i] & p->emu[off + i]));
	/* MSI pending bits are live: a masked vector whose eventfd fired is pending */
	if (p->msi.present && p->msi.maskable) {
		uint32_t at = p->msi.cap + (p->msi.is64 ? PCI_MSI_PENDING_64 : PCI_MSI_PENDING_32);
		uint32_t pend = vfio_pci_msi_pending(p);

		for (unsigned int i = 0; i < len; i++)
			if (off + i >= at && off + i < at + 4)
				out[i] = (uint8_t)(pend >> (8 * (off + i - at)));
	}
	pthread_mutex_unlock(&p->lock);
}

static void write_device(struct vfio_pci *p, uint32_t off, const uint8_t *in, unsigned int len)
{
	unsigned int i = 0;

	/* only the runs of bytes that are (partly) the device's reach it */
	while (i < len) {
		unsigned int start;

		while (i < len && p->emu[off + i] == 0xff)
			i++;
		start = i;
		while (i < len && p->emu[off + i] != 0xff)
			i++;
		if (i > start)
			p->be_ops->region_write(p->be, VFIO_PCI_CONFIG_REGION_INDEX, off + start,
						in + start, i - start);
	}
}

/*
 * The bytes of a write that turns bus mastering on, with the bit taken out again if guest RAM is
 * not (and will not be) mapped for DMA: the device must not master before the IOMMU knows where
 * guest RAM is (vfio_vm.map_in_background).
 */
static void gate_bus_master(struct vfio_pci *p, uint32_t off, uint8_t *in, unsigned int len)
{
	unsigned int k = PCI_COMMAND - off; /* the command register's low byte in in[] */

	if (off > PCI_COMMAND || k >= len || !(in[k] & PCI_COMMAND_MASTER) ||
	    p->command & PCI_COMMAND_MASTER || !p->vm.ops->dma_ready)
		return;
	if (p->vm.ops->dma_ready(p->vm.opaque))
		in[k] &= (uint8_t)~PCI_COMMAND_MASTER;
}

void vfio_pci_config_write(struct vfio_pci *p, uint32_t off, const void *data, unsigned int len)
{
	uint8_t in[4];
	uint16_t cmd;
	unsigned int power;
	bool freed;

	if (!access_ok(p, off, len) || len > sizeof(in))
		return;
	memcpy(in, data, len);
	pthread_mutex_lock(&p->lock);
	gate_bus_master(p, off, in, len);
	for (unsigned int i = 0; i < len; i++) {
		uint8_t m = p->emu[off + i] & p->wmask[off + i];

		p->shadow[off + i] = (uint8_t)((p->shadow[off + i] & ~m) | (in[i] & m));
	}
	power = vfio_pci_reset_before_write(p, off, in, len);
	if (overlaps(off, len, PCI_COMMAND, 2)) {
		cmd = p->command;
		for (unsigned int i = 0; i < len; i++)
			if (off + i == PCI_COMMAND || off + i == PCI_COMMAND + 1)
				cmd = (uint16_t)((cmd & ~(0xff << (8 * (off + i - PCI_COMMAND)))) |
						 in[i] << (8 * (off + i - PCI_COMMAND)));
		/*
		 * Decoding turned off: drop our mappings before the device stops answering (a
		 * vCPU touching a slot of a disabled BAR would fault). Turned on: after it answers.
		 */
		p->command &= cmd;
		vfio_pci_bars_update(p);
		write_device(p, off, in, len);
		p->command = cmd;
		vfio_pci_bars_update(p);
	} else {
		write_device(p, off, in, len);
	}
	vfio_pci_reset_after_write(p, off, in, len, power);
	if (overlaps(off, len, PCI_BASE_ADDRESS_0, 24) || overlaps(off, len, PCI_ROM_ADDRESS, 4))
		vfio_pci_bars_update(p);
	if (p->msi.present && overlaps(off, len, p->msi.cap, p->msi.len))
		vfio_pci_msi_cfg_write(p);
	if (p->msix.present && overlaps(off, len, p->msix.cap, PCI_CAP_MSIX_SIZEOF))
		vfio_pci_msix_cfg_write(p);
	freed = p->space_freed;
	p->space_freed = false;
	pthread_mutex_unlock(&p->lock);
	/* outside our lock: the other devices take theirs */
	if (freed && p->vm.ops->bar_space_freed)
		p->vm.ops->bar_space_freed(p->vm.opaque, p);
}
