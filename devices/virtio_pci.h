/* SPDX-License-Identifier: MIT */
/*
 * The modern virtio PCI transport (virtio 1.x only, no legacy interface) for devices vfvm
 * emulates: a PCI function whose one 64-bit memory BAR holds the common configuration, the ISR,
 * the device configuration, the queue notification area and the MSI-X table and PBA, each
 * described by its vendor-specific capability (plus the PCI-configuration access capability).
 *
 * The transport owns feature negotiation, the device status, split virtqueues and interrupts. A
 * device (virtio-iommu, ...) gives its configuration space and a notify callback; it reads its
 * queues with devices/virtqueue.h and says when it used buffers. A guest that breaks the rules
 * makes the device DEVICE_NEEDS_RESET, never crashes vfvm.
 *
 * Locking: one mutex per function; the device's callbacks run with it held.
 */
#ifndef VFVM_DEVICES_VIRTIO_PCI_H
#define VFVM_DEVICES_VIRTIO_PCI_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/bus.h"
#include "devices/irq.h"
#include "devices/msix.h"
#include "devices/pci.h"
#include "devices/virtqueue.h"
#include "vmm/memmap.h"

#define VIRTIO_PCI_VENDOR 0x1af4
#define VIRTIO_PCI_DEVICE_BASE 0x1040 /* + the virtio device type */
#define VIRTIO_PCI_MAX_QUEUES 8

/* The BAR's layout (offsets in BAR 0, a 64-bit memory BAR). */
#define VIRTIO_PCI_BAR_SIZE 0x8000
#define VIRTIO_PCI_COMMON_OFF 0x0000
#define VIRTIO_PCI_COMMON_LEN 0x38 /* up to queue_device: no notification data, no queue reset */
#define VIRTIO_PCI_ISR_OFF 0x1000
#define VIRTIO_PCI_DEVCFG_OFF 0x2000
#define VIRTIO_PCI_DEVCFG_MAX 0x1000
#define VIRTIO_PCI_NOTIFY_OFF 0x3000
#define VIRTIO_PCI_NOTIFY_MULT 4 /* queue q is notified at NOTIFY_OFF + 4 * q */
#define VIRTIO_PCI_MSIX_TABLE_OFF 0x4000
#define VIRTIO_PCI_MSIX_PBA_OFF 0x5000

/* Config-space offsets of the capabilities. */
#define VIRTIO_PCI_CAP_MSIX_AT 0x40
#define VIRTIO_PCI_CAP_COMMON_AT 0x4c
#define VIRTIO_PCI_CAP_NOTIFY_AT 0x5c
#define VIRTIO_PCI_CAP_ISR_AT 0x70
#define VIRTIO_PCI_CAP_DEVICE_AT 0x80
#define VIRTIO_PCI_CAP_PCICFG_AT 0x90

struct virtio_pci;

struct virtio_dev_ops {
	/* The device configuration; off + len <= the cfg_size given. */
	void (*cfg_read)(void *dev, uint32_t off, void *data, unsigned int len);
	void (*cfg_write)(void *dev, uint32_t off, const void *data, unsigned int len);
	/* The driver notified queue q (enabled, DRIVER_OK set, the device not broken). */
	void (*notify)(void *dev, struct virtio_pci *vp, unsigned int q);
	/* The driver reset the device: forget everything negotiated and configured. */
	void (*reset)(void *dev);
};

struct virtio_pci_params {
	const char *name;     /* in messages, and the BAR's name on the I/O bus */
	uint16_t device_type; /* VIRTIO_ID_* */
	uint32_t class_code;  /* base class << 16 | subclass << 8 | prog-if */
	uint64_t features;    /* the device's; VIRTIO_F_VERSION_1 is always offered */
	unsigned int nr_queues;
	uint16_t queue_size;	 /* maximum, a power of two */
	uint32_t cfg_size;	 /* device configuration bytes */
	unsigned int nr_vectors; /* MSI-X vectors (1..MSIX_MAX_VECTORS) */
	const struct virtio_dev_ops *ops;
	void *dev;
	const struct guest_mem *mem;
	struct io_bus *bus; /* where the BAR is registered once the guest enables it */
	struct msi_sink msi;
	struct irq_line intx; /* set_level NULL: no INTx pin */
};

struct virtio_pci {
	pthread_mutex_t lock;
	struct virtio_pci_params p;
	struct pci_cfg_space cfg;
	struct msix msix;
	uint64_t bar_mapped; /* where the BAR is registered; 0: nowhere */

	uint32_t dfselect, gfselect;
	uint64_t features, driver_features;
	uint8_t status, isr, generation;
	uint16_t msix_config, queue_select;
	struct virtq q[VIRTIO_PCI_MAX_QUEUES];
	uint16_t q_vector[VIRTIO_PCI_MAX_QUEUES];
	const char *broken; /* why DEVICE_NEEDS_RESET was set, until the next reset */
};

/* -EINVAL for bad parameters. Nothing is visible to the guest until it is on a PCI bus. */
int virtio_pci_init(struct virtio_pci *vp, const struct virtio_pci_params *p);
/* Take the BAR off the I/O bus. */
void virtio_pci_destroy(struct virtio_pci *vp);

/* Config-space callbacks for pci_bus_add(); opaque is the struct virtio_pci. */
extern const struct pci_dev_ops virtio_pci_cfg_ops;

/* Guest accesses to the BAR, off relative to its start (what the I/O bus handler calls). */
void virtio_pci_bar_read(struct virtio_pci *vp, uint64_t off, void *data, unsigned int len);
void virtio_pci_bar_write(struct virtio_pci *vp, uint64_t off, const void *data, unsigned int len);

/* ---- for devices, from their callbacks (the lock is held) ---- */

/* Whether feature bit was negotiated (FEATURES_OK accepted). */
bool virtio_pci_has_feature(const struct virtio_pci *vp, unsigned int bit);
/* Interrupt the driver for used buffers of queue q, unless it asked not to be. */
void virtio_pci_used(struct virtio_pci *vp, unsigned int q);
/* The guest broke the rules: DEVICE_NEEDS_RESET, and a configuration-change interrupt. */
void virtio_pci_broken(struct virtio_pci *vp, const char *why);
/* The device configuration changed: new generation, configuration-change interrupt. */
void virtio_pci_config_changed(struct virtio_pci *vp);

#endif
