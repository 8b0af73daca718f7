// SPDX-License-Identifier: MIT
/*
 * virtio-iommu as a guest driver sees it: requests through the queue, well-formed and malformed,
 * PROBE's properties, the bypass setting, and a device that keeps working after bad requests.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <linux/virtio_config.h>
#include <linux/virtio_iommu.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>

#include "devices/virtio_iommu.h"
#include "tests/unit/virtio_test_util.h"

#define RING 0x10000ULL
#define REQ 0x20000ULL
#define RESP 0x21000ULL

struct space {
	unsigned int maps, unmaps;
	uint64_t last_iova, last_size;
	unsigned int last_prot;
};

static int sp_map(void *s, uint64_t iova, void *hva, uint64_t size, unsigned int prot)
{
	struct space *sp = s;

	(void)hva;
	sp->maps++;
	sp->last_iova = iova;
	sp->last_size = size;
	sp->last_prot = prot;
	return 0;
}

static int sp_unmap(void *s, uint64_t iova, uint64_t size)
{
	struct space *sp = s;

	sp->unmaps++;
	sp->last_iova = iova;
	sp->last_size = size;
	return 0;
}

static const struct viommu_space_ops sp_ops = {sp_map, sp_unmap};

struct fixture {
	struct guest_mem mem;
	struct virtio_iommu vi;
	struct space sp;
	uint16_t next_desc;
};

static const struct viommu_range usable[] = {{0, 0xfedfffff}, {0xfef00000, (1ULL << 39) - 1}};

static void bar_wr(struct fixture *f, uint64_t off, uint64_t v, unsigned int len)
{
	virtio_pci_bar_write(&f->vi.vp, off, &v, len);
}

static uint64_t bar_rd(struct fixture *f, uint64_t off, unsigned int len)
{
	uint64_t v = 0;

	virtio_pci_bar_read(&f->vi.vp, off, &v, len);
	return v;
}

static void driver_up(struct fixture *f, uint64_t features)
{
	bar_wr(f, VIRTIO_PCI_COMMON_STATUS, 0, 1);
	bar_wr(f, VIRTIO_PCI_COMMON_STATUS, 3, 1);
	bar_wr(f, VIRTIO_PCI_COMMON_GFSELECT, 0, 4);
	bar_wr(f, VIRTIO_PCI_COMMON_GF, (uint32_t)features, 4);
	bar_wr(f, VIRTIO_PCI_COMMON_GFSELECT, 1, 4);
	bar_wr(f, VIRTIO_PCI_COMMON_GF, features >> 32, 4);
	bar_wr(f, VIRTIO_PCI_COMMON_STATUS, 0xb, 1);
	assert_int_equal(bar_rd(f, VIRTIO_PCI_COMMON_STATUS, 1), 0xb);
	bar_wr(f, VIRTIO_PCI_COMMON_Q_SELECT, 0, 2);
	bar_wr(f, VIRTIO_PCI_COMMON_Q_SIZE, 16, 2);
	bar_wr(f, VIRTIO_PCI_COMMON_Q_DESCLO, RING, 8);
	bar_wr(f, VIRTIO_PCI_COMMON_Q_AVAILLO, RING + 0x1000, 8);
	bar_wr(f, VIRTIO_PCI_COMMON_Q_USEDLO, RING + 0x2000, 8);
	memset(gpa(&f->mem, RING), 0, 0x3000);
	bar_wr(f, VIRTIO_PCI_COMMON_Q_ENABLE, 1, 2);
	bar_wr(f, VIRTIO_PCI_COMMON_STATUS, 0xf, 1);
	f->next_desc = 0;
}

#define BASE_FEATURES                                                                              \
	(1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTIO_IOMMU_F_MAP_UNMAP |                           \
	 1ULL << VIRTIO_IOMMU_F_INPUT_RANGE)
#define ALL_FEATURES                                                                               \
	(BASE_FEATURES | 1ULL << VIRTIO_IOMMU_F_PROBE | 1ULL << VIRTIO_IOMMU_F_BYPASS_CONFIG)

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct virtio_iommu_params p = {
		.name = "virtio-iommu",
		.mem = &f->mem,
		.space_ops = &sp_ops,
		.page_size_mask = 0x40201000,
		.usable = usable,
		.nr_usable = 2,
	};

	fake_ram_init(&f->mem);
	assert_int_equal(virtio_iommu_init(&f->vi, &p), 0);
	assert_int_equal(viommu_add_space(&f->vi.core, &f->sp, true), 0);
	assert_int_equal(viommu_add_endpoint(&f->vi.core, 0x18, 0), 0);
	driver_up(f, ALL_FEATURES);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	virtio_iommu_destroy(&f->vi);
	fake_ram_free(&f->mem);
	free(f);
	return 0;
}

/*
 * Send rlen bytes of request (split into pieces of at most piece bytes) and a writable part of
 * wlen bytes (pre-filled with 0xee); returns the used length, the writable part in resp.
 */
