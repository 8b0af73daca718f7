// SPDX-License-Identifier: MIT
/*
 * The vIOMMU core over recording host spaces: domain and endpoint bookkeeping, every error status
 * of ATTACH, DETACH, MAP and UNMAP, and the host mappings each request leaves behind.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <linux/virtio_iommu.h>

#include "devices/viommu.h"
#include "tests/unit/virtio_test_util.h"

#define PG 0x1000ULL
#define HOST_MAX 70000

/* A host space that behaves as VFIO type1 does: no overlapping maps, no split unmaps. */
struct rec {
	struct {
		uint64_t iova, size;
		void *hva;
		unsigned int prot;
	} * m;
	unsigned int nr;
	unsigned int maps, unmaps, bad;
	int fail; /* the next map fails with this */
	bool no_checks;
};

static int rec_map(void *space, uint64_t iova, void *hva, uint64_t size, unsigned int prot)
{
	struct rec *r = space;

	if (r->fail) {
		int e = r->fail;

		r->fail = 0;
		return e;
	}
	for (unsigned int i = 0; i < r->nr && !r->no_checks; i++) {
		if (iova < r->m[i].iova + r->m[i].size && r->m[i].iova < iova + size) {
			r->bad++;
			return -EEXIST;
		}
	}
	assert_true(r->nr < HOST_MAX);
	r->m[r->nr].iova = iova;
	r->m[r->nr].size = size;
	r->m[r->nr].hva = hva;
	r->m[r->nr++].prot = prot;
	r->maps++;
	return 0;
}

static int rec_unmap(void *space, uint64_t iova, uint64_t size)
{
	struct rec *r = space;

	for (unsigned int i = 0; i < r->nr; i++) {
		if (r->m[i].iova == iova && r->m[i].size == size) {
			r->m[i] = r->m[--r->nr];
			r->unmaps++;
			return 0;
		}
	}
	r->bad++;
	return -EINVAL;
}

static const struct viommu_space_ops rec_ops = {rec_map, rec_unmap};

/* The host entry at iova, or -1. */
static int rec_find(const struct rec *r, uint64_t iova)
{
	for (unsigned int i = 0; i < r->nr; i++)
		if (r->m[i].iova == iova)
			return (int)i;
	return -1;
}

/* Identity: every RAM range, and nothing else. */
static bool rec_identity(const struct rec *r, const struct guest_mem *mem)
{
	if (r->nr != mem->nr_ram)
		return false;
	for (unsigned int i = 0; i < mem->nr_ram; i++) {
		int k = rec_find(r, mem->ram[i].gpa);

		if (k < 0 || r->m[k].size != mem->ram[i].size || r->m[k].hva != mem->ram[i].hva)
			return false;
	}
	return true;
}

struct fixture {
	struct guest_mem mem;
	struct viommu v;
	struct rec rec[2];
};

/* Host usable IOVAs as an Intel IOMMU reports them, with a 39-bit address width. */
static const struct viommu_range usable[] = {
	{0, 0xfedfffff},
	{0xfef00000, (1ULL << 39) - 1},
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	fake_ram_init(&f->mem);
	for (int i = 0; i < 2; i++) {
		f->rec[i].m = calloc(HOST_MAX, sizeof(*f->rec[i].m));
		/* vfvm maps guest RAM at start-up, before the guest can say anything */
		for (unsigned int k = 0; k < f->mem.nr_ram; k++)
			rec_map(&f->rec[i], f->mem.ram[k].gpa, f->mem.ram[k].hva,
				f->mem.ram[k].size, 3);
	}
	viommu_init(&f->v, &f->mem, &rec_ops, PG, usable, 2);
	assert_int_equal(viommu_add_space(&f->v, &f->rec[0], true), 0);
	assert_int_equal(viommu_add_space(&f->v, &f->rec[1], true), 1);
	assert_int_equal(viommu_add_endpoint(&f->v, 0x10, 0), 0);
	assert_int_equal(viommu_add_endpoint(&f->v, 0x18, 1), 0);
	assert_int_equal(viommu_add_endpoint(&f->v, 0x19, 1), 0); /* same host group as 0x18 */
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	viommu_destroy(&f->v);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(f->rec[i].bad, 0); /* never an overlap or a split at the host */
		free(f->rec[i].m);
	}
	fake_ram_free(&f->mem);
	free(f);
	return 0;
}

