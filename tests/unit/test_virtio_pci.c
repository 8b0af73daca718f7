// SPDX-License-Identifier: MIT
/* The modern virtio PCI transport, driven the way a guest driver drives it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>

#include "devices/virtio_pci.h"
#include "tests/unit/virtio_test_util.h"

#define RING 0x10000ULL
#define BUF 0x20000ULL
#define BAR_ADDR 0xc0000000ULL

struct dummy {
	uint8_t cfg[8];
	unsigned int notified, resets;
	int last_pop;
};

struct fixture {
	struct guest_mem mem;
	struct io_bus bus;
	struct virtio_pci vp;
	struct dummy dev;
	uint64_t msi_addr[16];
	uint32_t msi_data[16];
	unsigned int nr_msi;
	bool intx;
};

static void d_cfg_read(void *dev, uint32_t off, void *data, unsigned int len)
{
	memcpy(data, ((struct dummy *)dev)->cfg + off, len);
}

static void d_cfg_write(void *dev, uint32_t off, const void *data, unsigned int len)
{
	memcpy(((struct dummy *)dev)->cfg + off, data, len);
}

/* Echo device: every chain comes back with its readable length as the written length. */
static void d_notify(void *dev, struct virtio_pci *vp, unsigned int q)
{
	struct dummy *d = dev;
	struct virtq_seg seg[4];
	struct virtq_chain c = {.seg = seg, .max = 4};
	int r;

	d->notified++;
	while ((r = virtq_pop(&vp->q[q], vp->p.mem, &c)) == 1)
		virtq_push(&vp->q[q], vp->p.mem, c.head, (uint32_t)c.read_len);
	d->last_pop = r;
	if (r < 0)
		virtio_pci_broken(vp, "bad descriptor");
	else
		virtio_pci_used(vp, q);
}

static void d_reset(void *dev)
{
	((struct dummy *)dev)->resets++;
}

static const struct virtio_dev_ops dummy_ops = {d_cfg_read, d_cfg_write, d_notify, d_reset};

static int rec_msi(void *opaque, uint64_t addr, uint32_t data)
{
	struct fixture *f = opaque;

	f->msi_addr[f->nr_msi] = addr;
	f->msi_data[f->nr_msi++] = data;
	return 0;
}