static uint32_t send_split(struct fixture *f, const void *req, uint32_t rlen, uint32_t piece,
			   void *resp, uint32_t wlen)
{
	struct virtq *q = &f->vi.vp.q[0];
	uint16_t head = f->next_desc, d = head;
	uint32_t id, len, off = 0;
	uint16_t before = used_idx(q, &f->mem);

	memcpy(gpa(&f->mem, REQ), req, rlen);
	memset(gpa(&f->mem, RESP), 0xee, wlen ? wlen : 1);
	while (off < rlen) {
		uint32_t n = rlen - off < piece ? rlen - off : piece;
		bool last = off + n == rlen && !wlen;

		desc_set(&f->mem, RING, d, REQ + off, n, last ? 0 : VRING_DESC_F_NEXT,
			 (uint16_t)((d + 1) & 15));
		d = (d + 1) & 15;
		off += n;
	}
	if (wlen) {
		desc_set(&f->mem, RING, d, RESP, wlen, VRING_DESC_F_WRITE, 0);
		d = (d + 1) & 15;
	}
	f->next_desc = d;
	avail_push(q, &f->mem, head);
	bar_wr(f, VIRTIO_PCI_NOTIFY_OFF, 0, 2);
	assert_int_equal(used_idx(q, &f->mem), (uint16_t)(before + 1));
	used_elem(q, &f->mem, before, &id, &len);
	assert_int_equal(id, head);
	if (resp)
		memcpy(resp, gpa(&f->mem, RESP), wlen);
	return len;
}

static uint32_t send(struct fixture *f, const void *req, uint32_t rlen, void *resp, uint32_t wlen)
{
	return send_split(f, req, rlen, rlen ? rlen : 1, resp, wlen);
}

/* A request as the Linux driver lays it out: readable all but the tail, the tail writable. */
static uint8_t request(struct fixture *f, void *req, size_t size)
{
	uint8_t tail[4];

	assert_int_equal(send(f, req, (uint32_t)size - 4, tail, 4), 4);
	assert_int_equal(tail[1] | tail[2] | tail[3], 0);
	return tail[0];
}

static uint8_t attach(struct fixture *f, uint32_t dom, uint32_t ep, uint32_t flags)
{
	struct virtio_iommu_req_attach r = {
		.head.type = VIRTIO_IOMMU_T_ATTACH, .domain = dom, .endpoint = ep, .flags = flags};

	return request(f, &r, sizeof(r));
}

static uint8_t map(struct fixture *f, uint32_t dom, uint64_t s, uint64_t e, uint64_t p,
		   uint32_t flags)
{
	struct virtio_iommu_req_map r = {.head.type = VIRTIO_IOMMU_T_MAP,
					 .domain = dom,
					 .virt_start = s,
					 .virt_end = e,
					 .phys_start = p,
					 .flags = flags};

	return request(f, &r, sizeof(r));
}

static uint8_t unmap(struct fixture *f, uint32_t dom, uint64_t s, uint64_t e)
{
	struct virtio_iommu_req_unmap r = {
		.head.type = VIRTIO_IOMMU_T_UNMAP, .domain = dom, .virt_start = s, .virt_end = e};

	return request(f, &r, sizeof(r));
}

static uint8_t status_reg(struct fixture *f)
{
	return (uint8_t)bar_rd(f, VIRTIO_PCI_COMMON_STATUS, 1);
}

