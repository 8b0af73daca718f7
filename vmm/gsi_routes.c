// SPDX-License-Identifier: MIT
#include "vmm/gsi_routes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int reserve(struct gsi_routes *r, unsigned int n)
{
	struct kvm_irq_routing *t;
	unsigned int cap = r->cap ? r->cap : 64;

	if (r->table && r->table->nr + n <= r->cap)
		return 0;
	while (cap < (r->table ? r->table->nr : 0) + n)
		cap *= 2;
	t = realloc(r->table, sizeof(*t) + cap * sizeof(t->entries[0]));
	if (!t)
		return -ENOMEM;
	if (!r->table)
		memset(t, 0, sizeof(*t));
	r->table = t;
	r->cap = cap;
	return 0;
}

static void add_irqchip(struct gsi_routes *r, unsigned int gsi, unsigned int chip, unsigned int pin)
{
	struct kvm_irq_routing_entry *e = &r->table->entries[r->table->nr++];

	memset(e, 0, sizeof(*e));
	e->gsi = gsi;
	e->type = KVM_IRQ_ROUTING_IRQCHIP;
	e->u.irqchip.irqchip = chip;
	e->u.irqchip.pin = pin;
}

static void mark(struct gsi_routes *r, unsigned int gsi, bool used)
{
	if (used)
		r->used[gsi / 64] |= 1ULL << (gsi % 64);
	else
		r->used[gsi / 64] &= ~(1ULL << (gsi % 64));
	if (!used && gsi / 64 < r->free_hint)
		r->free_hint = gsi / 64;
}

/* The bitmap and the index for max_gsi GSIs, and room for the nr_wired irqchip routes. */
static int init_common(struct gsi_routes *r, unsigned int max_gsi, unsigned int nr_wired)
{
	unsigned int words = (max_gsi + 63) / 64;
	int ret;

	memset(r, 0, sizeof(*r));
	r->max_gsi = max_gsi;
	r->used = calloc(words, sizeof(*r->used));
	r->entry = malloc(max_gsi * sizeof(*r->entry));
	ret = r->used && r->entry ? reserve(r, nr_wired) : -ENOMEM;
	if (ret) {
		gsi_routes_destroy(r);
		return ret;
	}
	for (unsigned int gsi = 0; gsi < max_gsi; gsi++)
		r->entry[gsi] = -1;
	/* the bits past max_gsi in the last word are never free */
	for (unsigned int gsi = max_gsi; gsi < words * 64; gsi++)
		r->used[gsi / 64] |= 1ULL << (gsi % 64);
	return 0;
}

int gsi_routes_init(struct gsi_routes *r, unsigned int max_gsi)
{
	int ret;

	if (max_gsi <= GSI_IRQCHIP_PINS) {
		memset(r, 0, sizeof(*r));
		return -EINVAL;
	}
	ret = init_common(r, max_gsi, 16 * 2 + (GSI_IRQCHIP_PINS - 16));
	if (ret)
		return ret;
	/*
	 * KVM's own default routing, which replacing the table must not lose. The PIC and IOAPIC
	 * are x86's: other machines start from their own table (gsi_routes_init_gic()). The wired
	 * GSIs stay taken either way, so that MSI routes start above them.
	 */
	for (unsigned int gsi = 0; gsi < GSI_IRQCHIP_PINS; gsi++) {
#ifdef KVM_IRQCHIP_IOAPIC
		if (gsi < 16)
			add_irqchip(r, gsi,
				    gsi < 8 ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE,
				    gsi % 8);
		add_irqchip(r, gsi, KVM_IRQCHIP_IOAPIC, gsi);
#endif
		mark(r, gsi, true);
	}
	r->free_hint = 0;
	return 0;
}

int gsi_routes_init_gic(struct gsi_routes *r, unsigned int max_gsi, unsigned int nr_spis)
{
	int ret;

	if (max_gsi <= nr_spis) {
		memset(r, 0, sizeof(*r));
		return -EINVAL;
	}
	ret = init_common(r, max_gsi, nr_spis);
	if (ret)
		return ret;
	/* the vgic's default routing: GSI n is SPI n (irqchip 0), for the wired lines */
	for (unsigned int gsi = 0; gsi < nr_spis; gsi++) {
		add_irqchip(r, gsi, 0, gsi);
		mark(r, gsi, true);
	}
	r->free_hint = 0;
	return 0;
}

void gsi_routes_destroy(struct gsi_routes *r)
{
	free(r->table);
	free(r->used);
	free(r->entry);
	memset(r, 0, sizeof(*r));
}

static struct kvm_irq_routing_entry *find_msi(struct gsi_routes *r, unsigned int gsi)
{
	if (gsi >= r->max_gsi || r->entry[gsi] < 0)
		return NULL;
	return &r->table->entries[r->entry[gsi]];
}

static void set_msi(struct kvm_irq_routing_entry *e, unsigned int gsi, uint64_t addr, uint32_t data,
		    int devid)
{
	memset(e, 0, sizeof(*e));
	e->gsi = gsi;
	e->type = KVM_IRQ_ROUTING_MSI;
	e->u.msi.address_lo = (uint32_t)addr;
	e->u.msi.address_hi = (uint32_t)(addr >> 32);
	e->u.msi.data = data;
	if (devid >= 0) {
		e->flags = KVM_MSI_VALID_DEVID;
		e->u.msi.devid = (uint32_t)devid;
	}
}

