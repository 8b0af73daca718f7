// SPDX-License-Identifier: MIT
/*
 * viommu-req: runs in L2 (suite viommu-req) with no virtio_iommu driver loaded, and drives vfvm's
 * virtio-iommu from user space, as a hostile or buggy driver would: through the PCI function's
 * BAR (sysfs resource0) and a request queue in its own locked pages (their guest-physical
 * addresses from /proc/self/pagemap; the virtio-iommu reads guest RAM directly).
 *
 *   viommu-req requests VIOMMU_BDF ENDPOINT
 *	malformed and refused requests, each with the status the virtio spec asks for, a queue
 *	that breaks the rules (the device must say DEVICE_NEEDS_RESET), then, after a reset, good
 *	requests that still work
 *
 * Each result is a line "L2-RESULT vreq NAME GOT want=WANT"; the exit
 * status is the number of results that differ from what was wanted (capped at 100).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/pci_regs.h>
#include <linux/virtio_config.h>
#include <linux/virtio_iommu.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096u
#define QSIZE 8u
#define RESP_AT 0x800u /* the writable part, in the buffer page */
#define UNWRITTEN -1   /* used length 0: the device did not write the buffers */
#define TIMEOUT -2

struct vdev {
	const char *bdf;
	volatile uint8_t *bar;
	volatile struct virtio_pci_common_cfg *common;
	volatile uint16_t *notify;
	uint32_t notify_off, notify_mult;
	volatile struct virtio_iommu_config *cfg;
	uint8_t *ring, *buf; /* one page each, locked */
	uint64_t ring_pa, buf_pa;
	uint16_t avail_idx, used_idx;
	uint64_t features;
};

static int failures;

static void result(const char *what, const char *name, const char *got, const char *want)
{
	printf("L2-RESULT %s %s %s want=%s\n", what, name, got, want);
	if (strcmp(got, want))
		failures++;
}

/* The guest-physical address of a locked page of ours. */
static uint64_t gpa_of(const void *p)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0 || pread(fd, &e, 8, (off_t)((uintptr_t)p / PAGE * 8)) != 8)
		e = 0;
	if (fd >= 0)
		close(fd);
	if (!(e >> 63) || !(e & ((1ULL << 55) - 1)))
		return 0;
	return (e & ((1ULL << 55) - 1)) * PAGE + (uintptr_t)p % PAGE;
}

static void *locked_page(uint64_t *pa)
{
	void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || mlock(p, PAGE))
		return NULL;
	memset(p, 0, PAGE);
	*pa = gpa_of(p);
	return *pa ? p : NULL;
}

static int sysfs_fd(const char *bdf, const char *file, int flags)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, file);
	return open(path, flags);
}

