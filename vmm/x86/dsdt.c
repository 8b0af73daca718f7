// SPDX-License-Identifier: MIT
/*
 * The DSDT: everything the guest cannot discover by itself. PCI config space is reached through
 * ports 0xcf8/0xcfc (no MMCONFIG), so the root bridge is a conventional PCI host bridge
 * (PNP0A03) on segment 0, bus 0.
 */
#include "vmm/x86/acpi.h"
#include "vmm/x86/x86.h"

/* SLP_TYP that the guest writes (with SLP_EN) to the sleep control register to power off. */
#define S5_SLP_TYP X86_ACPI_S5_SLP_TYP

static void s5(struct aml *a)
{
	size_t pkg;

	aml_name(a, "_S5_");
	pkg = aml_package_begin(a, 4);
	aml_integer(a, S5_SLP_TYP); /* SLP_TYPa: what HW-reduced sleep control uses */
	aml_integer(a, 0);	    /* SLP_TYPb */
	aml_integer(a, 0);	    /* reserved */
	aml_integer(a, 0);
	aml_close(a, pkg);
}

static void pci_crs(struct aml *a, const struct acpi_config *cfg)
{
	size_t buf;

	aml_name(a, "_CRS");
	buf = aml_buffer_begin(a);
	aml_res_word_bus(a, 0, 0);
	aml_res_io(a, 0xcf8, 8);
	aml_res_word_io(a, X86_PCI_IO_START, X86_PCI_IO_END - 1);
	aml_res_dword_mem(a, (uint32_t)X86_PCI_MMIO32_START, (uint32_t)(X86_PCI_MMIO32_END - 1));
	/* above RAM: where Linux places 64-bit BARs too large for the window below 4 GiB */
	if (cfg->mmio64_end > cfg->mmio64_start)
		aml_res_qword_mem(a, cfg->mmio64_start, cfg->mmio64_end - 1);
	aml_res_end_tag(a);
	aml_buffer_end(a, buf);
}

/*
 * Every slot's INTA-D goes straight to an IOAPIC GSI (no link devices): Linux then programs
 * those pins level-triggered, active low, as PCI INTx is.
 */
static void pci_prt(struct aml *a)
{
	size_t prt;

	aml_name(a, "_PRT");
	prt = aml_package_begin(a, 31 * 4);
	for (unsigned int slot = 1; slot < 32; slot++) {
		for (unsigned int pin = 0; pin < 4; pin++) {
			size_t e = aml_package_begin(a, 4);

			aml_dword(a, slot << 16 | 0xffff); /* any function of the slot */
			aml_integer(a, pin);
			aml_integer(a, 0); /* Source: none, the next field is a GSI */
			aml_integer(a, x86_pci_intx_gsi(slot, pin));
			aml_close(a, e);
		}
	}
	aml_close(a, prt);
}

static void pci0(struct aml *a, const struct acpi_config *cfg)
{
	size_t dev = aml_device_begin(a, "PCI0");

	aml_name(a, "_HID");
	aml_eisaid(a, "PNP0A03");
	aml_name(a, "_UID");
	aml_integer(a, 0);
	aml_name(a, "_SEG");
	aml_integer(a, 0);
	aml_name(a, "_BBN");
	aml_integer(a, 0);
	pci_crs(a, cfg);
	pci_prt(a);
	aml_close(a, dev);
}

/*
 * COM1: with hardware-reduced ACPI Linux has no legacy PIC and allocates ISA IRQs only for
 * devices it is told about; this gives the 8250 its IRQ 4 through the IOAPIC.
 */
static void com1(struct aml *a)
{
	size_t dev = aml_device_begin(a, "COM1"), buf;

	aml_name(a, "_HID");
	aml_eisaid(a, "PNP0501");
	aml_name(a, "_UID");
	aml_integer(a, 1);
	aml_name(a, "_CRS");
	buf = aml_buffer_begin(a);
	aml_res_io(a, 0x3f8, 8);
	aml_res_irq(a, X86_UART_IRQ);
	aml_res_end_tag(a);
	aml_buffer_end(a, buf);
	aml_close(a, dev);
}

/*
 * The power button. Hardware-reduced ACPI has no fixed power button: the button is a device
 * (PNP0C0C) and its press a Notify(0x80) from the _EVT method of a Generic Event Device
 * (ACPI0013), which the OS runs when the GED's interrupt fires. vfvm pulses that edge-triggered
 * GSI (devices/power.h, power_button()); it is the GED's only event, so _EVT needs no register
 * to tell events apart.
 */
static void power_button(struct aml *a)
{
	size_t dev = aml_device_begin(a, "PWRB"), buf, m;

	aml_name(a, "_HID");
	aml_eisaid(a, "PNP0C0C");
	aml_name(a, "_UID");
	aml_integer(a, 0);
	aml_close(a, dev);

	dev = aml_device_begin(a, "GED0");
	aml_name(a, "_HID");
	aml_string(a, "ACPI0013");
	aml_name(a, "_UID");
	aml_integer(a, 0);
	aml_name(a, "_CRS");
	buf = aml_buffer_begin(a);
	aml_res_interrupt_edge(a, X86_ACPI_GED_GSI);
	aml_res_end_tag(a);
	aml_buffer_end(a, buf);
	m = aml_method_begin(a, "_EVT", 1);
	aml_notify(a, "\\_SB_.PWRB", 0x80); /* 0x80: the button was pressed */
	aml_close(a, m);
	aml_close(a, dev);
}

int acpi_dsdt_aml(struct aml *a, const struct acpi_config *cfg)
{
	size_t sb;

	s5(a);
	sb = aml_scope_begin(a, "\\_SB_");
	pci0(a, cfg);
	com1(a);
	power_button(a);
	aml_close(a, sb);
	return a->err;
}
