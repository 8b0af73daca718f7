// SPDX-License-Identifier: MIT
/*
 * MSI-X of a passthrough device: the capability, the vector table and the PBA, all emulated.
 *
 * The guest's table lives here; the real one belongs to the host kernel, which programs it for the
 * eventfds we hand to VFIO. VFIO gets the vectors up to the highest one the guest unmasked (a host
 * may not have one per table entry to spare), and more as the guest unmasks more: added to the
 * enabled MSI-X where the kernel can, else by enabling it again with the larger count. Each vector
 * follows its table entry: unmasked, it is a GSI route with an irqfd; masked, its signals wait in
 * the eventfd and show in the PBA.
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
	struct vfio_irq q;

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
	m->noresize = p->be_ops->irq_info(p->be, VFIO_PCI_MSIX_IRQ_INDEX, &q) ||
		      (q.flags & VFIO_IRQ_INFO_NORESIZE);
	m->host_max = m->nr;
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

static bool entry_masked(const struct vfio_pci_msix *m, unsigned int i)
{
	return m->table[i * PCI_MSIX_ENTRY_SIZE + PCI_MSIX_ENTRY_VECTOR_CTRL] &
	       PCI_MSIX_ENTRY_CTRL_MASKBIT;
}

static bool vector_wanted(const struct vfio_pci_msix *m, unsigned int i)
{
	return m->enabled && !m->masked_all && !entry_masked(m, i);
}

static int trigger_fds(struct vfio_pci *p, unsigned int start, unsigned int count)
{
	struct vfio_pci_msix *m = &p->msix;
	size_t size = sizeof(struct vfio_irq_set) + count * sizeof(int32_t);
	struct vfio_irq_set *set = calloc(1, size);
	int err;

	if (!set)
		return -ENOMEM;
	set->argsz = (uint32_t)size;
	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = VFIO_PCI_MSIX_IRQ_INDEX;
	set->start = start;
	set->count = count;
	for (unsigned int i = 0; i < count; i++) {
		int32_t fd = m->vec[start + i].efd;

		memcpy(set->data + i * sizeof(fd), &fd, sizeof(fd));
	}
	err = p->be_ops->set_irqs(p->be, set);
	free(set);
	return err;
}

/* Enable MSI-X in VFIO with count vectors (none enabled before); 0 or the host's count or -errno.
 */
static int enable_count(struct vfio_pci *p, unsigned int count)
{
	struct vfio_pci_msix *m = &p->msix;
	int err = trigger_fds(p, 0, count);

	/* the host has fewer: take what it has, and ask no more of it */
	if (err > 0 && (unsigned int)err < count) {
		m->host_max = (unsigned int)err;
		err = trigger_fds(p, 0, (unsigned int)err) ?: err;
	} else if (err > 0) {
		err = -ENOSPC;
	}
	return err;
}

/* At least want vectors in VFIO (or as many as the host has); true if the count changed. */
static bool grow(struct vfio_pci *p, unsigned int want)
{
	struct vfio_pci_msix *m = &p->msix;
	unsigned int old = m->granted;
	int err;

	if (want > m->host_max)
		want = m->host_max;
	if (want <= old)
		return false;
	if (!m->noresize) {
		err = trigger_fds(p, old, want - old);
		if (!err) {
			m->granted = want;
			return true;
		}
	}
	/* VFIO cannot add vectors to an enabled MSI-X: enable it again with more */
	vfio_pci_set_trigger(p, VFIO_PCI_MSIX_IRQ_INDEX, 0, NULL);
	err = enable_count(p, want);
	if (err > 0) {
		m->granted = (unsigned int)err;
		vfio_pci_warn(p,
			      "the host has %u MSI-X vector(s) for it; vectors from %u on stay "
			      "silent",
			      m->granted, m->granted);
		return true;
	}
	if (err && enable_count(p, old) != 0) {
		m->granted = 0;
		vfio_pci_warn(p, "cannot enable MSI-X again with %u vector(s): %s", old,
			      strerror(-err));
		return true;
	}
	if (err) {
		/* and no more tries (each one stops MSI-X for a moment) */
		m->host_max = old;
		vfio_pci_warn(p,
			      "cannot give MSI-X %u vector(s): %s; vectors from %u on stay silent",
			      want, strerror(-err), old);
	} else {
		m->granted = want;
	}
	return true;
}