#define RW (VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE)

static void endpoints_and_spaces(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(viommu_add_endpoint(&f->v, 0x10, 0), -EEXIST);
	assert_int_equal(viommu_add_endpoint(&f->v, 0x20, 7), -EINVAL);
	assert_non_null(viommu_endpoint(&f->v, 0x19));
	assert_null(viommu_endpoint(&f->v, 0x11));
	assert_int_equal(f->v.input_start, 0);
	assert_int_equal(f->v.input_end, (1ULL << 39) - 1);
}

static void bypass_setting_maps_and_unmaps_ram(void **state)
{
	struct fixture *f = *state;

	assert_true(rec_identity(&f->rec[0], &f->mem));
	viommu_set_bypass(&f->v, false);
	assert_int_equal(f->rec[0].nr, 0);
	assert_int_equal(f->rec[1].nr, 0);
	viommu_set_bypass(&f->v, true);
	assert_true(rec_identity(&f->rec[0], &f->mem));
	assert_true(rec_identity(&f->rec[1], &f->mem));
}

static void attach_map_unmap_detach(void **state)
{
	struct fixture *f = *state;
	struct rec *r = &f->rec[0];
	int k;

	assert_int_equal(viommu_attach(&f->v, 1, 0x10, 0), VIRTIO_IOMMU_S_OK);
	assert_int_equal(r->nr, 0); /* translating, nothing mapped yet */
	assert_true(rec_identity(&f->rec[1], &f->mem));
	assert_int_equal(
		viommu_map(&f->v, 1, 0x80000000, 0x80000000 + 2 * PG - 1, FAKE_RAM1 + PG, RW),
		VIRTIO_IOMMU_S_OK);
	k = rec_find(r, 0x80000000);
	assert_true(k >= 0);
	assert_int_equal(r->m[k].size, 2 * PG);
	assert_ptr_equal(r->m[k].hva, (uint8_t *)f->mem.ram[1].hva + PG);
	assert_int_equal(r->m[k].prot, VIOMMU_PROT_READ | VIOMMU_PROT_WRITE);
	/* permissions go to the host as given */
	assert_int_equal(viommu_map(&f->v, 1, 0x1000, 0x1fff, 0x3000, VIRTIO_IOMMU_MAP_F_READ),
			 VIRTIO_IOMMU_S_OK);
	assert_int_equal(r->m[rec_find(r, 0x1000)].prot, VIOMMU_PROT_READ);
	assert_int_equal(viommu_map(&f->v, 1, 0x2000, 0x2fff, 0x3000, VIRTIO_IOMMU_MAP_F_WRITE),
			 VIRTIO_IOMMU_S_OK);
	assert_int_equal(r->m[rec_find(r, 0x2000)].prot, VIOMMU_PROT_WRITE);
	/* no access at all: kept, but nothing for the host to map */
	assert_int_equal(viommu_map(&f->v, 1, 0x4000, 0x4fff, 0x3000, 0), VIRTIO_IOMMU_S_OK);
	assert_int_equal(rec_find(r, 0x4000), -1);
	assert_int_equal(viommu_map(&f->v, 1, 0x4000, 0x4fff, 0x3000, RW), VIRTIO_IOMMU_S_INVAL);
	assert_int_equal(r->nr, 3);
	/* what the guest's domains hold now: four mappings, the one without access too */
	assert_int_equal(f->v.stats.mappings, 4);
	assert_int_equal(f->v.stats.mapped_bytes, 5 * PG);
	assert_int_equal(viommu_unmap(&f->v, 1, 0, 0x4fff), VIRTIO_IOMMU_S_OK);
	assert_int_equal(r->nr, 1);
	assert_int_equal(f->v.stats.mappings, 1);
	assert_int_equal(f->v.stats.mapped_bytes, 2 * PG);
	assert_int_equal(viommu_detach(&f->v, 1, 0x10), VIRTIO_IOMMU_S_OK);
	/* the domain went with its last endpoint, and its mappings with it */
	assert_int_equal(f->v.stats.mappings, 0);
	assert_int_equal(f->v.stats.mapped_bytes, 0);
	assert_true(rec_identity(r, &f->mem)); /* bypass is on: back to guest RAM */
	assert_null(f->v.doms[0]);	       /* the domain ceased to exist */
	assert_int_equal(viommu_map(&f->v, 1, 0x1000, 0x1fff, 0x3000, RW), VIRTIO_IOMMU_S_NOENT);
}

