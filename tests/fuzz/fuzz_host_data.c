// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: binary data vfvm takes from files and from the kernel: a firmware image's
 * size and reset vector, the ACPI table-loader script vfvm writes for the firmware (file names,
 * offsets and sizes checked against what was allocated), and the capability chains of VFIO's
 * region and irq info.
 *
 * Input: 1 byte selecting the part, then its data. 0: firmware image of (2 bytes) pages whose last
 * bytes are the rest; 1: loader commands, 16 bytes each; 2: a VFIO info buffer, its first cap's
 * offset and the id looked for in the first 6 bytes.
 */
#include <linux/vfio.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "firmware/acpi_loader.h"
#include "firmware/bios_image.h"
#include "vfio/info_cap.h"
#include "vmm/errbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void firmware_image(const uint8_t *data, size_t size)
{
	static uint8_t img[1u << 20]; /* sizes up to BIOS_IMAGE_MAX cost a memset each */
	struct errbuf e = {""};
	uint64_t len;
	uint16_t pages;

	if (size < 2)
		return;
	memcpy(&pages, data, 2);
	data += 2;
	size -= 2;
	len = (uint64_t)(pages >> 1) % 300 * 4096 + (pages & 1 ? pages % 4096 : 0);
	if (len > sizeof(img))
		len = sizeof(img);
	if (size > len)
		size = len;
	memset(img, 0xff, len);
	memcpy(img + len - size, data, size);
	bios_image_check(img, len, "fuzz", &e);
}

static void loader(const uint8_t *data, size_t size)
{
	static const char *const names[] = {
		"etc/acpi/rsdp", "etc/acpi/tables", "", "x",
		("etc/a-name-longer-than-the-loader-file-name-field-of-56-"
		 "bytes")};
	struct acpi_loader l;

	acpi_loader_init(&l);
	for (; size >= 16; data += 16, size -= 16) {
		const char *a = names[data[1] % 5], *b = names[data[2] % 5];
		uint32_t x, y, z;

		memcpy(&x, data + 4, 4);
		memcpy(&y, data + 8, 4);
		memcpy(&z, data + 12, 4);
		switch (data[0] % 3) {
		case 0:
			acpi_loader_allocate(&l, a, x % (1u << 20), y,
					     (enum acpi_loader_zone)(z % 4));
			break;
		case 1:
			acpi_loader_add_pointer(&l, a, x, data[3], b);
			break;
		default:
			acpi_loader_add_checksum(&l, a, x, y, z);
		}
	}
	acpi_loader_free(&l);
}

static void info_caps(const uint8_t *data, size_t size)
{
	struct vfio_info_cap cap;
	uint32_t first;
	uint16_t id;

	if (size < 6)
		return;
	memcpy(&first, data, 4);
	memcpy(&id, data + 4, 2);
	vfio_info_cap_find(data + 6, size - 6, first, id, 8, &cap);
	vfio_info_cap_find(data + 6, size - 6, first, VFIO_REGION_INFO_CAP_SPARSE_MMAP,
			   sizeof(struct vfio_region_info_cap_sparse_mmap), &cap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	switch (data[0] % 3) {
	case 0:
		firmware_image(data + 1, size - 1);
		break;
	case 1:
		loader(data + 1, size - 1);
		break;
	default:
		info_caps(data + 1, size - 1);
	}
	return 0;
}
