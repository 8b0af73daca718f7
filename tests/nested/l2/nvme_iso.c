// SPDX-License-Identifier: MIT
/*
 * nvme-iso: runs in L2 (suite viommu-isolation) with the virtio_iommu driver loaded and the
 * passed-through NVMe bound to L2's own vfio-pci. A minimal user-space NVMe driver over VFIO type1
 * (BAR0 mapped, the admin queues in pages it maps with VFIO_IOMMU_MAP_DMA, completions polled, no
 * interrupts) shows what the virtio-iommu isolates:
 *
 *   nvme-iso GROUP BDF
 *	1. Identify into a mapped buffer: the data arrives;
 *	2. Identify into a page P mapped at IOVA X: the data arrives there too;
 *	3. P refilled with a pattern, X unmapped, Identify into X again: P still holds the pattern
 *	   (the device's write faults in the IOMMU below; the suite checks that).
 *
 * It prints "L2-READY iso-mapped" while P is mapped and "L2-READY iso-unmapped" once it is not,
 * and sleeps a few seconds after each, so that L1 can read vfvm's counters. Each result is a line
 * "L2-RESULT iso NAME GOT want=WANT"; the exit status is the number of results that differ.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096u
#define QSIZE 16u
#define IOVA_SQ 0x100000u
#define IOVA_CQ 0x101000u
#define IOVA_ID 0x102000u
#define IOVA_X 0x200000u /* the page the device loses */
#define PATTERN 0xa5
#define TIMEOUT_STATUS "timeout"

/* controller registers (NVMe 1.4, 3.1) */
#define NVME_CAP 0x00
#define NVME_CC 0x14
#define NVME_CSTS 0x1c
#define NVME_AQA 0x24
#define NVME_ASQ 0x28
#define NVME_ACQ 0x30
#define NVME_DBS 0x1000

struct ctrl {
	int container, device;
	volatile uint8_t *bar;
	uint32_t dstrd;
	uint32_t timeout_ms;
	uint8_t *sq, *cq;
	uint16_t sq_tail, cq_head, cid;
	int phase;
};

static int failures;

static void result(const char *name, const char *got, const char *want)
{
	printf("L2-RESULT iso %s %s want=%s\n", name, got, want);
	fflush(stdout);
	if (strcmp(got, want))
		failures++;
}

static uint32_t rd32(struct ctrl *c, unsigned int off)
{
	return *(volatile uint32_t *)(c->bar + off);
}

static void wr32(struct ctrl *c, unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)(c->bar + off) = v;
}

static void wr64(struct ctrl *c, unsigned int off, uint64_t v)
{
	wr32(c, off, (uint32_t)v);
	wr32(c, off + 4, (uint32_t)(v >> 32));
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

static void *page(void)
{
	void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memset(p, 0, PAGE);
	return p;
}

static int dma_map(struct ctrl *c, void *p, uint64_t iova)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)p,
		.iova = iova,
		.size = PAGE,
	};

	return ioctl(c->container, VFIO_IOMMU_MAP_DMA, &m) ? -1 : 0;
}

static int dma_unmap(struct ctrl *c, uint64_t iova)
{
	struct vfio_iommu_type1_dma_unmap u = {.argsz = sizeof(u), .iova = iova, .size = PAGE};

	return ioctl(c->container, VFIO_IOMMU_UNMAP_DMA, &u) || u.size != PAGE ? -1 : 0;
}

/* until CSTS.RDY is READY (or the controller reports a fatal status) */
static int wait_ready(struct ctrl *c, uint32_t ready)
{
	for (uint32_t t = 0; t < c->timeout_ms; t += 10) {
		uint32_t csts = rd32(c, NVME_CSTS);

		if (csts & 2)
			return -1;
		if ((csts & 1) == ready)
			return 0;
		sleep_ms(10);
	}
	return -1;
}

