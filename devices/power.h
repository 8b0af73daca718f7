/* SPDX-License-Identifier: MIT */
/*
 * The ports through which a guest powers off or resets the machine:
 *  - the ACPI sleep control register (hardware-reduced ACPI): SLP_EN with SLP_TYP 5 (S5) powers
 * off;
 *  - the reset control register at 0xcf9 (decoded by the PCI host, see pci_bus_set_cf9()): a write
 *    with the reset bit (0x04) set resets;
 *  - the keyboard controller's command port 0x64: command 0xfe pulses the reset line.
 *  - for firmware boot (a PC ACPI platform), the PM1 event and control registers that the
 *    FADT describes (power_attach_acpi_pm1()): PM1_CNT with SLP_EN and the S5 SLP_TYP powers off.
 * Each ends up in one callback; the VM decides what a power-off or reset means (vfvm exits).
 * The other way round, power_button() presses the guest's power button: a pulse on the Generic
 * Event Device's interrupt, whose _EVT notifies the ACPI power button device (vmm/x86/dsdt.c).
 */
#ifndef VFVM_DEVICES_POWER_H
#define VFVM_DEVICES_POWER_H

#include <stdint.h>

#include "devices/bus.h"
#include "devices/irq.h"

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

/*
 * PM1 registers (ACPI 6.x, 4.8.3): the event block is PM1_STS (+0) and PM1_EN (+2), the control
 * block PM1_CNT (+0), 16 bits each. The blocks are byte-addressed: an access of any width at any
 * offset reads or writes the bytes it covers, as if done one byte at a time (a write to the high
 * byte of PM1_CNT alone can put the machine to sleep, as on hardware).
 *  - PM1_STS: write 1 to clear. Only WAK_STS is ever set (see PM1_CNT); the other status bits
 *    read 0, as no fixed event (timer, buttons, RTC) exists. No SCI is ever raised.
 *  - PM1_EN: read/write for the defined enables (TMR, GBL, PWRBTN, SLPBTN, RTC); other bits read
 *    0. Nothing sets a status bit they would enable.
 *  - PM1_CNT: SCI_EN reads 1 and cannot be cleared (always in ACPI mode); BM_RLD and SLP_TYP read
 *    back what was written; GBL_RLS and SLP_EN are write-only (read 0). A write with SLP_EN set
 *    and SLP_TYP equal to the S5 type powers off; any other sleep type is ignored (vfvm offers no
 *    S1-S4) except that WAK_STS is set, so an OS waiting to wake up goes on at once.
 */
#define POWER_PM1_STS_WAK (1u << 15)
#define POWER_PM1_EN_MASK 0x0721u /* TMR_EN, GBL_EN, PWRBTN_EN, SLPBTN_EN, RTC_EN */
#define POWER_PM1_CNT_SCI_EN (1u << 0)
#define POWER_PM1_CNT_BM_RLD (1u << 1)
#define POWER_PM1_CNT_SLP_TYP_SHIFT 10
#define POWER_PM1_CNT_SLP_TYP_MASK (7u << POWER_PM1_CNT_SLP_TYP_SHIFT)
#define POWER_PM1_CNT_SLP_EN (1u << 13)
#define POWER_PM1_EVT_LEN 4
#define POWER_PM1_CNT_LEN 2

struct power {
	void (*event)(void *opaque, enum power_event ev);
	void *opaque;
	uint8_t cf9; /* last value written to the reset control register */
	uint8_t s5_slp_typ;
	/* PM1 registers (pm1_cnt: BM_RLD and SLP_TYP as written), updated atomically as vCPUs
	 * may access them at once */
	uint16_t pm1_sts, pm1_en, pm1_cnt;
	uint8_t pm1_s5_slp_typ;
	struct irq_line button; /* the GED's edge-triggered interrupt; no set_level: none */
};

/* io_ops for the reset control register; to be handed to pci_bus_set_cf9(). */
extern const struct io_ops power_cf9_ops;

void power_init(struct power *p, void (*event)(void *opaque, enum power_event ev), void *opaque);

/* Claim the sleep control port (S5 = s5_slp_typ) and the keyboard controller's command port. */
int power_attach(struct power *p, struct io_bus *bus, uint16_t sleep_port, uint8_t s5_slp_typ);

/*
 * For firmware boot, next to power_attach() (whose sleep port then goes unused but harmless):
 * claim the PM1 event block (POWER_PM1_EVT_LEN ports from evt_port) and the PM1 control block
 * (POWER_PM1_CNT_LEN ports from cnt_port); SLP_TYP s5_slp_typ powers off. On x86:
 * power_attach_acpi_pm1(p, bus, X86_ACPI_PM1_EVT, X86_ACPI_PM1_CNT, X86_ACPI_S5_SLP_TYP).
 * -EEXIST if a port is taken (then neither block is claimed).
 */
int power_attach_acpi_pm1(struct power *p, struct io_bus *bus, uint16_t evt_port, uint16_t cnt_port,
			  uint8_t s5_slp_typ);

/* Wire the power button to line (an edge-triggered GSI the platform's tables give the GED). */
void power_attach_button(struct power *p, const struct irq_line *line);

/* Press the power button (from any thread): -ENODEV when none is wired. */
int power_button(struct power *p);

#endif
