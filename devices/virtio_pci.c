// SPDX-License-Identifier: MIT
/* The modern virtio PCI transport: config space, the BAR's regions, status and queues. */
#include "devices/virtio_pci.h"

#include <errno.h>
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>
#include <stdio.h>
#include <string.h>

#define NO_VECTOR VIRTIO_MSI_NO_VECTOR
#define BAR_LO PCI_BASE_ADDRESS_0
#define BAR_HI PCI_BASE_ADDRESS_1
#define ISR_QUEUE 0x1 /* the ISR status bits */
#define ISR_CONFIG 0x2

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void cap_add(struct virtio_pci *vp, uint8_t at, uint8_t next, uint8_t type, uint8_t len,
		    uint32_t off, uint32_t length)
{
	uint8_t *c = vp->cfg.data + at;

	c[VIRTIO_PCI_CAP_VNDR] = PCI_CAP_ID_VNDR;
	c[VIRTIO_PCI_CAP_NEXT] = next;
	c[VIRTIO_PCI_CAP_LEN] = len;
	c[VIRTIO_PCI_CAP_CFG_TYPE] = type;
	c[VIRTIO_PCI_CAP_BAR] = 0;
	put32(c + VIRTIO_PCI_CAP_OFFSET, off);
	put32(c + VIRTIO_PCI_CAP_LENGTH, length);
}

