// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the kernel files vfvm loads: the bzImage setup header, an ELF64 vmlinux's
 * program headers, an arm64 Image header, and where the kernel and an initrd of a given size go
 * in a guest's RAM.
 *
 * Input: 8 bytes of claimed file size (what fstat would say; the bytes given are its head), 4
 * bytes of initrd size in pages, then the head of the file.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vmm/arm64/arm64.h"
#include "vmm/x86/boot.h"
#include "vmm/x86/x86.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct guest_mem mem = {0};
	struct bzimage_info bz;
	struct vmlinux_info vm;
	struct arm64_image img;
	struct arm64_boot_layout lay;
	struct errbuf e = {""};
	uint64_t file_size, initrd, addr;
	uint32_t pages;

	if (size < 12)
		return 0;
	memcpy(&file_size, data, 8);
	memcpy(&pages, data + 8, 4);
	data += 12;
	size -= 12;
	/* the file is at least what was read of it */
	if (file_size < size)
		file_size = size;
	if (!bzimage_parse(data, size, file_size, "fuzz", &bz, &e)) {
		if (x86_memory_layout(&mem, 512ULL << 20) == 0)
			x86_initrd_place(&mem, bz.initrd_addr_max, 0x100000 + bz.kernel_bytes,
					 (uint64_t)pages << 12, &addr);
	}
	if (is_elf(data, size) && !vmlinux_parse(data, size, file_size, "fuzz", &vm, &e)) {
		initrd = (uint64_t)pages << 12;
		if (x86_memory_layout(&mem, 3ULL << 30) == 0)
			x86_initrd_place(&mem, 0x7fffffff, vm.end, initrd, &addr);
	}
	/* the same bytes as an arm64 Image, for a 512 MiB guest at 2 GiB (vfvm's arm64 map) */
	if (!arm64_image_parse(data, size, file_size, 512ULL << 20, &img, &e))
		arm64_boot_place(0x80000000ULL, 512ULL << 20, &img, (uint64_t)pages << 12, &lay,
				 &e);
	return 0;
}
