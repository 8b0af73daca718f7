// SPDX-License-Identifier: MIT
/* The power-off and reset ports. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(acpi_sleep_port),
		cmocka_unit_test(keyboard_controller_reset),
		cmocka_unit_test(reset_control_register_through_the_pci_host),
	};

	return cmocka_run_group_tests_name("power", tests, NULL, NULL);
}
