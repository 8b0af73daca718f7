/* SPDX-License-Identifier: MIT */
/*
 * A legacy BIOS image (SeaBIOS's bios-256k.bin and the like) as the platform shows it: the whole
 * file read-only just below 4 GiB, so that its last 16 bytes are the reset vector the boot vCPU
 * starts at (f000:fff0 = 0xfffffff0), and its last 128 KiB (or all of a smaller image) also at
 * the top of the first MiB, where the PAM registers let the BIOS copy itself into RAM.
 */
#ifndef VFVM_FIRMWARE_BIOS_IMAGE_H
#define VFVM_FIRMWARE_BIOS_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/errbuf.h"

#define BIOS_IMAGE_MIN 0x1000u	       /* one page: the slot granularity */
#define BIOS_IMAGE_MAX 0x1000000u      /* 16 MiB: stays above the hole's other tenants */
#define BIOS_IMAGE_LOW_MAX 0x20000u    /* bytes that also appear below 1 MiB */
#define BIOS_IMAGE_TOP 0x100000000ULL  /* the image ends at 4 GiB */
#define BIOS_RESET_VECTOR_OFFSET 0x10u /* the reset vector: 16 bytes before the end */

struct bios_image {
	uint8_t *data; /* page-aligned copy of the file, read-only */
	size_t size;
};

/*
 * Check an image's contents: a size from BIOS_IMAGE_MIN to BIOS_IMAGE_MAX in whole pages, and an
 * instruction at the reset vector that can start a BIOS (a jump, or cli/nop before one). -EINVAL or
 * -ENOEXEC with the reason in err, naming name.
 */
int bios_image_check(const uint8_t *data, uint64_t size, const char *name, struct errbuf *err);

/* Read and check the file at path. -ENOENT, -EACCES, -EISDIR, -EINVAL, -ENOEXEC, -ENOMEM. */
int bios_image_load(struct bios_image *img, const char *path, struct errbuf *err);
void bios_image_free(struct bios_image *img);

/* Where the image starts in guest-physical memory (it ends at 4 GiB). */
static inline uint64_t bios_image_gpa(const struct bios_image *img)
{
	return BIOS_IMAGE_TOP - img->size;
}

/* The image's tail that also appears below 1 MiB, and its length. */
static inline size_t bios_image_low_len(const struct bios_image *img)
{
	return img->size < BIOS_IMAGE_LOW_MAX ? img->size : BIOS_IMAGE_LOW_MAX;
}

static inline const uint8_t *bios_image_low(const struct bios_image *img)
{
	return img->data + img->size - bios_image_low_len(img);
}

#endif
