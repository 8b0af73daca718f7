// SPDX-License-Identifier: MIT
#include "linuxboot_fixture.h"

#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "vmm/x86/boot.h"

struct fix_image fix_image(unsigned int setup_sects, size_t kernel_bytes)
{
	struct fix_image im = {.setup_len = (setup_sects + 1) * 512};
	struct setup_header h;

	im.len = im.setup_len + kernel_bytes;
	im.buf = malloc(im.len);
	assert_non_null(im.buf);
	for (size_t i = 0; i < im.len; i++)
		im.buf[i] = (uint8_t)(i * 13 + (i >> 9) + 1);
	memset(&h, 0, sizeof(h));
	h.setup_sects = (uint8_t)setup_sects;
	h.syssize = (uint32_t)(kernel_bytes / 16);
	h.boot_flag = BZ_BOOT_FLAG;
	h.jump = 0xeb | (uint16_t)((BZ_SETUP_HEADER_OFFSET + sizeof(h) - 0x202) << 8);
	h.header = BZ_HDRS_MAGIC;
	h.version = 0x020f;
	h.loadflags = LOADED_HIGH | KEEP_SEGMENTS;
	h.code32_start = 0x100000;
	h.initrd_addr_max = 0x7fffffff;
	h.kernel_alignment = 0x200000;
	h.relocatable_kernel = 1;
	h.xloadflags = XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G;
	h.cmdline_size = FIX_CMDLINE_SIZE;
	h.payload_offset = 0x100;
	h.payload_length = (uint32_t)kernel_bytes - 0x200;
	h.pref_address = FIX_PREF_ADDRESS;
	h.init_size = FIX_INIT_SIZE;
	h.vid_mode = 0xfffd; /* "ask": a loader must replace it */
	memcpy(im.buf + BZ_SETUP_HEADER_OFFSET, &h, sizeof(h));
	return im;
}

struct setup_header *fix_hdr(struct fix_image *im)
{
	return (struct setup_header *)(im->buf + BZ_SETUP_HEADER_OFFSET);
}

struct fix_file fix_file(const void *data, size_t len)
{
	struct fix_file f;

	f.fd = memfd_create("linuxboot-test", MFD_CLOEXEC);
	assert_true(f.fd >= 0);
	assert_int_equal(write(f.fd, data, len), (ssize_t)len);
	snprintf(f.path, sizeof(f.path), "/proc/self/fd/%d", f.fd);
	return f;
}

void fix_file_close(struct fix_file *f)
{
	close(f->fd);
	f->fd = -1;
}
