// SPDX-License-Identifier: MIT
/* The GSI routing table handed to KVM_SET_GSI_ROUTING. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <cmocka.h>

#include "vmm/gsi_routes.h"

static const struct kvm_irq_routing_entry *find(const struct gsi_routes *r, unsigned int gsi,
						unsigned int type, unsigned int chip)
{
	for (unsigned int i = 0; i < r->table->nr; i++) {
		const struct kvm_irq_routing_entry *e = &r->table->entries[i];

		if (e->gsi == gsi && e->type == type &&
		    (type != KVM_IRQ_ROUTING_IRQCHIP || e->u.irqchip.irqchip == chip))
			return e;
	}
	return NULL;
}

static void starts_as_kvms_default_routing(void **state)
{
	struct gsi_routes r;
	(void)state;

	assert_int_equal(gsi_routes_init(&r, 1024), 0);
	/* 16 PIC + 24 IOAPIC routes, as KVM sets up by itself */
	assert_int_equal(r.table->nr, 40);
	for (unsigned int gsi = 0; gsi < 24; gsi++) {
		const struct kvm_irq_routing_entry *io =
			find(&r, gsi, KVM_IRQ_ROUTING_IRQCHIP, KVM_IRQCHIP_IOAPIC);

		assert_non_null(io);
		assert_int_equal(io->u.irqchip.pin, gsi);
		if (gsi < 16) {
			const struct kvm_irq_routing_entry *pic =
				find(&r, gsi, KVM_IRQ_ROUTING_IRQCHIP,
				     gsi < 8 ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE);

			assert_non_null(pic);
			assert_int_equal(pic->u.irqchip.pin, gsi % 8);
		}
	}
	gsi_routes_destroy(&r);
	assert_int_equal(gsi_routes_init(&r, 24), -EINVAL);
}

static void msi_routes_add_update_remove(void **state)
{
	struct gsi_routes r;
	unsigned int a, b, c;
	const struct kvm_irq_routing_entry *e;
	(void)state;

	assert_int_equal(gsi_routes_init(&r, 1024), 0);
	assert_int_equal(gsi_routes_add_msi(&r, 0xfee00000, 0x4021, &a), 0);
	assert_int_equal(gsi_routes_add_msi(&r, 0x1fee01000ULL, 0x22, &b), 0);
	assert_int_equal(a, 24);
	assert_int_equal(b, 25);
	e = find(&r, b, KVM_IRQ_ROUTING_MSI, 0);
	assert_non_null(e);
	assert_int_equal(e->u.msi.address_lo, 0xfee01000);
	assert_int_equal(e->u.msi.address_hi, 1);
	assert_int_equal(e->u.msi.data, 0x22);
	assert_int_equal(gsi_routes_update_msi(&r, a, 0xfee02000, 0x31), 0);
	e = find(&r, a, KVM_IRQ_ROUTING_MSI, 0);
	assert_int_equal(e->u.msi.address_lo, 0xfee02000);
	assert_int_equal(e->u.msi.data, 0x31);
	/* wired GSIs are not MSI routes */
	assert_int_equal(gsi_routes_update_msi(&r, 4, 0, 0), -ENOENT);
	assert_int_equal(gsi_routes_remove_msi(&r, 4), -ENOENT);
	assert_int_equal(gsi_routes_remove_msi(&r, a), 0);
	assert_int_equal(gsi_routes_remove_msi(&r, a), -ENOENT);
	assert_null(find(&r, a, KVM_IRQ_ROUTING_MSI, 0));
	assert_non_null(find(&r, b, KVM_IRQ_ROUTING_MSI, 0));
	/* a freed GSI is reused */
	assert_int_equal(gsi_routes_add_msi(&r, 0xfee00000, 1, &c), 0);
	assert_int_equal(c, 24);
	assert_int_equal(r.table->nr, 42);
	gsi_routes_destroy(&r);
}

static void runs_out_at_the_kvm_limit(void **state)
{
	struct gsi_routes r;
	unsigned int g;
	(void)state;

	assert_int_equal(gsi_routes_init(&r, 300), 0);
	for (unsigned int i = 24; i < 300; i++) {
		assert_int_equal(gsi_routes_add_msi(&r, 0xfee00000, i, &g), 0);
		assert_int_equal(g, i);
	}
	assert_int_equal(gsi_routes_add_msi(&r, 0xfee00000, 0, &g), -ENOSPC);
	assert_int_equal(r.table->nr, 40 + 276);
	gsi_routes_destroy(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(starts_as_kvms_default_routing),
		cmocka_unit_test(msi_routes_add_update_remove),
		cmocka_unit_test(runs_out_at_the_kvm_limit),
	};

	return cmocka_run_group_tests_name("gsi_routes", tests, NULL, NULL);
}
