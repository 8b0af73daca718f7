// SPDX-License-Identifier: MIT
/*
 * MSI of a passthrough device: the capability is emulated; enabling it hands VFIO one eventfd per
 * enabled vector, and each vector becomes a GSI route (data with the vector number in its low
 * bits, as multiple-message MSI defines) with an irqfd while it is not masked.
 */
#include "vfio/pci_dev.h"

#include <errno.h>
#include <linux/pci_regs.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

static uint32_t field(const struct vfio_pci *p, uint32_t off, unsigned int len)
{
	return vfio_pci_shadow_read(p, p->msi.cap + off, len);
}

void vfio_pci_msi_init(struct vfio_pci *p, uint8_t cap, const uint8_t *real)
{
	struct vfio_pci_msi *m = &p->msi;
	uint16_t flags = (uint16_t)(real[cap + PCI_MSI_FLAGS] | real[cap + PCI_MSI_FLAGS + 1] << 8);
	unsigned int qmask = (flags & PCI_MSI_FLAGS_QMASK) >> 1;

	m->cap = cap;
	m->is64 = flags & PCI_MSI_FLAGS_64BIT;
	m->maskable = flags & PCI_MSI_FLAGS_MASKBIT;
	m->max_vec = 1u << (qmask > 5 ? 5 : qmask);
	m->len = (uint8_t)((m->is64 ? 14 : 10) + (m->maskable ? 10 : 0));
	m->enabled = false;
	m->nr = 0;
	for (unsigned int i = 0; i < VFIO_PCI_MSI_MAX; i++)
		m->vec[i] = (struct vfio_pci_vector){.efd = -1, .gsi = -1};

	vfio_pci_emulate(p, cap, m->len, 0);
	p->shadow[cap] = real[cap];
	/* the read-only bits are the device's; enable and the vector count start cleared */
	vfio_pci_shadow_write(p, cap + PCI_MSI_FLAGS,
			      flags & ~(PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE), 2);
	p->wmask[cap + PCI_MSI_FLAGS] = PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE;
	p->wmask[cap + PCI_MSI_ADDRESS_LO] = 0xfc;
	vfio_pci_emulate(p, cap + PCI_MSI_ADDRESS_LO + 1, 3, 0xff);
	if (m->is64)
		vfio_pci_emulate(p, cap + PCI_MSI_ADDRESS_HI, 4, 0xff);
	vfio_pci_emulate(p, cap + (m->is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32), 2, 0xff);
	if (m->maskable) {
		uint32_t at = cap + (m->is64 ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32);
		uint32_t bits = m->max_vec == 32 ? ~0u : (1u << m->max_vec) - 1;

		for (unsigned int i = 0; i < 4; i++)
			p->wmask[at + i] = (uint8_t)(bits >> (8 * i));
	}
	m->present = true;
}

static void msi_disable(struct vfio_pci *p)
{
	struct vfio_pci_msi *m = &p->msi;

	if (!m->enabled)
		return;
	vfio_pci_set_trigger(p, VFIO_PCI_MSI_IRQ_INDEX, 0, NULL);
	vfio_pci_vectors_release(p, m->vec, m->nr);
	m->enabled = false;
	m->nr = 0;
}

static void set_qsize(struct vfio_pci *p, unsigned int qsize)
{
	uint16_t ctrl = (uint16_t)field(p, PCI_MSI_FLAGS, 2);

	ctrl = (uint16_t)((ctrl & ~PCI_MSI_FLAGS_QSIZE) | qsize << 4);
	vfio_pci_shadow_write(p, p->msi.cap + PCI_MSI_FLAGS, ctrl, 2);
}

/*
 * Hand VFIO nr eventfds. A host that has fewer vectors says how many (a positive answer): the
 * function then gets the largest power of two of them, and Multiple Message Enable says so.
 */
