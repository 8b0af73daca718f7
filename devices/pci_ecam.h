/* SPDX-License-Identifier: MIT */
/*
 * The PCI Express enhanced configuration access mechanism (ECAM) in front of a pci_bus: a memory
 * window of 1 MiB per bus in which the function at bus B, devfn D has its 4 KiB of config space at
 * B << 20 | D << 12. vfvm's bus is bus 0; every other bus in the window has no function, so it
 * reads all-ones and ignores writes, as a bus with nothing on it does.
 */
#ifndef VFVM_DEVICES_PCI_ECAM_H
#define VFVM_DEVICES_PCI_ECAM_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/bus.h"
#include "devices/pci.h"

#define PCI_ECAM_BUS_SHIFT 20
#define PCI_ECAM_DEVFN_SHIFT 12

struct pci_ecam_addr {
	unsigned int bus, devfn, reg;
};

/* Split an offset into the window into bus, devfn and register. */
static inline struct pci_ecam_addr pci_ecam_decode(uint64_t off)
{
	return (struct pci_ecam_addr){
		.bus = (unsigned int)(off >> PCI_ECAM_BUS_SHIFT),
		.devfn = (unsigned int)(off >> PCI_ECAM_DEVFN_SHIFT) & 0xff,
		.reg = (unsigned int)off & 0xfff,
	};
}

/*
 * Claim [base, base + nr_buses MiB) of the MMIO space of io for bus. Accesses of 1, 2 and 4 bytes
 * go to the function as they are; one of 8 bytes is two 4-byte ones, low dword first.
 */
int pci_ecam_attach(struct pci_bus *bus, struct io_bus *io, uint64_t base, unsigned int nr_buses);

/*
 * A host bridge without I/O instructions maps PCI I/O space into memory: claim [cpu_base,
 * cpu_base + size) of the MMIO space of io and forward each access to I/O port (address -
 * cpu_base) of the same bus, where I/O BARs are registered.
 */
int pci_io_window_attach(struct io_bus *io, uint64_t cpu_base, uint64_t size);

#endif