static void build_config_space(struct virtio_pci *vp)
{
	struct pci_cfg_space *cs = &vp->cfg;
	uint8_t *d = cs->data;
	uint32_t bar_mask = ~(uint32_t)(VIRTIO_PCI_BAR_SIZE - 1) & PCI_BASE_ADDRESS_MEM_MASK;
	uint8_t pcicfg = VIRTIO_PCI_CAP_PCICFG_AT;

	memset(cs, 0, sizeof(*cs));
	put16(d + PCI_VENDOR_ID, VIRTIO_PCI_VENDOR);
	put16(d + PCI_DEVICE_ID, VIRTIO_PCI_DEVICE_BASE + vp->p.device_type);
	put16(d + PCI_STATUS, PCI_STATUS_CAP_LIST);
	d[PCI_REVISION_ID] = 1; /* modern only */
	d[PCI_CLASS_PROG] = (uint8_t)vp->p.class_code;
	put16(d + PCI_CLASS_DEVICE, (uint16_t)(vp->p.class_code >> 8));
	put32(d + BAR_LO, PCI_BASE_ADDRESS_MEM_TYPE_64);
	put16(d + PCI_SUBSYSTEM_VENDOR_ID, VIRTIO_PCI_VENDOR);
	put16(d + PCI_SUBSYSTEM_ID, 0x1100);
	d[PCI_CAPABILITY_LIST] = VIRTIO_PCI_CAP_MSIX_AT;
	d[PCI_INTERRUPT_PIN] = vp->p.intx.set_level ? 1 : 0;

	put16(cs->wmask + PCI_COMMAND,
	      PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
	put32(cs->wmask + BAR_LO, bar_mask);
	put32(cs->wmask + BAR_HI, 0xffffffffu);
	cs->wmask[PCI_INTERRUPT_LINE] = 0xff;

	cap_add(vp, VIRTIO_PCI_CAP_COMMON_AT, VIRTIO_PCI_CAP_NOTIFY_AT, VIRTIO_PCI_CAP_COMMON_CFG,
		sizeof(struct virtio_pci_cap), VIRTIO_PCI_COMMON_OFF, VIRTIO_PCI_COMMON_LEN);
	cap_add(vp, VIRTIO_PCI_CAP_NOTIFY_AT, VIRTIO_PCI_CAP_ISR_AT, VIRTIO_PCI_CAP_NOTIFY_CFG,
		sizeof(struct virtio_pci_notify_cap), VIRTIO_PCI_NOTIFY_OFF,
		VIRTIO_PCI_NOTIFY_MULT * vp->p.nr_queues);
	put32(d + VIRTIO_PCI_CAP_NOTIFY_AT + sizeof(struct virtio_pci_cap), VIRTIO_PCI_NOTIFY_MULT);
	cap_add(vp, VIRTIO_PCI_CAP_ISR_AT, vp->p.cfg_size ? VIRTIO_PCI_CAP_DEVICE_AT : pcicfg,
		VIRTIO_PCI_CAP_ISR_CFG, sizeof(struct virtio_pci_cap), VIRTIO_PCI_ISR_OFF, 1);
	if (vp->p.cfg_size)
		cap_add(vp, VIRTIO_PCI_CAP_DEVICE_AT, pcicfg, VIRTIO_PCI_CAP_DEVICE_CFG,
			sizeof(struct virtio_pci_cap), VIRTIO_PCI_DEVCFG_OFF, vp->p.cfg_size);
	/* a window into the BAR through config space: bar, offset, length and data are the
	 * driver's */
	cap_add(vp, pcicfg, 0, VIRTIO_PCI_CAP_PCI_CFG, sizeof(struct virtio_pci_cfg_cap), 0, 0);
	cs->wmask[pcicfg + VIRTIO_PCI_CAP_BAR] = 0xff;
	memset(cs->wmask + pcicfg + VIRTIO_PCI_CAP_OFFSET, 0xff, 12);
}

static void intx_update(struct virtio_pci *vp)
{
	bool disabled = vp->cfg.data[PCI_COMMAND + 1] & (PCI_COMMAND_INTX_DISABLE >> 8);

	irq_line_set(&vp->p.intx, vp->isr && !disabled && !vp->msix.enabled);
}

/* A message on vector v with MSI-X on, else the ISR bit and the INTx line. */
static void raise_irq(struct virtio_pci *vp, uint16_t v, uint8_t isr_bit)
{
	if (vp->msix.enabled) {
		if (v != NO_VECTOR)
			msix_notify(&vp->msix, v);
		return;
	}
	vp->isr |= isr_bit;
	intx_update(vp);
}

static void device_reset(struct virtio_pci *vp)
{
	vp->dfselect = vp->gfselect = 0;
	vp->driver_features = 0;
	vp->status = 0;
	vp->isr = 0;
	vp->msix_config = NO_VECTOR;
	vp->queue_select = 0;
	for (unsigned int i = 0; i < VIRTIO_PCI_MAX_QUEUES; i++) {
		virtq_reset(&vp->q[i], i < vp->p.nr_queues ? vp->p.queue_size : 0);
		vp->q_vector[i] = NO_VECTOR;
	}
	vp->broken = NULL;
	intx_update(vp);
	if (vp->p.ops->reset)
		vp->p.ops->reset(vp->p.dev);
}

int virtio_pci_init(struct virtio_pci *vp, const struct virtio_pci_params *p)
{
	int err;

	if (!p->ops || !p->mem || !p->nr_queues || p->nr_queues > VIRTIO_PCI_MAX_QUEUES ||
	    !p->queue_size || p->queue_size & (p->queue_size - 1) ||
	    p->cfg_size > VIRTIO_PCI_DEVCFG_MAX || !p->nr_vectors)
		return -EINVAL;
	memset(vp, 0, sizeof(*vp));
	vp->p = *p;
	vp->features = p->features | (1ULL << VIRTIO_F_VERSION_1);
	build_config_space(vp);
	err = msix_init(&vp->msix, &vp->cfg, VIRTIO_PCI_CAP_MSIX_AT, VIRTIO_PCI_CAP_COMMON_AT,
			p->nr_vectors, 0, VIRTIO_PCI_MSIX_TABLE_OFF, VIRTIO_PCI_MSIX_PBA_OFF,
			&p->msi);
	if (err)
		return err;
	pthread_mutex_init(&vp->lock, NULL);
	device_reset(vp);
	return 0;
}

static void bar_io_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	virtio_pci_bar_read(opaque, off, data, len);
}

static void bar_io_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	virtio_pci_bar_write(opaque, off, data, len);
}

static const struct io_ops bar_ops = {.read = bar_io_read, .write = bar_io_write};

