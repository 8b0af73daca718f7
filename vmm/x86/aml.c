// SPDX-License-Identifier: MIT
#include "vmm/x86/aml.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define AML_ZERO 0x00
#define AML_ONE 0x01
#define AML_NAME 0x08
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_STRING_PREFIX 0x0d
#define AML_QWORD_PREFIX 0x0e
#define AML_SCOPE 0x10
#define AML_BUFFER 0x11
#define AML_METHOD 0x14
#define AML_NOTIFY 0x86
#define AML_PACKAGE 0x12
#define AML_DUAL_NAME 0x2e
#define AML_MULTI_NAME 0x2f
#define AML_ROOT 0x5c
#define AML_EXT_PREFIX 0x5b
#define AML_EXT_DEVICE 0x82
#define AML_ONES 0xff

/* Address space descriptor resource types and flags (ACPI 6.x, 6.4.3.5) */
#define RES_WORD_ADDRESS 0x88
#define RES_DWORD_ADDRESS 0x87
#define RES_QWORD_ADDRESS 0x8a
#define RES_TYPE_MEMORY 0
#define RES_TYPE_IO 1
#define RES_TYPE_BUS 2
#define RES_PRODUCER_MIN_MAX_FIXED 0x0c /* producer, positive decode, _MIF, _MAF */