static void map_errors(void **state)
{
	static const struct {
		uint32_t dom;
		uint64_t start, end, gpa;
		uint32_t flags;
		uint8_t status;
	} bad[] = {
		{2, 0x1000, 0x1fff, 0, RW, VIRTIO_IOMMU_S_NOENT},
		{1, 0x1000, 0x1fff, 0, RW | 8, VIRTIO_IOMMU_S_INVAL},
		{1, 0x1000, 0x1fff, 0, RW | VIRTIO_IOMMU_MAP_F_MMIO, VIRTIO_IOMMU_S_INVAL},
		{1, 0x2000, 0x1fff, 0, RW, VIRTIO_IOMMU_S_INVAL},    /* end before start */
		{1, 0x1800, 0x1fff, 0, RW, VIRTIO_IOMMU_S_RANGE},    /* start not aligned */
		{1, 0x1000, 0x1ffe, 0, RW, VIRTIO_IOMMU_S_RANGE},    /* end + 1 not aligned */
		{1, 0x1000, 0x1fff, 0x10, RW, VIRTIO_IOMMU_S_RANGE}, /* gpa not aligned */
		{1, 1ULL << 39, (1ULL << 39) + 0xfff, 0, RW, VIRTIO_IOMMU_S_RANGE}, /* too high */
		{1, 0xfee00000, 0xfee00fff, 0, RW, VIRTIO_IOMMU_S_RANGE},	    /* MSI window */
		{1, 0xfed00000, 0xfeffffff, 0, RW, VIRTIO_IOMMU_S_RANGE},      /* over the window */
		{1, 0x1000, 0x1fff, FAKE_RAM0_SIZE, RW, VIRTIO_IOMMU_S_RANGE}, /* RAM hole */
		{1, 0x1000, 0x2fff, FAKE_RAM0_SIZE - PG, RW, VIRTIO_IOMMU_S_RANGE}, /* into it */
		{1, 0x1000, 0x1fff, FAKE_RAM1 + FAKE_RAM1_SIZE, RW, VIRTIO_IOMMU_S_RANGE},
		{1, 0x1000, 0x1fff, 0xfffffffffffff000, RW, VIRTIO_IOMMU_S_RANGE},
		{1, 0, 0xffffffffffffffff, 0, RW, VIRTIO_IOMMU_S_RANGE},
		{1, 0x10000, 0x10fff, 0, RW, VIRTIO_IOMMU_S_INVAL}, /* same as existing */
		{1, 0xf000, 0x10fff, 0, RW, VIRTIO_IOMMU_S_INVAL},  /* overlaps its start */
		{1, 0x11000, 0x12fff, 0, RW, VIRTIO_IOMMU_S_INVAL}, /* overlaps its end */
		{1, 0x8000, 0x20fff, 0, RW, VIRTIO_IOMMU_S_INVAL},  /* contains two */
	};
	struct fixture *f = *state;

	assert_int_equal(viommu_attach(&f->v, 1, 0x10, 0), VIRTIO_IOMMU_S_OK);
	assert_int_equal(viommu_map(&f->v, 1, 0x10000, 0x11fff, 0x4000, RW), VIRTIO_IOMMU_S_OK);
	assert_int_equal(viommu_map(&f->v, 1, 0x20000, 0x20fff, 0x4000, RW), VIRTIO_IOMMU_S_OK);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(viommu_map(&f->v, bad[i].dom, bad[i].start, bad[i].end, bad[i].gpa,
					    bad[i].flags),
				 bad[i].status);
		assert_int_equal(f->rec[0].nr, 2);
		assert_int_equal(f->v.doms[0]->nr, 2);
	}
	assert_int_equal(f->v.stats.errors, sizeof(bad) / sizeof(bad[0]));
}