static int msi_enable(struct vfio_pci *p, unsigned int nr)
{
	struct vfio_pci_msi *m = &p->msi;
	int fds[VFIO_PCI_MSI_MAX], err = 0;
	unsigned int asked = nr;

	for (unsigned int i = 0; i < nr && !err; i++) {
		m->vec[i].efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		fds[i] = m->vec[i].efd;
		if (fds[i] < 0)
			err = -errno;
	}
	if (!err) {
		vfio_pci_intx_set(p, false);
		err = vfio_pci_set_trigger(p, VFIO_PCI_MSI_IRQ_INDEX, nr, fds);
		while (err > 0 && (unsigned int)err < nr) {
			nr = 1u << (31 - __builtin_clz((unsigned int)err));
			err = vfio_pci_set_trigger(p, VFIO_PCI_MSI_IRQ_INDEX, nr, fds);
		}
		if (err > 0)
			err = -ENOSPC; /* a count no smaller than asked: nothing to retry with */
	}
	if (err) {
		for (unsigned int i = 0; i < asked; i++) {
			if (m->vec[i].efd >= 0)
				close(m->vec[i].efd);
			m->vec[i].efd = -1;
		}
		return err;
	}
	for (unsigned int i = nr; i < asked; i++) {
		close(m->vec[i].efd);
		m->vec[i].efd = -1;
	}
	if (nr < asked) {
		set_qsize(p, (unsigned int)__builtin_ctz(nr));
		vfio_pci_warn(p, "the host has %u MSI vector(s) for it; the guest asked %u", nr,
			      asked);
	}
	m->enabled = true;
	m->nr = nr;
	return 0;
}

void vfio_pci_msi_off(struct vfio_pci *p)
{
	uint16_t ctrl;

	if (!p->msi.present)
		return;
	ctrl = (uint16_t)field(p, PCI_MSI_FLAGS, 2);
	msi_disable(p);
	vfio_pci_shadow_write(p, p->msi.cap + PCI_MSI_FLAGS, ctrl & ~PCI_MSI_FLAGS_ENABLE, 2);
}

void vfio_pci_msi_cfg_write(struct vfio_pci *p)
{
	struct vfio_pci_msi *m = &p->msi;
	struct vfio_vector_want want[VFIO_PCI_MSI_MAX];
	uint16_t ctrl = (uint16_t)field(p, PCI_MSI_FLAGS, 2);
	unsigned int qsize = (ctrl & PCI_MSI_FLAGS_QSIZE) >> 4;
	uint64_t addr;
	uint32_t data, mask = 0;
	int err;

	/* more vectors than the device offers: it gets what it offers */
	if ((1u << (qsize > 5 ? 5 : qsize)) > m->max_vec || qsize > 5) {
		qsize = (unsigned int)__builtin_ctz(m->max_vec);
		set_qsize(p, qsize);
	}
	if ((ctrl & PCI_MSI_FLAGS_ENABLE) && !m->enabled) {
		/* the last enable wins, as on a device: MSI-X goes */
		if (p->msix.enabled)
			vfio_pci_msix_off(p);
		err = msi_enable(p, 1u << qsize);
		if (err) {
			vfio_pci_warn(p, "cannot enable MSI: %s; the device keeps INTx",
				      strerror(-err));
			vfio_pci_msi_off(p);
		}
		vfio_pci_intx_follow(p);
	} else if (!(ctrl & PCI_MSI_FLAGS_ENABLE) && m->enabled) {
		msi_disable(p);
		vfio_pci_intx_follow(p);
	}
	if (!m->enabled)
		return;
	addr = field(p, PCI_MSI_ADDRESS_LO, 4);
	if (m->is64)
		addr |= (uint64_t)field(p, PCI_MSI_ADDRESS_HI, 4) << 32;
	data = field(p, m->is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32, 2);
	if (m->maskable)
		mask = field(p, m->is64 ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32, 4);
	for (unsigned int i = 0; i < m->nr; i++)
		want[i] = (struct vfio_vector_want){!(mask & (1u << i)), addr,
						    (data & ~(m->nr - 1)) | i};
	vfio_pci_vectors_sync(p, m->vec, m->nr, want);
}

uint32_t vfio_pci_msi_pending(const struct vfio_pci *p)
{
	uint32_t bits = 0;

	for (unsigned int i = 0; p->msi.enabled && i < p->msi.nr; i++)
		if (vfio_pci_vector_pending(&p->msi.vec[i]))
			bits |= 1u << i;
	return bits;
}

void vfio_pci_msi_release(struct vfio_pci *p)
{
	msi_disable(p);
	p->msi.present = false;
}
