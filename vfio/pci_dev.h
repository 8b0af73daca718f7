/* SPDX-License-Identifier: MIT */
/*
 * Inside the passthrough PCI device: the state shared by vfio/pci_*.c. Nothing outside vfio/
 * includes this; the VM sees struct vfio_pci only through vfio/vfio.h.
 *
 * One mutex guards the device: config-space accesses and trapped BAR accesses come from any vCPU.
 * It is held while the device calls into the VM ops and the I/O bus, never the other way round
 * (the bus runs handlers without its own lock held), so the order is always device -> bus/VM.
 */
#ifndef VFVM_VFIO_PCI_DEV_H
#define VFVM_VFIO_PCI_DEV_H

#include <pthread.h>

#include "vfio/vfio.h"

#define PCI_CFG_SPACE 256
#define PCI_CFG_SPACE_EXP 4096
#define VFIO_PCI_NR_BARS 7 /* BAR0..5 and the expansion ROM */
#define VFIO_PCI_ROM 6
#define VFIO_PCI_MAX_PIECES (3 * VFIO_MAX_SPARSE_AREAS)
#define VFIO_PCI_MSI_MAX 32
#define VFIO_PCI_D0 0
#define VFIO_PCI_D3HOT 3

/* A page-aligned part of a BAR that the guest reaches through a memory slot, without exits. */
struct vfio_pci_piece {
	uint64_t offset; /* within the BAR */
	uint64_t size;
	void *hva; /* the device fd's mmap, or the ROM's copy */
	int slot;  /* while mapped, else -1 */
	bool readonly;
};

struct vfio_pci_bar {
	struct vfio_pci *owner;
	unsigned int index; /* 0..5, VFIO_PCI_ROM */
	uint64_t size;	    /* 0: no BAR here (or the upper half of a 64-bit one) */
	uint64_t mask;	    /* address bits the guest may write (size-aligned) */
	bool io, is64, prefetch;
	bool upper; /* this slot is the upper dword of BAR index - 1 */
	bool mapped;
	bool blocked; /* wanted, but its range is another's: retried when ranges are freed */
	uint64_t mapped_addr;
	uint64_t mapped_len; /* on the I/O bus: size, or a whole page for a sub-page BAR mapped */
	/*
	 * Smaller than a page, with the page mmap-able (vfio-pci reserved the rest of it): while
	 * the guest keeps it page-aligned and nothing else in its page, the page is a slot.
	 */
	bool subpage;
	unsigned int nr_pieces;
	struct vfio_pci_piece pieces[VFIO_PCI_MAX_PIECES];
	/*
	 * The expansion ROM, read once: it cannot be mmap'd, and each read through the region costs
	 * the host a map of the ROM (a firmware copying a 64 KiB ROM made ~19000 such exits, 17 s
	 * nested). NULL: served by reads of the region.
	 */
	uint8_t *rom;
	char name[40];
};

/* One MSI or MSI-X vector: an eventfd VFIO signals, a GSI route, and a KVM irqfd while unmasked. */
struct vfio_pci_vector {
	int efd;
	int gsi; /* -1 until routed */
	uint64_t addr;
	uint32_t data;
	bool assigned; /* irqfd registered: KVM injects without us */
};

struct vfio_pci_msix {
	bool present;
	uint8_t cap;
	uint16_t nr;
	unsigned int table_bar, pba_bar;
	uint64_t table_off, pba_off;
	bool enabled, masked_all;
	/*
	 * Vectors handed to VFIO: as many as the highest one the guest unmasked needs (a host may
	 * have fewer to give than the table has), grown as the guest unmasks more.
	 */
	unsigned int granted;
	unsigned int host_max; /* what the host said it has, once it said so; else nr */
	bool noresize;	       /* VFIO cannot add vectors to an enabled MSI-X: re-enable to grow */
	uint8_t *table;	       /* nr * 16 bytes, the guest's view */
	struct vfio_pci_vector *vec;
};

struct vfio_pci_msi {
	bool present;
	uint8_t cap;
	uint8_t len;
	bool is64, maskable;
	unsigned int max_vec;
	bool enabled;
	unsigned int nr;
	struct vfio_pci_vector vec[VFIO_PCI_MSI_MAX];
};

struct vfio_pci_intx {
	int gsi; /* -1: the guest gets no INTx */
	bool available, enabled;
	int trigger, resample;
};

struct vfio_pci {
	pthread_mutex_t lock;
	const struct vfio_backend_ops *be_ops;
	void *be;
	struct vfio_vm vm;
	char name[VFIO_PCI_ADDR_LEN + 8];
	uint64_t page_size;
	uint32_t cfg_size;
	uint16_t command; /* as the guest last wrote it */
	/* the passed-through capabilities whose writes reset the function or change its D-state */
	uint8_t pm_cap, exp_cap, af_cap;
	uint8_t power;	  /* D-state the guest last put the function in: BARs decode in D0 only */
	bool space_freed; /* a BAR range was given up: other devices may retry theirs */
	unsigned int warnings;			 /* reported so far: a guest cannot flood the log */
	uint8_t reset_shadow[PCI_CFG_SPACE_EXP]; /* shadow as it was out of reset */
	uint8_t shadow[PCI_CFG_SPACE_EXP];	 /* the guest's view of emulated bits */
	uint8_t emu[PCI_CFG_SPACE_EXP];		 /* per bit: 1 = from shadow, 0 = from the device */
	uint8_t wmask[PCI_CFG_SPACE_EXP]; /* per bit of emulated bytes: writable by the guest */
	struct vfio_pci_bar bars[VFIO_PCI_NR_BARS];
	struct vfio_pci_msi msi;
	struct vfio_pci_msix msix;
	struct vfio_pci_intx intx;
};

