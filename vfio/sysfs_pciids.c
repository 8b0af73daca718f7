// SPDX-License-Identifier: MIT
/*
 * Names from the pci.ids database (the pci.ids package's /usr/share/misc/pci.ids). Format: a
 * vendor line "vvvv  Name", its devices "\tdddd  Name" (subsystems "\t\t..." are skipped), then
 * the class section "C cc  Name" with subclasses "\tss  Name".
 */
#include "vfio/sysfs.h"
#include "vfio/sysfs_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parse "<ndigits hex>  Name" at s; the name goes to out. */
static bool id_line(const char *s, int ndigits, unsigned int *id, char *out, size_t len)
{
	char *end;
	unsigned long v;

	for (int i = 0; i < ndigits; i++)
		if (!s[i] || !strchr("0123456789abcdefABCDEF", s[i]))
			return false;
	if (s[ndigits] != ' ')
		return false;
	v = strtoul(s, &end, 16);
	if (end != s + ndigits)
		return false;
	s = end;
	while (*s == ' ')
		s++;
	*id = (unsigned int)v;
	snprintf(out, len, "%.*s", (int)strcspn(s, "\r\n"), s);
	return true;
}

void pci_ids_lookup(const char *path, unsigned int vendor, unsigned int device, unsigned int class,
		    struct pci_names *n)
{
	unsigned int base = class >> 16, sub = (class >> 8) & 0xff, id;
	bool in_vendor = false, in_class = false, classes = false;
	char line[512], name[256];
	FILE *f;

	memset(n, 0, sizeof(*n));
	if (!path || !(f = fopen(path, "re")))
		return;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (!strncmp(line, "C ", 2)) {
			classes = true;
			in_vendor = false;
			in_class = id_line(line + 2, 2, &id, name, sizeof(name)) && id == base;
			if (in_class && !n->class[0])
				str_copy(n->class, sizeof(n->class), name);
			continue;
		}
		if (line[0] != '\t') {
			in_class = false;
			in_vendor = !classes && id_line(line, 4, &id, name, sizeof(name)) &&
				    id == vendor;
			if (in_vendor)
				str_copy(n->vendor, sizeof(n->vendor), name);
			continue;
		}
		if (line[1] == '\t')
			continue;
		if (in_vendor && id_line(line + 1, 4, &id, name, sizeof(name)) && id == device)
			str_copy(n->device, sizeof(n->device), name);
		else if (in_class && id_line(line + 1, 2, &id, name, sizeof(name)) && id == sub)
			str_copy(n->class, sizeof(n->class), name);
	}
	fclose(f);
}
