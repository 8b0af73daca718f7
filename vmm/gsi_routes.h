/* SPDX-License-Identifier: MIT */
/*
 * The VM's GSI routing table as KVM_SET_GSI_ROUTING takes it. Setting a table replaces KVM's
 * default one, so this table starts with the same irqchip routes (GSI 0-15 to the PIC and the
 * IOAPIC, 16-23 to the IOAPIC; an arm64 vgic's wired SPIs, gsi_routes_init_gic) and adds MSI
 * routes on the GSIs above the wired ones. Pure bookkeeping: the VM
 * object hands the table to KVM, once per batch of changes (gsi_routes_commit).
 *
 * A bitmap of used GSIs and a GSI -> entry index make adding, updating and removing a route cost
 * the same whatever the table holds (a guest may unmask thousands of MSI-X vectors).
 */
#ifndef VFVM_GSI_ROUTES_H
#define VFVM_GSI_ROUTES_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

#define GSI_IRQCHIP_PINS 24 /* IOAPIC pins; GSIs below this are wired, not MSI */

struct gsi_routes {
	struct kvm_irq_routing *table; /* nr entries, room for cap */
	unsigned int cap;
	unsigned int max_gsi;	/* GSIs must stay below this (KVM_CAP_IRQ_ROUTING) */
	uint64_t *used;		/* max_gsi bits: GSI taken (the irqchip ones always) */
	int32_t *entry;		/* per GSI: index of its MSI entry in table, -1 if none */
	unsigned int free_hint; /* no free GSI below this word of used[] */
};

/* -EINVAL if max_gsi leaves no room for MSI routes, -ENOMEM. */
int gsi_routes_init(struct gsi_routes *r, unsigned int max_gsi);
/*
 * The same for an arm64 vgic: GSI n is SPI n for the nr_spis wired lines (irqchip 0, pin n), MSI
 * routes from nr_spis up. -EINVAL if max_gsi leaves no room for MSI routes, -ENOMEM.
 */
int gsi_routes_init_gic(struct gsi_routes *r, unsigned int max_gsi, unsigned int nr_spis);
void gsi_routes_destroy(struct gsi_routes *r);

/* A new MSI route on the lowest free GSI; -ENOSPC when none is left. */
int gsi_routes_add_msi(struct gsi_routes *r, uint64_t addr, uint32_t data, unsigned int *gsi);
/*
 * The same with the device ID of the sender (KVM_MSI_VALID_DEVID): a GICv3 ITS translates
 * (device ID, event) pairs, the device ID being the requester ID the device tree's msi-map gives.
 * devid < 0: none. -EINVAL for a device ID beyond 16 bits. Updates keep the device ID.
 */
int gsi_routes_add_msi_devid(struct gsi_routes *r, uint64_t addr, uint32_t data, int devid,
			     unsigned int *gsi);
/* Point an existing MSI route elsewhere; -ENOENT if gsi is not an MSI route. */
int gsi_routes_update_msi(struct gsi_routes *r, unsigned int gsi, uint64_t addr, uint32_t data);
/* -ENOENT if gsi is not an MSI route (the irqchip routes cannot be removed). */
int gsi_routes_remove_msi(struct gsi_routes *r, unsigned int gsi);

/*
 * One change of a batch: a new route (gsi -1 in, its GSI out), a new target, or a removal. devid
 * is the sender's device ID for a new route (as gsi_routes_add_msi_devid; -1: none, and it must
 * be set so, 0 being a device); a new target keeps the route's device ID.
 */
struct gsi_route_change {
	int gsi;
	bool remove;
	uint64_t addr;
	uint32_t data;
	int devid;
	/* filled by gsi_routes_commit, to undo the change */
	bool applied;
	uint64_t old_addr;
	uint32_t old_data;
	int old_devid;
};

/* Hands the whole table to KVM: 0 or -errno. */
typedef int (*gsi_routes_push_fn)(void *ctx, const struct kvm_irq_routing *table);

/*
 * Apply the n changes in order and push the table once. All or nothing: if a change cannot be
 * applied or the push fails, the table is put back as it was (and as KVM still has it) and the
 * error returned. push NULL: bookkeeping only.
 */
int gsi_routes_commit(struct gsi_routes *r, struct gsi_route_change *c, unsigned int n,
		      gsi_routes_push_fn push, void *ctx);

#endif
