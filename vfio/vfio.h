/* SPDX-License-Identifier: MIT */
/*
 * vfio: the one header of vfvm's VFIO module.
 *
 * Three layers, each usable on its own:
 *  - container / group / device: thin, checked wrappers of the VFIO uapi (open, viability, IOMMU,
 *    DMA mapping, region and irq info). `vfvm check` and `vfvm run` both build on them.
 *  - the device backend (struct vfio_backend_ops): how the passthrough layer talks to a PCI
 * function. The real one wraps a VFIO device fd; tests put a simulated function behind the same
 * table.
 *  - the passthrough PCI device (vfio/pci_*.c): virtual config space, BARs, MSI/MSI-X/INTx. It
 * talks to the VM only through struct vfio_vm_ops, so it never issues a KVM ioctl itself.
 *
 * Functions return 0 or -errno; where an errno cannot say what is wrong, they fill the errbuf with
 * one line that names the device and says what to do.
 */
#ifndef VFVM_VFIO_H
#define VFVM_VFIO_H

#include <linux/vfio.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "devices/bus.h"
#include "vmm/errbuf.h"
#include "vmm/memmap.h"

/* ---- PCI addresses ----------------------------------------------------------------------------
 */

#define VFIO_PCI_ADDR_LEN 16 /* "0000:00:02.0" and its NUL, with room to spare */

/*
 * Accept "DDDD:BB:DD.F", "BB:DD.F" (domain 0) or "/sys/bus/pci/devices/DDDD:BB:DD.F" (trailing '/'
 * allowed) and write the canonical "dddd:bb:dd.f" (lower-case hex) to out. -EINVAL if malformed.
 */
int vfio_pci_addr_parse(const char *arg, char out[VFIO_PCI_ADDR_LEN]);

/* ---- container: the IOMMU context and its DMA mappings ------------------------------------------
 */

#define VFIO_MAX_IOVA_RANGES 16

struct vfio_container {
	int fd;
	bool iommu_set;
	uint64_t pgsizes;     /* bitmap of IOMMU page sizes */
	bool ranges_reported; /* false on kernels without the IOVA-range capability */
	unsigned int nr_ranges;
	struct vfio_iova_range ranges[VFIO_MAX_IOVA_RANGES]; /* usable IOVA, inclusive ends */
};

/* Open /dev/vfio/vfio (under dev_dir), check the API version and that TYPE1v2 is offered. */
int vfio_container_open(struct vfio_container *c, const char *dev_dir, struct errbuf *e);
/* Select TYPE1v2 (needs one group attached) and read page sizes and usable IOVA ranges. */
int vfio_container_set_iommu(struct vfio_container *c, struct errbuf *e);
void vfio_container_close(struct vfio_container *c);

int vfio_container_map(struct vfio_container *c, uint64_t iova, void *hva, uint64_t size);
int vfio_container_unmap(struct vfio_container *c, uint64_t iova, uint64_t size);

/*
 * Is [start, start + size) inside one usable IOVA range? 0 if so, -ERANGE if not (a reserved
 * window, such as the MSI doorbell at 0xfee00000, or beyond the IOMMU's address width).
 */
int vfio_iova_check(const struct vfio_iova_range *ranges, unsigned int nr, uint64_t start,
		    uint64_t size);
/* Check every RAM range of mem (pure); the errbuf names the first range that does not fit. */
int vfio_iova_check_ram(const struct vfio_iova_range *ranges, unsigned int nr,
			const struct guest_mem *mem, struct errbuf *e);
/*
 * Map every RAM range of mem at IOVA == guest-physical address, after checking them all against the
 * usable ranges. On failure nothing stays mapped.
 */
int vfio_container_map_ram(struct vfio_container *c, const struct guest_mem *mem, struct errbuf *e);
void vfio_container_unmap_ram(struct vfio_container *c, const struct guest_mem *mem);

/* ---- group: the unit of isolation --------------------------------------------------------------
 */

struct vfio_group {
	int fd;
	unsigned int id;
	struct vfio_container *container; /* set once attached */
};

/*
 * The IOMMU group of PCI device bdf, read from sysfs (sysfs_dir is "/sys" outside tests), after
 * checking that the device exists and is bound to vfio-pci. The errbuf says what to do otherwise.
 */
int vfio_group_of_device(const char *sysfs_dir, const char *bdf, unsigned int *id,
			 struct errbuf *e);