/* Vectors [first, last] follow their table entries, in one route commit. */
static void sync_range(struct vfio_pci *p, unsigned int first, unsigned int last)
{
	struct vfio_pci_msix *m = &p->msix;
	struct vfio_vector_want *want;
	unsigned int need = 0;

	for (unsigned int i = first; i <= last; i++)
		if (vector_wanted(m, i))
			need = i + 1;
	if (m->enabled && need > m->granted && grow(p, need)) {
		/* VFIO's vectors changed under every entry: look at them all */
		first = 0;
		last = m->nr - 1u;
	}
	want = calloc(last - first + 1, sizeof(*want));
	if (!want) {
		vfio_pci_warn(p, "out of memory for its MSI-X vectors");
		return;
	}
	for (unsigned int i = first; i <= last; i++) {
		const uint8_t *e = m->table + i * PCI_MSIX_ENTRY_SIZE;
		uint32_t lo, hi, data;

		memcpy(&lo, e + PCI_MSIX_ENTRY_LOWER_ADDR, 4);
		memcpy(&hi, e + PCI_MSIX_ENTRY_UPPER_ADDR, 4);
		memcpy(&data, e + PCI_MSIX_ENTRY_DATA, 4);
		want[i - first] = (struct vfio_vector_want){vector_wanted(m, i) && i < m->granted,
							    (uint64_t)hi << 32 | lo, data};
	}
	vfio_pci_vectors_sync(p, m->vec + first, last - first + 1, want);
	free(want);
}

static void msix_disable(struct vfio_pci *p)
{
	struct vfio_pci_msix *m = &p->msix;

	if (!m->enabled)
		return;
	vfio_pci_set_trigger(p, VFIO_PCI_MSIX_IRQ_INDEX, 0, NULL);
	vfio_pci_vectors_release(p, m->vec, m->nr);
	m->enabled = false;
	m->granted = 0;
}

static int msix_enable(struct vfio_pci *p)
{
	struct vfio_pci_msix *m = &p->msix;
	unsigned int need = 1; /* VFIO enables MSI-X with one vector at least */
	int err = 0;

	m->host_max = m->nr;
	for (unsigned int i = 0; i < m->nr && !err; i++) {
		m->vec[i].efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (m->vec[i].efd < 0)
			err = -errno;
		else if (!m->masked_all && !entry_masked(m, i))
			need = i + 1;
	}
	/* VFIO takes one interrupt type at a time: INTx goes off first */
	if (!err) {
		vfio_pci_intx_set(p, false);
		err = enable_count(p, need);
		if (err > 0) {
			vfio_pci_warn(p,
				      "the host has %d MSI-X vector(s) for it; vectors from %d "
				      "on stay silent",
				      err, err);
			m->granted = (unsigned int)err;
			err = 0;
		} else if (!err) {
			m->granted = need;
		}
	}
	if (err) {
		for (unsigned int i = 0; i < m->nr; i++) {
			if (m->vec[i].efd >= 0)
				close(m->vec[i].efd);
			m->vec[i].efd = -1;
		}
		return err;
	}
	m->enabled = true;
	return 0;
}

void vfio_pci_msix_off(struct vfio_pci *p)
{
	struct vfio_pci_msix *m = &p->msix;

	if (!m->present)
		return;
	msix_disable(p);
	p->shadow[m->cap + PCI_MSIX_FLAGS + 1] &= (uint8_t) ~(PCI_MSIX_FLAGS_ENABLE >> 8);
}

void vfio_pci_msix_table_reset(struct vfio_pci *p)
{
	struct vfio_pci_msix *m = &p->msix;

	if (!m->present)
		return;
	memset(m->table, 0, table_len(m));
	for (unsigned int i = 0; i < m->nr; i++)
		m->table[i * PCI_MSIX_ENTRY_SIZE + PCI_MSIX_ENTRY_VECTOR_CTRL] =
			PCI_MSIX_ENTRY_CTRL_MASKBIT;
	m->masked_all = false;
}

