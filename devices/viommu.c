// SPDX-License-Identifier: MIT
/* Guest IOMMU domains and their shadow in the host's address spaces. */
#include "devices/viommu.h"

#include <errno.h>
#include <linux/virtio_iommu.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_INPUT_END ((1ULL << 48) - 1)

void viommu_init(struct viommu *v, const struct guest_mem *mem, const struct viommu_space_ops *ops,
		 uint64_t granule, const struct viommu_range *usable, unsigned int nr_usable)
{
	memset(v, 0, sizeof(*v));
	v->mem = mem;
	v->ops = ops;
	v->granule = granule && !(granule & (granule - 1)) ? granule : 4096;
	v->bypass = true;
	if (nr_usable > VIOMMU_MAX_HOST_RANGES)
		nr_usable = VIOMMU_MAX_HOST_RANGES; /* fewer usable ranges: stricter, never wrong */
	if (!usable || !nr_usable) {
		v->usable[0] = (struct viommu_range){0, DEFAULT_INPUT_END};
		nr_usable = 1;
	} else {
		memcpy(v->usable, usable, nr_usable * sizeof(*usable));
	}
	v->nr_usable = nr_usable;
	v->input_start = v->usable[0].start;
	v->input_end = v->usable[0].end;
	for (unsigned int i = 1; i < nr_usable; i++) {
		if (v->usable[i].start < v->input_start)
			v->input_start = v->usable[i].start;
		if (v->usable[i].end > v->input_end)
			v->input_end = v->usable[i].end;
	}
}

int viommu_add_space(struct viommu *v, void *opaque, bool identity_mapped)
{
	if (v->nr_spaces >= VIOMMU_MAX_ENDPOINTS)
		return -ENOSPC;
	v->spaces[v->nr_spaces] = (struct viommu_space){
		.opaque = opaque,
		.state = identity_mapped ? VIOMMU_SPACE_IDENTITY : VIOMMU_SPACE_EMPTY,
	};
	return (int)v->nr_spaces++;
}

struct viommu_endpoint *viommu_endpoint(struct viommu *v, uint32_t id)
{
	for (unsigned int i = 0; i < v->nr_eps; i++)
		if (v->eps[i].id == id)
			return &v->eps[i];
	return NULL;
}

int viommu_add_endpoint(struct viommu *v, uint32_t id, unsigned int space)
{
	if (space >= v->nr_spaces)
		return -EINVAL;
	if (viommu_endpoint(v, id))
		return -EEXIST;
	if (v->nr_eps >= VIOMMU_MAX_ENDPOINTS)
		return -ENOSPC;
	v->eps[v->nr_eps++] = (struct viommu_endpoint){.id = id, .space = space};
	return 0;
}

/* ---- the host side ---- */

static unsigned int prot_of(uint32_t flags)
{
	return (flags & VIRTIO_IOMMU_MAP_F_READ ? VIOMMU_PROT_READ : 0) |
	       (flags & VIRTIO_IOMMU_MAP_F_WRITE ? VIOMMU_PROT_WRITE : 0);
}

static int host_map(struct viommu *v, struct viommu_space *s, uint64_t iova, uint64_t gpa,
		    uint64_t size, unsigned int prot)
{
	/* checked against guest RAM before; a mapping nobody may use needs no host entry */
	void *hva = guest_mem_ptr(v->mem, gpa, size);
	int err;

	if (!prot)
		return 0;
	if (!hva)
		return -EFAULT;
	err = v->ops->map(s->opaque, iova, hva, size, prot);
	if (err)
		v->stats.host_fail++;
	else
		v->stats.host_map++;
	return err;
}

static void host_unmap(struct viommu *v, struct viommu_space *s, uint64_t iova, uint64_t size,
		       unsigned int prot)
{
	if (!prot)
		return;
	if (v->ops->unmap(s->opaque, iova, size))
		v->stats.host_fail++;
	else
		v->stats.host_unmap++;
}

/* Empty the host space of whatever it holds. */
static void space_clear(struct viommu *v, struct viommu_space *s)
{
	if (s->state == VIOMMU_SPACE_IDENTITY) {
		for (unsigned int i = 0; i < v->mem->nr_ram; i++)
			host_unmap(v, s, v->mem->ram[i].gpa, v->mem->ram[i].size, VIOMMU_PROT_READ);
	} else if (s->state == VIOMMU_SPACE_DOMAIN) {
		for (unsigned int i = 0; i < s->dom->nr; i++) {
			const struct viommu_mapping *m = &s->dom->maps[i];

			host_unmap(v, s, m->start, m->end - m->start + 1, prot_of(m->flags));
		}
	}
	s->state = VIOMMU_SPACE_EMPTY;
	s->dom = NULL;
}

