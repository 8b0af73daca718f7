// SPDX-License-Identifier: MIT
/*
 * What an ordinary user needs to run `vfvm run --vfio` without root, and which of it is missing:
 * read-write /dev/kvm, read-write /dev/vfio/N of each device's group, and an RLIMIT_MEMLOCK of at
 * least guest RAM (VFIO pins all of it). `vfvm check` and `vfvm devices` print it.
 */
#include "vmm/commands.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "vfio/diag.h"

int user_access_report(FILE *out, const char *prog, const struct host_paths *h,
		       const char (*addrs)[VFIO_PCI_ADDR_LEN], size_t n, uint64_t ram_bytes)
{
	char p[PATH_MAX];
	struct errbuf e = {""};
	int missing = 0, fd;

	snprintf(p, sizeof(p), "%s/kvm", h->dev);
	fd = open(p, O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
	} else {
		fprintf(out, "%s: missing for uid %u: %s: %s%s\n", prog, (unsigned int)getuid(), p,
			strerror(errno),
			errno == EACCES || errno == EPERM ? " (add the user to group kvm)" : "");
		missing++;
	}
	for (size_t i = 0; i < n; i++) {
		struct pci_dev_info d;
		int r;

		if (pci_dev_read(h, addrs[i], &d, &e) || d.group < 0 ||
		    strcmp(d.driver, "vfio-pci"))
			continue; /* not ready for passthrough anyway: the listing says why */
		r = diag_group_node(h, addrs[i], d.group, &e);
		if (r && r != -EBUSY) { /* busy: the user may open it once the other VM is gone */
			fprintf(out, "%s: missing for uid %u: %s\n", prog, (unsigned int)getuid(),
				errbuf_msg(&e));
			missing++;
		}
	}
	if (n && diag_memlock_self(ram_bytes, &e)) {
		fprintf(out, "%s: missing for uid %u: %s\n", prog, (unsigned int)getuid(),
			errbuf_msg(&e));
		missing++;
	}
	return missing;
}