/* pci_config.c */
int vfio_pci_config_init(struct vfio_pci *p, const uint8_t *real, struct errbuf *e);
void vfio_pci_emulate(struct vfio_pci *p, uint32_t off, uint32_t len, uint8_t wmask);
uint32_t vfio_pci_shadow_read(const struct vfio_pci *p, uint32_t off, unsigned int len);
void vfio_pci_shadow_write(struct vfio_pci *p, uint32_t off, uint32_t val, unsigned int len);

/* pci_reset.c: one place that knows what a function reset puts back */
void vfio_pci_reset_snapshot(struct vfio_pci *p);
void vfio_pci_reset_state(struct vfio_pci *p);
/* Around a config write forwarded to the device: D-state changes and guest-initiated resets. */
unsigned int
vfio_pci_reset_before_write(struct vfio_pci *p, uint32_t off, const uint8_t *in,
			    unsigned int len); /* returns the D-state before the write */
void vfio_pci_reset_after_write(struct vfio_pci *p, uint32_t off, const uint8_t *in,
				unsigned int len, unsigned int old_power);

/* pci_bar.c */
int vfio_pci_bars_init(struct vfio_pci *p, const uint8_t *real, struct errbuf *e);
void vfio_pci_bars_update(struct vfio_pci *p);
void vfio_pci_bars_release(struct vfio_pci *p);
int vfio_pci_bar_pieces(const struct vfio_region *r, uint64_t page, const uint64_t (*excl)[2],
			unsigned int nr_excl, struct vfio_pci_piece *out, unsigned int max);

/* pci_irq.c: vectors and INTx */
struct vfio_vector_want {
	bool on; /* routed with an irqfd: not masked, and signalled by VFIO */
	uint64_t addr;
	uint32_t data;
};
/*
 * Bring n vectors to what want says: one route commit for all of them, then the irqfds. A commit
 * the VM refuses is reported; the vectors then keep the routes they had.
 */
void vfio_pci_vectors_sync(struct vfio_pci *p, struct vfio_pci_vector *v, unsigned int n,
			   const struct vfio_vector_want *want);
/* Detach, unroute (one commit) and close n vectors. */
void vfio_pci_vectors_release(struct vfio_pci *p, struct vfio_pci_vector *v, unsigned int n);
void vfio_pci_warn(struct vfio_pci *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool vfio_pci_vector_pending(const struct vfio_pci_vector *v);
int vfio_pci_set_trigger(struct vfio_pci *p, unsigned int index, unsigned int count,
			 const int *fds);
int vfio_pci_intx_init(struct vfio_pci *p, int gsi, uint8_t pin);
void vfio_pci_intx_set(struct vfio_pci *p, bool on);
/* INTx is the function's interrupt while neither MSI nor MSI-X is enabled. */
void vfio_pci_intx_follow(struct vfio_pci *p);
void vfio_pci_intx_release(struct vfio_pci *p);

/* pci_msi.c */
void vfio_pci_msi_init(struct vfio_pci *p, uint8_t cap, const uint8_t *real);
void vfio_pci_msi_cfg_write(struct vfio_pci *p);
uint32_t vfio_pci_msi_pending(const struct vfio_pci *p);
/* MSI off, its enable bit cleared (another mode won, or a reset); INTx left as it is. */
void vfio_pci_msi_off(struct vfio_pci *p);
void vfio_pci_msi_release(struct vfio_pci *p);

/* pci_msix.c */
int vfio_pci_msix_init(struct vfio_pci *p, uint8_t cap, const uint8_t *real);
void vfio_pci_msix_cfg_write(struct vfio_pci *p);
/* MSI-X off, its enable bit cleared; INTx left as it is. */
void vfio_pci_msix_off(struct vfio_pci *p);
/* The table back to its reset value: every entry zero and masked. */
void vfio_pci_msix_table_reset(struct vfio_pci *p);
void vfio_pci_msix_release(struct vfio_pci *p);
/*
 * A trapped access to bar at off: how many of its len bytes (*span) fall on one side of the
 * table's and PBA's edges, and whether those are the table's or PBA's (true) or the device's.
 */
bool vfio_pci_msix_span(const struct vfio_pci *p, unsigned int bar, uint64_t off, unsigned int len,
			unsigned int *span);
/* An access wholly inside the table or PBA (vfio_pci_msix_span said so). */
void vfio_pci_msix_access(struct vfio_pci *p, unsigned int bar, uint64_t off, void *data,
			  unsigned int len, bool is_write);
/* [start, end) of the table and PBA in bar, page-aligned outwards; returns how many (0..2). */
unsigned int vfio_pci_msix_holes(const struct vfio_pci *p, unsigned int bar, uint64_t (*holes)[2]);

#endif