static void bar_unmap(struct virtio_pci *vp)
{
	if (vp->bar_mapped && vp->p.bus)
		io_bus_unregister(vp->p.bus, IO_SPACE_MMIO, vp->bar_mapped, vp);
	vp->bar_mapped = 0;
}

/* Follow the BAR's address and the command register's memory decode bit. */
static void bar_update(struct virtio_pci *vp)
{
	uint32_t lo, hi;
	uint64_t addr;
	bool on = vp->cfg.data[PCI_COMMAND] & PCI_COMMAND_MEMORY;

	memcpy(&lo, vp->cfg.data + BAR_LO, 4);
	memcpy(&hi, vp->cfg.data + BAR_HI, 4);
	addr = (lo & PCI_BASE_ADDRESS_MEM_MASK) | (uint64_t)hi << 32;
	/* 0 is unassigned; a sizing write leaves all-ones, which wraps */
	if (!on || !addr || addr > UINT64_MAX - (VIRTIO_PCI_BAR_SIZE - 1) || !vp->p.bus) {
		bar_unmap(vp);
		return;
	}
	if (addr == vp->bar_mapped)
		return;
	if (vp->bar_mapped && !io_bus_move(vp->p.bus, IO_SPACE_MMIO, vp->bar_mapped, vp, addr)) {
		vp->bar_mapped = addr;
		return;
	}
	bar_unmap(vp);
	/* an overlap with another range leaves the BAR unreachable, as a conflict does on hardware
	 */
	if (!io_bus_register(vp->p.bus, IO_SPACE_MMIO, addr, VIRTIO_PCI_BAR_SIZE, &bar_ops, vp,
			     vp->p.name))
		vp->bar_mapped = addr;
}

void virtio_pci_destroy(struct virtio_pci *vp)
{
	pthread_mutex_lock(&vp->lock);
	bar_unmap(vp);
	pthread_mutex_unlock(&vp->lock);
	pthread_mutex_destroy(&vp->lock);
}

bool virtio_pci_has_feature(const struct virtio_pci *vp, unsigned int bit)
{
	return bit < 64 && vp->status & VIRTIO_CONFIG_S_FEATURES_OK &&
	       vp->driver_features & (1ULL << bit);
}

void virtio_pci_used(struct virtio_pci *vp, unsigned int q)
{
	if (q < vp->p.nr_queues && virtq_want_irq(&vp->q[q], vp->p.mem))
		raise_irq(vp, vp->q_vector[q], ISR_QUEUE);
}

void virtio_pci_config_changed(struct virtio_pci *vp)
{
	vp->generation++;
	if (vp->status & VIRTIO_CONFIG_S_DRIVER_OK)
		raise_irq(vp, vp->msix_config, ISR_CONFIG);
}

void virtio_pci_broken(struct virtio_pci *vp, const char *why)
{
	if (vp->status & VIRTIO_CONFIG_S_NEEDS_RESET)
		return;
	vp->broken = why;
	fprintf(stderr, "vfvm: %s: %s; the device needs a reset\n", vp->p.name, why);
	vp->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	virtio_pci_config_changed(vp);
}

static uint16_t valid_vector(const struct virtio_pci *vp, uint16_t v)
{
	return v < vp->msix.nr ? v : NO_VECTOR;
}

