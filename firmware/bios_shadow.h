/* SPDX-License-Identifier: MIT */
/*
 * The BIOS area 0xc0000-0xfffff under the PAM registers (devices/i440fx.h): per 16/64 KiB segment,
 * reads come from RAM or from the ROM side (the BIOS image's tail at 0xe0000-0xfffff, nothing
 * (all-ones) at 0xc0000-0xdffff, where option ROMs are copied into RAM), and writes go to RAM or
 * nowhere.
 *
 * Correctness never depends on memory slots: an MMIO handler over the whole area answers every
 * access as the segment's mode says. Slots only spare the exits: RAM read/write -> RAM slot, RAM
 * read-only -> read-only RAM slot (writes exit and are dropped), ROM -> read-only ROM slot where
 * the image reaches; write-only RAM (reads from the ROM side) has no slot. If a slot cannot be
 * made, the segment is served by exits alone and shadow->slot_errors counts it.
 */
#ifndef VFVM_FIRMWARE_BIOS_SHADOW_H
#define VFVM_FIRMWARE_BIOS_SHADOW_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/bus.h"
#include "devices/i440fx.h"

/* How memory slots are made: vmm/vm.h's vm_map_host_memory() / vm_unmap_host_memory(). */
struct bios_shadow_slots {
	int (*map)(void *opaque, uint64_t gpa, uint64_t size, void *hva, bool readonly,
		   unsigned int *slot);
	int (*unmap)(void *opaque, unsigned int slot);
};

struct bios_shadow {
	pthread_mutex_t lock;
	uint8_t *ram;	    /* host address of guest-physical 0 (RAM covers the first MiB) */
	const uint8_t *rom; /* the bytes the ROM side shows at PAM_AREA_END - rom_len ... */
	uint32_t rom_len;   /* ... up to PAM_AREA_END */
	const struct bios_shadow_slots *slots;
	void *slots_opaque;
	enum pam_mode mode[PAM_NR_SEGMENTS];
	int slot[PAM_NR_SEGMENTS]; /* -1: none */
	unsigned int slot_errors;
};

/*
 * Every segment starts in PAM_ROM (the registers' reset value) with its slot made. ram is the host
 * address of guest-physical 0; rom/rom_len must be page aligned with rom_len <= 128 KiB.
 * -EINVAL for a bad argument; slot failures are counted, not returned.
 */
int bios_shadow_init(struct bios_shadow *s, uint8_t *ram, const uint8_t *rom, uint32_t rom_len,
		     const struct bios_shadow_slots *slots, void *slots_opaque);
/* Remove every slot (the vCPUs have stopped). */
void bios_shadow_destroy(struct bios_shadow *s);

/* A segment's new mode: the pam_update_fn for i440fx_init(), with the shadow as opaque. */
void bios_shadow_update(void *shadow, unsigned int segment, enum pam_mode mode);

/* The MMIO handler over [PAM_AREA_START, PAM_AREA_END) (offsets from PAM_AREA_START). */
extern const struct io_ops bios_shadow_mmio_ops;

#endif
