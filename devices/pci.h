/* SPDX-License-Identifier: MIT */
/*
 * PCI bus 0 behind a host bridge with configuration mechanism #1: CONFIG_ADDRESS at 0xcf8 (dword
 * accesses only), CONFIG_DATA at 0xcfc-0xcff (byte, word or dword at any offset). The host bridge
 * itself is 00:00.0. Devices plug into a device/function number with two config-space callbacks;
 * a function nobody claimed reads all-ones, as on real hardware.
 *
 * Byte accesses to 0xcf8-0xcfb are not CONFIG_ADDRESS: chipsets decode a byte at 0xcf9 as the reset
 * control register, and so does this bus, handing it to the hook set with pci_bus_set_cf9().
 */
#ifndef VFVM_DEVICES_PCI_H
#define VFVM_DEVICES_PCI_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <linux/pci_regs.h>

#include "devices/bus.h"

#define PCI_CONFIG_ADDRESS_PORT 0xcf8
#define PCI_CONFIG_DATA_PORT 0xcfc
#define PCI_NR_DEVFN 256

#define PCI_DEVFN(slot, fn) (((slot) << 3) | (fn))

#define PCI_HOST_VENDOR_ID 0x1b36 /* a generic host bridge no guest driver claims */
#define PCI_HOST_DEVICE_ID 0x0008

/*
 * Config-space callbacks of one function. off < PCI_CFG_SPACE_EXP_SIZE is naturally aligned for len
 * (1, 2 or 4): the bus splits a misaligned access into bytes. Values are little endian.
 */
struct pci_dev_ops {
	uint32_t (*cfg_read)(void *opaque, unsigned int off, unsigned int len);
	void (*cfg_write)(void *opaque, unsigned int off, uint32_t val, unsigned int len);
};

/* A 256-byte config space with a mask of the bits the guest may write; the rest is read-only. */
struct pci_cfg_space {
	uint8_t data[256];
	uint8_t wmask[256];
};
uint32_t pci_cfg_space_read(const struct pci_cfg_space *cs, unsigned int off, unsigned int len);
void pci_cfg_space_write(struct pci_cfg_space *cs, unsigned int off, uint32_t val,
			 unsigned int len);

/*
 * What every host bridge model's config space starts as: the ids, class 0600 (host bridge), header
 * type 0, I/O, memory and bus-master decode on, and those bits and the latency timer writable.
 */
void pci_cfg_host_bridge(struct pci_cfg_space *cs, uint16_t vendor, uint16_t device,
			 uint16_t subsys_vendor, uint16_t subsys_id);

enum pci_bar_kind {
	PCI_BAR_MMIO32,
	PCI_BAR_IO,
	PCI_BAR_MMIO64, /* above RAM, for 64-bit BARs; empty unless pci_bus_set_mmio64() */
};

struct pci_window {
	uint64_t start, end; /* [start, end) */
	uint64_t next;	     /* allocation never goes back */
};

struct pci_bus {
	pthread_mutex_t lock;
	uint32_t config_address;
	struct {
		const struct pci_dev_ops *ops;
		void *opaque;
	} fn[PCI_NR_DEVFN];
	struct pci_cfg_space host;
	struct pci_window win[3]; /* by enum pci_bar_kind */
	const struct io_ops *cf9_ops;
	void *cf9_opaque;
};

/* A bus with the host bridge at 00:00.0 and BAR windows [mmio_start, mmio_end), [io_start, io_end).
 */
int pci_bus_init(struct pci_bus *bus, uint64_t mmio_start, uint64_t mmio_end, uint64_t io_start,
		 uint64_t io_end);
void pci_bus_destroy(struct pci_bus *bus);
/* The 64-bit BAR window [start, end), before any BAR is placed in it. -EINVAL if malformed. */
int pci_bus_set_mmio64(struct pci_bus *bus, uint64_t start, uint64_t end);

/*
 * Replace the host bridge's config-space handlers (00:00.0) with a chipset model of the caller's,
 * before any vCPU runs: firmware looks for a host bridge it knows (devices/i440fx.h).
 */
void pci_bus_set_host(struct pci_bus *bus, const struct pci_dev_ops *ops, void *opaque);

/* Claim 0xcf8-0xcff on the I/O bus. */
int pci_bus_attach(struct pci_bus *bus, struct io_bus *io);

/* Where byte accesses to 0xcf9 go (offset 0 in the hook's terms); NULL: nowhere. */
void pci_bus_set_cf9(struct pci_bus *bus, const struct io_ops *ops, void *opaque);

/*
 * Plug a function in at devfn, or at function 0 of the first free slot when devfn < 0. Returns the
 * devfn used, -EBUSY if it is taken, -ENOSPC if no slot is free, -EINVAL for a bad devfn or ops.
 * The caller's ops must stay valid until it is removed and no vCPU runs any more.
 */
int pci_bus_add(struct pci_bus *bus, int devfn, const struct pci_dev_ops *ops, void *opaque);
int pci_bus_remove(struct pci_bus *bus, unsigned int devfn);

/*
 * A naturally aligned address for a BAR of size bytes (a power of two; MMIO BARs get at least a
 * page so that they can be mapped into the guest) in the window of that kind. -EINVAL for a bad
 * size, -ENOSPC when the window is full.
 */
int pci_bar_alloc(struct pci_bus *bus, enum pci_bar_kind kind, uint64_t size, uint64_t *addr);

/* Config access to bus 0 as the guest makes it through mechanism #1 (for tests and diagnostics). */
uint32_t pci_bus_cfg_read(struct pci_bus *bus, unsigned int devfn, unsigned int off,
			  unsigned int len);
void pci_bus_cfg_write(struct pci_bus *bus, unsigned int devfn, unsigned int off, uint32_t val,
		       unsigned int len);

#endif
