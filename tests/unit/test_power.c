// SPDX-License-Identifier: MIT
/* The power-off and reset ports. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include "devices/pci.h"
#include "devices/power.h"

struct seen {
	int off, reset;
};

static void event(void *opaque, enum power_event ev)
{
	struct seen *s = opaque;

	if (ev == POWER_OFF)
		s->off++;
	else
		s->reset++;
}

static void outb(struct io_bus *bus, uint16_t port, uint8_t v)
{
	io_bus_access(bus, IO_SPACE_PIO, port, &v, 1, true);
}

static void acpi_sleep_port(void **state)
{
	struct io_bus bus;
	struct power p;
	struct seen s = {0};
	uint8_t v = 0xff;
	(void)state;

	assert_int_equal(io_bus_init(&bus), 0);
	power_init(&p, event, &s);
	assert_int_equal(power_attach(&p, &bus, 0x600, 5), 0);
	/* SLP_TYP without SLP_EN, or another sleep type: nothing happens */
	outb(&bus, 0x600, 5 << POWER_SLP_TYP_SHIFT);
	/* the wake-status write that comes first */
	outb(&bus, 0x600, 0x80);
	outb(&bus, 0x600, (3 << POWER_SLP_TYP_SHIFT) | POWER_SLP_EN);
	assert_int_equal(s.off, 0);
	/* S5 + SLP_EN, what Linux writes for poweroff: 0x34 */
	outb(&bus, 0x600, 0x34);
	assert_int_equal(s.off, 1);
	assert_int_equal(s.reset, 0);
	/* the status register reads 0 (no wake event) */
	io_bus_access(&bus, IO_SPACE_PIO, 0x600, &v, 1, false);
	assert_int_equal(v, 0);
	io_bus_destroy(&bus);
}

static void keyboard_controller_reset(void **state)
{
	struct io_bus bus;
	struct power p;
	struct seen s = {0};
	uint8_t v = 0;
	(void)state;

	assert_int_equal(io_bus_init(&bus), 0);
	power_init(&p, event, &s);
	assert_int_equal(power_attach(&p, &bus, 0x600, 5), 0);
	outb(&bus, 0x64, 0xaa); /* another command */
	assert_int_equal(s.reset, 0);
	outb(&bus, 0x64, 0xfe);
	assert_int_equal(s.reset, 1);
	/* the status port says "input buffer empty", so kb_wait() does not spin */
	v = 0xff;
	io_bus_access(&bus, IO_SPACE_PIO, 0x64, &v, 1, false);
	assert_int_equal(v & 0x02, 0);
	io_bus_destroy(&bus);
}

static void reset_control_register_through_the_pci_host(void **state)
{
	struct io_bus bus;
	struct pci_bus pci;
	struct power p;
	struct seen s = {0};
	uint8_t v = 0;
	(void)state;

	assert_int_equal(io_bus_init(&bus), 0);
	assert_int_equal(pci_bus_init(&pci, 0xc0000000, 0xfec00000, 0x1000, 0x10000), 0);
	assert_int_equal(pci_bus_attach(&pci, &bus), 0);
	power_init(&p, event, &s);
	pci_bus_set_cf9(&pci, &power_cf9_ops, &p);
	/* 0x02 selects a hard reset without doing it */
	outb(&bus, 0xcf9, 0x02);
	assert_int_equal(s.reset, 0);
	io_bus_access(&bus, IO_SPACE_PIO, 0xcf9, &v, 1, false);
	assert_int_equal(v, 0x02);
	/* the ACPI reset value Linux writes */
	outb(&bus, 0xcf9, 0x06);
	assert_int_equal(s.reset, 1);
	assert_int_equal(s.off, 0);
	pci_bus_destroy(&pci);
	io_bus_destroy(&bus);
}

/* PM1 blocks of the firmware-boot platform, at the ports x86 uses. */
#define EVT 0x610
#define CNT 0x614

struct pm1 {
	struct io_bus bus;
	struct power p;
	struct seen s;
};

static void pm1_setup(struct pm1 *t)
{
	memset(&t->s, 0, sizeof(t->s));
	assert_int_equal(io_bus_init(&t->bus), 0);
	power_init(&t->p, event, &t->s);
	/* the hardware-reduced sleep port with another S5 type: PM1_CNT keeps its own */
	assert_int_equal(power_attach(&t->p, &t->bus, 0x600, 7), 0);
	assert_int_equal(power_attach_acpi_pm1(&t->p, &t->bus, EVT, CNT, 5), 0);
}

static uint64_t in(struct pm1 *t, uint16_t port, unsigned int len)
{
	uint64_t v = 0;

	io_bus_access(&t->bus, IO_SPACE_PIO, port, &v, len, false);
	return v;
}

static void out(struct pm1 *t, uint16_t port, uint64_t v, unsigned int len)
{
	io_bus_access(&t->bus, IO_SPACE_PIO, port, &v, len, true);
}