static void config_and_features(void **state)
{
	struct fixture *f = *state;
	uint64_t v = 0;

	assert_int_equal(f->vi.vp.cfg.data[PCI_DEVICE_ID], 0x57); /* 0x1040 + 23 */
	bar_wr(f, VIRTIO_PCI_COMMON_DFSELECT, 0, 4);
	v = bar_rd(f, VIRTIO_PCI_COMMON_DF, 4);
	assert_true(v & 1u << VIRTIO_IOMMU_F_MAP_UNMAP);
	assert_true(v & 1u << VIRTIO_IOMMU_F_PROBE);
	assert_true(v & 1u << VIRTIO_IOMMU_F_BYPASS_CONFIG);
	assert_false(v & 1u << VIRTIO_IOMMU_F_MMIO);
	assert_int_equal(bar_rd(f, VIRTIO_PCI_DEVCFG_OFF, 8), 0x40201000);
	assert_int_equal(bar_rd(f, VIRTIO_PCI_DEVCFG_OFF + 8, 8), 0);
	assert_int_equal(bar_rd(f, VIRTIO_PCI_DEVCFG_OFF + 16, 8), (1ULL << 39) - 1);
	assert_int_equal(bar_rd(f, VIRTIO_PCI_DEVCFG_OFF + 32, 4), VIRTIO_IOMMU_PROBE_SIZE);
	assert_int_equal(bar_rd(f, VIRTIO_PCI_DEVCFG_OFF + 36, 1), 1);
	/* only bypass is writable */
	bar_wr(f, VIRTIO_PCI_DEVCFG_OFF, 0x1000, 8);
	assert_int_equal(bar_rd(f, VIRTIO_PCI_DEVCFG_OFF, 8), 0x40201000);
	bar_wr(f, VIRTIO_PCI_DEVCFG_OFF + 36, 0, 1);
	assert_int_equal(bar_rd(f, VIRTIO_PCI_DEVCFG_OFF + 36, 1), 0);
	assert_int_equal(f->sp.unmaps, 2); /* guest RAM left the host space */
	bar_wr(f, VIRTIO_PCI_DEVCFG_OFF + 36, 0xff, 1);
	assert_int_equal(bar_rd(f, VIRTIO_PCI_DEVCFG_OFF + 36, 1), 1);
	assert_int_equal(f->sp.maps, 2);
	/* without BYPASS_CONFIG the driver cannot change it */
	driver_up(f, BASE_FEATURES);
	bar_wr(f, VIRTIO_PCI_DEVCFG_OFF + 36, 0, 1);
	assert_int_equal(bar_rd(f, VIRTIO_PCI_DEVCFG_OFF + 36, 1), 1);
}

static void requests_do_what_they_say(void **state)
{
	struct fixture *f = *state;
	struct virtio_iommu_req_detach d = {
		.head.type = VIRTIO_IOMMU_T_DETACH, .domain = 3, .endpoint = 0x18};

	assert_int_equal(attach(f, 3, 0x18, 0), VIRTIO_IOMMU_S_OK);
	assert_int_equal(f->sp.unmaps, 2);
	assert_int_equal(map(f, 3, 0x100000, 0x101fff, FAKE_RAM1, VIRTIO_IOMMU_MAP_F_READ),
			 VIRTIO_IOMMU_S_OK);
	assert_int_equal(f->sp.last_iova, 0x100000);
	assert_int_equal(f->sp.last_size, 0x2000);
	assert_int_equal(f->sp.last_prot, VIOMMU_PROT_READ);
	assert_int_equal(unmap(f, 3, 0x100000, 0x101fff), VIRTIO_IOMMU_S_OK);
	assert_int_equal(f->sp.unmaps, 3);
	assert_int_equal(request(f, &d, sizeof(d)), VIRTIO_IOMMU_S_OK);
	assert_int_equal(f->sp.maps, 1 + 2); /* the map, then guest RAM again: bypass */
	assert_int_equal(f->vi.core.stats.attach, 1);
	assert_int_equal(f->vi.core.stats.map, 1);
	assert_int_equal(f->vi.core.stats.unmap, 1);
	assert_int_equal(f->vi.core.stats.errors, 0);
	assert_int_equal(status_reg(f), 0xf);
}