static void rec_intx(void *opaque, unsigned int gsi, bool level)
{
	(void)gsi;
	((struct fixture *)opaque)->intx = level;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct virtio_pci_params p = {
		.name = "virtio-test",
		.device_type = 23,
		.class_code = 0x088000,
		.features = 1ULL << VIRTIO_RING_F_INDIRECT_DESC | 1ULL << 3,
		.nr_queues = 2,
		.queue_size = 64,
		.cfg_size = 8,
		.nr_vectors = 3,
		.ops = &dummy_ops,
		.dev = &f->dev,
		.mem = &f->mem,
		.bus = &f->bus,
		.msi = {rec_msi, f},
		.intx = {rec_intx, f, 11},
	};

	fake_ram_init(&f->mem);
	io_bus_init(&f->bus);
	assert_int_equal(virtio_pci_init(&f->vp, &p), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	virtio_pci_destroy(&f->vp);
	io_bus_destroy(&f->bus);
	fake_ram_free(&f->mem);
	free(f);
	return 0;
}

static uint32_t cfg_rd(struct fixture *f, unsigned int off, unsigned int len)
{
	return virtio_pci_cfg_ops.cfg_read(&f->vp, off, len);
}

static void cfg_wr(struct fixture *f, unsigned int off, uint32_t v, unsigned int len)
{
	virtio_pci_cfg_ops.cfg_write(&f->vp, off, v, len);
}

/* BAR accesses through the I/O bus, as a vCPU's MMIO exit makes them. */
static uint64_t rd(struct fixture *f, uint64_t off, unsigned int len)
{
	uint64_t v = 0;

	io_bus_access(&f->bus, IO_SPACE_MMIO, BAR_ADDR + off, &v, len, false);
	return v;
}

static void wr(struct fixture *f, uint64_t off, uint64_t v, unsigned int len)
{
	io_bus_access(&f->bus, IO_SPACE_MMIO, BAR_ADDR + off, &v, len, true);
}

static void map_bar(struct fixture *f)
{
	cfg_wr(f, PCI_BASE_ADDRESS_0, (uint32_t)BAR_ADDR, 4);
	cfg_wr(f, PCI_BASE_ADDRESS_1, 0, 4);
	cfg_wr(f, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
}

static uint8_t status(struct fixture *f)
{
	return (uint8_t)rd(f, VIRTIO_PCI_COMMON_STATUS, 1);
}

/* What a driver does up to DRIVER_OK, with queue 0 at RING. */
static void driver_up(struct fixture *f, uint64_t features)
{
	map_bar(f);
	wr(f, VIRTIO_PCI_COMMON_STATUS, 0, 1);
	wr(f, VIRTIO_PCI_COMMON_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE, 1);
	wr(f, VIRTIO_PCI_COMMON_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER, 1);
	wr(f, VIRTIO_PCI_COMMON_GFSELECT, 0, 4);
	wr(f, VIRTIO_PCI_COMMON_GF, (uint32_t)features, 4);
	wr(f, VIRTIO_PCI_COMMON_GFSELECT, 1, 4);
	wr(f, VIRTIO_PCI_COMMON_GF, features >> 32, 4);
	wr(f, VIRTIO_PCI_COMMON_STATUS, 0xb, 1);
	assert_int_equal(status(f), 0xb);
	wr(f, VIRTIO_PCI_COMMON_Q_SELECT, 0, 2);
	wr(f, VIRTIO_PCI_COMMON_Q_SIZE, 8, 2);
	wr(f, VIRTIO_PCI_COMMON_Q_DESCLO, RING, 4);
	wr(f, VIRTIO_PCI_COMMON_Q_DESCHI, 0, 4);
	wr(f, VIRTIO_PCI_COMMON_Q_AVAILLO, RING + 0x1000, 8);
	wr(f, VIRTIO_PCI_COMMON_Q_USEDLO, RING + 0x2000, 4);
	wr(f, VIRTIO_PCI_COMMON_Q_USEDHI, 0, 4);
	wr(f, VIRTIO_PCI_COMMON_Q_ENABLE, 1, 2);
	assert_int_equal(rd(f, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 1);
	wr(f, VIRTIO_PCI_COMMON_STATUS, 0xf, 1);
}

static void config_space_describes_a_modern_device(void **state)
{
	struct fixture *f = *state;
	unsigned int types = 0, pos;
	bool msix = false;

	assert_int_equal(cfg_rd(f, PCI_VENDOR_ID, 2), 0x1af4);
	assert_int_equal(cfg_rd(f, PCI_DEVICE_ID, 2), 0x1040 + 23);
	assert_true(cfg_rd(f, PCI_REVISION_ID, 1) >= 1);
	assert_int_equal(cfg_rd(f, PCI_CLASS_DEVICE, 2), 0x0880);
	assert_int_equal(cfg_rd(f, PCI_INTERRUPT_PIN, 1), 1);
	assert_true(cfg_rd(f, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	for (pos = cfg_rd(f, PCI_CAPABILITY_LIST, 1); pos; pos = cfg_rd(f, pos + 1, 1)) {
		assert_true(pos >= 0x40 && pos < 0x100);
		if (cfg_rd(f, pos, 1) == PCI_CAP_ID_MSIX) {
			msix = true;
			assert_int_equal(cfg_rd(f, pos + PCI_MSIX_FLAGS, 2) & PCI_MSIX_FLAGS_QSIZE,
					 2);
			assert_int_equal(cfg_rd(f, pos + PCI_MSIX_TABLE, 4),
					 VIRTIO_PCI_MSIX_TABLE_OFF);
			continue;
		}
		assert_int_equal(cfg_rd(f, pos, 1), PCI_CAP_ID_VNDR);
		assert_int_equal(cfg_rd(f, pos + VIRTIO_PCI_CAP_BAR, 1), 0);
		types |= 1u << cfg_rd(f, pos + VIRTIO_PCI_CAP_CFG_TYPE, 1);
		if (cfg_rd(f, pos + VIRTIO_PCI_CAP_CFG_TYPE, 1) == VIRTIO_PCI_CAP_NOTIFY_CFG)
			assert_int_equal(cfg_rd(f, pos + 16, 4), VIRTIO_PCI_NOTIFY_MULT);
	}
	assert_true(msix);
	assert_int_equal(types, 1u << VIRTIO_PCI_CAP_COMMON_CFG | 1u << VIRTIO_PCI_CAP_NOTIFY_CFG |
					1u << VIRTIO_PCI_CAP_ISR_CFG |
					1u << VIRTIO_PCI_CAP_DEVICE_CFG |
					1u << VIRTIO_PCI_CAP_PCI_CFG);
	/* BAR sizing: a 64-bit memory BAR of VIRTIO_PCI_BAR_SIZE */
	cfg_wr(f, PCI_BASE_ADDRESS_0, 0xffffffff, 4);
	cfg_wr(f, PCI_BASE_ADDRESS_1, 0xffffffff, 4);
	assert_int_equal(cfg_rd(f, PCI_BASE_ADDRESS_0, 4),
			 (uint32_t) ~(VIRTIO_PCI_BAR_SIZE - 1) | PCI_BASE_ADDRESS_MEM_TYPE_64);
	assert_int_equal(cfg_rd(f, PCI_BASE_ADDRESS_1, 4), 0xffffffff);
	/* the vendor id and the capabilities are read-only */
	cfg_wr(f, PCI_VENDOR_ID, 0, 2);
	cfg_wr(f, VIRTIO_PCI_CAP_COMMON_AT + VIRTIO_PCI_CAP_OFFSET, 0x1234, 4);
	assert_int_equal(cfg_rd(f, PCI_VENDOR_ID, 2), 0x1af4);
	assert_int_equal(cfg_rd(f, VIRTIO_PCI_CAP_COMMON_AT + VIRTIO_PCI_CAP_OFFSET, 4), 0);
}

static void bar_follows_decode_and_address(void **state)
{
	struct fixture *f = *state;
	uint64_t v = 0;

	cfg_wr(f, PCI_BASE_ADDRESS_0, (uint32_t)BAR_ADDR, 4);
	assert_int_equal(io_bus_access(&f->bus, IO_SPACE_MMIO, BAR_ADDR, &v, 4, false), -ENOENT);
	map_bar(f);
	assert_int_equal(rd(f, VIRTIO_PCI_COMMON_NUMQ, 2), 2);
	/* above 4 GiB */
	cfg_wr(f, PCI_BASE_ADDRESS_1, 1, 4);
	assert_int_equal(io_bus_access(&f->bus, IO_SPACE_MMIO, BAR_ADDR, &v, 4, false), -ENOENT);
	v = 0;
	assert_int_equal(io_bus_access(&f->bus, IO_SPACE_MMIO,
				       BAR_ADDR + (1ULL << 32) + VIRTIO_PCI_COMMON_NUMQ, &v, 2,
				       false),
			 0);
	assert_int_equal(v, 2);
	cfg_wr(f, PCI_COMMAND, 0, 2);
	assert_int_equal(
		io_bus_access(&f->bus, IO_SPACE_MMIO, BAR_ADDR + (1ULL << 32), &v, 4, false),
		-ENOENT);
}

static void feature_negotiation(void **state)
{
	struct fixture *f = *state;

	map_bar(f);
	wr(f, VIRTIO_PCI_COMMON_DFSELECT, 0, 4);
	assert_int_equal(rd(f, VIRTIO_PCI_COMMON_DF, 4), 1u << 28 | 1u << 3);
	wr(f, VIRTIO_PCI_COMMON_DFSELECT, 1, 4);
	assert_int_equal(rd(f, VIRTIO_PCI_COMMON_DF, 4), 1); /* VERSION_1 */
	wr(f, VIRTIO_PCI_COMMON_DFSELECT, 7, 4);
	assert_int_equal(rd(f, VIRTIO_PCI_COMMON_DF, 4), 0);
	/* without VERSION_1: refused */
	wr(f, VIRTIO_PCI_COMMON_STATUS, 3, 1);
	wr(f, VIRTIO_PCI_COMMON_GF, 1u << 3, 4);
	wr(f, VIRTIO_PCI_COMMON_STATUS, 0xb, 1);
	assert_int_equal(status(f), 3);
	/* a feature the device does not offer: refused */
	wr(f, VIRTIO_PCI_COMMON_GFSELECT, 1, 4);
	wr(f, VIRTIO_PCI_COMMON_GF, 1 | 1u << 2, 4);
	wr(f, VIRTIO_PCI_COMMON_STATUS, 0xb, 1);
	assert_int_equal(status(f), 3);
	wr(f, VIRTIO_PCI_COMMON_GF, 1, 4);
	wr(f, VIRTIO_PCI_COMMON_STATUS, 0xb, 1);
	assert_int_equal(status(f), 0xb);
	assert_true(virtio_pci_has_feature(&f->vp, 3));
	assert_true(virtio_pci_has_feature(&f->vp, VIRTIO_F_VERSION_1));
	assert_false(virtio_pci_has_feature(&f->vp, VIRTIO_RING_F_INDIRECT_DESC));
	/* fixed once accepted */
	wr(f, VIRTIO_PCI_COMMON_GFSELECT, 0, 4);
	wr(f, VIRTIO_PCI_COMMON_GF, 1u << 28, 4);
	assert_false(virtio_pci_has_feature(&f->vp, VIRTIO_RING_F_INDIRECT_DESC));
	/* reset: everything back */
	wr(f, VIRTIO_PCI_COMMON_STATUS, 0, 1);
	assert_int_equal(status(f), 0);
	assert_false(virtio_pci_has_feature(&f->vp, 3));
	assert_int_equal(f->dev.resets, 2); /* init and this */
}

static void queues_and_notify(void **state)
{
	struct fixture *f = *state;
	struct virtq *q = &f->vp.q[0];
	uint32_t id, len;

	assert_int_equal(rd(f, VIRTIO_PCI_COMMON_Q_SIZE, 2), 0xffff); /* BAR not mapped yet */
	map_bar(f);
	wr(f, VIRTIO_PCI_COMMON_Q_SELECT, 5, 2);
	assert_int_equal(rd(f, VIRTIO_PCI_COMMON_Q_SIZE, 2), 0); /* no such queue */
	wr(f, VIRTIO_PCI_COMMON_Q_SELECT, 1, 2);
	assert_int_equal(rd(f, VIRTIO_PCI_COMMON_Q_SIZE, 2), 64);
	assert_int_equal(rd(f, VIRTIO_PCI_COMMON_Q_NOFF, 2), 1);
	driver_up(f, 1ULL << 32);
	assert_int_equal(rd(f, VIRTIO_PCI_COMMON_Q_DESCLO, 8), RING);
	assert_int_equal(rd(f, VIRTIO_PCI_COMMON_Q_AVAILLO, 4), RING + 0x1000);
	/* set up while enabled: ignored */
	wr(f, VIRTIO_PCI_COMMON_Q_DESCLO, 0x5000, 4);
	assert_int_equal(q->desc, RING);
	desc_set(&f->mem, RING, 0, BUF, 12, 0, 0);
	avail_push(q, &f->mem, 0);
	wr(f, VIRTIO_PCI_NOTIFY_OFF + 4 * 1, 1, 2); /* queue 1 is not enabled */
	assert_int_equal(f->dev.notified, 0);
	wr(f, VIRTIO_PCI_NOTIFY_OFF, 0, 2);
	assert_int_equal(f->dev.notified, 1);
	assert_int_equal(used_idx(q, &f->mem), 1);
	used_elem(q, &f->mem, 0, &id, &len);
	assert_int_equal(len, 12);
	/* no MSI-X: the ISR and INTx say so, a read acknowledges */
	assert_true(f->intx);
	assert_int_equal(rd(f, VIRTIO_PCI_ISR_OFF, 1), 1);
	assert_false(f->intx);
	assert_int_equal(rd(f, VIRTIO_PCI_ISR_OFF, 1), 0);
	/* device configuration */
	wr(f, VIRTIO_PCI_DEVCFG_OFF + 4, 0xabcd, 2);
	assert_int_equal(rd(f, VIRTIO_PCI_DEVCFG_OFF + 4, 2), 0xabcd);
	assert_int_equal(rd(f, VIRTIO_PCI_DEVCFG_OFF + 6, 4), 0); /* beyond: zero, no overrun */
}

static void bad_descriptor_needs_reset(void **state)
{
	struct fixture *f = *state;
	struct virtq *q = &f->vp.q[0];

	driver_up(f, 1ULL << 32);
	wr(f, VIRTIO_PCI_COMMON_MSIX, 2, 2);
	assert_int_equal(rd(f, VIRTIO_PCI_COMMON_MSIX, 2), 2);
	cfg_wr(f, VIRTIO_PCI_CAP_MSIX_AT + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE, 2);
	wr(f, VIRTIO_PCI_MSIX_TABLE_OFF + 2 * 16, 0xfee01000, 4);
	wr(f, VIRTIO_PCI_MSIX_TABLE_OFF + 2 * 16 + 8, 0x41, 4);
	wr(f, VIRTIO_PCI_MSIX_TABLE_OFF + 2 * 16 + 12, 0, 4);
	desc_set(&f->mem, RING, 0, FAKE_RAM0_SIZE - 4, 16, 0, 0); /* into the hole */
	avail_push(q, &f->mem, 0);
	wr(f, VIRTIO_PCI_NOTIFY_OFF, 0, 2);
	assert_int_equal(f->dev.last_pop, -EIO);
	assert_int_equal(status(f), 0xf | VIRTIO_CONFIG_S_NEEDS_RESET);
	assert_int_equal(used_idx(q, &f->mem), 0);
	/* the configuration-change message on its vector */
	assert_int_equal(f->nr_msi, 1);
	assert_int_equal(f->msi_addr[0], 0xfee01000);
	assert_int_equal(f->msi_data[0], 0x41);
	/* broken: notifications do nothing until a reset */
	wr(f, VIRTIO_PCI_NOTIFY_OFF, 0, 2);
	assert_int_equal(f->dev.notified, 1);
	wr(f, VIRTIO_PCI_COMMON_STATUS, 0, 1);
	assert_int_equal(status(f), 0);
	assert_false(q->enabled);
	assert_null(f->vp.broken);
}

static void enable_with_rings_outside_ram(void **state)
{
	struct fixture *f = *state;

	map_bar(f);
	wr(f, VIRTIO_PCI_COMMON_STATUS, 0xb, 1); /* FEATURES_OK refused: no VERSION_1 */
	wr(f, VIRTIO_PCI_COMMON_Q_SELECT, 0, 2);
	wr(f, VIRTIO_PCI_COMMON_Q_SIZE, 64, 2);
	wr(f, VIRTIO_PCI_COMMON_Q_DESCLO, FAKE_RAM0_SIZE - 0x100, 8); /* 1 KiB of descriptors */
	wr(f, VIRTIO_PCI_COMMON_Q_AVAILLO, RING + 0x1000, 8);
	wr(f, VIRTIO_PCI_COMMON_Q_USEDLO, RING + 0x2000, 8);
	wr(f, VIRTIO_PCI_COMMON_Q_ENABLE, 1, 2);
	assert_int_equal(rd(f, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
	assert_true(status(f) & VIRTIO_CONFIG_S_NEEDS_RESET);
	wr(f, VIRTIO_PCI_COMMON_STATUS, 0, 1);
	wr(f, VIRTIO_PCI_COMMON_Q_SIZE, 100, 2); /* not a power of two */
	wr(f, VIRTIO_PCI_COMMON_Q_DESCLO, RING, 8);
	wr(f, VIRTIO_PCI_COMMON_Q_AVAILLO, RING + 0x1000, 8);
	wr(f, VIRTIO_PCI_COMMON_Q_USEDLO, RING + 0x2000, 8);
	wr(f, VIRTIO_PCI_COMMON_Q_ENABLE, 1, 2);
	assert_true(status(f) & VIRTIO_CONFIG_S_NEEDS_RESET);
	wr(f, VIRTIO_PCI_COMMON_STATUS, 0, 1);
	wr(f, VIRTIO_PCI_COMMON_Q_SIZE, 128, 2); /* larger than the device's */
	wr(f, VIRTIO_PCI_COMMON_Q_DESCLO, RING, 8);
	wr(f, VIRTIO_PCI_COMMON_Q_AVAILLO, RING + 0x1000, 8);
	wr(f, VIRTIO_PCI_COMMON_Q_USEDLO, RING + 0x2000, 8);
	wr(f, VIRTIO_PCI_COMMON_Q_ENABLE, 1, 2);
	assert_true(status(f) & VIRTIO_CONFIG_S_NEEDS_RESET);
}

static void msix_mask_pending_and_vectors(void **state)
{
	struct fixture *f = *state;
	struct virtq *q = &f->vp.q[0];

	driver_up(f, 1ULL << 32);
	wr(f, VIRTIO_PCI_COMMON_Q_SELECT, 0, 2);
	wr(f, VIRTIO_PCI_COMMON_Q_MSIX, 9, 2); /* no such vector */
	assert_int_equal(rd(f, VIRTIO_PCI_COMMON_Q_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	wr(f, VIRTIO_PCI_COMMON_Q_MSIX, 1, 2);
	assert_int_equal(rd(f, VIRTIO_PCI_COMMON_Q_MSIX, 2), 1);
	cfg_wr(f, VIRTIO_PCI_CAP_MSIX_AT + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE, 2);
	wr(f, VIRTIO_PCI_MSIX_TABLE_OFF + 16, 0xfee00000, 4);
	wr(f, VIRTIO_PCI_MSIX_TABLE_OFF + 16 + 8, 0x33, 4);
	/* still masked (the reset state): pending, shown in the PBA */
	desc_set(&f->mem, RING, 0, BUF, 4, 0, 0);
	avail_push(q, &f->mem, 0);
	wr(f, VIRTIO_PCI_NOTIFY_OFF, 0, 2);
	assert_int_equal(f->nr_msi, 0);
	assert_false(f->intx);
	assert_int_equal(rd(f, VIRTIO_PCI_MSIX_PBA_OFF, 8), 2);
	wr(f, VIRTIO_PCI_MSIX_TABLE_OFF + 16 + 12, 0, 4); /* unmask */
	assert_int_equal(f->nr_msi, 1);
	assert_int_equal(f->msi_data[0], 0x33);
	assert_int_equal(rd(f, VIRTIO_PCI_MSIX_PBA_OFF, 8), 0);
	/* the function mask holds it too */
	cfg_wr(f, VIRTIO_PCI_CAP_MSIX_AT + PCI_MSIX_FLAGS,
	       PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL, 2);
	avail_push(q, &f->mem, 0);
	wr(f, VIRTIO_PCI_NOTIFY_OFF, 0, 2);
	assert_int_equal(f->nr_msi, 1);
	cfg_wr(f, VIRTIO_PCI_CAP_MSIX_AT + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE, 2);
	assert_int_equal(f->nr_msi, 2);
	/* the driver asked for no interrupts */
	((uint16_t *)gpa(&f->mem, q->avail))[0] = VRING_AVAIL_F_NO_INTERRUPT;
	avail_push(q, &f->mem, 0);
	wr(f, VIRTIO_PCI_NOTIFY_OFF, 0, 2);
	assert_int_equal(f->nr_msi, 2);
	assert_int_equal(used_idx(q, &f->mem), 3);
	/* odd table accesses stay inside the table */
	wr(f, VIRTIO_PCI_MSIX_TABLE_OFF + 3 * 16 - 2, 0xffffffff, 4);
	assert_int_equal(rd(f, VIRTIO_PCI_MSIX_TABLE_OFF + 3 * 16, 4), 0);
}

static void pci_cfg_capability_window(void **state)
{
	struct fixture *f = *state;
	unsigned int c = VIRTIO_PCI_CAP_PCICFG_AT;

	/* works with the BAR unassigned and decode off, as firmware uses it */
	cfg_wr(f, c + VIRTIO_PCI_CAP_BAR, 0, 1);
	cfg_wr(f, c + VIRTIO_PCI_CAP_OFFSET, VIRTIO_PCI_COMMON_NUMQ, 4);
	cfg_wr(f, c + VIRTIO_PCI_CAP_LENGTH, 2, 4);
	assert_int_equal(cfg_rd(f, c + 16, 2), 2);
	cfg_wr(f, c + VIRTIO_PCI_CAP_OFFSET, VIRTIO_PCI_COMMON_STATUS, 4);
	cfg_wr(f, c + VIRTIO_PCI_CAP_LENGTH, 1, 4);
	cfg_wr(f, c + 16, VIRTIO_CONFIG_S_ACKNOWLEDGE, 4);
	assert_int_equal(f->vp.status, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	/* a misaligned or oversized window does nothing */
	cfg_wr(f, c + VIRTIO_PCI_CAP_OFFSET, VIRTIO_PCI_COMMON_NUMQ + 1, 4);
	cfg_wr(f, c + VIRTIO_PCI_CAP_LENGTH, 2, 4);
	cfg_wr(f, c + 16, 0, 4);
	cfg_wr(f, c + VIRTIO_PCI_CAP_OFFSET, 0x7ffffff0, 4);
	cfg_wr(f, c + VIRTIO_PCI_CAP_LENGTH, 4, 4);
	cfg_wr(f, c + 16, 0, 4);
	assert_int_equal(f->vp.status, VIRTIO_CONFIG_S_ACKNOWLEDGE);
}

static void bad_params(void **state)
{
	struct fixture *f = *state;
	struct virtio_pci vp;
	struct virtio_pci_params p = f->vp.p;

	p.queue_size = 100;
	assert_int_equal(virtio_pci_init(&vp, &p), -EINVAL);
	p = f->vp.p;
	p.nr_queues = VIRTIO_PCI_MAX_QUEUES + 1;
	assert_int_equal(virtio_pci_init(&vp, &p), -EINVAL);
	p = f->vp.p;
	p.nr_vectors = MSIX_MAX_VECTORS + 1;
	assert_int_equal(virtio_pci_init(&vp, &p), -EINVAL);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(config_space_describes_a_modern_device),
		T(bar_follows_decode_and_address),
		T(feature_negotiation),
		T(queues_and_notify),
		T(bad_descriptor_needs_reset),
		T(enable_with_rings_outside_ram),
		T(msix_mask_pending_and_vectors),
		T(pci_cfg_capability_window),
		T(bad_params),
	};

	return cmocka_run_group_tests_name("virtio_pci", tests, NULL, NULL);
}