/* Find the virtio capabilities, turn memory decoding on (INTx off: we poll), map BAR 0. */
static int vdev_open(struct vdev *d, const char *bdf)
{
	uint8_t cfg[256];
	uint32_t common_off = 0, notify_off = 0, dev_off = 0;
	uint16_t cmd;
	int fd = sysfs_fd(bdf, "config", O_RDWR), have = 0;

	memset(d, 0, sizeof(*d));
	d->bdf = bdf;
	if (fd < 0 || pread(fd, cfg, sizeof(cfg), 0) != (ssize_t)sizeof(cfg)) {
		fprintf(stderr, "viommu-req: cannot read %s's config space\n", bdf);
		return -1;
	}
	for (unsigned int at = cfg[PCI_CAPABILITY_LIST] & ~3u, n = 0; at && at < 0xfc && n < 48;
	     at = cfg[at + 1] & ~3u, n++) {
		const struct virtio_pci_cap *c = (const void *)&cfg[at];

		if (cfg[at] != PCI_CAP_ID_VNDR || c->bar != 0)
			continue;
		if (c->cfg_type == VIRTIO_PCI_CAP_COMMON_CFG) {
			common_off = c->offset;
			have |= 1;
		} else if (c->cfg_type == VIRTIO_PCI_CAP_NOTIFY_CFG) {
			notify_off = c->offset;
			memcpy(&d->notify_mult, &cfg[at + sizeof(*c)], 4);
			have |= 2;
		} else if (c->cfg_type == VIRTIO_PCI_CAP_DEVICE_CFG) {
			dev_off = c->offset;
			have |= 4;
		}
	}
	memcpy(&cmd, &cfg[PCI_COMMAND], 2);
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_DISABLE;
	if (have != 7 || pwrite(fd, &cmd, 2, PCI_COMMAND) != 2) {
		fprintf(stderr,
			"viommu-req: %s: no virtio common/notify/device capability in BAR 0\n",
			bdf);
		return -1;
	}
	close(fd);
	fd = sysfs_fd(bdf, "resource0", O_RDWR | O_SYNC);
	d->bar =
		fd < 0 ? MAP_FAILED : mmap(NULL, 0x8000, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (d->bar == MAP_FAILED) {
		perror("viommu-req: mmap resource0");
		return -1;
	}
	close(fd);
	d->common = (volatile void *)(d->bar + common_off);
	d->notify_off = notify_off;
	d->cfg = (volatile void *)(d->bar + dev_off);
	d->ring = locked_page(&d->ring_pa);
	d->buf = locked_page(&d->buf_pa);
	if (!d->ring || !d->buf) {
		fprintf(stderr, "viommu-req: no locked page with a known guest-physical address\n");
		return -1;
	}
	return 0;
}

static struct vring_desc *descs(struct vdev *d)
{
	return (void *)d->ring;
}
static struct vring_avail *avail(struct vdev *d)
{
	return (void *)(d->ring + 0x100);
}
static struct vring_used *used(struct vdev *d)
{
	return (void *)(d->ring + 0x200);
}

/* Reset, negotiate VERSION_1 and what the device offers of want, set queue 0 up, DRIVER_OK. */
static int vdev_start(struct vdev *d, uint64_t want)
{
	volatile struct virtio_pci_common_cfg *c = d->common;
	uint64_t offered;
	uint16_t qsize;

	c->device_status = 0;
	for (int i = 0; c->device_status && i < 1000; i++)
		usleep(1000);
	c->device_status = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;
	c->device_feature_select = 0;
	offered = c->device_feature;
	c->device_feature_select = 1;
	offered |= (uint64_t)c->device_feature << 32;
	d->features = offered & (want | 1ULL << VIRTIO_F_VERSION_1);
	c->guest_feature_select = 0;
	c->guest_feature = (uint32_t)d->features;
	c->guest_feature_select = 1;
	c->guest_feature = (uint32_t)(d->features >> 32);
	c->device_status |= VIRTIO_CONFIG_S_FEATURES_OK;
	if (!(c->device_status & VIRTIO_CONFIG_S_FEATURES_OK))
		return -1;
	c->queue_select = 0;
	qsize = c->queue_size;
	if (qsize < QSIZE)
		return -1;
	c->queue_size = QSIZE;
	c->queue_msix_vector = VIRTIO_MSI_NO_VECTOR;
	memset(d->ring, 0, PAGE);
	avail(d)->flags = VRING_AVAIL_F_NO_INTERRUPT;
	d->avail_idx = d->used_idx = 0;
	c->queue_desc_lo = (uint32_t)d->ring_pa;
	c->queue_desc_hi = (uint32_t)(d->ring_pa >> 32);
	c->queue_avail_lo = (uint32_t)(d->ring_pa + 0x100);
	c->queue_avail_hi = (uint32_t)((d->ring_pa + 0x100) >> 32);
	c->queue_used_lo = (uint32_t)(d->ring_pa + 0x200);
	c->queue_used_hi = (uint32_t)((d->ring_pa + 0x200) >> 32);
	d->notify =
		(volatile void *)(d->bar + d->notify_off + c->queue_notify_off * d->notify_mult);
	c->queue_enable = 1;
	c->device_status |= VIRTIO_CONFIG_S_DRIVER_OK;
	return c->device_status & VIRTIO_CONFIG_S_NEEDS_RESET ? -1 : 0;
}

/*
 * One request: rlen readable bytes from req, then wlen writable ones (none: a chain of one
 * descriptor). Returns the status the device wrote at the end of the writable part, UNWRITTEN
 * when it used the buffers without writing them, TIMEOUT when it never used them. rd_addr, when
 * non-zero, replaces the readable descriptor's address (a queue that breaks the rules).
 */
static int submit_at(struct vdev *d, const void *req, uint32_t rlen, uint32_t wlen,
		     uint64_t rd_addr)
{
	struct vring_desc *q = descs(d);
	uint8_t *resp = d->buf + RESP_AT;
	struct timespec t0, t;

	memcpy(d->buf, req, rlen);
	memset(resp, 0xee, PAGE - RESP_AT);
	q[0] = (struct vring_desc){rd_addr ? rd_addr : d->buf_pa, rlen,
				   wlen ? VRING_DESC_F_NEXT : 0, 1};
	q[1] = (struct vring_desc){d->buf_pa + RESP_AT, wlen, VRING_DESC_F_WRITE, 0};
	avail(d)->ring[d->avail_idx % QSIZE] = 0;
	__atomic_store_n(&avail(d)->idx, ++d->avail_idx, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*d->notify = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (__atomic_load_n(&used(d)->idx, __ATOMIC_ACQUIRE) == d->used_idx) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 2)
			return TIMEOUT;
		usleep(200);
	}
	if (!used(d)->ring[d->used_idx++ % QSIZE].len)
		return UNWRITTEN;
	return resp[wlen - sizeof(struct virtio_iommu_req_tail)];
}

