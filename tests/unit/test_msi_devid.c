// SPDX-License-Identifier: MIT
/* MSI routes for a GICv3 ITS: the vgic's wired SPIs first, then MSIs that carry their device ID. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "devices/pci.h"
#include "vmm/arm64/arm64.h"
#include "vmm/gsi_routes.h"

/* GITS_TRANSLATER: the doorbell a device writes its event ID to, in the ITS's second frame */
#define ITS_TRANSLATER (ARM64_GIC_ITS_BASE + 0x10040)

static const struct kvm_irq_routing_entry *route(const struct gsi_routes *r, unsigned int gsi)
{
	for (unsigned int i = 0; i < r->table->nr; i++)
		if (r->table->entries[i].gsi == gsi)
			return &r->table->entries[i];
	return NULL;
}

static void wired_spis(void **state)
{
	struct gsi_routes r;

	(void)state;
	assert_int_equal(gsi_routes_init_gic(&r, 1024, ARM64_NR_SPIS), 0);
	assert_int_equal(r.table->nr, ARM64_NR_SPIS);
	for (unsigned int gsi = 0; gsi < ARM64_NR_SPIS; gsi++) {
		const struct kvm_irq_routing_entry *e = route(&r, gsi);

		assert_non_null(e);
		assert_int_equal(e->type, KVM_IRQ_ROUTING_IRQCHIP);
		assert_int_equal(e->u.irqchip.irqchip, 0);
		assert_int_equal(e->u.irqchip.pin, gsi);
	}
	/* the UART's and every INTx line's GSI is a wired SPI */
	assert_true(ARM64_UART_SPI < ARM64_NR_SPIS);
	assert_true(arm64_pci_intx_gsi(31, 3) < ARM64_NR_SPIS);
	gsi_routes_destroy(&r);
	assert_int_equal(gsi_routes_init_gic(&r, ARM64_NR_SPIS, ARM64_NR_SPIS), -EINVAL);
}

static void msi_with_device_id(void **state)
{
	const unsigned int rid_a = PCI_DEVFN(3, 0), rid_b = PCI_DEVFN(4, 1);
	const struct kvm_irq_routing_entry *e;
	struct gsi_routes r;
	unsigned int a, b, c;

	(void)state;
	assert_int_equal(gsi_routes_init_gic(&r, 1024, ARM64_NR_SPIS), 0);
	/* requester ID 00:03.0 (0x18), event 5 */
	assert_int_equal(gsi_routes_add_msi_devid(&r, ITS_TRANSLATER, 5, rid_a, &a), 0);
	assert_int_equal(a, ARM64_NR_SPIS); /* the first GSI after the wired lines */
	e = route(&r, a);
	assert_int_equal(e->type, KVM_IRQ_ROUTING_MSI);
	assert_int_equal(e->flags, KVM_MSI_VALID_DEVID);
	assert_int_equal(e->u.msi.devid, 0x18);
	assert_int_equal(e->u.msi.address_lo, 0x08090040);
	assert_int_equal(e->u.msi.address_hi, 0);
	assert_int_equal(e->u.msi.data, 5);

	/* another function, same event number: another route, its own device ID */
	assert_int_equal(gsi_routes_add_msi_devid(&r, ITS_TRANSLATER, 5, rid_b, &b), 0);
	assert_int_equal(b, a + 1);
	assert_int_equal(route(&r, b)->u.msi.devid, 0x21);

	/* the guest moves a vector: address and data change, the device ID stays */
	assert_int_equal(gsi_routes_update_msi(&r, a, ITS_TRANSLATER, 9), 0);
	e = route(&r, a);
	assert_int_equal(e->u.msi.data, 9);
	assert_int_equal(e->flags, KVM_MSI_VALID_DEVID);
	assert_int_equal(e->u.msi.devid, 0x18);

	/* without a device ID (x86's MSIs): no flag */
	assert_int_equal(gsi_routes_add_msi(&r, 0xfee00000, 0x4021, &c), 0);
	assert_int_equal(route(&r, c)->flags, 0);
	assert_int_equal(route(&r, c)->u.msi.devid, 0);

	/* a requester ID has 16 bits */
	assert_int_equal(gsi_routes_add_msi_devid(&r, ITS_TRANSLATER, 1, 0x10000, &c), -EINVAL);
	/* the freed GSI is reused, the wired ones never */
	assert_int_equal(gsi_routes_remove_msi(&r, a), 0);
	assert_int_equal(gsi_routes_remove_msi(&r, 3), -ENOENT);
	assert_int_equal(gsi_routes_add_msi_devid(&r, ITS_TRANSLATER, 1, rid_a, &c), 0);
	assert_int_equal(c, a);
	gsi_routes_destroy(&r);
}

