/* SPDX-License-Identifier: MIT */
/* Synthetic bzImages and input files for the kernel-boot tests (direct and through firmware). */
#ifndef VFVM_TESTS_LINUXBOOT_FIXTURE_H
#define VFVM_TESTS_LINUXBOOT_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include <asm/bootparam.h>

#define FIX_MIB (1ULL << 20)
#define FIX_SETUP_SECTS 27
#define FIX_KERNEL_BYTES (96 * 1024)
#define FIX_INIT_SIZE (24 * FIX_MIB)
#define FIX_PREF_ADDRESS (16 * FIX_MIB)
#define FIX_CMDLINE_SIZE 2047

/* Boot sector + setup sectors with a protocol 2.15 header, then a payload whose bytes depend on
 * their offset; the setup code bytes outside the header are a pattern too. */
struct fix_image {
	uint8_t *buf;
	size_t len, setup_len;
};

struct fix_image fix_image(unsigned int setup_sects, size_t kernel_bytes);
struct setup_header *fix_hdr(struct fix_image *im);

/* A file with these bytes, reached by path through /proc/self/fd (memfd). */
struct fix_file {
	int fd;
	char path[64];
};

struct fix_file fix_file(const void *data, size_t len);
void fix_file_close(struct fix_file *f);

#endif