static int lowest_free(struct gsi_routes *r)
{
	unsigned int words = (r->max_gsi + 63) / 64;

	for (unsigned int w = r->free_hint; w < words; w++) {
		if (~r->used[w]) {
			r->free_hint = w;
			return (int)(w * 64 + (unsigned int)__builtin_ctzll(~r->used[w]));
		}
	}
	r->free_hint = words;
	return -ENOSPC;
}

/* An MSI route on gsi, which must be free. */
static int add_at(struct gsi_routes *r, unsigned int gsi, uint64_t addr, uint32_t data, int devid)
{
	int ret = reserve(r, 1);

	if (ret)
		return ret;
	r->entry[gsi] = (int32_t)r->table->nr;
	set_msi(&r->table->entries[r->table->nr++], gsi, addr, data, devid);
	mark(r, gsi, true);
	return 0;
}

int gsi_routes_add_msi(struct gsi_routes *r, uint64_t addr, uint32_t data, unsigned int *gsi)
{
	return gsi_routes_add_msi_devid(r, addr, data, -1, gsi);
}

int gsi_routes_add_msi_devid(struct gsi_routes *r, uint64_t addr, uint32_t data, int devid,
			     unsigned int *gsi)
{
	int g, ret;

	if (devid > 0xffff)
		return -EINVAL;
	g = lowest_free(r);
	if (g < 0)
		return g;
	ret = add_at(r, (unsigned int)g, addr, data, devid);
	if (!ret)
		*gsi = (unsigned int)g;
	return ret;
}

int gsi_routes_update_msi(struct gsi_routes *r, unsigned int gsi, uint64_t addr, uint32_t data)
{
	struct kvm_irq_routing_entry *e = find_msi(r, gsi);

	if (!e)
		return -ENOENT;
	/* the vector moves; the device sending it does not */
	set_msi(e, gsi, addr, data, e->flags & KVM_MSI_VALID_DEVID ? (int)e->u.msi.devid : -1);
	return 0;
}

int gsi_routes_remove_msi(struct gsi_routes *r, unsigned int gsi)
{
	struct kvm_irq_routing_entry *e = find_msi(r, gsi);
	struct kvm_irq_routing_entry *last;

	if (!e)
		return -ENOENT;
	/* the last entry fills the hole; MSI entries come after the irqchip ones, so it is one */
	last = &r->table->entries[r->table->nr - 1];
	if (last != e) {
		*e = *last;
		r->entry[e->gsi] = (int32_t)(e - r->table->entries);
	}
	r->table->nr--;
	r->entry[gsi] = -1;
	mark(r, gsi, false);
	return 0;
}

static int apply(struct gsi_routes *r, struct gsi_route_change *c)
{
	const struct kvm_irq_routing_entry *e;
	unsigned int gsi;
	int ret;

	c->applied = false;
	if (c->gsi < 0) {
		if (c->remove)
			return -ENOENT;
		ret = gsi_routes_add_msi_devid(r, c->addr, c->data, c->devid, &gsi);
		if (ret)
			return ret;
		c->gsi = (int)gsi;
		c->applied = true;
		return 0;
	}
	e = find_msi(r, (unsigned int)c->gsi);
	if (!e)
		return -ENOENT;
	c->old_addr = (uint64_t)e->u.msi.address_hi << 32 | e->u.msi.address_lo;
	c->old_data = e->u.msi.data;
	c->old_devid = e->flags & KVM_MSI_VALID_DEVID ? (int)e->u.msi.devid : -1;
	ret = c->remove ? gsi_routes_remove_msi(r, (unsigned int)c->gsi)
			: gsi_routes_update_msi(r, (unsigned int)c->gsi, c->addr, c->data);
	c->applied = !ret;
	return ret;
}

/* Undo one applied change; a new route gives its GSI back (gsi -1 again). */
static void undo(struct gsi_routes *r, struct gsi_route_change *c, bool was_new)
{
	if (!c->applied)
		return;
	if (was_new) {
		gsi_routes_remove_msi(r, (unsigned int)c->gsi);
		c->gsi = -1;
	} else if (c->remove) {
		add_at(r, (unsigned int)c->gsi, c->old_addr, c->old_data, c->old_devid);
	} else {
		gsi_routes_update_msi(r, (unsigned int)c->gsi, c->old_addr, c->old_data);
	}
	c->applied = false;
}

int gsi_routes_commit(struct gsi_routes *r, struct gsi_route_change *c, unsigned int n,
		      gsi_routes_push_fn push, void *ctx)
{
	bool *was_new;
	unsigned int i;
	int ret = 0;

	if (!n)
		return 0;
	/* room for every new route first: undoing a removal must not need memory */
	for (i = 0; i < n; i++)
		if (!c[i].remove && c[i].gsi < 0)
			ret++;
	was_new = calloc(n, sizeof(*was_new));
	if (!was_new || reserve(r, (unsigned int)ret + n)) {
		free(was_new);
		return -ENOMEM;
	}
	ret = 0;
	for (i = 0; i < n && !ret; i++) {
		was_new[i] = c[i].gsi < 0;
		ret = apply(r, &c[i]);
	}
	if (!ret && push)
		ret = push(ctx, r->table);
	if (ret)
		for (unsigned int k = i; k-- > 0;)
			undo(r, &c[k], was_new[k]);
	free(was_new);
	return ret;
}