static void runs_out(void **state)
{
	struct gsi_routes r;
	unsigned int g;

	(void)state;
	assert_int_equal(gsi_routes_init_gic(&r, ARM64_NR_SPIS + 2, ARM64_NR_SPIS), 0);
	assert_int_equal(gsi_routes_add_msi_devid(&r, ITS_TRANSLATER, 0, 8, &g), 0);
	assert_int_equal(gsi_routes_add_msi_devid(&r, ITS_TRANSLATER, 1, 8, &g), 0);
	assert_int_equal(gsi_routes_add_msi_devid(&r, ITS_TRANSLATER, 2, 8, &g), -ENOSPC);
	gsi_routes_destroy(&r);
}

static int push_result;

static int push(void *ctx, const struct kvm_irq_routing *t)
{
	(void)ctx;
	(void)t;
	return push_result;
}

/* Batched changes: a new route carries its device ID, a refused batch gives the old one back. */
static void commit_keeps_device_ids(void **state)
{
	struct gsi_route_change c[2];
	struct gsi_routes r;
	unsigned int a;

	(void)state;
	assert_int_equal(gsi_routes_init_gic(&r, 1024, ARM64_NR_SPIS), 0);
	assert_int_equal(gsi_routes_add_msi_devid(&r, ITS_TRANSLATER, 5, 0x18, &a), 0);

	c[0] = (struct gsi_route_change){
		.gsi = -1, .addr = ITS_TRANSLATER, .data = 7, .devid = 0x21};
	push_result = 0;
	assert_int_equal(gsi_routes_commit(&r, c, 1, push, NULL), 0);
	assert_int_equal(c[0].gsi, (int)a + 1);
	assert_int_equal(route(&r, a + 1)->flags, KVM_MSI_VALID_DEVID);
	assert_int_equal(route(&r, a + 1)->u.msi.devid, 0x21);

	/* a removal and a move, refused by KVM: both routes are back, device IDs included */
	c[0] = (struct gsi_route_change){.gsi = (int)a, .remove = true, .devid = -1};
	c[1] = (struct gsi_route_change){
		.gsi = (int)a + 1, .addr = ITS_TRANSLATER, .data = 8, .devid = -1};
	push_result = -EINVAL;
	assert_int_equal(gsi_routes_commit(&r, c, 2, push, NULL), -EINVAL);
	assert_non_null(route(&r, a));
	assert_int_equal(route(&r, a)->flags, KVM_MSI_VALID_DEVID);
	assert_int_equal(route(&r, a)->u.msi.devid, 0x18);
	assert_int_equal(route(&r, a)->u.msi.data, 5);
	assert_int_equal(route(&r, a + 1)->u.msi.devid, 0x21);
	assert_int_equal(route(&r, a + 1)->u.msi.data, 7);

	/* accepted: the move keeps the device ID although the change carries none */
	push_result = 0;
	assert_int_equal(gsi_routes_commit(&r, c, 2, push, NULL), 0);
	assert_null(route(&r, a));
	assert_int_equal(route(&r, a + 1)->u.msi.data, 8);
	assert_int_equal(route(&r, a + 1)->u.msi.devid, 0x21);

	/* a device ID beyond 16 bits fails the batch, leaving nothing behind */
	c[0] = (struct gsi_route_change){
		.gsi = -1, .addr = ITS_TRANSLATER, .data = 1, .devid = 0x10000};
	assert_int_equal(gsi_routes_commit(&r, c, 1, push, NULL), -EINVAL);
	assert_int_equal(c[0].gsi, -1);
	assert_int_equal(r.table->nr, ARM64_NR_SPIS + 1);
	gsi_routes_destroy(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(wired_spis),
		cmocka_unit_test(msi_with_device_id),
		cmocka_unit_test(runs_out),
		cmocka_unit_test(commit_keeps_device_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