unsigned int aml_pkglen_encode(uint8_t out[4], size_t content)
{
	unsigned int n;
	size_t total;

	/* the length counts its own bytes: pick the smallest n that can hold content + n */
	for (n = 1; n <= 4; n++) {
		total = content + n;
		if ((n == 1 && total <= 0x3f) || (n == 2 && total <= 0xfff) ||
		    (n == 3 && total <= 0xfffff) || (n == 4 && total <= AML_PKGLEN_MAX))
			break;
	}
	if (n > 4)
		return 0;
	if (n == 1) {
		out[0] = (uint8_t)total;
		return 1;
	}
	out[0] = (uint8_t)((n - 1) << 6 | (total & 0xf));
	for (unsigned int i = 1; i < n; i++)
		out[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
	return n;
}

void aml_init(struct aml *a)
{
	memset(a, 0, sizeof(*a));
}

void aml_free(struct aml *a)
{
	free(a->buf);
	aml_init(a);
}

static int reserve(struct aml *a, size_t n)
{
	if (a->err)
		return a->err;
	if (a->len + n > a->cap) {
		size_t cap = a->cap ? a->cap : 256;
		uint8_t *p;

		while (cap < a->len + n)
			cap *= 2;
		p = realloc(a->buf, cap);
		if (!p)
			return a->err = -ENOMEM;
		a->buf = p;
		a->cap = cap;
	}
	return 0;
}

void aml_bytes(struct aml *a, const void *p, size_t n)
{
	if (reserve(a, n))
		return;
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

void aml_byte(struct aml *a, uint8_t b)
{
	aml_bytes(a, &b, 1);
}

static void le(struct aml *a, uint64_t v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		aml_byte(a, (uint8_t)(v >> (8 * i)));
}

void aml_integer(struct aml *a, uint64_t v)
{
	if (v == 0)
		aml_byte(a, AML_ZERO);
	else if (v == 1)
		aml_byte(a, AML_ONE);
	else if (v == UINT64_MAX)
		aml_byte(a, AML_ONES);
	else if (v <= 0xff)
		aml_byte(a, AML_BYTE_PREFIX), le(a, v, 1);
	else if (v <= 0xffff)
		aml_byte(a, AML_WORD_PREFIX), le(a, v, 2);
	else if (v <= 0xffffffff)
		aml_byte(a, AML_DWORD_PREFIX), le(a, v, 4);
	else
		aml_byte(a, AML_QWORD_PREFIX), le(a, v, 8);
}

void aml_dword(struct aml *a, uint32_t v)
{
	aml_byte(a, AML_DWORD_PREFIX);
	le(a, v, 4);
}

void aml_string(struct aml *a, const char *s)
{
	aml_byte(a, AML_STRING_PREFIX);
	aml_bytes(a, s, strlen(s) + 1);
}

static bool name_char_ok(char c, bool first)
{
	return (c >= 'A' && c <= 'Z') || c == '_' || (!first && c >= '0' && c <= '9');
}

void aml_namestring(struct aml *a, const char *path)
{
	const char *p = path;
	unsigned int nseg = 1;

	if (*p == '\\') {
		aml_byte(a, AML_ROOT);
		p++;
	}
	for (const char *q = p; *q; q++)
		nseg += *q == '.';
	if (!*p || nseg > 255) {
		a->err = a->err ?: -EINVAL;
		return;
	}
	if (nseg == 2)
		aml_byte(a, AML_DUAL_NAME);
	else if (nseg > 2)
		aml_byte(a, AML_MULTI_NAME), aml_byte(a, (uint8_t)nseg);
	while (*p) {
		char seg[4] = {'_', '_', '_', '_'};
		unsigned int n = 0;

		for (; *p && *p != '.'; p++, n++) {
			if (n >= 4 || !name_char_ok(*p, n == 0)) {
				a->err = a->err ?: -EINVAL;
				return;
			}
			seg[n] = *p;
		}
		if (!n) {
			a->err = a->err ?: -EINVAL;
			return;
		}
		aml_bytes(a, seg, 4);
		if (*p == '.')
			p++;
	}
}

void aml_eisaid(struct aml *a, const char *id)
{
	uint32_t v = 0;

	if (strlen(id) != 7) {
		a->err = a->err ?: -EINVAL;
		return;
	}
	for (unsigned int i = 0; i < 3; i++) {
		if (id[i] < 'A' || id[i] > 'Z') {
			a->err = a->err ?: -EINVAL;
			return;
		}
		v |= (uint32_t)(id[i] - 0x40) << (26 - 5 * i);
	}
	for (unsigned int i = 3; i < 7; i++) {
		char c = id[i];
		uint32_t d;

		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (c >= 'A' && c <= 'F')
			d = (uint32_t)(c - 'A' + 10);
		else {
			a->err = a->err ?: -EINVAL;
			return;
		}
		v |= d << (4 * (6 - i));
	}
	/* stored big-endian: the compressed letters come first in memory */
	aml_dword(a, __builtin_bswap32(v));
}

void aml_name(struct aml *a, const char *path)
{
	aml_byte(a, AML_NAME);
	aml_namestring(a, path);
}

size_t aml_open(struct aml *a)
{
	return a->len;
}

void aml_close(struct aml *a, size_t mark)
{
	uint8_t enc[4];
	unsigned int n;

	if (a->err || mark > a->len)
		return;
	n = aml_pkglen_encode(enc, a->len - mark);
	if (!n) {
		a->err = -EINVAL;
		return;
	}
	if (reserve(a, n))
		return;
	memmove(a->buf + mark + n, a->buf + mark, a->len - mark);
	memcpy(a->buf + mark, enc, n);
	a->len += n;
}

size_t aml_scope_begin(struct aml *a, const char *path)
{
	size_t mark;

	aml_byte(a, AML_SCOPE);
	mark = aml_open(a);
	aml_namestring(a, path);
	return mark;
}

size_t aml_device_begin(struct aml *a, const char *path)
{
	size_t mark;

	aml_byte(a, AML_EXT_PREFIX);
	aml_byte(a, AML_EXT_DEVICE);
	mark = aml_open(a);
	aml_namestring(a, path);
	return mark;
}

size_t aml_package_begin(struct aml *a, unsigned int nelements)
{
	size_t mark;

	aml_byte(a, AML_PACKAGE);
	mark = aml_open(a);
	if (nelements > 255)
		a->err = a->err ?: -EINVAL; /* VarPackage would be needed */
	aml_byte(a, (uint8_t)nelements);
	return mark;
}

size_t aml_method_begin(struct aml *a, const char *path, unsigned int nargs)
{
	size_t mark;

	aml_byte(a, AML_METHOD);
	mark = aml_open(a);
	aml_namestring(a, path);
	if (nargs > 7)
		a->err = a->err ?: -EINVAL;
	aml_byte(a, (uint8_t)(nargs & 7)); /* MethodFlags: not serialized, sync level 0 */
	return mark;
}

void aml_notify(struct aml *a, const char *path, uint8_t value)
{
	aml_byte(a, AML_NOTIFY);
	aml_namestring(a, path);
	aml_integer(a, value);
}

/* A DWord BufferSize keeps the size patchable once the contents are known. */
size_t aml_buffer_begin(struct aml *a)
{
	size_t mark;

	aml_byte(a, AML_BUFFER);
	mark = aml_open(a);
	aml_dword(a, 0);
	return mark;
}

void aml_buffer_end(struct aml *a, size_t mark)
{
	uint32_t size;

	if (a->err || mark + 5 > a->len)
		return;
	size = (uint32_t)(a->len - mark - 5);
	for (unsigned int i = 0; i < 4; i++)
		a->buf[mark + 1 + i] = (uint8_t)(size >> (8 * i));
	aml_close(a, mark);
}

void aml_res_io(struct aml *a, uint16_t base, uint8_t len)
{
	/* small I/O port descriptor: 16-bit decode, fixed base (min == max), alignment 1 */
	aml_byte(a, 0x47);
	aml_byte(a, 0x01);
	le(a, base, 2);
	le(a, base, 2);
	aml_byte(a, 1);
	aml_byte(a, len);
}

void aml_res_irq(struct aml *a, unsigned int irq)
{
	if (irq > 15) {
		a->err = a->err ?: -EINVAL;
		return;
	}
	aml_byte(a, 0x22); /* small IRQ descriptor, 2 bytes: mask only (edge, active high) */
	le(a, 1U << irq, 2);
}

void aml_res_interrupt_edge(struct aml *a, uint32_t gsi)
{
	aml_byte(a, 0x89); /* extended interrupt descriptor */
	le(a, 6, 2);
	aml_byte(a, 0x03); /* consumer, edge, active high, exclusive, not wake capable */
	aml_byte(a, 1);	   /* one interrupt */
	le(a, gsi, 4);
}

static void word_address(struct aml *a, uint8_t type, uint8_t type_flags, uint16_t min,
			 uint16_t max)
{
	aml_byte(a, RES_WORD_ADDRESS);
	le(a, 13, 2);
	aml_byte(a, type);
	aml_byte(a, RES_PRODUCER_MIN_MAX_FIXED);
	aml_byte(a, type_flags);
	le(a, 0, 2); /* granularity */
	le(a, min, 2);
	le(a, max, 2);
	le(a, 0, 2); /* translation */
	le(a, (uint32_t)max - min + 1, 2);
}

void aml_res_word_bus(struct aml *a, uint16_t min, uint16_t max)
{
	word_address(a, RES_TYPE_BUS, 0, min, max);
}

void aml_res_word_io(struct aml *a, uint16_t min, uint16_t max)
{
	word_address(a, RES_TYPE_IO, 0x03 /* ISA and non-ISA ranges */, min, max);
}

void aml_res_dword_mem(struct aml *a, uint32_t min, uint32_t max)
{
	aml_byte(a, RES_DWORD_ADDRESS);
	le(a, 23, 2);
	aml_byte(a, RES_TYPE_MEMORY);
	aml_byte(a, RES_PRODUCER_MIN_MAX_FIXED);
	aml_byte(a, 0x01); /* read/write, non-cacheable */
	le(a, 0, 4);
	le(a, min, 4);
	le(a, max, 4);
	le(a, 0, 4);
	le(a, (uint64_t)max - min + 1, 4);
}

void aml_res_qword_mem(struct aml *a, uint64_t min, uint64_t max)
{
	aml_byte(a, RES_QWORD_ADDRESS);
	le(a, 43, 2);
	aml_byte(a, RES_TYPE_MEMORY);
	aml_byte(a, RES_PRODUCER_MIN_MAX_FIXED);
	aml_byte(a, 0x01); /* read/write, non-cacheable */
	le(a, 0, 8);	   /* granularity */
	le(a, min, 8);
	le(a, max, 8);
	le(a, 0, 8); /* translation */
	le(a, max - min + 1, 8);
}

void aml_res_end_tag(struct aml *a)
{
	aml_byte(a, 0x79);
	aml_byte(a, 0x00); /* checksum 0: "treat as correct" */
}
