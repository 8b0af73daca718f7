// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "acpi_test_util.h"

uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

bool iasl_present(void)
{
	return system("command -v iasl >/dev/null 2>&1") == 0;
}

static int write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(p, 1, n, f) == n;

	if (f)
		fclose(f);
	return ok ? 0 : -1;
}

char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = calloc(1, (size_t)n + 1);
	if (fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		s = NULL;
	}
	fclose(f);
	return s;
}

/* ACPICA's disassembler as an independent reader of our tables. */
char *iasl_disassemble(const char *dir, const char *name, const void *t, size_t n)
{
	char dat[512], dsl[512], cmd[1200];

	snprintf(dat, sizeof(dat), "%s/%s.dat", dir, name);
	snprintf(dsl, sizeof(dsl), "%s/%s.dsl", dir, name);
	assert_int_equal(write_file(dat, t, n), 0);
	snprintf(cmd, sizeof(cmd), "cd '%s' && iasl -d '%s.dat' >'%s.log' 2>&1", dir, name, name);
	assert_int_equal(system(cmd), 0);
	return slurp(dsl);
}
