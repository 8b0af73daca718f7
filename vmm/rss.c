// SPDX-License-Identifier: MIT
#include "vmm/rss.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>

static bool in_guest_ram(const struct guest_mem *mem, uintptr_t start, uintptr_t end)
{
	for (unsigned int i = 0; i < mem->nr_ram; i++) {
		uintptr_t b = (uintptr_t)mem->ram[i].hva;

		if (b && start >= b && end <= b + mem->ram[i].size)
			return true;
	}
	return false;
}

int rss_outside_guest_ram(FILE *smaps, const struct guest_mem *mem, uint64_t *kib)
{
	char line[512];
	bool skip = false, seen = false;
	uint64_t total = 0;

	while (fgets(line, sizeof(line), smaps)) {
		uintptr_t start, end;
		uint64_t v;

		/* a mapping's header line: "start-end perms offset dev inode [path]" */
		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " ", &start, &end) == 2) {
			skip = in_guest_ram(mem, start, end);
			continue;
		}
		if (sscanf(line, "Rss: %" SCNu64 " kB", &v) == 1) {
			seen = true;
			if (!skip)
				total += v;
		}
	}
	if (!seen)
		return -EINVAL;
	*kib = total;
	return 0;
}