static void pm1_reset_state(void **state)
{
	struct pm1 t;
	(void)state;

	pm1_setup(&t);
	assert_int_equal(in(&t, EVT, 2), 0);	  /* PM1_STS: nothing pending */
	assert_int_equal(in(&t, EVT + 2, 2), 0);  /* PM1_EN: everything disabled */
	assert_int_equal(in(&t, CNT, 2), 0x0001); /* PM1_CNT: SCI_EN, in ACPI mode */
	assert_string_equal(io_bus_name(&t.bus, IO_SPACE_PIO, EVT + 3), "acpi-pm1-evt");
	assert_string_equal(io_bus_name(&t.bus, IO_SPACE_PIO, CNT + 1), "acpi-pm1-cnt");
	assert_null(io_bus_name(&t.bus, IO_SPACE_PIO, EVT - 1));
	assert_null(io_bus_name(&t.bus, IO_SPACE_PIO, CNT + 2));
	io_bus_destroy(&t.bus);
}

/* What ACPICA does for S5: SLP_TYP first, then SLP_TYP | SLP_EN, keeping SCI_EN. */
static void pm1_cnt_s5_powers_off(void **state)
{
	struct pm1 t;
	(void)state;

	pm1_setup(&t);
	out(&t, 0x600, 0x34, 1); /* S5 of PM1_CNT on the other port, whose S5 is 7 here */
	assert_int_equal(t.s.off, 0);
	out(&t, EVT, 0xffff, 2); /* clear all status */
	out(&t, CNT, 0x1401, 2); /* SLP_TYP 5, no SLP_EN: nothing yet */
	assert_int_equal(t.s.off, 0);
	assert_int_equal(in(&t, CNT, 2), 0x1401);
	out(&t, CNT, 0x3401, 2);
	assert_int_equal(t.s.off, 1);
	assert_int_equal(t.s.reset, 0);
	/* SLP_EN is write-only */
	assert_int_equal(in(&t, CNT, 2), 0x1401);
	/* a byte write of the high byte alone carries SLP_TYP and SLP_EN */
	out(&t, CNT + 1, 0x34, 1);
	assert_int_equal(t.s.off, 2);
	/* a low-byte write does not repeat the request, though SLP_TYP 5 is stored */
	out(&t, CNT, 0x01, 1);
	assert_int_equal(t.s.off, 2);
	/* a 4-byte write is cut to the 2-byte block and still works */
	out(&t, CNT, 0xffff3401, 4);
	assert_int_equal(t.s.off, 3);
	io_bus_destroy(&t.bus);
}

/* Only S5 is offered; any other sleep request is ignored, but the OS is told it woke up. */
static void pm1_cnt_other_sleep_types_wake_at_once(void **state)
{
	struct pm1 t;
	(void)state;

	pm1_setup(&t);
	for (unsigned int typ = 0; typ < 8; typ++) {
		if (typ == 5)
			continue;
		out(&t, CNT, 0x2001 | typ << 10, 2);
		assert_int_equal(t.s.off, 0);
		assert_int_equal(in(&t, EVT, 2), 0x8000); /* WAK_STS */
		assert_int_equal(in(&t, CNT, 2), 0x0001 | typ << 10);
		/* write 1 to clear: other bits do not clear it, bit 15 does */
		out(&t, EVT, 0x7fff, 2);
		assert_int_equal(in(&t, EVT, 2), 0x8000);
		out(&t, EVT + 1, 0x80, 1);
		assert_int_equal(in(&t, EVT, 2), 0);
	}
	assert_int_equal(t.s.reset, 0);
	io_bus_destroy(&t.bus);
}

static void pm1_cnt_bits(void **state)
{
	struct pm1 t;
	(void)state;

	pm1_setup(&t);
	/* SCI_EN cannot be cleared; BM_RLD is kept; GBL_RLS (bit 2) and reserved bits are not */
	out(&t, CNT, 0x0000, 2);
	assert_int_equal(in(&t, CNT, 2), 0x0001);
	out(&t, CNT, 0xc3fe, 2); /* all but SCI_EN, SLP_TYP and SLP_EN */
	assert_int_equal(t.s.off, 0);
	assert_int_equal(in(&t, CNT, 2), 0x0003);
	out(&t, CNT, 0x0802, 2); /* SLP_TYP 2 stored without SLP_EN: no sleep, no wake */
	assert_int_equal(in(&t, CNT, 2), 0x0803);
	assert_int_equal(in(&t, EVT, 2), 0);
	/* byte reads of each half, and a read past the block's end is all-ones */
	assert_int_equal(in(&t, CNT, 1), 0x03);
	assert_int_equal(in(&t, CNT + 1, 1), 0x08);
	assert_true(in(&t, CNT, 4) == 0xffff0803);
	assert_true(in(&t, CNT + 1, 2) == 0xff08);
	io_bus_destroy(&t.bus);
}