void vfio_pci_msix_cfg_write(struct vfio_pci *p)
{
	struct vfio_pci_msix *m = &p->msix;
	uint8_t *hi = &p->shadow[m->cap + PCI_MSIX_FLAGS + 1];
	bool en = *hi & (PCI_MSIX_FLAGS_ENABLE >> 8);
	int err;

	m->masked_all = *hi & (PCI_MSIX_FLAGS_MASKALL >> 8);
	if (en && !m->enabled) {
		/* the last enable wins, as on a device: MSI goes */
		if (p->msi.enabled)
			vfio_pci_msi_off(p);
		err = msix_enable(p);
		if (err) {
			vfio_pci_warn(p, "cannot enable MSI-X: %s; the device keeps INTx",
				      strerror(-err));
			*hi &= (uint8_t) ~(PCI_MSIX_FLAGS_ENABLE >> 8);
		}
		vfio_pci_intx_follow(p);
	} else if (!en && m->enabled) {
		msix_disable(p);
		vfio_pci_intx_follow(p);
	}
	sync_range(p, 0, m->nr - 1u);
}

/*
 * The guest's pending bits for the vectors VFIO carries come from their eventfds: the host kernel
 * never masks those in the hardware table, so the device's own PBA says nothing about them. A
 * vector VFIO does not carry (above the count granted, or MSI-X off) is one the host left masked
 * in the hardware table: for it the device's own pending bit is the truth.
 */
static uint8_t pba_byte(struct vfio_pci *p, uint64_t k)
{
	struct vfio_pci_msix *m = &p->msix;
	uint8_t v = 0, hw = 0, unwired = 0;

	for (unsigned int b = 0; b < 8 && k * 8 + b < m->nr; b++) {
		uint64_t i = k * 8 + b;

		if (!m->enabled || i >= m->granted)
			unwired |= (uint8_t)(1u << b);
		else if (vfio_pci_vector_pending(&m->vec[i]))
			v |= (uint8_t)(1u << b);
	}
	if (unwired && p->be_ops->region_read(p->be, m->pba_bar, m->pba_off + k, &hw, 1) == 1)
		v |= hw & unwired;
	return v;
}

bool vfio_pci_msix_span(const struct vfio_pci *p, unsigned int bar, uint64_t off, unsigned int len,
			unsigned int *span)
{
	const struct vfio_pci_msix *m = &p->msix;
	uint64_t edges[4], end = off + len;
	unsigned int n = 0;
	bool inside = false;

	*span = len;
	if (!m->present)
		return false;
	if (bar == m->table_bar) {
		edges[n++] = m->table_off;
		edges[n++] = m->table_off + table_len(m);
		inside |= off >= m->table_off && off < m->table_off + table_len(m);
	}
	if (bar == m->pba_bar) {
		edges[n++] = m->pba_off;
		edges[n++] = m->pba_off + pba_len(m);
		inside |= off >= m->pba_off && off < m->pba_off + pba_len(m);
	}
	/* the span ends at the first edge after off */
	for (unsigned int i = 0; i < n; i++)
		if (edges[i] > off && edges[i] < end)
			end = edges[i];
	*span = (unsigned int)(end - off);
	return inside;
}

void vfio_pci_msix_access(struct vfio_pci *p, unsigned int bar, uint64_t off, void *data,
			  unsigned int len, bool is_write)
{
	struct vfio_pci_msix *m = &p->msix;
	uint8_t *bytes = data;
	uint64_t first = UINT64_MAX, last = 0;

	for (unsigned int i = 0; i < len; i++) {
		uint64_t a = off + i;

		if (bar == m->table_bar && a >= m->table_off && a < m->table_off + table_len(m)) {
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
		} else if (bar == m->pba_bar && a >= m->pba_off && a < m->pba_off + pba_len(m)) {
			if (!is_write)
				bytes[i] = pba_byte(p, a - m->pba_off); /* writes: read-only */
		} else if (!is_write) {
			bytes[i] = 0xff; /* not reached: callers split at the edges */
		}
	}
	if (is_write && first != UINT64_MAX)
		sync_range(p, (unsigned int)first, (unsigned int)last);
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
