/* SPDX-License-Identifier: MIT */
/*
 * The VM's GSI routing table as KVM_SET_GSI_ROUTING takes it. Setting a table replaces KVM's
 * default one, so this table starts with the same irqchip routes (GSI 0-15 to the PIC and the
 * IOAPIC, 16-23 to the IOAPIC) and adds MSI routes on GSIs from 24 up. Pure bookkeeping: the VM
 * object hands the table to KVM after each change.
 */
#ifndef VFVM_GSI_ROUTES_H
#define VFVM_GSI_ROUTES_H

#include <linux/kvm.h>
#include <stdint.h>

#define GSI_IRQCHIP_PINS 24 /* IOAPIC pins; GSIs below this are wired, not MSI */

struct gsi_routes {
	struct kvm_irq_routing *table; /* nr entries, room for cap */
	unsigned int cap;
	unsigned int max_gsi;	/* GSIs must stay below this (KVM_CAP_IRQ_ROUTING) */
	unsigned int first_msi; /* GSIs below are the irqchip's wired lines */
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

#endif