static void pm1_evt_widths_and_offsets(void **state)
{
	struct pm1 t;
	(void)state;

	pm1_setup(&t);
	/* PM1_EN keeps the defined enables only */
	out(&t, EVT + 2, 0xffff, 2);
	assert_int_equal(in(&t, EVT + 2, 2), 0x0721);
	out(&t, EVT + 3, 0x00, 1); /* high byte alone */
	assert_int_equal(in(&t, EVT + 2, 2), 0x0021);
	out(&t, EVT + 2, 0x00, 1); /* low byte alone */
	assert_int_equal(in(&t, EVT + 2, 2), 0x0000);
	/* a 4-byte write at +0: PM1_STS (clears) and PM1_EN (sets) at once */
	out(&t, CNT, 0x2001 | 3 << 10, 2); /* set WAK_STS */
	out(&t, EVT, 0x01008000, 4);
	assert_int_equal(in(&t, EVT, 2), 0);
	assert_int_equal(in(&t, EVT + 2, 2), 0x0100);
	assert_true(in(&t, EVT, 4) == 0x01000000);
	/* a 2-byte access at the odd offset 1 spans STS high and EN low */
	out(&t, CNT, 0x2001 | 1 << 10, 2); /* WAK_STS again */
	assert_true(in(&t, EVT + 1, 2) == 0x0080);
	out(&t, EVT + 1, 0x2080, 2); /* clear WAK_STS, GBL_EN on, PWRBTN_EN (high byte) kept */
	assert_int_equal(in(&t, EVT, 2), 0);
	assert_int_equal(in(&t, EVT + 2, 2), 0x0120);
	/* 8-byte accesses are cut to the block: the rest reads all-ones */
	assert_true(in(&t, EVT, 8) == 0xffffffff01200000ULL);
	out(&t, EVT, 0xffffffffffffffffULL, 8);
	assert_int_equal(in(&t, EVT + 2, 2), 0x0721);
	/* a write to the last byte alone and a 2-byte read there */
	out(&t, EVT + 3, 0x01, 1);
	assert_true(in(&t, EVT + 3, 2) == 0xff01);
	assert_int_equal(in(&t, EVT + 2, 2), 0x0121);
	/* the status register holds no other bit, whatever is written */
	out(&t, EVT, 0x0000, 2);
	assert_int_equal(in(&t, EVT, 2), 0);
	assert_int_equal(t.s.off + t.s.reset, 0);
	io_bus_destroy(&t.bus);
}

static void pm1_attach_conflicts(void **state)
{
	struct io_bus bus;
	struct power p;
	struct seen s = {0};
	(void)state;

	assert_int_equal(io_bus_init(&bus), 0);
	power_init(&p, event, &s);
	/* the control port is taken: nothing stays claimed */
	assert_int_equal(io_bus_register(&bus, IO_SPACE_PIO, CNT + 1, 1, &power_cf9_ops, &p, "x"),
			 0);
	assert_int_equal(power_attach_acpi_pm1(&p, &bus, EVT, CNT, 5), -EEXIST);
	assert_null(io_bus_name(&bus, IO_SPACE_PIO, EVT));
	/* the event block is taken */
	assert_int_equal(power_attach_acpi_pm1(&p, &bus, CNT, 0x700, 5), -EEXIST);
	assert_null(io_bus_name(&bus, IO_SPACE_PIO, 0x700));
	assert_int_equal(power_attach_acpi_pm1(&p, &bus, EVT, 0x700, 5), 0);
	assert_int_equal(power_attach_acpi_pm1(&p, &bus, EVT, 0x710, 5), -EEXIST);
	io_bus_destroy(&bus);
}

struct levels {
	unsigned int gsi;
	bool seq[8];
	unsigned int n;
};

static void record_level(void *opaque, unsigned int gsi, bool level)
{
	struct levels *l = opaque;

	l->gsi = gsi;
	if (l->n < 8)
		l->seq[l->n++] = level;
}

/* The power button is one rising edge and back on the GED's line, per press. */
static void power_button_pulses_its_line(void **state)
{
	struct levels l = {0};
	struct irq_line line = {record_level, &l, 10};
	struct seen s = {0};
	struct power p;
	(void)state;

	power_init(&p, event, &s);
	assert_int_equal(power_button(&p), -ENODEV);
	assert_int_equal(l.n, 0);
	power_attach_button(&p, &line);
	assert_int_equal(power_button(&p), 0);
	assert_int_equal(power_button(&p), 0);
	assert_int_equal(l.gsi, 10);
	assert_int_equal(l.n, 4);
	assert_true(l.seq[0] && !l.seq[1] && l.seq[2] && !l.seq[3]);
	/* pressing it is no power-off by itself: the guest decides */
	assert_int_equal(s.off, 0);
	assert_int_equal(s.reset, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(acpi_sleep_port),
		cmocka_unit_test(keyboard_controller_reset),
		cmocka_unit_test(reset_control_register_through_the_pci_host),
		cmocka_unit_test(pm1_reset_state),
		cmocka_unit_test(pm1_cnt_s5_powers_off),
		cmocka_unit_test(pm1_cnt_other_sleep_types_wake_at_once),
		cmocka_unit_test(pm1_cnt_bits),
		cmocka_unit_test(pm1_evt_widths_and_offsets),
		cmocka_unit_test(pm1_attach_conflicts),
		cmocka_unit_test(power_button_pulses_its_line),
	};

	return cmocka_run_group_tests_name("power", tests, NULL, NULL);
}
