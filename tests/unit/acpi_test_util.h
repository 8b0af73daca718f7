/* SPDX-License-Identifier: MIT */
/* Helpers shared by the ACPI table tests: little-endian reads and ACPICA's disassembler. */
#ifndef VFVM_TESTS_ACPI_TEST_UTIL_H
#define VFVM_TESTS_ACPI_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

uint16_t rd16(const uint8_t *p);
uint32_t rd32(const uint8_t *p);
uint64_t rd64(const uint8_t *p);

/* Whether iasl (acpica-tools) is installed; tests that need it are not run without it. */
bool iasl_present(void);

/*
 * Write table t (n bytes) to dir/name.dat, disassemble it with `iasl -d` (which must succeed),
 * and return the text of dir/name.dsl (malloc()ed; NULL if it cannot be read). dir/name.log
 * keeps iasl's own messages.
 */
char *iasl_disassemble(const char *dir, const char *name, const void *t, size_t n);

/* The contents of a file as a NUL-terminated string (malloc()ed), or NULL. */
char *slurp(const char *path);

#endif
