/* SPDX-License-Identifier: MIT */
/*
 * The ports through which a guest powers off or resets the machine:
 *  - the ACPI sleep control register (hardware-reduced ACPI): SLP_EN with SLP_TYP 5 (S5) powers
 * off;
 *  - the reset control register at 0xcf9 (decoded by the PCI host, see pci_bus_set_cf9()): a write
 *    with the reset bit (0x04) set resets;
 *  - the keyboard controller's command port 0x64: command 0xfe pulses the reset line.
 * Each ends up in one callback; the VM decides what a power-off or reset means (vfvm exits).
 */
#ifndef VFVM_DEVICES_POWER_H
#define VFVM_DEVICES_POWER_H

#include <stdint.h>

#include "devices/bus.h"

enum power_event {
	POWER_OFF,
	POWER_RESET,
};

#define POWER_SLP_TYP_SHIFT 2
#define POWER_SLP_TYP_MASK (7u << POWER_SLP_TYP_SHIFT)
#define POWER_SLP_EN (1u << 5)
#define POWER_CF9_RESET 0x04 /* reset CPU; 0x02 (system reset) alone only selects the kind */
#define POWER_I8042_CMD_PORT 0x64
#define POWER_I8042_RESET 0xfe

struct power {
	void (*event)(void *opaque, enum power_event ev);
	void *opaque;
	uint8_t cf9; /* last value written to the reset control register */
	uint8_t s5_slp_typ;
};

/* io_ops for the reset control register; to be handed to pci_bus_set_cf9(). */
extern const struct io_ops power_cf9_ops;

void power_init(struct power *p, void (*event)(void *opaque, enum power_event ev), void *opaque);

/* Claim the sleep control port (S5 = s5_slp_typ) and the keyboard controller's command port. */
int power_attach(struct power *p, struct io_bus *bus, uint16_t sleep_port, uint8_t s5_slp_typ);

#endif
