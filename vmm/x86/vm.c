// SPDX-License-Identifier: MIT
/* VM-wide x86 setup: what must exist before the first vCPU is created. */
#include "vmm/x86/x86.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/kvm.h>

int x86_vm_init(int vm_fd, struct errbuf *err)
{
	uint64_t identity = X86_KVM_IDENTITY_MAP_ADDR;
	/* The speaker port 0x61 is read in loops by the kernel's PIT code: answering it in KVM
	 * saves one userspace exit per read. */
	struct kvm_pit_config pit = {.flags = KVM_PIT_SPEAKER_DUMMY};

	/* VMX needs these pages for real-mode emulation and unrestricted-guest-less EPT; on SVM
	 * the ioctls are accepted and ignored. The identity map must precede vCPU creation. */
	if (ioctl(vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &identity) < 0)
		return errbuf_set(err, errno, "KVM_SET_IDENTITY_MAP_ADDR 0x%llx: %s",
				  (unsigned long long)identity, strerror(errno));
	if (ioctl(vm_fd, KVM_SET_TSS_ADDR, (unsigned long)X86_KVM_TSS_ADDR) < 0)
		return errbuf_set(err, errno, "KVM_SET_TSS_ADDR 0x%llx: %s",
				  (unsigned long long)X86_KVM_TSS_ADDR, strerror(errno));
	/* PIC, IOAPIC and LAPICs in the kernel: interrupts, EOIs, INIT/SIPI without exits. */
	if (ioctl(vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return errbuf_set(err, errno, "KVM_CREATE_IRQCHIP: %s", strerror(errno));
	if (ioctl(vm_fd, KVM_CREATE_PIT2, &pit) < 0)
		return errbuf_set(err, errno, "KVM_CREATE_PIT2: %s", strerror(errno));
	return 0;
}