static int submit(struct vdev *d, const void *req, uint32_t rlen, uint32_t wlen)
{
	return submit_at(d, req, rlen, wlen, 0);
}

static const char *status_name(int s)
{
	static const char *const names[] = {"OK",    "IOERR", "UNSUPP", "DEVERR", "INVAL",
					    "RANGE", "NOENT", "FAULT",	"NOMEM"};
	static char other[16];

	if (s == UNWRITTEN)
		return "unwritten";
	if (s == TIMEOUT)
		return "timeout";
	if (s >= 0 && s < (int)(sizeof(names) / sizeof(names[0])))
		return names[s];
	snprintf(other, sizeof(other), "status-%d", s);
	return other;
}

#define TAILSZ sizeof(struct virtio_iommu_req_tail)
/* A whole request of type T (its tail included) sent as the spec lays it out. */
#define SEND(d, r) submit(d, &(r), sizeof(r) - TAILSZ, TAILSZ)

static int attach(struct vdev *d, uint32_t dom, uint32_t ep, uint32_t flags)
{
	struct virtio_iommu_req_attach r = {
		.head.type = VIRTIO_IOMMU_T_ATTACH, .domain = dom, .endpoint = ep, .flags = flags};
	return SEND(d, r);
}

static int detach(struct vdev *d, uint32_t dom, uint32_t ep)
{
	struct virtio_iommu_req_detach r = {
		.head.type = VIRTIO_IOMMU_T_DETACH, .domain = dom, .endpoint = ep};
	return SEND(d, r);
}

static int map(struct vdev *d, uint32_t dom, uint64_t start, uint64_t end, uint64_t pa,
	       uint32_t flags)
{
	struct virtio_iommu_req_map r = {.head.type = VIRTIO_IOMMU_T_MAP,
					 .domain = dom,
					 .virt_start = start,
					 .virt_end = end,
					 .phys_start = pa,
					 .flags = flags};
	return SEND(d, r);
}

static int unmap(struct vdev *d, uint32_t dom, uint64_t start, uint64_t end)
{
	struct virtio_iommu_req_unmap r = {.head.type = VIRTIO_IOMMU_T_UNMAP,
					   .domain = dom,
					   .virt_start = start,
					   .virt_end = end};
	return SEND(d, r);
}

#define RW (VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE)
#define EXPECT(name, got, want) result("vreq", name, status_name(got), status_name(want))