/* Fill an empty host space with guest RAM at IOVA == GPA, or with dom's mappings. */
static int space_fill(struct viommu *v, struct viommu_space *s, struct viommu_domain *dom)
{
	int err = 0;

	s->dom = dom;
	if (!dom) {
		s->state = VIOMMU_SPACE_IDENTITY;
		for (unsigned int i = 0; i < v->mem->nr_ram && !err; i++)
			err = host_map(v, s, v->mem->ram[i].gpa, v->mem->ram[i].gpa,
				       v->mem->ram[i].size, VIOMMU_PROT_READ | VIOMMU_PROT_WRITE);
	} else {
		s->state = VIOMMU_SPACE_DOMAIN;
		for (unsigned int i = 0; i < dom->nr && !err; i++) {
			const struct viommu_mapping *m = &dom->maps[i];

			err = host_map(v, s, m->start, m->gpa, m->end - m->start + 1,
				       prot_of(m->flags));
		}
	}
	if (err)
		space_clear(v, s); /* unmapping what was not mapped fails harmlessly */
	return err;
}

/* What the space's endpoints may reach now: NULL + identity, a domain, or nothing. */
static enum viommu_space_state space_target(const struct viommu *v, unsigned int space,
					    struct viommu_domain **dom)
{
	*dom = NULL;
	for (unsigned int i = 0; i < v->nr_eps; i++) {
		if (v->eps[i].space != space || !v->eps[i].dom)
			continue;
		if (v->eps[i].dom->bypass)
			return VIOMMU_SPACE_IDENTITY;
		*dom = v->eps[i].dom;
		return VIOMMU_SPACE_DOMAIN;
	}
	return v->bypass ? VIOMMU_SPACE_IDENTITY : VIOMMU_SPACE_EMPTY;
}

/* Bring the host space in line with its endpoints' attachment. */
static int space_sync(struct viommu *v, unsigned int space)
{
	struct viommu_space *s = &v->spaces[space];
	struct viommu_domain *dom;
	enum viommu_space_state want = space_target(v, space, &dom);

	if (want == s->state && dom == s->dom)
		return 0;
	space_clear(v, s);
	if (want == VIOMMU_SPACE_EMPTY)
		return 0;
	return space_fill(v, s, dom);
}

/* ---- domains ---- */

static struct viommu_domain **domain_slot(struct viommu *v, uint32_t id)
{
	for (unsigned int i = 0; i < sizeof(v->doms) / sizeof(v->doms[0]); i++)
		if (v->doms[i] && v->doms[i]->id == id)
			return &v->doms[i];
	return NULL;
}

static struct viommu_domain *domain_find(struct viommu *v, uint32_t id)
{
	struct viommu_domain **d = domain_slot(v, id);

	return d ? *d : NULL;
}

static struct viommu_domain *domain_create(struct viommu *v, uint32_t id, bool bypass)
{
	for (unsigned int i = 0; i < sizeof(v->doms) / sizeof(v->doms[0]); i++) {
		if (v->doms[i])
			continue;
		v->doms[i] = calloc(1, sizeof(*v->doms[i]));
		if (v->doms[i]) {
			v->doms[i]->id = id;
			v->doms[i]->bypass = bypass;
		}
		return v->doms[i];
	}
	return NULL;
}

/* After its last endpoint left (no space holds it any more), a domain ceases to exist. */
static void domain_put(struct viommu *v, struct viommu_domain *d)
{
	struct viommu_domain **slot;

	if (--d->nr_endpoints)
		return;
	slot = domain_slot(v, d->id);
	for (unsigned int i = 0; i < d->nr; i++)
		v->stats.mapped_bytes -= d->maps[i].end - d->maps[i].start + 1;
	v->stats.mappings -= d->nr;
	free(d->maps);
	free(d);
	*slot = NULL;
}

static void detach_ep(struct viommu *v, struct viommu_endpoint *ep)
{
	struct viommu_domain *d = ep->dom;

	ep->dom = NULL;
	space_sync(v, ep->space); /* to nothing, or identity: cannot fail short of leaving less */
	domain_put(v, d);
}

static uint8_t status(struct viommu *v, uint8_t st)
{
	if (st != VIRTIO_IOMMU_S_OK)
		v->stats.errors++;
	return st;
}

