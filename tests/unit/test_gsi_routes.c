// SPDX-License-Identifier: MIT
/* The GSI routing table handed to KVM_SET_GSI_ROUTING. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
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

static unsigned int nr_msi(const struct gsi_routes *r)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < r->table->nr; i++)
		n += r->table->entries[i].type == KVM_IRQ_ROUTING_MSI;
	return n;
}

/* Thousands of routes: every GSI used once, freed ones reused lowest first, lookups still right. */
static void many_routes_free_bitmap(void **state)
{
	struct gsi_routes r;
	unsigned int g;
	(void)state;

	assert_int_equal(gsi_routes_init(&r, 4096), 0);
	for (unsigned int i = 24; i < 4096; i++) {
		assert_int_equal(gsi_routes_add_msi(&r, 0xfee00000, i, &g), 0);
		assert_int_equal(g, i);
	}
	assert_int_equal(gsi_routes_add_msi(&r, 0xfee00000, 0, &g), -ENOSPC);
	/* free a scattered few; the next adds take the lowest of them */
	assert_int_equal(gsi_routes_remove_msi(&r, 3000), 0);
	assert_int_equal(gsi_routes_remove_msi(&r, 100), 0);
	assert_int_equal(gsi_routes_remove_msi(&r, 4095), 0);
	assert_int_equal(gsi_routes_add_msi(&r, 0xfee00000, 7, &g), 0);
	assert_int_equal(g, 100);
	assert_int_equal(gsi_routes_add_msi(&r, 0xfee00000, 7, &g), 0);
	assert_int_equal(g, 3000);
	/* every route still found by its GSI, with its own data, after the entries moved */
	for (unsigned int i = 24; i < 4095; i++) {
		const struct kvm_irq_routing_entry *e = find(&r, i, KVM_IRQ_ROUTING_MSI, 0);

		assert_non_null(e);
		assert_int_equal(e->u.msi.data, i == 100 || i == 3000 ? 7 : i);
		assert_int_equal(gsi_routes_update_msi(&r, i, 0xfee01000, i + 1), 0);
		assert_int_equal(find(&r, i, KVM_IRQ_ROUTING_MSI, 0)->u.msi.data, i + 1);
	}
	assert_int_equal(gsi_routes_update_msi(&r, 4095, 0, 0), -ENOENT);
	assert_int_equal(gsi_routes_update_msi(&r, 5000, 0, 0), -ENOENT);
	assert_int_equal(nr_msi(&r), 4095 - 24);
	gsi_routes_destroy(&r);
}

static unsigned int pushes;
static int push_result;

static int push(void *ctx, const struct kvm_irq_routing *t)
{
	(void)ctx;
	(void)t;
	pushes++;
	return push_result;
}

/* A batch is one push; a refused push leaves the table as KVM still has it. */
static void commit_pushes_once_and_rolls_back(void **state)
{
	struct gsi_routes r;
	struct gsi_route_change c[4];
	unsigned int a, b;
	struct kvm_irq_routing_entry before[64];
	unsigned int nr_before;
	(void)state;

	assert_int_equal(gsi_routes_init(&r, 1024), 0);
	assert_int_equal(gsi_routes_add_msi(&r, 0xfee00000, 1, &a), 0);
	assert_int_equal(gsi_routes_add_msi(&r, 0xfee00000, 2, &b), 0);
	c[0] = (struct gsi_route_change){.gsi = -1, .addr = 0xfee01000, .data = 3, .devid = -1};
	c[1] = (struct gsi_route_change){.gsi = (int)a, .addr = 0xfee02000, .data = 4};
	c[2] = (struct gsi_route_change){.gsi = (int)b, .remove = true};
	c[3] = (struct gsi_route_change){.gsi = -1, .addr = 0xfee03000, .data = 5, .devid = -1};
	nr_before = r.table->nr;
	memcpy(before, r.table->entries, nr_before * sizeof(before[0]));

	pushes = 0;
	push_result = -EINVAL;
	assert_int_equal(gsi_routes_commit(&r, c, 4, push, NULL), -EINVAL);
	assert_int_equal(pushes, 1);
	assert_int_equal(r.table->nr, nr_before);
	assert_memory_equal(r.table->entries, before, nr_before * sizeof(before[0]));
	assert_int_equal(c[0].gsi, -1);
	assert_int_equal(c[3].gsi, -1);

	push_result = 0;
	assert_int_equal(gsi_routes_commit(&r, c, 4, push, NULL), 0);
	assert_int_equal(pushes, 2);
	assert_int_equal(find(&r, a, KVM_IRQ_ROUTING_MSI, 0)->u.msi.data, 4);
	/* b's route went, and b's GSI is the last new route's now */
	assert_int_equal(find(&r, b, KVM_IRQ_ROUTING_MSI, 0)->u.msi.data, 5);
	/* the new ones took the lowest free GSIs: one after a and b, then b's once freed */
	assert_int_equal(find(&r, (unsigned int)c[0].gsi, KVM_IRQ_ROUTING_MSI, 0)->u.msi.data, 3);
	assert_int_equal(c[3].gsi, (int)b);
	assert_int_equal(nr_msi(&r), 3);

	/* a change that cannot apply (no such route) undoes the ones before it, and no push */
	c[0] = (struct gsi_route_change){.gsi = (int)a, .remove = true};
	c[1] = (struct gsi_route_change){.gsi = 999, .addr = 1, .data = 1};
	assert_int_equal(gsi_routes_commit(&r, c, 2, push, NULL), -ENOENT);
	assert_int_equal(pushes, 2);
	assert_non_null(find(&r, a, KVM_IRQ_ROUTING_MSI, 0));
	assert_int_equal(find(&r, a, KVM_IRQ_ROUTING_MSI, 0)->u.msi.data, 4);
	gsi_routes_destroy(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(starts_as_kvms_default_routing),
		cmocka_unit_test(msi_routes_add_update_remove),
		cmocka_unit_test(runs_out_at_the_kvm_limit),
		cmocka_unit_test(many_routes_free_bitmap),
		cmocka_unit_test(commit_pushes_once_and_rolls_back),
	};

	return cmocka_run_group_tests_name("gsi_routes", tests, NULL, NULL);
}