/* Open dev_dir/N ("/dev/vfio/N") and check that the group is viable (naming the devices at fault).
 */
int vfio_group_open(struct vfio_group *g, unsigned int id, const char *dev_dir,
		    const char *sysfs_dir, struct errbuf *e);
/* Attach to the container; the first group attached also selects the IOMMU. */
int vfio_group_attach(struct vfio_group *g, struct vfio_container *c, struct errbuf *e);
void vfio_group_close(struct vfio_group *g);
/* Put "bdf: " in front of e's message unless it already names bdf (group errors name groups). */
void vfio_errbuf_name_device(struct errbuf *e, const char *bdf);

/* ---- device: regions, irqs, reset --------------------------------------------------------------
 */

#define VFIO_MAX_REGIONS 16
#define VFIO_MAX_SPARSE_AREAS 8
#define VFIO_MAX_IRQS 8

struct vfio_mmap_area {
	uint64_t offset; /* within the region */
	uint64_t size;
};

struct vfio_region {
	uint32_t index;
	uint32_t flags; /* VFIO_REGION_INFO_FLAG_* */
	uint64_t size;
	uint64_t offset; /* of the region in the device fd */
	bool sparse;	 /* the mmap-able parts are only areas[] */
	unsigned int nr_areas;
	struct vfio_mmap_area areas[VFIO_MAX_SPARSE_AREAS];
	unsigned int nr_areas_dropped; /* areas beyond VFIO_MAX_SPARSE_AREAS: trapped instead */
	bool msix_mappable;	       /* the kernel lets us mmap the MSI-X table's pages */
	bool has_type;
	uint32_t type, subtype;
};

struct vfio_irq {
	uint32_t index;
	uint32_t flags; /* VFIO_IRQ_INFO_* */
	uint32_t count;
};

struct vfio_device {
	int fd;
	char name[VFIO_PCI_ADDR_LEN];
	uint32_t flags; /* VFIO_DEVICE_FLAGS_* */
	unsigned int nr_regions;
	struct vfio_region regions[VFIO_MAX_REGIONS];
	unsigned int nr_irqs;
	struct vfio_irq irqs[VFIO_MAX_IRQS];
};

/* Get the device fd from its (attached) group and read its regions and irqs. */
int vfio_device_open(struct vfio_device *d, struct vfio_group *g, const char *bdf,
		     struct errbuf *e);
/* VFIO_DEVICE_RESET; -ENOTSUP if the device cannot be reset. */
int vfio_device_reset(struct vfio_device *d);
void vfio_device_close(struct vfio_device *d);

/*
 * Fill r's capability fields from a VFIO_DEVICE_GET_REGION_INFO answer (buf, len bytes, first cap
 * at cap_offset). Unknown capabilities are skipped; -EINVAL for a malformed chain.
 */
int vfio_region_parse_caps(struct vfio_region *r, const void *buf, size_t len, uint32_t cap_offset);

/* Names as `vfvm check` prints them: BAR0..BAR5, ROM, CONFIG, VGA, REGIONn; INTx, MSI, MSI-X, ...
 */
const char *vfio_region_name(unsigned int index, char buf[16]);
const char *vfio_irq_name(unsigned int index, char buf[16]);
/* Comma-separated flags ("read,write,mmap,msix-mappable"), "none" if none. Returns -ENOSPC if cut.
 */
int vfio_region_flags_str(const struct vfio_region *r, char *buf, size_t len);
int vfio_irq_flags_str(uint32_t flags, char *buf, size_t len);
int vfio_device_flags_str(uint32_t flags, char *buf, size_t len);

/* ---- the device backend: how the passthrough layer reaches a PCI function ----------------------
 */

struct vfio_backend_ops {
	int (*region_info)(void *be, unsigned int index, struct vfio_region *out);
	/* Both return bytes transferred or -errno; off is relative to the region. */
	ssize_t (*region_read)(void *be, unsigned int index, uint64_t off, void *buf, size_t len);
	ssize_t (*region_write)(void *be, unsigned int index, uint64_t off, const void *buf,
				size_t len);
	/* mmap [off, off + len) of the region; MAP_FAILED-free: NULL and errno on failure. */
	void *(*region_mmap)(void *be, unsigned int index, uint64_t off, uint64_t len, int prot);
	int (*irq_info)(void *be, unsigned int index, struct vfio_irq *out);
	/*
	 * set is a complete struct vfio_irq_set (argsz covers its data). 0, -errno, or (some
	 * kernels, when MSI/MSI-X vectors run short) a positive count: the host could give only
	 * that many vectors and enabled none.
	 */
	int (*set_irqs)(void *be, const struct vfio_irq_set *set);
	int (*reset)(void *be); /* -ENOTSUP if unsupported */
};

