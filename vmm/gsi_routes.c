// SPDX-License-Identifier: MIT
#include "vmm/gsi_routes.h"

#include <errno.h>
#include <stdbool.h>
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

int gsi_routes_init(struct gsi_routes *r, unsigned int max_gsi)
{
	int ret;

	memset(r, 0, sizeof(*r));
	if (max_gsi <= GSI_IRQCHIP_PINS)
		return -EINVAL;
	r->max_gsi = max_gsi;
	ret = reserve(r, 16 * 2 + (GSI_IRQCHIP_PINS - 16));
	if (ret)
		return ret;
		/*
		 * KVM's own default routing, which replacing the table must not lose. The PIC and
		 * IOAPIC are x86's: other machines start from their own table
		 * (gsi_routes_init_gic()).
		 */
#ifdef KVM_IRQCHIP_IOAPIC
	for (unsigned int gsi = 0; gsi < GSI_IRQCHIP_PINS; gsi++) {
		if (gsi < 16)
			add_irqchip(r, gsi,
				    gsi < 8 ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE,
				    gsi % 8);
		add_irqchip(r, gsi, KVM_IRQCHIP_IOAPIC, gsi);
	}
#endif
	r->first_msi = GSI_IRQCHIP_PINS;
	return 0;
}

int gsi_routes_init_gic(struct gsi_routes *r, unsigned int max_gsi, unsigned int nr_spis)
{
	int ret;

	memset(r, 0, sizeof(*r));
	if (max_gsi <= nr_spis)
		return -EINVAL;
	r->max_gsi = max_gsi;
	ret = reserve(r, nr_spis);
	if (ret)
		return ret;
	/* the vgic's default routing: GSI n is SPI n (irqchip 0), for the wired lines */
	for (unsigned int gsi = 0; gsi < nr_spis; gsi++)
		add_irqchip(r, gsi, 0, gsi);
	r->first_msi = nr_spis;
	return 0;
}

void gsi_routes_destroy(struct gsi_routes *r)
{
	free(r->table);
	memset(r, 0, sizeof(*r));
}

static struct kvm_irq_routing_entry *find_msi(struct gsi_routes *r, unsigned int gsi)
{
	for (unsigned int i = 0; i < r->table->nr; i++)
		if (r->table->entries[i].gsi == gsi &&
		    r->table->entries[i].type == KVM_IRQ_ROUTING_MSI)
			return &r->table->entries[i];
	return NULL;
}

static bool gsi_used(struct gsi_routes *r, unsigned int gsi)
{
	for (unsigned int i = 0; i < r->table->nr; i++)
		if (r->table->entries[i].gsi == gsi)
			return true;
	return false;
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

int gsi_routes_add_msi(struct gsi_routes *r, uint64_t addr, uint32_t data, unsigned int *gsi)
{
	return gsi_routes_add_msi_devid(r, addr, data, -1, gsi);
}

int gsi_routes_add_msi_devid(struct gsi_routes *r, uint64_t addr, uint32_t data, int devid,
			     unsigned int *gsi)
{
	unsigned int g;
	int ret;

	if (devid > 0xffff)
		return -EINVAL;
	for (g = r->first_msi; g < r->max_gsi; g++)
		if (!gsi_used(r, g))
			break;
	if (g >= r->max_gsi)
		return -ENOSPC;
	ret = reserve(r, 1);
	if (ret)
		return ret;
	set_msi(&r->table->entries[r->table->nr++], g, addr, data, devid);
	*gsi = g;
	return 0;
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
	last = &r->table->entries[r->table->nr - 1];
	*e = *last;
	r->table->nr--;
	return 0;
}