static void malformed_requests_get_statuses(void **state)
{
	struct fixture *f = *state;
	struct virtio_iommu_req_map m = {.head.type = VIRTIO_IOMMU_T_MAP,
					 .domain = 3,
					 .virt_start = 0x1000,
					 .virt_end = 0x1fff,
					 .flags = 1};
	struct virtio_iommu_req_attach a = {
		.head.type = VIRTIO_IOMMU_T_ATTACH, .domain = 3, .endpoint = 0x18};
	uint8_t unknown[16] = {0x42}, resp[8];

	/* an unknown type: the buffers come back unwritten */
	assert_int_equal(send(f, unknown, sizeof(unknown), resp, 4), 0);
	assert_int_equal(resp[0], 0xee);
	unknown[0] = 0;
	assert_int_equal(send(f, unknown, sizeof(unknown), resp, 4), 0);
	/* no room for a tail, or not even a head */
	assert_int_equal(send(f, &m, sizeof(m) - 4, resp, 3), 0);
	assert_int_equal(resp[0], 0xee);
	assert_int_equal(send(f, &m, 2, resp, 4), 0);
	assert_int_equal(send(f, &m, sizeof(m) - 4, NULL, 0), 0);
	/* too short for its type */
	assert_int_equal(send(f, &m, sizeof(m) - 8, resp, 4), 4);
	assert_int_equal(resp[0], VIRTIO_IOMMU_S_INVAL);
	assert_int_equal(send(f, &m, 4, resp, 4), 4);
	assert_int_equal(resp[0], VIRTIO_IOMMU_S_INVAL);
	/* ATTACH's reserved field must be zero */
	a.reserved[2] = 1;
	assert_int_equal(request(f, &a, sizeof(a)), VIRTIO_IOMMU_S_INVAL);
	assert_int_equal(attach(f, 3, 0x77, 0), VIRTIO_IOMMU_S_NOENT);
	assert_int_equal(attach(f, 3, 0x18, 0), VIRTIO_IOMMU_S_OK);
	/* maps outside guest RAM, into the MSI window, of unknown flags */
	assert_int_equal(map(f, 3, 0x1000, 0x1fff, FAKE_RAM0_SIZE, 3), VIRTIO_IOMMU_S_RANGE);
	assert_int_equal(map(f, 3, 0xfee00000, 0xfee00fff, 0, 3), VIRTIO_IOMMU_S_RANGE);
	assert_int_equal(map(f, 3, 0x1000, 0x1fff, 0, 0x10), VIRTIO_IOMMU_S_INVAL);
	assert_int_equal(map(f, 4, 0x1000, 0x1fff, 0, 3), VIRTIO_IOMMU_S_NOENT);
	/* a request split across descriptors, and a longer writable part: the tail at its end */
	assert_int_equal(send_split(f, &m, sizeof(m) - 4, 3, resp, 8), 8);
	assert_int_equal(resp[4], VIRTIO_IOMMU_S_OK);
	assert_int_equal(resp[0], 0xee);
	assert_int_equal(unmap(f, 3, 0x1000, 0x17ff), VIRTIO_IOMMU_S_RANGE);
	assert_int_equal(unmap(f, 3, 0, 0xffff), VIRTIO_IOMMU_S_OK);
	/* the device kept running through all of it */
	assert_int_equal(status_reg(f), 0xf);
	assert_int_equal(f->vi.core.stats.errors, 9);
}