static int requests(struct vdev *d, uint32_t ep)
{
	struct virtio_iommu_req_map m = {.head.type = VIRTIO_IOMMU_T_MAP, .domain = 1};
	struct virtio_iommu_req_attach a = {
		.head.type = VIRTIO_IOMMU_T_ATTACH, .domain = 1, .endpoint = ep};
	struct virtio_iommu_req_probe p = {.head.type = VIRTIO_IOMMU_T_PROBE, .endpoint = ep};
	uint32_t probe_size = d->cfg->probe_size;
	uint8_t unknown[16] = {0x42};
	uint64_t ram = d->buf_pa & ~(uint64_t)(PAGE - 1); /* a page of guest RAM to map */
	const struct virtio_iommu_probe_resv_mem *prop = (const void *)(d->buf + RESP_AT);
	int s;

	/* the response must fit in the buffer page: a larger probe_size is refused as too short */
	if (probe_size > PAGE - RESP_AT - TAILSZ)
		probe_size = PAGE - RESP_AT - TAILSZ;
	if (vdev_start(d, 1ULL << VIRTIO_IOMMU_F_MAP_UNMAP | 1ULL << VIRTIO_IOMMU_F_PROBE |
				  1ULL << VIRTIO_IOMMU_F_INPUT_RANGE)) {
		result("vreq", "start", "failed", "ok");
		return -1;
	}
	printf("L2-RESULT vreq config page_size_mask=0x%" PRIx64 " input_range=0x%" PRIx64
	       "-0x%" PRIx64 " probe_size=%u\n",
	       (uint64_t)d->cfg->page_size_mask, (uint64_t)d->cfg->input_range.start,
	       (uint64_t)d->cfg->input_range.end, probe_size);
	/* the request's shape */
	EXPECT("unknown-type", submit(d, unknown, sizeof(unknown), TAILSZ), UNWRITTEN);
	unknown[0] = 0;
	EXPECT("type-zero", submit(d, unknown, sizeof(unknown), TAILSZ), UNWRITTEN);
	EXPECT("map-too-short", submit(d, &m, 8, TAILSZ), VIRTIO_IOMMU_S_INVAL);
	EXPECT("no-writable-part", submit(d, &m, sizeof(m) - TAILSZ, 0), UNWRITTEN);
	EXPECT("tail-too-small", submit(d, &m, sizeof(m) - TAILSZ, 2), UNWRITTEN);
	a.reserved[0] = 1;
	EXPECT("attach-reserved-set", SEND(d, a), VIRTIO_IOMMU_S_INVAL);
	/* what it asks for */
	EXPECT("attach-unknown-endpoint", attach(d, 1, 0xfff0, 0), VIRTIO_IOMMU_S_NOENT);
	EXPECT("attach-unknown-flag", attach(d, 1, ep, 0x80), VIRTIO_IOMMU_S_INVAL);
	EXPECT("attach-bypass-not-negotiated", attach(d, 1, ep, VIRTIO_IOMMU_ATTACH_F_BYPASS),
	       VIRTIO_IOMMU_S_INVAL);
	EXPECT("detach-not-attached", detach(d, 1, ep), VIRTIO_IOMMU_S_INVAL);
	EXPECT("map-no-domain", map(d, 1, 0x10000000, 0x10000fff, ram, RW), VIRTIO_IOMMU_S_NOENT);
	EXPECT("attach", attach(d, 1, ep, 0), VIRTIO_IOMMU_S_OK);
	EXPECT("map-outside-ram", map(d, 1, 0x10000000, 0x10000fff, 1ULL << 44, RW),
	       VIRTIO_IOMMU_S_RANGE);
	EXPECT("map-pci-hole", map(d, 1, 0x10000000, 0x10000fff, 0xe0000000, RW),
	       VIRTIO_IOMMU_S_RANGE);
	EXPECT("map-msi-window", map(d, 1, 0xfee00000, 0xfee00fff, ram, RW), VIRTIO_IOMMU_S_RANGE);
	EXPECT("map-unaligned", map(d, 1, 0x10000800, 0x100017ff, ram, RW), VIRTIO_IOMMU_S_RANGE);
	EXPECT("map-end-before-start", map(d, 1, 0x10001000, 0x10000fff, ram, RW),
	       VIRTIO_IOMMU_S_INVAL);
	EXPECT("map-mmio-flag",
	       map(d, 1, 0x10000000, 0x10000fff, ram, RW | VIRTIO_IOMMU_MAP_F_MMIO),
	       VIRTIO_IOMMU_S_INVAL);
	EXPECT("map", map(d, 1, 0x10000000, 0x10001fff, ram, RW), VIRTIO_IOMMU_S_OK);
	EXPECT("map-overlap", map(d, 1, 0x10001000, 0x10002fff, ram, RW), VIRTIO_IOMMU_S_INVAL);
	EXPECT("unmap-never-mapped", unmap(d, 1, 0x20000000, 0x2000ffff), VIRTIO_IOMMU_S_OK);
	EXPECT("unmap-split", unmap(d, 1, 0x10000000, 0x10000fff), VIRTIO_IOMMU_S_RANGE);
	EXPECT("unmap-no-domain", unmap(d, 99, 0, 0xffff), VIRTIO_IOMMU_S_NOENT);
	EXPECT("probe-short-buffer", submit(d, &p, sizeof(p), 16 + TAILSZ), VIRTIO_IOMMU_S_INVAL);
	p.endpoint = 0xfff0;
	EXPECT("probe-unknown-endpoint", submit(d, &p, sizeof(p), probe_size + TAILSZ),
	       VIRTIO_IOMMU_S_NOENT);
	p.endpoint = ep;
	s = submit(d, &p, sizeof(p), probe_size + TAILSZ);
	EXPECT("probe", s, VIRTIO_IOMMU_S_OK);
	result("vreq", "probe-first-property",
	       s == VIRTIO_IOMMU_S_OK && prop->head.type == VIRTIO_IOMMU_PROBE_T_RESV_MEM &&
			       prop->subtype == VIRTIO_IOMMU_RESV_MEM_T_MSI &&
			       prop->start == 0xfee00000
		       ? "msi-window"
		       : "other",
	       "msi-window");
	/* a second domain: the endpoint moves, and the first domain, now empty, is gone */
	EXPECT("attach-second-domain", attach(d, 2, ep, 0), VIRTIO_IOMMU_S_OK);
	EXPECT("map-first-domain-gone", map(d, 1, 0x30000000, 0x30000fff, ram, RW),
	       VIRTIO_IOMMU_S_NOENT);
	EXPECT("detach-wrong-domain", detach(d, 1, ep), VIRTIO_IOMMU_S_INVAL);
	/* a queue that points outside guest RAM: the device stops and asks for a reset */
	submit_at(d, &m, sizeof(m) - TAILSZ, TAILSZ, 1ULL << 46);
	usleep(10000);
	result("vreq", "bad-descriptor",
	       d->common->device_status & VIRTIO_CONFIG_S_NEEDS_RESET ? "needs-reset" : "running",
	       "needs-reset");
	/* after a reset the device works again; a reset detached the endpoint (back to bypass) */
	if (vdev_start(d, 1ULL << VIRTIO_IOMMU_F_MAP_UNMAP)) {
		result("vreq", "restart", "failed", "ok");
		return -1;
	}
	EXPECT("after-reset-detach", detach(d, 2, ep), VIRTIO_IOMMU_S_INVAL);
	EXPECT("after-reset-attach", attach(d, 3, ep, 0), VIRTIO_IOMMU_S_OK);
	EXPECT("after-reset-map", map(d, 3, 0x10000000, 0x10000fff, ram, RW), VIRTIO_IOMMU_S_OK);
	EXPECT("after-reset-unmap", unmap(d, 3, 0, ~0ULL), VIRTIO_IOMMU_S_OK);
	EXPECT("after-reset-detach-ok", detach(d, 3, ep), VIRTIO_IOMMU_S_OK);
	return 0;
}

int main(int argc, char **argv)
{
	struct vdev d;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 4 || strcmp(argv[1], "requests")) {
		fprintf(stderr, "usage: viommu-req requests VIOMMU_BDF ENDPOINT\n");
		return 100;
	}
	if (vdev_open(&d, argv[2]))
		return 100;
	requests(&d, (uint32_t)strtoul(argv[3], NULL, 0));
	printf("L2-RESULT vreq failures %d\n", failures);
	return failures > 99 ? 99 : failures;
}
