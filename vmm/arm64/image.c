// SPDX-License-Identifier: MIT
/* The Linux arm64 Image header, and where the kernel, DTB and initrd go in guest RAM. */
#include "vmm/arm64/arm64.h"

#include <endian.h>
#include <errno.h>
#include <string.h>

#define SZ_2M 0x200000ULL
#define PAGE 0x1000ULL

static uint64_t le64_at(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

static uint32_t le32_at(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

int arm64_memory_layout(struct guest_mem *mem, uint64_t ram_bytes)
{
	memset(mem, 0, sizeof(*mem));
	if (!ram_bytes || ram_bytes % GUEST_MEM_ALIGN)
		return -EINVAL;
	if (ram_bytes > ARM64_RAM_MAX)
		return -E2BIG;
	mem->ram[0].gpa = ARM64_RAM_BASE;
	mem->ram[0].size = ram_bytes;
	mem->nr_ram = 1;
	mem->total = ram_bytes;
	return 0;
}

unsigned int arm64_mmio_reserved(const uint64_t (**ranges)[2])
{
	/*
	 * Below the 32-bit BAR window: the GIC (distributor, ITS, redistributors) and the UART;
	 * above it: the PCI I/O window and ECAM, up to RAM (which BAR placement avoids anyway).
	 */
	static const uint64_t r[][2] = {
		{0, ARM64_PCI_MMIO32_START},
		{ARM64_PCI_IO_CPU_BASE, ARM64_PCI_ECAM_BASE + ARM64_PCI_ECAM_SIZE},
	};

	*ranges = r;
	return sizeof(r) / sizeof(r[0]);
}

int arm64_image_parse(const void *head, size_t head_len, uint64_t file_size, uint64_t ram_size,
		      struct arm64_image *img, struct errbuf *err)
{
	const uint8_t *h = head;
	uint32_t magic;

	if (file_size < ARM64_IMAGE_HEADER_SIZE || head_len < ARM64_IMAGE_HEADER_SIZE)
		return errbuf_set(
			err, ENOEXEC,
			"too short for an arm64 Image (%llu bytes, the header alone is %d)",
			(unsigned long long)file_size, ARM64_IMAGE_HEADER_SIZE);
	if (h[0] == 0x1f && h[1] == 0x8b)
		return errbuf_set(err, ENOEXEC,
				  "a gzip-compressed kernel: give the Image inside it (zcat FILE > "
				  "Image)");
	magic = le32_at(h + 56);
	if (magic != ARM64_IMAGE_MAGIC)
		return errbuf_set(err, ENOEXEC,
				  "not an arm64 Image (magic %#x at offset 56, expected %#x)",
				  magic, ARM64_IMAGE_MAGIC);
	img->text_offset = le64_at(h + 8);
	img->image_size = le64_at(h + 16);
	img->flags = le64_at(h + 24);
	img->file_size = file_size;
	if (!img->image_size) {
		img->text_offset = ARM64_IMAGE_OLD_TEXT_OFFSET;
		img->image_size = file_size;
	}
	if (img->flags & ARM64_IMAGE_FLAG_BE)
		return errbuf_set(err, ENOEXEC,
				  "a big-endian kernel (header flags %#llx): vfvm "
				  "boots little-endian guests",
				  (unsigned long long)img->flags);
	if (img->text_offset >= ram_size)
		return errbuf_set(
			err, E2BIG, "text_offset %#llx is beyond the guest's %llu MiB of RAM",
			(unsigned long long)img->text_offset, (unsigned long long)(ram_size >> 20));
	if (img->image_size < file_size)
		img->image_size = file_size;
	if (img->image_size > ram_size - img->text_offset)
		return errbuf_set(err, E2BIG,
				  "the kernel takes %llu MiB from text_offset %#llx: more than the "
				  "guest's %llu MiB of RAM",
				  (unsigned long long)((img->image_size + (1 << 20) - 1) >> 20),
				  (unsigned long long)img->text_offset,
				  (unsigned long long)(ram_size >> 20));
	return 0;
}

int arm64_boot_place(uint64_t ram_base, uint64_t ram_size, const struct arm64_image *img,
		     uint64_t initrd_size, struct arm64_boot_layout *out, struct errbuf *err)
{
	uint64_t ram_end = ram_base + ram_size;

	memset(out, 0, sizeof(*out));
	if (ram_base % SZ_2M || ram_size % SZ_2M || ram_size < 2 * SZ_2M)
		return errbuf_set(err, EINVAL,
				  "guest RAM %#llx+%#llx is not laid out in 2 MiB blocks",
				  (unsigned long long)ram_base, (unsigned long long)ram_size);
	out->kernel = ram_base + img->text_offset;
	out->kernel_end = out->kernel + img->image_size;
	/* the DTB alone in the last 2 MiB block: the kernel maps it with block mappings */
	out->fdt = ram_end - ARM64_FDT_MAX;
	if (out->kernel_end > out->fdt)
		return errbuf_set(
			err, E2BIG,
			"the kernel (%llu MiB) and the device tree do not fit in %llu MiB "
			"of RAM",
			(unsigned long long)(img->image_size >> 20),
			(unsigned long long)(ram_size >> 20));
	out->initrd = out->initrd_end = out->fdt;
	if (initrd_size) {
		if (initrd_size > out->fdt - out->kernel_end)
			return errbuf_set(err, E2BIG,
					  "the initrd (%llu KiB) does not fit in RAM between the "
					  "kernel and the device tree (%llu KiB free)",
					  (unsigned long long)(initrd_size >> 10),
					  (unsigned long long)((out->fdt - out->kernel_end) >> 10));
		out->initrd = (out->fdt - initrd_size) & ~(PAGE - 1);
		if (out->initrd < out->kernel_end)
			return errbuf_set(err, E2BIG,
					  "the initrd does not fit below the device tree");
		out->initrd_end = out->initrd + initrd_size;
	}
	return 0;
}
