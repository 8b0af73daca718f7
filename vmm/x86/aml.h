/* SPDX-License-Identifier: MIT */
/*
 * A small builder of ACPI Machine Language (ACPI 6.x, chapter 20): just the terms a static DSDT
 * needs (names, scopes, devices, packages, integers, strings, buffers with resource templates,
 * and a method body as small as one Notify).
 * Constructs with a PkgLength are opened with aml_open() and closed with aml_close(), which
 * inserts the length once the contents are known.
 */
#ifndef VFVM_X86_AML_H
#define VFVM_X86_AML_H

#include <stddef.h>
#include <stdint.h>

struct aml {
	uint8_t *buf;
	size_t len, cap;
	int err; /* sticky: -ENOMEM or -EINVAL (bad name, package too large); checked at the end */
};

#define AML_PKGLEN_MAX 0x0fffffff

/*
 * Encode the PkgLength of a construct whose contents (after the PkgLength) are content bytes; the
 * encoded length counts its own bytes too. Returns the number of bytes written to out (1..4),
 * or 0 if the length cannot be encoded.
 */
unsigned int aml_pkglen_encode(uint8_t out[4], size_t content);

void aml_init(struct aml *a);
void aml_free(struct aml *a);

void aml_bytes(struct aml *a, const void *p, size_t n);
void aml_byte(struct aml *a, uint8_t b);
/* Smallest encoding: Zero, One, Ones, or a Byte/Word/DWord/QWord constant. */
void aml_integer(struct aml *a, uint64_t v);
void aml_dword(struct aml *a, uint32_t v); /* always a DWordConst (e.g. _PRT addresses) */
void aml_string(struct aml *a, const char *s);
/* "\\_SB_.PCI0", "_S5_", "PCI0": segments of up to 4 characters, padded with '_'. */
void aml_namestring(struct aml *a, const char *path);
/* EisaId("PNP0A03") as the DWord the ASL compiler produces. */
void aml_eisaid(struct aml *a, const char *id);

/* Name(path, <the next term the caller appends>) */
void aml_name(struct aml *a, const char *path);

/* PkgLength constructs: *_begin returns a mark for aml_close(). */
size_t aml_open(struct aml *a);
void aml_close(struct aml *a, size_t mark);
size_t aml_scope_begin(struct aml *a, const char *path);
size_t aml_device_begin(struct aml *a, const char *path);
size_t aml_package_begin(struct aml *a, unsigned int nelements);
/* Method(path, nargs, NotSerialized) { <terms up to aml_close()> } */
size_t aml_method_begin(struct aml *a, const char *path, unsigned int nargs);
/* Notify(path, value) */
void aml_notify(struct aml *a, const char *path, uint8_t value);
/* Buffer whose size is known only at close: aml_buffer_end() patches the size. */
size_t aml_buffer_begin(struct aml *a);
void aml_buffer_end(struct aml *a, size_t mark);

/* Resource descriptors for a ResourceTemplate buffer; end it with aml_res_end_tag(). */
void aml_res_io(struct aml *a, uint16_t base, uint8_t len);
void aml_res_irq(struct aml *a, unsigned int irq); /* IRQNoFlags: edge, active high */
/* Interrupt(ResourceConsumer, Edge, ActiveHigh, Exclusive) {gsi} */
void aml_res_interrupt_edge(struct aml *a, uint32_t gsi);
void aml_res_word_bus(struct aml *a, uint16_t min, uint16_t max);
void aml_res_word_io(struct aml *a, uint16_t min, uint16_t max);
void aml_res_dword_mem(struct aml *a, uint32_t min, uint32_t max);
void aml_res_qword_mem(struct aml *a, uint64_t min, uint64_t max); /* prefetchable-agnostic */
void aml_res_end_tag(struct aml *a);

#endif