/* The spec's seven UNMAP examples, and what each leaves at the host. */
static void unmap_semantics(void **state)
{
	struct fixture *f = *state;
	struct rec *r = &f->rec[0];
	uint64_t a = 0x100000;

#define MAP(s, e)                                                                                  \
	assert_int_equal(viommu_map(&f->v, 1, a + (s)*PG, a + ((e) + 1) * PG - 1, 0, RW),          \
			 VIRTIO_IOMMU_S_OK)
#define UNMAP(s, e) viommu_unmap(&f->v, 1, a + (s)*PG, a + ((e) + 1) * PG - 1)
	assert_int_equal(viommu_attach(&f->v, 1, 0x10, 0), VIRTIO_IOMMU_S_OK);
	assert_int_equal(UNMAP(0, 4), VIRTIO_IOMMU_S_OK); /* (1) nothing there */
	MAP(0, 9);
	assert_int_equal(UNMAP(0, 9), VIRTIO_IOMMU_S_OK); /* (2) */
	assert_int_equal(r->nr, 0);
	MAP(0, 4);
	MAP(5, 9);
	assert_int_equal(UNMAP(0, 9), VIRTIO_IOMMU_S_OK); /* (3) */
	assert_int_equal(r->nr, 0);
	MAP(0, 9);
	assert_int_equal(UNMAP(0, 4), VIRTIO_IOMMU_S_RANGE); /* (4) would split */
	assert_int_equal(UNMAP(5, 12), VIRTIO_IOMMU_S_RANGE);
	assert_int_equal(r->nr, 1);
	assert_int_equal(UNMAP(0, 9), VIRTIO_IOMMU_S_OK);
	MAP(0, 4);
	MAP(5, 9);
	assert_int_equal(UNMAP(0, 4), VIRTIO_IOMMU_S_OK); /* (5) */
	assert_int_equal(r->nr, 1);
	assert_true(rec_find(r, a + 5 * PG) >= 0);
	assert_int_equal(UNMAP(5, 9), VIRTIO_IOMMU_S_OK);
	MAP(0, 4);
	assert_int_equal(UNMAP(0, 9), VIRTIO_IOMMU_S_OK); /* (6) */
	MAP(0, 4);
	MAP(10, 14);
	assert_int_equal(UNMAP(0, 14), VIRTIO_IOMMU_S_OK); /* (7) */
	assert_int_equal(r->nr, 0);
	assert_int_equal(f->v.doms[0]->nr, 0);
	/* a split in the middle of three leaves all three */
	MAP(0, 4);
	MAP(5, 9);
	MAP(10, 14);
	assert_int_equal(UNMAP(2, 9), VIRTIO_IOMMU_S_RANGE);
	assert_int_equal(r->nr, 3);
	assert_int_equal(viommu_unmap(&f->v, 1, a + PG, a), VIRTIO_IOMMU_S_INVAL);
	assert_int_equal(viommu_unmap(&f->v, 9, a, a + PG - 1), VIRTIO_IOMMU_S_NOENT);
	assert_int_equal(viommu_unmap(&f->v, 1, 0, UINT64_MAX), VIRTIO_IOMMU_S_OK);
	assert_int_equal(r->nr, 0);
#undef MAP
#undef UNMAP
}

static void attach_errors_and_bypass_domains(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(viommu_attach(&f->v, 1, 0x77, 0), VIRTIO_IOMMU_S_NOENT);
	assert_int_equal(viommu_attach(&f->v, 1, 0x10, 2), VIRTIO_IOMMU_S_INVAL);
	/* a bypass domain needs BYPASS_CONFIG */
	assert_int_equal(viommu_attach(&f->v, 1, 0x10, VIRTIO_IOMMU_ATTACH_F_BYPASS),
			 VIRTIO_IOMMU_S_INVAL);
	f->v.bypass_config = true;
	viommu_set_bypass(&f->v, false);
	assert_int_equal(f->rec[0].nr, 0);
	assert_int_equal(viommu_attach(&f->v, 1, 0x10, VIRTIO_IOMMU_ATTACH_F_BYPASS),
			 VIRTIO_IOMMU_S_OK);
	assert_true(rec_identity(&f->rec[0], &f->mem));
	assert_int_equal(viommu_map(&f->v, 1, 0x1000, 0x1fff, 0, RW), VIRTIO_IOMMU_S_INVAL);
	assert_int_equal(viommu_unmap(&f->v, 1, 0x1000, 0x1fff), VIRTIO_IOMMU_S_INVAL);
	/* the flag must agree with the domain */
	assert_int_equal(viommu_attach(&f->v, 1, 0x18, 0), VIRTIO_IOMMU_S_INVAL);
	assert_int_equal(viommu_detach(&f->v, 2, 0x10), VIRTIO_IOMMU_S_INVAL);
	assert_int_equal(viommu_detach(&f->v, 1, 0x18), VIRTIO_IOMMU_S_INVAL);
	assert_int_equal(viommu_detach(&f->v, 1, 0x99), VIRTIO_IOMMU_S_NOENT);
	assert_int_equal(viommu_detach(&f->v, 1, 0x10), VIRTIO_IOMMU_S_OK);
	assert_int_equal(f->rec[0].nr, 0); /* bypass off: unattached sees nothing */
}