static void common_snapshot(const struct virtio_pci *vp, uint8_t *b)
{
	unsigned int qs = vp->queue_select;

	memset(b, 0, VIRTIO_PCI_COMMON_LEN);
	put32(b + VIRTIO_PCI_COMMON_DFSELECT, vp->dfselect);
	if (vp->dfselect < 2)
		put32(b + VIRTIO_PCI_COMMON_DF, (uint32_t)(vp->features >> (32 * vp->dfselect)));
	put32(b + VIRTIO_PCI_COMMON_GFSELECT, vp->gfselect);
	if (vp->gfselect < 2)
		put32(b + VIRTIO_PCI_COMMON_GF,
		      (uint32_t)(vp->driver_features >> (32 * vp->gfselect)));
	put16(b + VIRTIO_PCI_COMMON_MSIX, vp->msix_config);
	put16(b + VIRTIO_PCI_COMMON_NUMQ, (uint16_t)vp->p.nr_queues);
	b[VIRTIO_PCI_COMMON_STATUS] = vp->status;
	b[VIRTIO_PCI_COMMON_CFGGENERATION] = vp->generation;
	put16(b + VIRTIO_PCI_COMMON_Q_SELECT, vp->queue_select);
	if (qs >= vp->p.nr_queues)
		return; /* a queue that does not exist reads size 0 */
	put16(b + VIRTIO_PCI_COMMON_Q_SIZE, vp->q[qs].size);
	put16(b + VIRTIO_PCI_COMMON_Q_MSIX, vp->q_vector[qs]);
	put16(b + VIRTIO_PCI_COMMON_Q_ENABLE, vp->q[qs].enabled);
	put16(b + VIRTIO_PCI_COMMON_Q_NOFF, (uint16_t)qs);
	put64(b + VIRTIO_PCI_COMMON_Q_DESCLO, vp->q[qs].desc);
	put64(b + VIRTIO_PCI_COMMON_Q_AVAILLO, vp->q[qs].avail);
	put64(b + VIRTIO_PCI_COMMON_Q_USEDLO, vp->q[qs].used);
}

/* Only a feature set the device offers, with VERSION_1, is accepted. */
static void status_write(struct virtio_pci *vp, uint8_t v)
{
	if (!v) {
		device_reset(vp);
		return;
	}
	if (v & VIRTIO_CONFIG_S_FEATURES_OK && !(vp->status & VIRTIO_CONFIG_S_FEATURES_OK)) {
		bool ok = !(vp->driver_features & ~vp->features) &&
			  vp->driver_features & (1ULL << VIRTIO_F_VERSION_1);

		if (ok) {
			for (unsigned int i = 0; i < vp->p.nr_queues; i++)
				vp->q[i].indirect =
					vp->driver_features & (1ULL << VIRTIO_RING_F_INDIRECT_DESC);
		} else {
			v &= (uint8_t)~VIRTIO_CONFIG_S_FEATURES_OK;
		}
	}
	/* the driver sets bits one by one and clears them only by a reset */
	vp->status |= v & (uint8_t)~VIRTIO_CONFIG_S_NEEDS_RESET;
}

static void queue_write(struct virtio_pci *vp, unsigned int off, uint64_t v, unsigned int len)
{
	struct virtq *q;

	if (vp->queue_select >= vp->p.nr_queues)
		return;
	q = &vp->q[vp->queue_select];
	if (off == VIRTIO_PCI_COMMON_Q_MSIX && len == 2) {
		vp->q_vector[vp->queue_select] = valid_vector(vp, (uint16_t)v);
		return;
	}
	/* a queue's setup is fixed once it is enabled */
	if (q->enabled)
		return;
	switch (off) {
	case VIRTIO_PCI_COMMON_Q_SIZE:
		if (len == 2)
			q->size = (uint16_t)v;
		return;
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		if (len != 2 || v != 1)
			return;
		if (q->size > vp->p.queue_size || virtq_check(q, vp->p.mem)) {
			virtio_pci_broken(vp, "a queue was enabled with a bad size or rings "
					      "outside guest RAM");
			return;
		}
		q->enabled = true;
		return;
	}
	/* the 64-bit addresses, written whole or as two 32-bit halves */
	for (unsigned int base = VIRTIO_PCI_COMMON_Q_DESCLO; base <= VIRTIO_PCI_COMMON_Q_USEDLO;
	     base += 8) {
		uint64_t *a = base == VIRTIO_PCI_COMMON_Q_DESCLO    ? &q->desc
			      : base == VIRTIO_PCI_COMMON_Q_AVAILLO ? &q->avail
								    : &q->used;

		if (off == base && len == 8)
			*a = v;
		else if (off == base && len == 4)
			*a = (*a & ~0xffffffffULL) | (uint32_t)v;
		else if (off == base + 4 && len == 4)
			*a = (*a & 0xffffffffULL) | v << 32;
	}
}