uint8_t viommu_attach(struct viommu *v, uint32_t domain, uint32_t endpoint, uint32_t flags)
{
	bool bypass = flags & VIRTIO_IOMMU_ATTACH_F_BYPASS;
	struct viommu_endpoint *ep = viommu_endpoint(v, endpoint);
	struct viommu_domain *d, *old;

	v->stats.attach++;
	if (flags & ~VIRTIO_IOMMU_ATTACH_F_BYPASS || (bypass && !v->bypass_config))
		return status(v, VIRTIO_IOMMU_S_INVAL);
	if (!ep)
		return status(v, VIRTIO_IOMMU_S_NOENT);
	d = domain_find(v, domain);
	if (d && d->bypass != bypass)
		return status(v, VIRTIO_IOMMU_S_INVAL);
	/* functions of one host group share one host domain: they cannot be told apart */
	for (unsigned int i = 0; i < v->nr_eps; i++) {
		const struct viommu_endpoint *o = &v->eps[i];

		if (o != ep && o->space == ep->space && o->dom && o->dom != d)
			return status(v, VIRTIO_IOMMU_S_UNSUPP);
	}
	if (ep->dom == d && d)
		return VIRTIO_IOMMU_S_OK;
	if (!d) {
		d = domain_create(v, domain, bypass);
		if (!d)
			return status(v, VIRTIO_IOMMU_S_NOMEM);
	}
	/* attached elsewhere: as if detached first, as the spec asks */
	old = ep->dom;
	ep->dom = d;
	d->nr_endpoints++;
	if (space_sync(v, ep->space)) {
		ep->dom = NULL;
		space_sync(v, ep->space);
		domain_put(v, d);
		if (old)
			domain_put(v, old);
		return status(v, VIRTIO_IOMMU_S_DEVERR);
	}
	if (old)
		domain_put(v, old);
	return VIRTIO_IOMMU_S_OK;
}

uint8_t viommu_detach(struct viommu *v, uint32_t domain, uint32_t endpoint)
{
	struct viommu_endpoint *ep = viommu_endpoint(v, endpoint);

	v->stats.detach++;
	if (!ep)
		return status(v, VIRTIO_IOMMU_S_NOENT);
	if (!ep->dom || ep->dom->id != domain)
		return status(v, VIRTIO_IOMMU_S_INVAL);
	detach_ep(v, ep);
	return VIRTIO_IOMMU_S_OK;
}

/* [start, end] lies inside one usable host range and outside the MSI window. */
static bool iova_usable(const struct viommu *v, uint64_t start, uint64_t end)
{
	if (start < v->input_start || end > v->input_end)
		return false;
	if (start <= VIOMMU_MSI_END && end >= VIOMMU_MSI_START)
		return false;
	for (unsigned int i = 0; i < v->nr_usable; i++)
		if (start >= v->usable[i].start && end <= v->usable[i].end)
			return true;
	return false;
}