static void probe_reports_reserved_regions(void **state)
{
	struct fixture *f = *state;
	struct virtio_iommu_req_probe p = {.head.type = VIRTIO_IOMMU_T_PROBE, .endpoint = 0x18};
	uint8_t out[VIRTIO_IOMMU_PROBE_SIZE + 4];
	struct virtio_iommu_probe_resv_mem r;
	static const uint8_t zeros[VIRTIO_IOMMU_PROBE_SIZE];

	assert_int_equal(send(f, &p, sizeof(p), out, sizeof(out)), sizeof(out));
	assert_int_equal(out[VIRTIO_IOMMU_PROBE_SIZE], VIRTIO_IOMMU_S_OK);
	memcpy(&r, out, sizeof(r));
	assert_int_equal(r.head.type, VIRTIO_IOMMU_PROBE_T_RESV_MEM);
	assert_int_equal(r.head.length, sizeof(r) - 4);
	assert_int_equal(r.subtype, VIRTIO_IOMMU_RESV_MEM_T_MSI);
	assert_int_equal(r.start, 0xfee00000);
	assert_int_equal(r.end, 0xfeefffff);
	/* the host's usable ranges leave only the MSI window: nothing else, zeros after */
	assert_memory_equal(out + sizeof(r), zeros, VIRTIO_IOMMU_PROBE_SIZE - sizeof(r));
	p.endpoint = 0x19;
	assert_int_equal(send(f, &p, sizeof(p), out, sizeof(out)), sizeof(out));
	assert_int_equal(out[VIRTIO_IOMMU_PROBE_SIZE], VIRTIO_IOMMU_S_NOENT);
	p.endpoint = 0x18;
	assert_int_equal(send(f, &p, sizeof(p), out, 64), 64);
	assert_int_equal(out[60], VIRTIO_IOMMU_S_INVAL);
	/* without the PROBE feature: not answered */
	driver_up(f, BASE_FEATURES);
	assert_int_equal(send(f, &p, sizeof(p), out, sizeof(out)), 0);
}

static void probe_with_host_holes(void **state)
{
	struct fixture *f = *state;
	struct virtio_iommu_req_probe p = {.head.type = VIRTIO_IOMMU_T_PROBE, .endpoint = 0x18};
	uint8_t out[VIRTIO_IOMMU_PROBE_SIZE + 4];
	struct virtio_iommu_probe_resv_mem r;
	static const struct viommu_range holes[] = {{0, 0x7fffffff}, {0x100000000, 0xffffffffff}};

	memcpy(f->vi.core.usable, holes, sizeof(holes));
	assert_int_equal(send(f, &p, sizeof(p), out, sizeof(out)), sizeof(out));
	memcpy(&r, out + sizeof(r), sizeof(r));
	assert_int_equal(r.subtype, VIRTIO_IOMMU_RESV_MEM_T_RESERVED);
	assert_int_equal(r.start, 0x80000000);
	assert_int_equal(r.end, 0xfedfffff);
	memcpy(&r, out + 2 * sizeof(r), sizeof(r));
	assert_int_equal(r.start, 0xfef00000);
	assert_int_equal(r.end, 0xffffffff);
	memcpy(&r, out + 3 * sizeof(r), sizeof(r));
	assert_int_equal(r.head.type, VIRTIO_IOMMU_PROBE_T_NONE);
}

static void broken_queue_and_reset(void **state)
{
	struct fixture *f = *state;
	struct virtq *q = &f->vi.vp.q[0];

	assert_int_equal(attach(f, 3, 0x18, 0), VIRTIO_IOMMU_S_OK);
	desc_set(&f->mem, RING, 0, FAKE_RAM1 + FAKE_RAM1_SIZE - 2, 16, 0, 0);
	avail_push(q, &f->mem, 0);
	bar_wr(f, VIRTIO_PCI_NOTIFY_OFF, 0, 2);
	assert_true(status_reg(f) & VIRTIO_CONFIG_S_NEEDS_RESET);
	/* a device reset detaches every endpoint: back to bypass */
	bar_wr(f, VIRTIO_PCI_COMMON_STATUS, 0, 1);
	assert_null(viommu_endpoint(&f->vi.core, 0x18)->dom);
	assert_int_equal(f->sp.maps, 2);
	driver_up(f, ALL_FEATURES);
	assert_int_equal(attach(f, 3, 0x18, 0), VIRTIO_IOMMU_S_OK);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(config_and_features),
		T(requests_do_what_they_say),
		T(malformed_requests_get_statuses),
		T(probe_reports_reserved_regions),
		T(probe_with_host_holes),
		T(broken_queue_and_reset),
	};

	return cmocka_run_group_tests_name("virtio_iommu", tests, NULL, NULL);
}