/* The real backend; be is a struct vfio_device *. */
extern const struct vfio_backend_ops vfio_device_backend;

/* ---- what the passthrough device needs from the VM ---------------------------------------------
 */

struct vfio_route_change {
	int gsi;
	bool remove;
	uint64_t addr;
	uint32_t data;
};

struct vfio_pci;

struct vfio_vm_ops {
	/*
	 * Map host memory [hva, hva + size) at guest-physical gpa (a KVM memory slot; readonly:
	 * guest writes exit, as for a ROM). Returns a slot handle >= 0 or -errno. gpa, size and hva
	 * are page aligned.
	 */
	int (*mem_slot_add)(void *vm, uint64_t gpa, uint64_t size, void *hva, bool readonly);
	int (*mem_slot_remove)(void *vm, int slot);
	/*
	 * Change MSI routes, all in one step: each change adds a route to (addr, data) (gsi -1 in,
	 * the new GSI out), points route gsi elsewhere, or removes it. All or nothing: on -errno
	 * no route changed (the VM's table and KVM's agree) and new ones keep gsi -1.
	 */
	int (*msi_routes_commit)(void *vm, struct vfio_route_change *c, unsigned int n);
	/* KVM_IRQFD: eventfd raises gsi; resample_fd (or -1) is signalled when the guest EOIs a
	 * level. */
	int (*irqfd_assign)(void *vm, int gsi, int eventfd, int resample_fd);
	int (*irqfd_deassign)(void *vm, int gsi, int eventfd);
	/* Tell KVM's VFIO pseudo-device about a group (non-coherent DMA); may be NULL in tests. */
	int (*kvm_vfio_group_add)(void *vm, int group_fd);
	/*
	 * Called first in the thread that maps guest RAM beside the starting guest, so that the VM
	 * confines it (its seccomp filter); may be NULL. An error stops the mapping.
	 */
	int (*map_thread_start)(void *vm, struct errbuf *e);
	/*
	 * The guest turns a device's bus mastering on: return once guest RAM is mapped for DMA, or
	 * -errno if it never will be (mastering then stays off, and the VM is told why). NULL:
	 * always mapped.
	 */
	int (*dma_ready)(void *vm);
	/*
	 * Something the guest asked of a device that cannot be done as asked (fewer vectors than
	 * it enabled, a route KVM refused): msg names the device. NULL: not reported.
	 */
	void (*warn)(void *vm, const char *msg);
	/*
	 * Device from stopped decoding a range (a BAR moved or went off): a BAR of another device
	 * that wanted that place may be decoded now (vfio_pci_bars_retry). Called without any
	 * device lock held. NULL: single-device VM.
	 */
	void (*bar_space_freed)(void *vm, struct vfio_pci *from);
};

struct vfio_vm {
	const struct vfio_vm_ops *ops;
	void *opaque;
	struct io_bus *bus;	     /* where trapped BAR ranges are registered */
	const struct guest_mem *mem; /* guest RAM, mapped for DMA at IOVA == GPA */
	/*
	 * Map guest RAM in a thread while the guest starts, instead of before: pinning is the
	 * slowest part of start-up (it faults in and zeroes every page), and no device may DMA
	 * before its driver turns bus mastering on, which waits for the mapping (ops->dma_ready).
	 */
	bool map_in_background;
	/*
	 * Guest-physical ranges [start, end) no BAR is decoded over: what the platform keeps there
	 * (IOAPIC, LAPIC and MSI window, firmware) would be hidden by a memory slot.
	 */
	const uint64_t (*reserved)[2];
	unsigned int nr_reserved;
};

/* ---- the passthrough PCI device -----------------------------------------------------------------
 */

struct vfio_pci_params {
	const char *name;   /* "0000:01:00.0": in messages and I/O bus range names */
	int intx_gsi;	    /* IOAPIC input of the slot's INTx pin; -1: the guest gets no INTx */
	uint64_t page_size; /* 0: the host's */
};