static void attach_elsewhere_moves(void **state)
{
	struct fixture *f = *state;
	struct rec *r = &f->rec[0];

	assert_int_equal(viommu_attach(&f->v, 1, 0x10, 0), VIRTIO_IOMMU_S_OK);
	assert_int_equal(viommu_map(&f->v, 1, 0x1000, 0x1fff, 0, RW), VIRTIO_IOMMU_S_OK);
	assert_int_equal(viommu_attach(&f->v, 1, 0x10, 0), VIRTIO_IOMMU_S_OK); /* again: nothing */
	assert_int_equal(r->nr, 1);
	assert_int_equal(viommu_attach(&f->v, 2, 0x10, 0), VIRTIO_IOMMU_S_OK);
	assert_int_equal(r->nr, 0); /* domain 1's mapping is gone with it */
	assert_int_equal(viommu_map(&f->v, 1, 0x1000, 0x1fff, 0, RW), VIRTIO_IOMMU_S_NOENT);
	assert_int_equal(viommu_map(&f->v, 2, 0x5000, 0x5fff, 0, RW), VIRTIO_IOMMU_S_OK);
	assert_int_equal(r->nr, 1);
	assert_true(rec_find(r, 0x5000) >= 0);
}

static void one_host_group_one_domain(void **state)
{
	struct fixture *f = *state;
	struct rec *r = &f->rec[1];

	assert_int_equal(viommu_attach(&f->v, 1, 0x18, 0), VIRTIO_IOMMU_S_OK);
	/* its group mate cannot be isolated from it: not into another domain */
	assert_int_equal(viommu_attach(&f->v, 2, 0x19, 0), VIRTIO_IOMMU_S_UNSUPP);
	assert_null(viommu_endpoint(&f->v, 0x19)->dom);
	assert_int_equal(viommu_attach(&f->v, 1, 0x19, 0), VIRTIO_IOMMU_S_OK);
	assert_int_equal(viommu_map(&f->v, 1, 0x1000, 0x1fff, 0, RW), VIRTIO_IOMMU_S_OK);
	assert_int_equal(r->nr, 1);
	/* one leaves: the space still serves the other */
	assert_int_equal(viommu_detach(&f->v, 1, 0x18), VIRTIO_IOMMU_S_OK);
	assert_int_equal(r->nr, 1);
	assert_int_equal(viommu_attach(&f->v, 3, 0x18, 0), VIRTIO_IOMMU_S_UNSUPP);
	assert_int_equal(viommu_detach(&f->v, 1, 0x19), VIRTIO_IOMMU_S_OK);
	assert_true(rec_identity(r, &f->mem));
}

static void domain_over_two_spaces(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(viommu_attach(&f->v, 5, 0x10, 0), VIRTIO_IOMMU_S_OK);
	assert_int_equal(viommu_map(&f->v, 5, 0x1000, 0x1fff, 0, RW), VIRTIO_IOMMU_S_OK);
	/* the second space gets the domain's mappings replayed */
	assert_int_equal(viommu_attach(&f->v, 5, 0x18, 0), VIRTIO_IOMMU_S_OK);
	assert_int_equal(f->rec[1].nr, 1);
	assert_int_equal(viommu_map(&f->v, 5, 0x2000, 0x2fff, 0, RW), VIRTIO_IOMMU_S_OK);
	assert_int_equal(f->rec[0].nr, 2);
	assert_int_equal(f->rec[1].nr, 2);
	/* the host refuses in the second space: undone in the first too */
	f->rec[1].fail = -ENOSPC;
	assert_int_equal(viommu_map(&f->v, 5, 0x3000, 0x3fff, 0, RW), VIRTIO_IOMMU_S_NOMEM);
	assert_int_equal(f->rec[0].nr, 2);
	assert_int_equal(f->rec[1].nr, 2);
	f->rec[0].fail = -EFAULT;
	assert_int_equal(viommu_map(&f->v, 5, 0x3000, 0x3fff, 0, RW), VIRTIO_IOMMU_S_DEVERR);
	assert_int_equal(f->v.doms[0]->nr, 2);
	assert_int_equal(viommu_unmap(&f->v, 5, 0, 0xffffff), VIRTIO_IOMMU_S_OK);
	assert_int_equal(f->rec[0].nr + f->rec[1].nr, 0);
}

