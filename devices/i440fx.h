/* SPDX-License-Identifier: MIT */
/*
 * The host bridge firmware boot needs: an i440FX (82441FX PMC) as far as SeaBIOS looks at one.
 *
 * SeaBIOS takes its configuration from fw_cfg only on a host bridge whose subsystem is 1af4:1100
 * ("QEMU virtual machine"), and it shadows itself into RAM through the i440FX's PAM registers
 * (0x59-0x5f): each of 13 segments of 0xc0000-0xfffff has a read-enable and a write-enable bit
 * saying whether reads and writes go to RAM or to the ROM/PCI side. This model keeps those bits
 * and reports every segment whose mode changes; what the modes mean for guest memory is the
 * caller's (firmware/bios_shadow.h). Everything else of the 82441 reads as zero and is read-only:
 * no SMRAM, no DRAM row registers (SeaBIOS reads RAM size from fw_cfg).
 */
#ifndef VFVM_DEVICES_I440FX_H
#define VFVM_DEVICES_I440FX_H

#include <pthread.h>
#include <stdint.h>

#include "devices/pci.h"

#define I440FX_VENDOR_ID 0x8086
#define I440FX_DEVICE_ID 0x1237
#define I440FX_SUBSYS_VENDOR_ID 0x1af4 /* what SeaBIOS checks before it trusts fw_cfg */
#define I440FX_SUBSYS_ID 0x1100
#define I440FX_PAM0 0x59 /* PAM0 (bits 5:4: 0xf0000-0xfffff) ... */
#define I440FX_NR_PAM 7	 /* ... PAM1-PAM6: two 16 KiB segments each, 0xc0000 up */

#define PAM_NR_SEGMENTS 13
#define PAM_AREA_START 0xc0000u
#define PAM_AREA_END 0x100000u

/* A segment's mode: bit 0 reads from RAM, bit 1 writes to RAM; clear bits go to the ROM side. */
enum pam_mode {
	PAM_ROM = 0,
	PAM_READ_RAM = 1,
	PAM_WRITE_RAM = 2,
	PAM_RAM = 3,
};

struct pam_segment {
	uint32_t base, size;
};

/* Segment i's guest-physical range. Segment 0 is 0xf0000-0xfffff; 1-12 are 0xc0000 + (i-1)*16K. */
struct pam_segment pam_segment(unsigned int i);

/* Called with the bridge's lock held, once per segment whose mode changed, in segment order. */
typedef void (*pam_update_fn)(void *opaque, unsigned int segment, enum pam_mode mode);

struct i440fx {
	pthread_mutex_t lock;
	struct pci_cfg_space cs;
	pam_update_fn update;
	void *opaque;
};

/* At reset every segment is PAM_ROM (no update is reported for it). */
int i440fx_init(struct i440fx *h, pam_update_fn update, void *opaque);
void i440fx_destroy(struct i440fx *h);

/* The mode the registers give segment i. */
enum pam_mode i440fx_pam_mode(struct i440fx *h, unsigned int segment);

/* Config-space handlers, for pci_bus_set_host(). */
extern const struct pci_dev_ops i440fx_ops;

#endif
