// SPDX-License-Identifier: MIT
#include "firmware/bios_shadow.h"

#include <errno.h>
#include <string.h>

#define PAGE 0x1000u

/* What the ROM side reads at guest-physical gpa. */
static uint8_t rom_byte(const struct bios_shadow *s, uint32_t gpa)
{
	uint32_t start = PAM_AREA_END - s->rom_len;

	return gpa >= start ? s->rom[gpa - start] : 0xff;
}

static unsigned int segment_of(uint32_t gpa)
{
	return gpa >= 0xf0000 ? 0 : 1 + (gpa - PAM_AREA_START) / 0x4000;
}

/* Give segment i the slot its mode allows (called with the lock held). */
static void remap(struct bios_shadow *s, unsigned int i)
{
	struct pam_segment seg = pam_segment(i);
	uint32_t rom_start = PAM_AREA_END - s->rom_len;
	void *hva = NULL;
	bool readonly = true;
	unsigned int slot;

	if (s->slot[i] >= 0) {
		s->slots->unmap(s->slots_opaque, s->slot[i]);
		s->slot[i] = -1;
	}
	switch (s->mode[i]) {
	case PAM_RAM:
		readonly = false;
		/* fall through */
	case PAM_READ_RAM:
		hva = s->ram + seg.base;
		break;
	case PAM_ROM:
		/* a segment the image covers only in part is left to the handler */
		if (seg.base >= rom_start)
			hva = (uint8_t *)s->rom + (seg.base - rom_start);
		break;
	case PAM_WRITE_RAM:
		break;
	}
	if (!hva)
		return;
	if (s->slots->map(s->slots_opaque, seg.base, seg.size, hva, readonly, &slot))
		s->slot_errors++;
	else
		s->slot[i] = slot;
}

int bios_shadow_init(struct bios_shadow *s, uint8_t *ram, const uint8_t *rom, uint32_t rom_len,
		     const struct bios_shadow_slots *slots, void *slots_opaque)
{
	int ret;

	memset(s, 0, sizeof(*s));
	if (!ram || !rom || !slots || rom_len > PAM_AREA_END - 0xe0000 || rom_len % PAGE ||
	    (uintptr_t)rom % PAGE)
		return -EINVAL;
	ret = pthread_mutex_init(&s->lock, NULL);
	if (ret)
		return -ret;
	s->ram = ram;
	s->rom = rom;
	s->rom_len = rom_len;
	s->slots = slots;
	s->slots_opaque = slots_opaque;
	for (unsigned int i = 0; i < PAM_NR_SEGMENTS; i++) {
		s->mode[i] = PAM_ROM;
		s->slot[i] = -1;
		remap(s, i);
	}
	return 0;
}

void bios_shadow_destroy(struct bios_shadow *s)
{
	if (!s->slots)
		return;
	for (unsigned int i = 0; i < PAM_NR_SEGMENTS; i++)
		if (s->slot[i] >= 0)
			s->slots->unmap(s->slots_opaque, s->slot[i]);
	pthread_mutex_destroy(&s->lock);
	s->slots = NULL;
}

void bios_shadow_update(void *shadow, unsigned int segment, enum pam_mode mode)
{
	struct bios_shadow *s = shadow;

	if (segment >= PAM_NR_SEGMENTS)
		return;
	pthread_mutex_lock(&s->lock);
	s->mode[segment] = mode & PAM_RAM;
	remap(s, segment);
	pthread_mutex_unlock(&s->lock);
}

/* One byte at a time: an access may straddle two segments of different modes. */
static void shadow_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	struct bios_shadow *s = opaque;
	uint8_t *out = data;

	pthread_mutex_lock(&s->lock);
	for (unsigned int k = 0; k < len; k++) {
		uint32_t gpa = PAM_AREA_START + off + k;

		if (gpa >= PAM_AREA_END)
			out[k] = 0xff;
		else if (s->mode[segment_of(gpa)] & PAM_READ_RAM)
			out[k] = s->ram[gpa];
		else
			out[k] = rom_byte(s, gpa);
	}
	pthread_mutex_unlock(&s->lock);
}

static void shadow_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	struct bios_shadow *s = opaque;
	const uint8_t *in = data;

	pthread_mutex_lock(&s->lock);
	for (unsigned int k = 0; k < len; k++) {
		uint32_t gpa = PAM_AREA_START + off + k;

		/* the ROM side takes no writes: dropped, as on a PC with the flash locked */
		if (gpa < PAM_AREA_END && s->mode[segment_of(gpa)] & PAM_WRITE_RAM)
			s->ram[gpa] = in[k];
	}
	pthread_mutex_unlock(&s->lock);
}

const struct io_ops bios_shadow_mmio_ops = {shadow_read, shadow_write};
