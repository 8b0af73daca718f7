// SPDX-License-Identifier: MIT
/*
 * MSI-X of a passthrough device: the capability, the vector table and the PBA, all emulated.
 *
 * The guest's table lives here; the real one belongs to the host kernel, which programs it for the
 * eventfds we hand to VFIO. Enabling MSI-X hands VFIO one eventfd per vector at once (no resizing
 * later, which not every kernel allows); each vector then follows its table entry: unmasked, it is
 * a GSI route with an irqfd; masked, its signals wait in the eventfd and show in the PBA.
 */
#include "vfio/pci_dev.h"

#include <errno.h>
#include <linux/pci_regs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

static uint64_t table_len(const struct vfio_pci_msix *m)
{
	return (uint64_t)m->nr * PCI_MSIX_ENTRY_SIZE;
}

static uint64_t pba_len(const struct vfio_pci_msix *m)
{
	return ((uint64_t)m->nr + 63) / 64 * 8;
}

int vfio_pci_msix_init(struct vfio_pci *p, uint8_t cap, const uint8_t *real)
{
	struct vfio_pci_msix *m = &p->msix;
	uint16_t ctrl =
		(uint16_t)(real[cap + PCI_MSIX_FLAGS] | real[cap + PCI_MSIX_FLAGS + 1] << 8);
	uint32_t table, pba;
	struct vfio_region tr, pr;

	memcpy(&table, real + cap + PCI_MSIX_TABLE, 4);
	memcpy(&pba, real + cap + PCI_MSIX_PBA, 4);
	memset(m, 0, sizeof(*m));
	m->cap = cap;
	m->nr = (uint16_t)((ctrl & PCI_MSIX_FLAGS_QSIZE) + 1);
	m->table_bar = table & PCI_MSIX_TABLE_BIR;
	m->table_off = table & PCI_MSIX_TABLE_OFFSET;
	m->pba_bar = pba & PCI_MSIX_PBA_BIR;
	m->pba_off = pba & PCI_MSIX_PBA_OFFSET;
	if (m->table_bar > 5 || m->pba_bar > 5 ||
	    p->be_ops->region_info(p->be, m->table_bar, &tr) ||
	    p->be_ops->region_info(p->be, m->pba_bar, &pr) || m->table_off > tr.size ||
	    table_len(m) > tr.size - m->table_off || m->pba_off > pr.size ||
	    pba_len(m) > pr.size - m->pba_off)
		return -EINVAL;
	m->table = calloc(m->nr, PCI_MSIX_ENTRY_SIZE);
	m->vec = calloc(m->nr, sizeof(*m->vec));
	if (!m->table || !m->vec) {
		free(m->table);
		free(m->vec);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < m->nr; i++) {
		/* vectors come out of reset masked */
		m->table[i * PCI_MSIX_ENTRY_SIZE + PCI_MSIX_ENTRY_VECTOR_CTRL] =
			PCI_MSIX_ENTRY_CTRL_MASKBIT;
		m->vec[i].efd = -1;
		m->vec[i].gsi = -1;
	}
	vfio_pci_emulate(p, cap, PCI_CAP_MSIX_SIZEOF, 0);
	memcpy(p->shadow + cap, real + cap, PCI_CAP_MSIX_SIZEOF);
	p->shadow[cap + PCI_MSIX_FLAGS + 1] &=
		(uint8_t) ~((PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL) >> 8);
	p->wmask[cap + PCI_MSIX_FLAGS + 1] = (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL) >> 8;
	m->present = true;
	return 0;
}

static void vector_sync(struct vfio_pci *p, unsigned int i)
{
	struct vfio_pci_msix *m = &p->msix;
	const uint8_t *e = m->table + i * PCI_MSIX_ENTRY_SIZE;
	uint32_t lo, hi, data, ctrl;

	memcpy(&lo, e + PCI_MSIX_ENTRY_LOWER_ADDR, 4);
	memcpy(&hi, e + PCI_MSIX_ENTRY_UPPER_ADDR, 4);
	memcpy(&data, e + PCI_MSIX_ENTRY_DATA, 4);
	memcpy(&ctrl, e + PCI_MSIX_ENTRY_VECTOR_CTRL, 4);
	vfio_pci_vector_update(p, &m->vec[i],
			       m->enabled && !m->masked_all &&
				       !(ctrl & PCI_MSIX_ENTRY_CTRL_MASKBIT),
			       (uint64_t)hi << 32 | lo, data);
}

static void msix_disable(struct vfio_pci *p)
{
	struct vfio_pci_msix *m = &p->msix;

	if (!m->enabled)
		return;
	vfio_pci_set_trigger(p, VFIO_PCI_MSIX_IRQ_INDEX, 0, NULL);
	for (unsigned int i = 0; i < m->nr; i++)
		vfio_pci_vector_release(p, &m->vec[i]);
	m->enabled = false;
	vfio_pci_intx_set(p, true);
}

