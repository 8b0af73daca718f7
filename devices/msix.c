// SPDX-License-Identifier: MIT
/* MSI-X emulation for devices vfvm models itself. */
#include "devices/msix.h"

#include <errno.h>
#include <string.h>

static uint32_t entry32(const struct msix *m, unsigned int v, unsigned int field)
{
	uint32_t x;

	memcpy(&x, m->table + v * PCI_MSIX_ENTRY_SIZE + field, 4);
	return x;
}

static bool vector_masked(const struct msix *m, unsigned int v)
{
	return m->fn_masked ||
	       entry32(m, v, PCI_MSIX_ENTRY_VECTOR_CTRL) & PCI_MSIX_ENTRY_CTRL_MASKBIT;
}

static void deliver(struct msix *m, unsigned int v)
{
	uint64_t addr = entry32(m, v, PCI_MSIX_ENTRY_LOWER_ADDR) |
			(uint64_t)entry32(m, v, PCI_MSIX_ENTRY_UPPER_ADDR) << 32;

	m->pending &= ~(1ULL << v);
	if (m->sink.signal)
		m->sink.signal(m->sink.opaque, addr, entry32(m, v, PCI_MSIX_ENTRY_DATA));
}

/* Pending messages of vectors that are no longer masked go out now. */
static void flush_pending(struct msix *m)
{
	if (!m->enabled)
		return;
	for (unsigned int v = 0; v < m->nr; v++)
		if (m->pending & (1ULL << v) && !vector_masked(m, v))
			deliver(m, v);
}

int msix_init(struct msix *m, struct pci_cfg_space *cs, uint8_t cap, uint8_t next, unsigned int nr,
	      unsigned int bir, uint32_t table_off, uint32_t pba_off, const struct msi_sink *sink)
{
	uint16_t ctrl = (uint16_t)(nr - 1);
	uint32_t t = table_off | bir, p = pba_off | bir;

	if (!nr || nr > MSIX_MAX_VECTORS || bir > 5 || table_off % 8 || pba_off % 8 ||
	    cap < PCI_STD_HEADER_SIZEOF || cap > 256 - PCI_CAP_MSIX_SIZEOF)
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	m->nr = nr;
	m->cap = cap;
	if (sink)
		m->sink = *sink;
	cs->data[cap + PCI_CAP_LIST_ID] = PCI_CAP_ID_MSIX;
	cs->data[cap + PCI_CAP_LIST_NEXT] = next;
	memcpy(cs->data + cap + PCI_MSIX_FLAGS, &ctrl, 2);
	memcpy(cs->data + cap + PCI_MSIX_TABLE, &t, 4);
	memcpy(cs->data + cap + PCI_MSIX_PBA, &p, 4);
	cs->wmask[cap + PCI_MSIX_FLAGS + 1] = (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL) >> 8;
	msix_reset(m, cs);
	return 0;
}

void msix_reset(struct msix *m, struct pci_cfg_space *cs)
{
	memset(m->table, 0, sizeof(m->table));
	for (unsigned int v = 0; v < m->nr; v++)
		m->table[v * PCI_MSIX_ENTRY_SIZE + PCI_MSIX_ENTRY_VECTOR_CTRL] =
			PCI_MSIX_ENTRY_CTRL_MASKBIT;
	m->pending = 0;
	m->enabled = m->fn_masked = false;
	cs->data[m->cap + PCI_MSIX_FLAGS + 1] &=
		(uint8_t) ~((PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL) >> 8);
}

void msix_cfg_written(struct msix *m, const struct pci_cfg_space *cs)
{
	uint8_t hi = cs->data[m->cap + PCI_MSIX_FLAGS + 1];

	m->enabled = hi & (PCI_MSIX_FLAGS_ENABLE >> 8);
	m->fn_masked = hi & (PCI_MSIX_FLAGS_MASKALL >> 8);
	flush_pending(m);
}

static bool inside(uint64_t off, unsigned int len, uint64_t size)
{
	return off < size && len <= size - off;
}

void msix_table_read(const struct msix *m, uint64_t off, void *data, unsigned int len)
{
	if (inside(off, len, (uint64_t)m->nr * PCI_MSIX_ENTRY_SIZE))
		memcpy(data, m->table + off, len);
	else
		memset(data, 0, len);
}

void msix_table_write(struct msix *m, uint64_t off, const void *data, unsigned int len)
{
	if (!inside(off, len, (uint64_t)m->nr * PCI_MSIX_ENTRY_SIZE))
		return;
	memcpy(m->table + off, data, len);
	/* only the mask bit of the control word is defined; the rest reads as zero */
	for (unsigned int v = (unsigned int)(off / PCI_MSIX_ENTRY_SIZE);
	     v <= (off + len - 1) / PCI_MSIX_ENTRY_SIZE; v++) {
		uint8_t *ctrl = m->table + v * PCI_MSIX_ENTRY_SIZE + PCI_MSIX_ENTRY_VECTOR_CTRL;

		ctrl[0] &= PCI_MSIX_ENTRY_CTRL_MASKBIT;
		memset(ctrl + 1, 0, 3);
	}
	flush_pending(m);
}

void msix_pba_read(const struct msix *m, uint64_t off, void *data, unsigned int len)
{
	uint64_t pba[(MSIX_MAX_VECTORS + 63) / 64] = {m->pending};

	if (inside(off, len, ((uint64_t)m->nr + 63) / 64 * 8))
		memcpy(data, (uint8_t *)pba + off, len);
	else
		memset(data, 0, len);
}

int msix_notify(struct msix *m, unsigned int v)
{
	if (v >= m->nr)
		return -EINVAL;
	if (!m->enabled)
		return -ENODEV;
	if (vector_masked(m, v))
		m->pending |= 1ULL << v;
	else
		deliver(m, v);
	return 0;
}
