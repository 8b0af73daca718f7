// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: virtio-iommu on the virtio PCI transport as a hostile guest drives it. Input:
 * a byte N (its low 5 bits), N 12-byte accesses {region, len, write, pad, offset u32, value u32}
 * to the BAR or config space, then 16 KiB of guest RAM (rings, descriptors, requests: all the
 * fuzzer's; zero-padded). The driver is first brought up to DRIVER_OK with the request queue's
 * rings at 0, 0x1000 and 0x2000, its features from the RAM's first word; the queue is notified
 * after that and after each access.
 * Invariants: nothing outside guest RAM is touched (ASan), every host mapping lies inside guest
 * RAM, and a host space never gets an overlapping map or an unmap of what it does not hold.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_pci.h>

#include "devices/virtio_iommu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RAM 0x4000
#define MAXMAP 64

static uint8_t *ram;
static struct {
	uint64_t iova, size;
} held[MAXMAP];
static unsigned int nheld;

static int sp_map(void *s, uint64_t iova, void *hva, uint64_t size, unsigned int prot)
{
	(void)s;
	(void)prot;
	if ((uint8_t *)hva < ram || size > RAM || (uint8_t *)hva + size > ram + RAM)
		abort();
	for (unsigned int i = 0; i < nheld; i++)
		if (iova < held[i].iova + held[i].size && held[i].iova < iova + size)
			abort();
	if (nheld == MAXMAP)
		return -28; /* ENOSPC: the core must cope */
	held[nheld].iova = iova;
	held[nheld++].size = size;
	return 0;
}

static int sp_unmap(void *s, uint64_t iova, uint64_t size)
{
	(void)s;
	for (unsigned int i = 0; i < nheld; i++) {
		if (held[i].iova == iova && held[i].size == size) {
			held[i] = held[--nheld];
			return 0;
		}
	}
	abort();
}

static const struct viommu_space_ops ops = {sp_map, sp_unmap};

static void wr(struct virtio_iommu *vi, uint64_t off, uint64_t v, unsigned int len)
{
	virtio_pci_bar_write(&vi->vp, off, &v, len);
}

/* A driver that got as far as DRIVER_OK, its request queue's rings in the fuzzer's RAM. */
static void driver_up(struct virtio_iommu *vi, uint32_t features)
{
	wr(vi, VIRTIO_PCI_COMMON_STATUS, 3, 1);
	wr(vi, VIRTIO_PCI_COMMON_GF, features, 4);
	wr(vi, VIRTIO_PCI_COMMON_GFSELECT, 1, 4);
	wr(vi, VIRTIO_PCI_COMMON_GF, 1, 4); /* VERSION_1 */
	wr(vi, VIRTIO_PCI_COMMON_STATUS, 0xb, 1);
	wr(vi, VIRTIO_PCI_COMMON_Q_SIZE, 16, 2);
	wr(vi, VIRTIO_PCI_COMMON_Q_DESCLO, 0, 8);
	wr(vi, VIRTIO_PCI_COMMON_Q_AVAILLO, 0x1000, 8);
	wr(vi, VIRTIO_PCI_COMMON_Q_USEDLO, 0x2000, 8);
	wr(vi, VIRTIO_PCI_COMMON_Q_ENABLE, 1, 2);
	wr(vi, VIRTIO_PCI_COMMON_STATUS, 0xf, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct guest_mem mem = {.nr_ram = 1, .total = RAM};
	struct virtio_iommu_params p = {.mem = &mem, .space_ops = &ops, .page_size_mask = 0x1000};
	struct virtio_iommu vi;

	const uint8_t *acc = data + 1;
	size_t n = size ? data[0] & 31u : 0;

	if (size < 1 + 12 * n)
		return 0;
	ram = calloc(1, RAM);
	memcpy(ram, acc + 12 * n, size - 1 - 12 * n < RAM ? size - 1 - 12 * n : RAM);
	mem.ram[0] = (struct ram_range){0, RAM, ram};
	nheld = 0;
	if (virtio_iommu_init(&vi, &p))
		abort();
	viommu_add_space(&vi.core, NULL, false);
	viommu_set_bypass(&vi.core, true);
	viommu_add_endpoint(&vi.core, 8, 0);
	driver_up(&vi, ram[0] | (uint32_t)ram[1] << 24);
	wr(&vi, VIRTIO_PCI_NOTIFY_OFF, 0, 2);
	for (const uint8_t *d = acc; n--; d += 12) {
		unsigned int len = 1u << (d[1] & 3);
		uint32_t off, val;
		uint64_t v;

		memcpy(&off, d + 4, 4);
		memcpy(&val, d + 8, 4);
		v = val;
		if (d[0] & 1)
			virtio_pci_cfg_ops.cfg_write(&vi.vp, off & 0xfc, val, len > 4 ? 4 : len);
		else if (d[2] & 1)
			virtio_pci_bar_write(&vi.vp, off % VIRTIO_PCI_BAR_SIZE, &v, len);
		else
			virtio_pci_bar_read(&vi.vp, off % VIRTIO_PCI_BAR_SIZE, &v, len);
		wr(&vi, VIRTIO_PCI_NOTIFY_OFF, 0, 2);
	}
	virtio_iommu_destroy(&vi);
	free(ram);
	return 0;
}