static void common_write(struct virtio_pci *vp, unsigned int off, const void *data,
			 unsigned int len)
{
	uint64_t v = 0;

	memcpy(&v, data, len);
	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT:
		if (len == 4)
			vp->dfselect = (uint32_t)v;
		return;
	case VIRTIO_PCI_COMMON_GFSELECT:
		if (len == 4)
			vp->gfselect = (uint32_t)v;
		return;
	case VIRTIO_PCI_COMMON_GF:
		/* features are fixed once accepted */
		if (len == 4 && vp->gfselect < 2 && !(vp->status & VIRTIO_CONFIG_S_FEATURES_OK)) {
			unsigned int sh = 32 * vp->gfselect;

			vp->driver_features &= ~(0xffffffffULL << sh);
			vp->driver_features |= (v & 0xffffffffULL) << sh;
		}
		return;
	case VIRTIO_PCI_COMMON_MSIX:
		if (len == 2)
			vp->msix_config = valid_vector(vp, (uint16_t)v);
		return;
	case VIRTIO_PCI_COMMON_STATUS:
		if (len == 1)
			status_write(vp, (uint8_t)v);
		return;
	case VIRTIO_PCI_COMMON_Q_SELECT:
		if (len == 2)
			vp->queue_select = (uint16_t)v;
		return;
	}
	queue_write(vp, off, v, len);
}

static void notify(struct virtio_pci *vp, uint64_t off)
{
	unsigned int q = (unsigned int)(off / VIRTIO_PCI_NOTIFY_MULT);

	if (q >= vp->p.nr_queues || !vp->q[q].enabled ||
	    !(vp->status & VIRTIO_CONFIG_S_DRIVER_OK) || vp->status & VIRTIO_CONFIG_S_NEEDS_RESET)
		return;
	vp->p.ops->notify(vp->p.dev, vp, q);
}

static bool in(uint64_t off, unsigned int len, uint64_t base, uint64_t size)
{
	return off >= base && off - base < size && len <= size - (off - base);
}

static void bar_access(struct virtio_pci *vp, uint64_t off, void *data, unsigned int len,
		       bool write)
{
	if (in(off, len, VIRTIO_PCI_COMMON_OFF, VIRTIO_PCI_COMMON_LEN)) {
		uint8_t b[VIRTIO_PCI_COMMON_LEN];

		if (write) {
			common_write(vp, (unsigned int)off, data, len);
			return;
		}
		common_snapshot(vp, b);
		memcpy(data, b + off, len);
	} else if (in(off, len, VIRTIO_PCI_ISR_OFF, 1)) {
		/* reading the ISR acknowledges it */
		if (!write) {
			memset(data, 0, len);
			*(uint8_t *)data = vp->isr;
			vp->isr = 0;
			intx_update(vp);
		}
	} else if (vp->p.cfg_size && in(off, len, VIRTIO_PCI_DEVCFG_OFF, vp->p.cfg_size)) {
		uint32_t o = (uint32_t)(off - VIRTIO_PCI_DEVCFG_OFF);

		if (!write)
			vp->p.ops->cfg_read(vp->p.dev, o, data, len);
		else if (vp->p.ops->cfg_write)
			vp->p.ops->cfg_write(vp->p.dev, o, data, len);
	} else if (in(off, len, VIRTIO_PCI_NOTIFY_OFF,
		      (uint64_t)VIRTIO_PCI_NOTIFY_MULT * vp->p.nr_queues)) {
		if (write)
			notify(vp, off - VIRTIO_PCI_NOTIFY_OFF);
		else
			memset(data, 0, len);
	} else if (in(off, len, VIRTIO_PCI_MSIX_TABLE_OFF, (uint64_t)vp->msix.nr * 16)) {
		if (write)
			msix_table_write(&vp->msix, off - VIRTIO_PCI_MSIX_TABLE_OFF, data, len);
		else
			msix_table_read(&vp->msix, off - VIRTIO_PCI_MSIX_TABLE_OFF, data, len);
	} else if (in(off, len, VIRTIO_PCI_MSIX_PBA_OFF, 8)) {
		if (!write)
			msix_pba_read(&vp->msix, off - VIRTIO_PCI_MSIX_PBA_OFF, data, len);
	} else if (!write) {
		memset(data, 0, len);
	}
}

