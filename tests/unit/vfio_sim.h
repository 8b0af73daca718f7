/* SPDX-License-Identifier: MIT */
/*
 * A simulated PCI function behind the VFIO backend ops, and a VM that records what the passthrough
 * layer asks of it. The code under test (vfio/pci_*.c) is the real code: only the device at the
 * bottom and the VM at the top are stand-ins.
 *
 * The simulated function keeps a config space, BAR and ROM contents in memfds (so BAR mmaps are
 * real shared mappings), and the interrupt state vfio-pci would keep: which eventfds trigger which
 * irq index, refusing (like the kernel) to enable one interrupt type while another is active.
 */
#ifndef VFVM_TEST_VFIO_SIM_H
#define VFVM_TEST_VFIO_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "vfio/vfio.h"

#define SIM_MAX_VEC 64

struct sim_region {
	uint64_t size;
	uint32_t flags;
	int fd; /* memfd with the contents */
	bool sparse;
	unsigned int nr_areas;
	struct vfio_mmap_area areas[4];
};

struct sim_set_irqs {
	uint32_t index, flags, start, count;
	int32_t fds[SIM_MAX_VEC];
};

struct sim_pci {
	uint8_t cfg[4096];
	uint32_t cfg_size;
	uint8_t last_cap; /* where sim_cap links the next one */
	struct sim_region regions[VFIO_PCI_NUM_REGIONS];
	struct vfio_irq irqs[VFIO_PCI_NUM_IRQS];
	bool can_reset;
	unsigned int resets;
	struct sim_set_irqs calls[256];
	unsigned int nr_calls;
	int trigger[VFIO_PCI_NUM_IRQS][SIM_MAX_VEC]; /* -1: none */
	unsigned int nr_trigger[VFIO_PCI_NUM_IRQS];
	int unmask_fd; /* INTx resample -> unmask */
	/* the resets the guest asked the device for (forwarded config writes) */
	uint8_t pm_cap, exp_cap, af_cap;
	unsigned int pm_resets, flrs;
	/* >0: SET_IRQS for more vectors of MSI / MSI-X returns this count and enables nothing */
	unsigned int grant[VFIO_PCI_NUM_IRQS];
};

void sim_init(struct sim_pci *s, uint16_t vendor, uint16_t device, uint32_t cfg_size);
void sim_fini(struct sim_pci *s);
/* BAR i of size bytes; bar_flags are the low bits of the BAR register (PCI_BASE_ADDRESS_*). */
void sim_bar(struct sim_pci *s, unsigned int i, uint64_t size, uint32_t bar_flags, bool mmap);
void sim_sparse(struct sim_pci *s, unsigned int i, uint64_t off, uint64_t size);
void sim_rom(struct sim_pci *s, uint64_t size);
/* Append a capability of len bytes to the chain; returns its offset. */
uint8_t sim_cap(struct sim_pci *s, uint8_t id, unsigned int len, uint8_t at);
uint8_t sim_msix(struct sim_pci *s, uint8_t at, unsigned int nr, unsigned int table_bar,
		 uint32_t table_off, unsigned int pba_bar, uint32_t pba_off);
uint8_t sim_msi(struct sim_pci *s, uint8_t at, bool is64, bool maskable, unsigned int log2_vec);
void sim_intx(struct sim_pci *s, uint8_t pin);
/* Power management (No_Soft_Reset as given), PCIe (FLR in DevCap or not), Advanced Features. */
uint8_t sim_pm(struct sim_pci *s, uint8_t at, bool no_soft_reset);
uint8_t sim_exp(struct sim_pci *s, uint8_t at, bool flr);
uint8_t sim_af(struct sim_pci *s, uint8_t at);
/* The device raises vector n of irq index: its trigger eventfd is signalled (if any). */
bool sim_fire(struct sim_pci *s, unsigned int index, unsigned int n);
/* The bytes of a region, as the device holds them. */
uint32_t sim_region_u32(struct sim_pci *s, unsigned int index, uint64_t off);

extern const struct vfio_backend_ops sim_ops;

/* ---- the recording VM ---- */

struct rec_slot {
	bool used;
	uint64_t gpa, size;
	void *hva;
	bool readonly;
};

struct rec_route {
	bool used;
	uint64_t addr;
	uint32_t data;
};

struct rec_irqfd {
	bool used;
	int gsi, efd, resample;
};

struct rec_vm {
	struct rec_slot slots[64];
	struct rec_route routes[128];
	struct rec_irqfd irqfds[128];
	unsigned int route_updates;
	unsigned int pushes; /* route tables handed to KVM */
	bool fail_push;	     /* KVM refuses the next route tables */
	unsigned int warnings;
	char last_warning[256];
	unsigned int dma_ready_calls;
	int dma_ready_result; /* what dma_ready answers (0: guest RAM is mapped) */
	struct io_bus bus;
	struct guest_mem mem;
	struct vfio_vm vm;
	/* the VM's passthrough functions: one that frees a range lets the others retry theirs */
	struct vfio_pci *pcis[4];
	unsigned int nr_pcis;
};

void rec_vm_init(struct rec_vm *r);
void rec_vm_fini(struct rec_vm *r);
void rec_vm_add_pci(struct rec_vm *r, struct vfio_pci *p);
unsigned int rec_nr_slots(const struct rec_vm *r);
const struct rec_slot *rec_slot_at(const struct rec_vm *r, uint64_t gpa);
unsigned int rec_nr_routes(const struct rec_vm *r);
unsigned int rec_nr_irqfds(const struct rec_vm *r);
/* The irqfd registered for eventfd efd, or NULL. */
const struct rec_irqfd *rec_irqfd_of(const struct rec_vm *r, int efd);

/* Config-space helpers for tests, as a guest driver would access it. */
uint32_t cfg_rd(struct vfio_pci *p, uint32_t off, unsigned int len);
void cfg_wr(struct vfio_pci *p, uint32_t off, uint32_t val, unsigned int len);

#endif