static int open_vfio(struct ctrl *c, const char *group, const char *bdf)
{
	struct vfio_group_status gs = {.argsz = sizeof(gs)};
	struct vfio_region_info bar = {.argsz = sizeof(bar), .index = VFIO_PCI_BAR0_REGION_INDEX};
	struct vfio_region_info cfg = {.argsz = sizeof(cfg), .index = VFIO_PCI_CONFIG_REGION_INDEX};
	char path[64];
	uint16_t cmd;
	void *p;
	int g;

	snprintf(path, sizeof(path), "/dev/vfio/%s", group);
	c->container = open("/dev/vfio/vfio", O_RDWR);
	g = open(path, O_RDWR);
	if (c->container < 0 || g < 0 || ioctl(g, VFIO_GROUP_GET_STATUS, &gs) ||
	    !(gs.flags & VFIO_GROUP_FLAGS_VIABLE) ||
	    ioctl(g, VFIO_GROUP_SET_CONTAINER, &c->container) ||
	    ioctl(c->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		return -1;
	c->device = ioctl(g, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (c->device < 0 || ioctl(c->device, VFIO_DEVICE_GET_REGION_INFO, &bar) ||
	    ioctl(c->device, VFIO_DEVICE_GET_REGION_INFO, &cfg) || bar.size < 0x2000)
		return -1;
	p = mmap(NULL, bar.size, PROT_READ | PROT_WRITE, MAP_SHARED, c->device, (off_t)bar.offset);
	if (p == MAP_FAILED)
		return -1;
	c->bar = p;
	/* memory decoding and bus mastering: vfio-pci leaves bus mastering to its user */
	if (pread(c->device, &cmd, 2, (off_t)cfg.offset + PCI_COMMAND) != 2)
		return -1;
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	return pwrite(c->device, &cmd, 2, (off_t)cfg.offset + PCI_COMMAND) == 2 ? 0 : -1;
}

/* disable the controller, give it the admin queues, enable it */
static int enable(struct ctrl *c)
{
	uint64_t cap = rd32(c, NVME_CAP) | (uint64_t)rd32(c, NVME_CAP + 4) << 32;

	c->dstrd = (cap >> 32) & 0xf;
	c->timeout_ms = (uint32_t)((cap >> 24) & 0xff) * 500 + 500;
	wr32(c, NVME_CC, 0);
	if (wait_ready(c, 0))
		return -1;
	wr32(c, NVME_AQA, (QSIZE - 1) << 16 | (QSIZE - 1));
	wr64(c, NVME_ASQ, IOVA_SQ);
	wr64(c, NVME_ACQ, IOVA_CQ);
	/* IOCQES 16 bytes, IOSQES 64 bytes, 4 KiB pages, NVM command set, enable */
	wr32(c, NVME_CC, 4u << 20 | 6u << 16 | 1);
	c->sq_tail = c->cq_head = 0;
	c->phase = 1;
	return wait_ready(c, 1);
}

/*
 * Identify Controller into PRP1 = IOVA; the completion's status field (0: success), or -1 when
 * none comes within two seconds.
 */
static int identify(struct ctrl *c, uint64_t iova)
{
	uint32_t *sqe = (uint32_t *)(c->sq + c->sq_tail * 64u);
	volatile uint32_t *cqe = (volatile uint32_t *)(c->cq + c->cq_head * 16u);
	uint16_t cid = ++c->cid;

	memset(sqe, 0, 64);
	sqe[0] = 0x06 | (uint32_t)cid << 16;
	sqe[6] = (uint32_t)iova;
	sqe[7] = (uint32_t)(iova >> 32);
	sqe[10] = 1; /* CNS 1: the controller */
	c->sq_tail = (c->sq_tail + 1) % QSIZE;
	__sync_synchronize();
	wr32(c, NVME_DBS, c->sq_tail);
	for (int t = 0; t < 2000; t++) {
		uint32_t dw3 = cqe[3];

		if ((int)((dw3 >> 16) & 1) == c->phase) {
			c->cq_head = (c->cq_head + 1) % QSIZE;
			if (!c->cq_head)
				c->phase ^= 1;
			wr32(c, NVME_DBS + (4u << c->dstrd), c->cq_head);
			if ((dw3 & 0xffff) != cid)
				return -2;
			return (int)((dw3 >> 17) & 0x7fff);
		}
		sleep_ms(1);
	}
	return -1;
}

static void status_result(const char *name, int st, const char *want)
{
	char got[32];

	if (st == -1)
		snprintf(got, sizeof(got), TIMEOUT_STATUS);
	else if (st == -2)
		snprintf(got, sizeof(got), "wrong-cid");
	else
		snprintf(got, sizeof(got), "sct=%d,sc=0x%02x", (st >> 8) & 7, st & 0xff);
	if (strcmp(want, "any"))
		result(name, got, want);
	else
		printf("L2-RESULT iso %s %s\n", name, got);
}

/* an Identify Controller answer from QEMU's NVMe: its PCI vendor and our serial */
static const char *identified(const uint8_t *id)
{
	return id[0] == 0x36 && id[1] == 0x1b && !memcmp(id + 4, "vfvm0 ", 6) ? "identified"
									      : "garbage";
}

static int pattern_intact(const uint8_t *p)
{
	for (unsigned int i = 0; i < PAGE; i++)
		if (p[i] != (uint8_t)(PATTERN ^ i))
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	struct ctrl c = {0};
	uint8_t *id, *p;
	char got[48];
	int st;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 3) {
		fprintf(stderr, "usage: nvme-iso GROUP BDF\n");
		return 100;
	}
	c.sq = page();
	c.cq = page();
	id = page();
	p = page();
	if (!c.sq || !c.cq || !id || !p || open_vfio(&c, argv[1], argv[2])) {
		result("vfio", "open-failed", "open");
		return 100;
	}
	result("vfio", "open", "open");
	if (dma_map(&c, c.sq, IOVA_SQ) || dma_map(&c, c.cq, IOVA_CQ) || dma_map(&c, id, IOVA_ID)) {
		result("map-queues", "failed", "ok");
		return 100;
	}
	if (enable(&c)) {
		result("enable", "failed", "ok");
		return 100;
	}
	result("enable", "ok", "ok");

	status_result("identify-mapped", identify(&c, IOVA_ID), "sct=0,sc=0x00");
	result("identify-mapped-data", identified(id), "identified");

	/* the device reaches P while X maps it */
	result("map-x", dma_map(&c, p, IOVA_X) ? "failed" : "ok", "ok");
	status_result("identify-x-mapped", identify(&c, IOVA_X), "sct=0,sc=0x00");
	result("identify-x-mapped-data", identified(p), "identified");
	for (unsigned int i = 0; i < PAGE; i++)
		p[i] = (uint8_t)(PATTERN ^ i);
	printf("L2-READY iso-mapped 0x%x\n", IOVA_X);
	sleep(3);

	/* and no longer once X is unmapped */
	result("unmap-x", dma_unmap(&c, IOVA_X) ? "failed" : "ok", "ok");
	printf("L2-READY iso-unmapped 0x%x\n", IOVA_X);
	sleep(3);
	st = identify(&c, IOVA_X);
	/*
	 * what the controller says of it is its own affair (QEMU's completes it with success,
	 * having lost the data to its IOMMU): the page is what counts, and L1's IOMMU log
	 */
	status_result("identify-x-unmapped-status", st, "any");
	result("page-unchanged", pattern_intact(p) ? "pattern" : "overwritten", "pattern");

	/* the controller still answers a command into mapped memory */
	memset(id, 0, PAGE);
	st = identify(&c, IOVA_ID);
	snprintf(got, sizeof(got), "%s", st == 0 ? identified(id) : "failed");
	result("identify-after", got, "identified");

	wr32(&c, NVME_CC, 0);
	wait_ready(&c, 0);
	return failures > 100 ? 100 : failures;
}