/* Index of the first mapping whose end is >= iova. */
static unsigned int first_ending_at_or_after(const struct viommu_domain *d, uint64_t iova)
{
	unsigned int lo = 0, hi = d->nr;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (d->maps[mid].end < iova)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

uint8_t viommu_map(struct viommu *v, uint32_t domain, uint64_t start, uint64_t end, uint64_t gpa,
		   uint32_t flags)
{
	struct viommu_domain *d = domain_find(v, domain);
	uint64_t size, g = v->granule - 1;
	unsigned int at, done = 0;
	int err = 0;

	v->stats.map++;
	/* MMIO mappings are not offered (VIRTIO_IOMMU_F_MMIO): an unknown flag */
	if (flags & ~(uint32_t)(VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE))
		return status(v, VIRTIO_IOMMU_S_INVAL);
	if (!d)
		return status(v, VIRTIO_IOMMU_S_NOENT);
	if (d->bypass || end <= start)
		return status(v, VIRTIO_IOMMU_S_INVAL);
	if (start & g || gpa & g || (end + 1) & g || end == UINT64_MAX)
		return status(v, VIRTIO_IOMMU_S_RANGE);
	size = end - start + 1;
	if (!iova_usable(v, start, end) || gpa > UINT64_MAX - (size - 1) ||
	    !guest_mem_ptr(v->mem, gpa, size))
		return status(v, VIRTIO_IOMMU_S_RANGE);
	at = first_ending_at_or_after(d, start);
	if (at < d->nr && d->maps[at].start <= end)
		return status(v, VIRTIO_IOMMU_S_INVAL);
	if (d->nr >= VIOMMU_MAX_MAPPINGS)
		return status(v, VIRTIO_IOMMU_S_NOMEM);
	if (d->nr == d->cap) {
		unsigned int cap = d->cap ? 2 * d->cap : 16;
		struct viommu_mapping *m = realloc(d->maps, cap * sizeof(*m));

		if (!m)
			return status(v, VIRTIO_IOMMU_S_NOMEM);
		d->maps = m;
		d->cap = cap;
	}
	/* every space that holds the domain gets it; one refusal undoes the others */
	for (done = 0; done < v->nr_spaces && !err; done++) {
		struct viommu_space *s = &v->spaces[done];

		if (s->state == VIOMMU_SPACE_DOMAIN && s->dom == d)
			err = host_map(v, s, start, gpa, size, prot_of(flags));
	}
	if (err) {
		for (unsigned int i = 0; i + 1 < done; i++) {
			struct viommu_space *s = &v->spaces[i];

			if (s->state == VIOMMU_SPACE_DOMAIN && s->dom == d)
				host_unmap(v, s, start, size, prot_of(flags));
		}
		return status(v, err == -ENOMEM || err == -ENOSPC ? VIRTIO_IOMMU_S_NOMEM
								  : VIRTIO_IOMMU_S_DEVERR);
	}
	memmove(&d->maps[at + 1], &d->maps[at], (d->nr - at) * sizeof(*d->maps));
	d->maps[at] = (struct viommu_mapping){start, end, gpa, flags};
	d->nr++;
	v->stats.mappings++;
	v->stats.mapped_bytes += size;
	return VIRTIO_IOMMU_S_OK;
}

uint8_t viommu_unmap(struct viommu *v, uint32_t domain, uint64_t start, uint64_t end)
{
	struct viommu_domain *d = domain_find(v, domain);
	unsigned int first, last;

	v->stats.unmap++;
	if (!d)
		return status(v, VIRTIO_IOMMU_S_NOENT);
	if (d->bypass || end < start)
		return status(v, VIRTIO_IOMMU_S_INVAL);
	first = first_ending_at_or_after(d, start);
	last = first;
	while (last < d->nr && d->maps[last].start <= end)
		last++;
	/* [first, last) overlap the range: each must lie inside it, or nothing is removed */
	if (first < last && (d->maps[first].start < start || d->maps[last - 1].end > end))
		return status(v, VIRTIO_IOMMU_S_RANGE);
	for (unsigned int i = first; i < last; i++) {
		const struct viommu_mapping *m = &d->maps[i];

		v->stats.mapped_bytes -= m->end - m->start + 1;

		for (unsigned int k = 0; k < v->nr_spaces; k++) {
			struct viommu_space *s = &v->spaces[k];

			if (s->state == VIOMMU_SPACE_DOMAIN && s->dom == d)
				host_unmap(v, s, m->start, m->end - m->start + 1,
					   prot_of(m->flags));
		}
	}
	/* d->maps is NULL while the domain has never held a mapping: no pointer arithmetic on it */
	if (last > first)
		memmove(&d->maps[first], &d->maps[last], (d->nr - last) * sizeof(*d->maps));
	d->nr -= last - first;
	v->stats.mappings -= last - first;
	return VIRTIO_IOMMU_S_OK;
}

void viommu_set_bypass(struct viommu *v, bool on)
{
	v->bypass = on;
	for (unsigned int i = 0; i < v->nr_spaces; i++)
		space_sync(v, i);
}

void viommu_reset(struct viommu *v)
{
	for (unsigned int i = 0; i < v->nr_eps; i++)
		if (v->eps[i].dom)
			detach_ep(v, &v->eps[i]);
	v->bypass_config = false;
}

void viommu_destroy(struct viommu *v)
{
	/* the host spaces are their owner's to tear down; only the bookkeeping goes */
	for (unsigned int i = 0; i < sizeof(v->doms) / sizeof(v->doms[0]); i++) {
		if (v->doms[i])
			free(v->doms[i]->maps);
		free(v->doms[i]);
		v->doms[i] = NULL;
	}
}

static unsigned int add_range(struct viommu_range *out, unsigned int n, unsigned int max,
			      uint64_t start, uint64_t end)
{
	/* the MSI window is reported on its own: cut it out of a reserved range */
	if (start <= VIOMMU_MSI_END && end >= VIOMMU_MSI_START) {
		if (start < VIOMMU_MSI_START)
			n = add_range(out, n, max, start, VIOMMU_MSI_START - 1);
		if (end > VIOMMU_MSI_END)
			n = add_range(out, n, max, VIOMMU_MSI_END + 1, end);
		return n;
	}
	if (n < max)
		out[n++] = (struct viommu_range){start, end};
	return n;
}

unsigned int viommu_resv_regions(const struct viommu *v, struct viommu_range *msi,
				 struct viommu_range *out, unsigned int max)
{
	uint64_t at = v->input_start;
	unsigned int n = 0;
	bool more = true;

	*msi = (struct viommu_range){VIOMMU_MSI_START, VIOMMU_MSI_END};
	/* walk the usable ranges in address order; what lies between them is reserved */
	while (more) {
		const struct viommu_range *next = NULL;

		for (unsigned int i = 0; i < v->nr_usable; i++)
			if (v->usable[i].end >= at && (!next || v->usable[i].start < next->start))
				next = &v->usable[i];
		if (!next)
			break;
		if (next->start > at)
			n = add_range(out, n, max, at, next->start - 1);
		more = next->end < v->input_end;
		at = next->end + 1;
	}
	return n;
}
