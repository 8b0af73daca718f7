// SPDX-License-Identifier: MIT
#include "firmware/acpi_loader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void acpi_loader_init(struct acpi_loader *l)
{
	memset(l, 0, sizeof(*l));
}

void acpi_loader_free(struct acpi_loader *l)
{
	free(l->buf);
	acpi_loader_init(l);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (unsigned int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static size_t name_len(const char *name)
{
	return name ? strnlen(name, ACPI_LOADER_FILESZ) : 0;
}

/* The allocated file called name, or NULL. */
static const size_t *file_size(const struct acpi_loader *l, const char *name)
{
	size_t n = name_len(name);

	if (!n || n >= ACPI_LOADER_FILESZ)
		return NULL;
	for (unsigned int i = 0; i < l->nr_files; i++)
		if (!strcmp(l->files[i].name, name))
			return &l->files[i].size;
	return NULL;
}

/* A zeroed entry for command cmd at the end of the script, or NULL without memory. */
static uint8_t *new_entry(struct acpi_loader *l, enum acpi_loader_command cmd)
{
	uint8_t *e;

	if (l->len + ACPI_LOADER_ENTRY_SIZE > l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8 * ACPI_LOADER_ENTRY_SIZE;
		uint8_t *b = realloc(l->buf, cap);

		if (!b)
			return NULL;
		l->buf = b;
		l->cap = cap;
	}
	e = l->buf + l->len;
	l->len += ACPI_LOADER_ENTRY_SIZE;
	memset(e, 0, ACPI_LOADER_ENTRY_SIZE);
	put32(e, cmd);
	return e;
}

int acpi_loader_allocate(struct acpi_loader *l, const char *file, size_t size, uint32_t align,
			 enum acpi_loader_zone zone)
{
	size_t n = name_len(file);
	uint8_t *e;

	if (!n || n >= ACPI_LOADER_FILESZ || !size || size > UINT32_MAX || !align ||
	    (align & (align - 1)) ||
	    (zone != ACPI_LOADER_ZONE_HIGH && zone != ACPI_LOADER_ZONE_FSEG))
		return -EINVAL;
	if (file_size(l, file))
		return -EEXIST;
	if (l->nr_files == ACPI_LOADER_MAX_FILES)
		return -ENOSPC;
	e = new_entry(l, ACPI_LOADER_ALLOCATE);
	if (!e)
		return -ENOMEM;
	memcpy(e + 4, file, n);
	put32(e + ACPI_LOADER_OFF_ALLOC_ALIGN, align);
	e[ACPI_LOADER_OFF_ALLOC_ZONE] = (uint8_t)zone;
	memcpy(l->files[l->nr_files].name, file, n + 1);
	l->files[l->nr_files].size = size;
	l->nr_files++;
	return 0;
}

int acpi_loader_add_pointer(struct acpi_loader *l, const char *dest_file, uint32_t offset,
			    uint8_t size, const char *src_file)
{
	const size_t *dest = file_size(l, dest_file);
	uint8_t *e;

	if (!dest || !file_size(l, src_file))
		return -ENOENT;
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return -EINVAL;
	if ((uint64_t)offset + size > *dest)
		return -ERANGE;
	e = new_entry(l, ACPI_LOADER_ADD_POINTER);
	if (!e)
		return -ENOMEM;
	memcpy(e + 4, dest_file, name_len(dest_file));
	memcpy(e + ACPI_LOADER_OFF_PTR_SRC, src_file, name_len(src_file));
	put32(e + ACPI_LOADER_OFF_PTR_OFFSET, offset);
	e[ACPI_LOADER_OFF_PTR_SIZE] = size;
	return 0;
}

int acpi_loader_add_checksum(struct acpi_loader *l, const char *file, uint32_t offset,
			     uint32_t start, uint32_t length)
{
	const size_t *size = file_size(l, file);
	uint8_t *e;

	if (!size)
		return -ENOENT;
	if ((uint64_t)start + length > *size || offset < start || offset - start >= length)
		return -ERANGE;
	e = new_entry(l, ACPI_LOADER_ADD_CHECKSUM);
	if (!e)
		return -ENOMEM;
	memcpy(e + 4, file, name_len(file));
	put32(e + ACPI_LOADER_OFF_CSUM_OFFSET, offset);
	put32(e + ACPI_LOADER_OFF_CSUM_START, start);
	put32(e + ACPI_LOADER_OFF_CSUM_LENGTH, length);
	return 0;
}
