// SPDX-License-Identifier: MIT
/* bzImage setup header: checked field by field so that a wrong file gets a message that says why.
 */
#include "vmm/x86/boot.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

/* The last field the loader reads (init_size, protocol 2.10) ends here. */
#define HDR_NEEDED_END (BZ_SETUP_HEADER_OFFSET + offsetof(struct setup_header, handover_offset))

int bzimage_parse(const void *head, size_t head_len, uint64_t file_size, const char *name,
		  struct bzimage_info *info, struct errbuf *err)
{
	const uint8_t *b = head;
	struct setup_header h;
	unsigned int sects;
	uint64_t payload_end;

	memset(info, 0, sizeof(*info));
	if (head_len > file_size)
		head_len = file_size;
	if (head_len >= 4 && !memcmp(b, "\177ELF", 4))
		return errbuf_set(err, ENOEXEC,
				  "%s: is an ELF file (vmlinux?), not a bzImage: pass the bzImage "
				  "(vmlinuz)",
				  name);
	if (head_len < HDR_NEEDED_END)
		return errbuf_set(err, ENOEXEC,
				  "%s: only %llu bytes, too short to hold a bzImage setup header "
				  "(truncated or not a kernel)",
				  name, (unsigned long long)file_size);
	memset(&h, 0, sizeof(h));
	memcpy(&h, b + BZ_SETUP_HEADER_OFFSET,
	       head_len - BZ_SETUP_HEADER_OFFSET < sizeof(h) ? head_len - BZ_SETUP_HEADER_OFFSET
							     : sizeof(h));
	if (h.boot_flag != BZ_BOOT_FLAG)
		return errbuf_set(
			err, ENOEXEC,
			"%s: boot sector signature at offset 0x1fe is 0x%04x, not 0xaa55: "
			"not a bzImage",
			name, h.boot_flag);
	if (h.header != BZ_HDRS_MAGIC)
		return errbuf_set(
			err, ENOEXEC,
			"%s: no \"HdrS\" magic at offset 0x202: not a Linux bzImage (or a "
			"kernel older than boot protocol 2.00)",
			name);
	if (h.version < BZ_MIN_VERSION)
		return errbuf_set(
			err, ENOEXEC,
			"%s: boot protocol %u.%02u is too old: the 64-bit entry needs %u.%02u "
			"or later (Linux 3.8+)",
			name, h.version >> 8, h.version & 0xff, BZ_MIN_VERSION >> 8,
			BZ_MIN_VERSION & 0xff);

	/* The jump at 0x200 skips the header: its offset says where the header ends. */
	info->header_end = 0x202 + b[0x201];
	if (info->header_end < HDR_NEEDED_END)
		return errbuf_set(
			err, ENOEXEC,
			"%s: setup header ends at offset 0x%zx, before the protocol %u.%02u "
			"fields it must have (to 0x%zx)",
			name, info->header_end, h.version >> 8, h.version & 0xff,
			(size_t)HDR_NEEDED_END);
	if (head_len < info->header_end)
		return errbuf_set(
			err, ENOEXEC,
			"%s: truncated inside the setup header (%llu bytes, header ends at "
			"0x%zx)",
			name, (unsigned long long)file_size, info->header_end);

	sects = h.setup_sects ? h.setup_sects : 4; /* 0 means 4, for very old images */
	info->setup_bytes = (uint64_t)(sects + 1) * 512;
	if (file_size <= info->setup_bytes)
		return errbuf_set(
			err, ENOEXEC,
			"%s: truncated: %llu bytes, but the setup code alone is %llu bytes "
			"(setup_sects %u)",
			name, (unsigned long long)file_size, (unsigned long long)info->setup_bytes,
			sects);
	info->kernel_bytes = file_size - info->setup_bytes;
	if ((uint64_t)h.syssize * 16 > info->kernel_bytes)
		return errbuf_set(
			err, ENOEXEC,
			"%s: truncated: the setup header says the kernel is %llu bytes after "
			"the setup code, the file has %llu",
			name, (unsigned long long)h.syssize * 16,
			(unsigned long long)info->kernel_bytes);
	payload_end = (uint64_t)h.payload_offset + h.payload_length;
	if (payload_end > info->kernel_bytes)
		return errbuf_set(
			err, ENOEXEC,
			"%s: truncated: the compressed payload ends at %llu bytes after the "
			"setup code, the file has %llu",
			name, (unsigned long long)payload_end,
			(unsigned long long)info->kernel_bytes);
	if (!(h.loadflags & LOADED_HIGH))
		return errbuf_set(err, ENOEXEC,
				  "%s: is a zImage (loaded below 1 MiB), which vfvm does not boot",
				  name);
	if (!(h.xloadflags & XLF_KERNEL_64))
		return errbuf_set(
			err, ENOEXEC,
			"%s: has no 64-bit entry point (xloadflags 0x%x lacks XLF_KERNEL_64): "
			"a 32-bit kernel?",
			name, h.xloadflags);
	if (!h.init_size)
		return errbuf_set(err, ENOEXEC, "%s: setup header init_size is 0", name);

	info->version = h.version;
	info->initrd_addr_max = h.initrd_addr_max;
	info->cmdline_size = h.cmdline_size;
	info->pref_address = h.pref_address;
	info->init_size = h.init_size;
	info->relocatable = h.relocatable_kernel;
	info->xloadflags = h.xloadflags;
	info->payload_offset = h.payload_offset;
	info->payload_length = h.payload_length;
	return 0;
}
