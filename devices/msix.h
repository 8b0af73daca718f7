/* SPDX-License-Identifier: MIT */
/*
 * MSI-X of an emulated PCI function: the capability in its config space, the vector table and
 * the PBA in one of its BARs, and delivery through the VM's interrupt sink. A masked vector's
 * message waits as a pending bit and goes out when the guest unmasks it, as the spec requires.
 */
#ifndef VFVM_DEVICES_MSIX_H
#define VFVM_DEVICES_MSIX_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/pci.h"

/* How a device's message reaches the guest: the VM injects (addr, data) (KVM_SIGNAL_MSI). */
struct msi_sink {
	int (*signal)(void *opaque, uint64_t addr, uint32_t data);
	void *opaque;
};

#define MSIX_MAX_VECTORS 64

struct msix {
	unsigned int nr;
	uint8_t cap; /* offset of the capability in config space */
	bool enabled, fn_masked;
	uint8_t table[MSIX_MAX_VECTORS * 16];
	uint64_t pending; /* the PBA: one bit per vector */
	struct msi_sink sink;
};

/*
 * nr vectors (1..MSIX_MAX_VECTORS), capability at cap in cs with next pointer next, table at
 * table_off and PBA at pba_off of BAR bir (both 8-byte aligned). Vectors start masked. -EINVAL for
 * bad arguments.
 */
int msix_init(struct msix *m, struct pci_cfg_space *cs, uint8_t cap, uint8_t next, unsigned int nr,
	      unsigned int bir, uint32_t table_off, uint32_t pba_off, const struct msi_sink *sink);

/* Back to the reset state: disabled, every vector masked with a zero message, nothing pending. */
void msix_reset(struct msix *m, struct pci_cfg_space *cs);

/* After a config-space write: follow the enable and function-mask bits of the capability. */
void msix_cfg_written(struct msix *m, const struct pci_cfg_space *cs);

/* Guest accesses to the table and PBA, off relative to each; outside them reads zero. */
void msix_table_read(const struct msix *m, uint64_t off, void *data, unsigned int len);
void msix_table_write(struct msix *m, uint64_t off, const void *data, unsigned int len);
void msix_pba_read(const struct msix *m, uint64_t off, void *data, unsigned int len);

/* Signal vector v (or leave it pending while masked). -EINVAL for a vector that does not exist,
 * -ENODEV while MSI-X is disabled. */
int msix_notify(struct msix *m, unsigned int v);

#endif