void virtio_pci_bar_read(struct virtio_pci *vp, uint64_t off, void *data, unsigned int len)
{
	if (len > 8) {
		memset(data, 0xff, len);
		return;
	}
	pthread_mutex_lock(&vp->lock);
	bar_access(vp, off, data, len, false);
	pthread_mutex_unlock(&vp->lock);
}

void virtio_pci_bar_write(struct virtio_pci *vp, uint64_t off, const void *data, unsigned int len)
{
	if (len > 8)
		return;
	pthread_mutex_lock(&vp->lock);
	bar_access(vp, off, (void *)data, len, true);
	pthread_mutex_unlock(&vp->lock);
}

/*
 * The PCI-configuration access capability: the driver names bar, offset and length (1, 2 or 4,
 * offset aligned to it) and reads or writes the data field.
 */
static bool pcicfg_window(struct virtio_pci *vp, uint32_t *off, unsigned int *len)
{
	const uint8_t *c = vp->cfg.data + VIRTIO_PCI_CAP_PCICFG_AT;

	memcpy(off, c + VIRTIO_PCI_CAP_OFFSET, 4);
	memcpy(len, c + VIRTIO_PCI_CAP_LENGTH, 4);
	return c[VIRTIO_PCI_CAP_BAR] == 0 && (*len == 1 || *len == 2 || *len == 4) &&
	       *off % *len == 0 && *off < VIRTIO_PCI_BAR_SIZE;
}

static bool overlaps(unsigned int off, unsigned int len, unsigned int base, unsigned int size)
{
	return off < base + size && base < off + len;
}

#define PCICFG_DATA (VIRTIO_PCI_CAP_PCICFG_AT + sizeof(struct virtio_pci_cap))

static uint32_t cfg_read(void *opaque, unsigned int off, unsigned int len)
{
	struct virtio_pci *vp = opaque;
	uint32_t v, wlen, woff;

	pthread_mutex_lock(&vp->lock);
	if (overlaps(off, len, PCICFG_DATA, 4) && pcicfg_window(vp, &woff, &wlen)) {
		uint8_t b[4] = {0};

		bar_access(vp, woff, b, wlen, false);
		memcpy(vp->cfg.data + PCICFG_DATA, b, 4);
	}
	v = pci_cfg_space_read(&vp->cfg, off, len);
	pthread_mutex_unlock(&vp->lock);
	return v;
}

static void cfg_write(void *opaque, unsigned int off, uint32_t val, unsigned int len)
{
	struct virtio_pci *vp = opaque;
	unsigned int msix_ctrl = VIRTIO_PCI_CAP_MSIX_AT + PCI_MSIX_FLAGS;
	uint32_t wlen, woff;

	pthread_mutex_lock(&vp->lock);
	pci_cfg_space_write(&vp->cfg, off, val, len);
	if (overlaps(off, len, PCI_COMMAND, 2) || overlaps(off, len, BAR_LO, 8))
		bar_update(vp);
	if (overlaps(off, len, msix_ctrl, 2)) {
		msix_cfg_written(&vp->msix, &vp->cfg);
		intx_update(vp);
	}
	if (overlaps(off, len, PCI_COMMAND, 2))
		intx_update(vp);
	if (overlaps(off, len, PCICFG_DATA, 4) && pcicfg_window(vp, &woff, &wlen))
		bar_access(vp, woff, vp->cfg.data + PCICFG_DATA, wlen, true);
	pthread_mutex_unlock(&vp->lock);
}

const struct pci_dev_ops virtio_pci_cfg_ops = {.cfg_read = cfg_read, .cfg_write = cfg_write};