/*
 * Build the guest-facing device over a backend: reset it, read its config space, regions and irqs,
 * mmap what can be mapped, wire INTx. Nothing is visible to the guest until it enables decoding of
 * a BAR it programmed, as on real hardware. vm must outlive the device.
 */
int vfio_pci_create(struct vfio_pci **out, const struct vfio_backend_ops *ops, void *be,
		    const struct vfio_vm *vm, const struct vfio_pci_params *params,
		    struct errbuf *e);
/* Undo every slot, bus range, route and irqfd, disable the device's interrupts, reset it. */
void vfio_pci_destroy(struct vfio_pci *p);

/* 256, or 4096 with PCIe extended space (which reads as empty). */
uint32_t vfio_pci_config_size(const struct vfio_pci *p);

/* A guest-facing BAR (0-5), for a VMM that places BARs itself before the guest runs. */
struct vfio_pci_bar_desc {
	unsigned int index;
	uint64_t size; /* as the guest sizes it: a power of two */
	bool io, is64;
};

/* The device's BARs 0-5 in index order (not the ROM); returns how many (at most 6). */
unsigned int vfio_pci_bar_descs(const struct vfio_pci *p, struct vfio_pci_bar_desc out[6]);
/*
 * Config-space accesses as the host bridge decodes them: len 1, 2 or 4, data little endian. An
 * access beyond the config space or of another size reads all-ones and writes nothing.
 */
void vfio_pci_config_read(struct vfio_pci *p, uint32_t off, void *data, unsigned int len);
void vfio_pci_config_write(struct vfio_pci *p, uint32_t off, const void *data, unsigned int len);
/* Decode the BARs that wait for a range another device held (see bar_space_freed). */
void vfio_pci_bars_retry(struct vfio_pci *p);

/* ---- assignment: everything `vfvm run --vfio` needs, opened and undone as one
 * ---------------------- */

#define VFIO_MAX_ASSIGNED 8

struct vfio_assigned {
	struct vfio_device dev;
	struct vfio_group *group;
	struct vfio_pci *pci; /* once vfio_assign_create_pci() made it */
};

struct vfio_assignment {
	const char *sysfs_dir; /* NULL: "/sys" */
	const char *dev_dir;   /* NULL: "/dev/vfio" */
	struct vfio_container container;
	struct vfio_group groups[VFIO_MAX_ASSIGNED];
	unsigned int nr_groups;
	struct vfio_assigned devs[VFIO_MAX_ASSIGNED];
	unsigned int nr_devs;
	bool ram_mapped;
	struct vfio_vm vm;
	/* where start-up time goes (for --stats): opening groups and devices, mapping guest RAM */
	uint64_t open_ns, map_ns;
	/* vm.map_in_background: the mapping thread and its outcome */
	pthread_t map_thread;
	bool map_pending; /* checked, waiting for vfio_assign_map_start() */
	bool map_thread_started;
	pthread_mutex_t map_lock;
	pthread_cond_t map_cond;
	bool map_done;
	int map_err;
	struct errbuf map_errbuf;
};

/*
 * For each PCI address (as the user wrote it): find and open its group (devices of one group share
 * it), attach every group to one container, tell KVM about each group, open the devices, and map
 * guest RAM (vm->mem, allocated) at IOVA == GPA. Fails before the guest starts, naming the device
 * and what to do, with everything undone; the devices are left as they were.
 */
int vfio_assign_open(struct vfio_assignment *a, const char *const *addrs, unsigned int n,
		     const struct vfio_vm *vm, struct errbuf *e);
/*
 * vm.map_in_background: start the thread that maps guest RAM (vfio_assign_open() checked it
 * already). The caller chooses the moment: after it gave up root, so that the thread holds no
 * more rights than the rest. No-op otherwise.
 */
int vfio_assign_map_start(struct vfio_assignment *a, struct errbuf *e);
/*
 * Wait until guest RAM is mapped for DMA (at once unless vm.map_in_background). -errno with the
 * mapping's error in e if it failed.
 */
int vfio_assign_dma_wait(struct vfio_assignment *a, struct errbuf *e);

/* The guest-facing PCI function of device i; its INTx (if any) goes to intx_gsi (-1: none). */
int vfio_assign_create_pci(struct vfio_assignment *a, unsigned int i, int intx_gsi,
			   struct errbuf *e);
/* Destroy the PCI functions (resetting the devices), unmap RAM, close devices, groups, container.
 */
void vfio_assign_close(struct vfio_assignment *a);

#endif
