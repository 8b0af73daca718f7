/* SPDX-License-Identifier: MIT */
/*
 * The fw_cfg file "etc/table-loader": QEMU's linker/loader script, which SeaBIOS executes to
 * place ACPI tables that the VMM built (SeaBIOS: src/fw/romfile_loader.c).
 *
 * The script is a sequence of 128-byte little-endian entries, run in order:
 *  - ALLOCATE (1): read fw_cfg file `file` into memory of zone HIGH (1, top of RAM below 4 GiB)
 *    or FSEG (2, the 0xf0000 segment where OSes scan for the RSDP), aligned to `align`.
 *  - ADD_POINTER (2): add the address at which `src_file` was placed to the `size`-byte (1, 2,
 *    4 or 8) little-endian value at `offset` in `dest_file`. So a pointer field holds the
 *    target's offset inside src_file before patching.
 *  - ADD_CHECKSUM (3): subtract the byte sum of [start, start + length) of `file` from the byte
 *    at `offset`: the range then sums to 0 whatever the checksum byte held before, as long as
 *    it lies inside the range and runs after every pointer patched into that range.
 * SeaBIOS skips (with only a log line) an entry it cannot execute: an unknown file, a range
 * outside the file, a pointer size that is not a power of two up to 8. This builder refuses
 * each of those when the entry is added, so a script it produces runs completely.
 */
#ifndef VFVM_FIRMWARE_ACPI_LOADER_H
#define VFVM_FIRMWARE_ACPI_LOADER_H

#include <stddef.h>
#include <stdint.h>

#define ACPI_LOADER_FILE "etc/table-loader"
#define ACPI_LOADER_ENTRY_SIZE 128
#define ACPI_LOADER_FILESZ 56 /* a file name field, NUL included */
#define ACPI_LOADER_MAX_FILES 8

enum acpi_loader_command {
	ACPI_LOADER_ALLOCATE = 1,
	ACPI_LOADER_ADD_POINTER = 2,
	ACPI_LOADER_ADD_CHECKSUM = 3,
};

enum acpi_loader_zone {
	ACPI_LOADER_ZONE_HIGH = 1,
	ACPI_LOADER_ZONE_FSEG = 2,
};

/* Entry layout: le32 command at 0, then the command's fields. */
#define ACPI_LOADER_OFF_ALLOC_ALIGN (4 + ACPI_LOADER_FILESZ)
#define ACPI_LOADER_OFF_ALLOC_ZONE (8 + ACPI_LOADER_FILESZ)
#define ACPI_LOADER_OFF_PTR_SRC (4 + ACPI_LOADER_FILESZ)
#define ACPI_LOADER_OFF_PTR_OFFSET (4 + 2 * ACPI_LOADER_FILESZ)
#define ACPI_LOADER_OFF_PTR_SIZE (8 + 2 * ACPI_LOADER_FILESZ)
#define ACPI_LOADER_OFF_CSUM_OFFSET (4 + ACPI_LOADER_FILESZ)
#define ACPI_LOADER_OFF_CSUM_START (8 + ACPI_LOADER_FILESZ)
#define ACPI_LOADER_OFF_CSUM_LENGTH (12 + ACPI_LOADER_FILESZ)

struct acpi_loader {
	uint8_t *buf; /* the script: len bytes, a multiple of ACPI_LOADER_ENTRY_SIZE */
	size_t len, cap;
	struct {
		char name[ACPI_LOADER_FILESZ];
		size_t size;
	} files[ACPI_LOADER_MAX_FILES]; /* allocated so far, to check later entries against */
	unsigned int nr_files;
};

void acpi_loader_init(struct acpi_loader *l);
void acpi_loader_free(struct acpi_loader *l);

/*
 * Allocate the fw_cfg file `file` of `size` bytes (what the VMM adds to fw_cfg under that name).
 * -EINVAL for a name that is empty or does not fit ACPI_LOADER_FILESZ with its NUL, size 0 (the
 * firmware would skip the file), align not a power of two or an unknown zone; -EEXIST for a file
 * allocated before; -ENOSPC beyond ACPI_LOADER_MAX_FILES; -ENOMEM.
 */
int acpi_loader_allocate(struct acpi_loader *l, const char *file, size_t size, uint32_t align,
			 enum acpi_loader_zone zone);

/*
 * Add src_file's address to the size-byte field at offset in dest_file. -ENOENT if either file
 * was not allocated before, -EINVAL for a size other than 1, 2, 4 or 8, -ERANGE for a field not
 * inside dest_file; -ENOMEM.
 */
int acpi_loader_add_pointer(struct acpi_loader *l, const char *dest_file, uint32_t offset,
			    uint8_t size, const char *src_file);

/*
 * Make bytes [start, start + length) of file sum to 0 by adjusting the byte at offset. -ENOENT
 * for a file not allocated before, -ERANGE for a range not inside the file or a checksum byte
 * outside the range (the adjustment would not make the range sum to 0); -ENOMEM.
 */
int acpi_loader_add_checksum(struct acpi_loader *l, const char *file, uint32_t offset,
			     uint32_t start, uint32_t length);

#endif
