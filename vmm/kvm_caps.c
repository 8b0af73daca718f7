// SPDX-License-Identifier: MIT
#include "vmm/kvm_caps.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

const struct kvm_cap_need kvm_caps_needed[] = {
	{"USER_MEMORY", KVM_CAP_USER_MEMORY, "guest RAM and mmap-ed BARs as memory slots"},
	{"IRQCHIP", KVM_CAP_IRQCHIP, "in-kernel IOAPIC/LAPIC"},
	{"IRQ_ROUTING", KVM_CAP_IRQ_ROUTING, "MSI and MSI-X vectors as GSI routes"},
	{"IRQFD", KVM_CAP_IRQFD, "device interrupts injected without the VMM"},
	{"IRQFD_RESAMPLE", KVM_CAP_IRQFD_RESAMPLE, "INTx unmasked on guest EOI"},
	{"IOEVENTFD", KVM_CAP_IOEVENTFD, "doorbell writes without a VMM exit"},
	{"SIGNAL_MSI", KVM_CAP_SIGNAL_MSI, "MSI injection from emulated devices"},
	{"READONLY_MEM", KVM_CAP_READONLY_MEM, "firmware and option ROMs as read-only slots"},
};
const unsigned int kvm_caps_needed_count = sizeof(kvm_caps_needed) / sizeof(kvm_caps_needed[0]);

int kvm_open_checked(const char *path, int *api_version, struct errbuf *e)
{
	int fd = open(path, O_RDWR | O_CLOEXEC), err, api;

	if (fd < 0) {
		err = errno;
		if (err == ENOENT)
			return errbuf_set(e, err,
					  "%s is missing: load kvm-intel or kvm-amd and enable "
					  "virtualization in the firmware",
					  path);
		return errbuf_set(e, err, "cannot open %s: %s%s", path, strerror(err),
				  err == EACCES ? " (add your user to group kvm)" : "");
	}
	api = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (api_version)
		*api_version = api;
	if (api != KVM_API_EXPECTED) {
		close(fd);
		return errbuf_set(e, EPROTO, "%s: KVM API version %d, vfvm needs %d", path, api,
				  KVM_API_EXPECTED);
	}
	return fd;
}

int kvm_cap_value(int kvm_fd, int cap)
{
	int r = ioctl(kvm_fd, KVM_CHECK_EXTENSION, cap);

	return r < 0 ? 0 : r;
}

int kvm_caps_require(int kvm_fd, struct errbuf *e)
{
	char missing[256] = "";
	size_t used = 0;

	for (unsigned int i = 0; i < kvm_caps_needed_count; i++) {
		if (kvm_cap_value(kvm_fd, kvm_caps_needed[i].cap) > 0)
			continue;
		int n = snprintf(missing + used, sizeof(missing) - used, "%s%s", used ? ", " : "",
				 kvm_caps_needed[i].name);
		if (n > 0 && (size_t)n < sizeof(missing) - used)
			used += (size_t)n;
	}
	if (used)
		return errbuf_set(e, ENOTSUP, "KVM lacks capabilities vfvm needs: %s", missing);
	return 0;
}