static int msix_enable(struct vfio_pci *p)
{
	struct vfio_pci_msix *m = &p->msix;
	int *fds = calloc(m->nr, sizeof(int)), err = 0;

	if (!fds)
		return -ENOMEM;
	for (unsigned int i = 0; i < m->nr && !err; i++) {
		m->vec[i].efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		fds[i] = m->vec[i].efd;
		if (fds[i] < 0)
			err = -errno;
	}
	/* VFIO takes one interrupt type at a time: INTx goes off first */
	if (!err) {
		vfio_pci_intx_set(p, false);
		err = vfio_pci_set_trigger(p, VFIO_PCI_MSIX_IRQ_INDEX, m->nr, fds);
	}
	free(fds);
	if (err) {
		for (unsigned int i = 0; i < m->nr; i++) {
			if (m->vec[i].efd >= 0)
				close(m->vec[i].efd);
			m->vec[i].efd = -1;
		}
		vfio_pci_intx_set(p, true);
		return err;
	}
	m->enabled = true;
	return 0;
}

void vfio_pci_msix_cfg_write(struct vfio_pci *p)
{
	struct vfio_pci_msix *m = &p->msix;
	uint8_t *hi = &p->shadow[m->cap + PCI_MSIX_FLAGS + 1];
	bool en = *hi & (PCI_MSIX_FLAGS_ENABLE >> 8);

	/* MSI and MSI-X at once is undefined; the device keeps the one enabled first */
	if (en && !m->enabled && (p->msi.enabled || msix_enable(p)))
		*hi &= (uint8_t) ~(PCI_MSIX_FLAGS_ENABLE >> 8);
	else if (!en)
		msix_disable(p);
	m->masked_all = *hi & (PCI_MSIX_FLAGS_MASKALL >> 8);
	for (unsigned int i = 0; i < m->nr; i++)
		vector_sync(p, i);
}

/*
 * The guest's pending bits come from the eventfds alone: the host kernel never masks a vector in
 * the hardware table, so the device's own PBA says nothing about the guest's masked vectors.
 */
static uint8_t pba_byte(struct vfio_pci *p, uint64_t k)
{
	struct vfio_pci_msix *m = &p->msix;
	uint8_t v = 0;

	for (unsigned int b = 0; b < 8; b++) {
		uint64_t i = k * 8 + b;

		if (i < m->nr && vfio_pci_vector_pending(&m->vec[i]))
			v |= (uint8_t)(1u << b);
	}
	return v;
}

bool vfio_pci_msix_access(struct vfio_pci *p, unsigned int bar, uint64_t off, void *data,
			  unsigned int len, bool is_write)
{
	struct vfio_pci_msix *m = &p->msix;
	uint8_t *bytes = data;
	bool in_table, in_pba;
	uint64_t first = UINT64_MAX, last = 0;

	if (!m->present)
		return false;
	in_table = bar == m->table_bar && off < m->table_off + table_len(m) &&
		   off + len > m->table_off;
	in_pba = bar == m->pba_bar && off < m->pba_off + pba_len(m) && off + len > m->pba_off;
	if (!in_table && !in_pba)
		return false;
	for (unsigned int i = 0; i < len; i++) {
		uint64_t a = off + i;

		if (in_table && a >= m->table_off && a < m->table_off + table_len(m)) {
			uint64_t t = a - m->table_off, field = t % PCI_MSIX_ENTRY_SIZE;

			if (!is_write) {
				bytes[i] = m->table[t];
				continue;
			}
			/* of vector control only the mask bit exists; the rest is reserved zero */
			if (field == PCI_MSIX_ENTRY_VECTOR_CTRL)
				m->table[t] = bytes[i] & PCI_MSIX_ENTRY_CTRL_MASKBIT;
			else if (field < PCI_MSIX_ENTRY_VECTOR_CTRL)
				m->table[t] = bytes[i];
			first = t / PCI_MSIX_ENTRY_SIZE < first ? t / PCI_MSIX_ENTRY_SIZE : first;
			last = t / PCI_MSIX_ENTRY_SIZE;
		} else if (in_pba && a >= m->pba_off && a < m->pba_off + pba_len(m)) {
			if (!is_write)
				bytes[i] = pba_byte(p, a - m->pba_off); /* writes: read-only */
		} else if (!is_write) {
			bytes[i] = 0xff; /* an access straddling the table's edge */
		}
	}
	for (uint64_t i = first; is_write && first != UINT64_MAX && i <= last; i++)
		vector_sync(p, (unsigned int)i);
	return true;
}

unsigned int vfio_pci_msix_holes(const struct vfio_pci *p, unsigned int bar, uint64_t (*holes)[2])
{
	const struct vfio_pci_msix *m = &p->msix;
	unsigned int n = 0;

	if (!m->present)
		return 0;
	if (m->table_bar == bar) {
		holes[n][0] = m->table_off;
		holes[n++][1] = m->table_off + table_len(m);
	}
	if (m->pba_bar == bar) {
		holes[n][0] = m->pba_off;
		holes[n++][1] = m->pba_off + pba_len(m);
	}
	return n;
}

void vfio_pci_msix_release(struct vfio_pci *p)
{
	struct vfio_pci_msix *m = &p->msix;

	if (!m->present)
		return;
	msix_disable(p);
	free(m->table);
	free(m->vec);
	m->table = NULL;
	m->vec = NULL;
	m->present = false;
}