static void reset_detaches_everything(void **state)
{
	struct fixture *f = *state;

	f->v.bypass_config = true;
	assert_int_equal(viommu_attach(&f->v, 1, 0x10, 0), VIRTIO_IOMMU_S_OK);
	assert_int_equal(viommu_attach(&f->v, 2, 0x18, VIRTIO_IOMMU_ATTACH_F_BYPASS),
			 VIRTIO_IOMMU_S_OK);
	assert_int_equal(viommu_map(&f->v, 1, 0x1000, 0x1fff, 0, RW), VIRTIO_IOMMU_S_OK);
	viommu_set_bypass(&f->v, false);
	viommu_reset(&f->v);
	for (unsigned int i = 0; i < sizeof(f->v.doms) / sizeof(f->v.doms[0]); i++)
		assert_null(f->v.doms[i]);
	assert_false(f->v.bypass); /* the setting survives a device reset */
	assert_int_equal(f->rec[0].nr, 0);
	assert_int_equal(f->rec[1].nr, 0);
}

static void reserved_regions(void **state)
{
	struct fixture *f = *state;
	static const struct viommu_range holes[] = {
		{0x1000, 0xfedfffff}, /* IOVA 0 page reserved */
		{0xfef00000, 0xffffffff},
		{0x200000000, 0x3ffffffff},
	};
	struct viommu_range msi, out[8];
	struct viommu v;

	assert_int_equal(viommu_resv_regions(&f->v, &msi, out, 8), 0);
	assert_int_equal(msi.start, 0xfee00000);
	assert_int_equal(msi.end, 0xfeefffff);
	viommu_init(&v, &f->mem, &rec_ops, PG, holes, 3);
	assert_int_equal(viommu_resv_regions(&v, &msi, out, 8), 1);
	assert_int_equal(out[0].start, 0x100000000);
	assert_int_equal(out[0].end, 0x1ffffffff);
	assert_int_equal(v.input_start, 0x1000);
	/* a host range with the window inside it: reserved, minus the window */
	static const struct viommu_range mid[] = {{0, 0xfebfffff}, {0xff000000, 0xffffffff}};

	viommu_init(&v, &f->mem, &rec_ops, PG, mid, 2);
	assert_int_equal(viommu_resv_regions(&v, &msi, out, 8), 2);
	assert_int_equal(out[0].start, 0xfec00000);
	assert_int_equal(out[0].end, 0xfedfffff);
	assert_int_equal(out[1].start, 0xfef00000);
	assert_int_equal(out[1].end, 0xfeffffff);
}

static void mapping_limit(void **state)
{
	struct fixture *f = *state;

	f->rec[0].no_checks = true;
	assert_int_equal(viommu_attach(&f->v, 1, 0x10, 0), VIRTIO_IOMMU_S_OK);
	for (uint64_t i = 0; i < VIOMMU_MAX_MAPPINGS; i++)
		assert_int_equal(
			viommu_map(&f->v, 1, i * PG, i * PG + PG - 1, 0, VIRTIO_IOMMU_MAP_F_READ),
			VIRTIO_IOMMU_S_OK);
	assert_int_equal(viommu_map(&f->v, 1, (uint64_t)VIOMMU_MAX_MAPPINGS * PG,
				    (uint64_t)VIOMMU_MAX_MAPPINGS * PG + PG - 1, 0, RW),
			 VIRTIO_IOMMU_S_NOMEM);
	assert_int_equal(viommu_unmap(&f->v, 1, 0, UINT64_MAX), VIRTIO_IOMMU_S_OK);
	assert_int_equal(f->rec[0].nr, 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(endpoints_and_spaces),    T(bypass_setting_maps_and_unmaps_ram),
		T(attach_map_unmap_detach), T(map_errors),
		T(unmap_semantics),	    T(attach_errors_and_bypass_domains),
		T(attach_elsewhere_moves),  T(one_host_group_one_domain),
		T(domain_over_two_spaces),  T(reset_detaches_everything),
		T(reserved_regions),	    T(mapping_limit),
	};

	return cmocka_run_group_tests_name("viommu", tests, NULL, NULL);
}
