/* SPDX-License-Identifier: MIT */
/*
 * The machine: what an architecture builds around the VM object from the plain configuration the
 * command line fills (struct run_options): the guest-physical memory map, the irqchip, the
 * platform devices (console, PCI host bridge, power-off and reset), the guest's description of
 * them (ACPI on x86, a device tree on arm64), the kernel loader and every vCPU's reset state.
 *
 * One implementation is linked into vfvm, chosen by the build's host CPU family (vmm/x86/ today);
 * `vfvm run` knows no architecture. It drives the phases below in order and puts the passthrough
 * devices on machine_pci() between machine_setup() and machine_boot(). Each phase returns a
 * process exit code (EXIT_OK to go on, EXIT_USAGE when the user's input is at fault, EXIT_RUNTIME)
 * with err saying what failed.
 */
#ifndef VFVM_MACHINE_H
#define VFVM_MACHINE_H

#include "devices/pci.h"
#include "devices/uart_console.h"
#include "vmm/errbuf.h"
#include "vmm/run_options.h"
#include "vmm/vm.h"
#include "vmm/vm_vfio.h"

struct machine;

/* The kernel command line words that suit this platform, which come before the user's. */
const char *machine_default_cmdline(void);

/*
 * `vfvm check`: what this machine needs from the KVM behind kvm_fd beyond the common capabilities
 * (kvm_caps_needed), one "kvm ..." fact per line on stdout and one line on stderr for each that
 * is missing. 1 if something is missing, else 0.
 */
int machine_check_kvm(int kvm_fd);

/*
 * --dump-dtb: write the device tree the guest of o would get to o->dump_dtb, without starting
 * anything (no KVM needed). An exit code; EXIT_USAGE on a machine that has no device tree.
 */
int machine_dump_dtb(const struct run_options *o, struct errbuf *err);

/*
 * A machine for the options o (which must outlive it). What must be checked before any VM exists
 * is read and checked here (a firmware image). *out is set even on failure, for machine_free().
 */
int machine_new(struct machine **out, const struct run_options *o, struct errbuf *err);

/*
 * Once vm is open: lay out and back guest RAM, create the irqchip and the platform devices.
 * vm->mem is empty before; the VM stays owned by the caller.
 */
int machine_setup(struct machine *m, struct vm *vm, struct errbuf *err);

/* The PCI bus passthrough functions go on, and how their INTx pins reach the irqchip. */
struct pci_bus *machine_pci(struct machine *m);
vm_vfio_intx_fn machine_intx_gsi(struct machine *m);
/* Guest-physical ranges [start, end) the platform keeps, where no PCI BAR may be decoded. */
unsigned int machine_mmio_reserved(struct machine *m, const uint64_t (**ranges)[2]);

/*
 * A virtio-iommu at iommu_devfn on machine_pci()'s bus translates the functions at devfns[n]
 * (their endpoint IDs are their requester IDs): the guest's description of the machine says so
 * (ACPI VIOT on x86). Before machine_boot(); -EINVAL with err set if it cannot be described.
 */
int machine_describe_viommu(struct machine *m, unsigned int iommu_devfn, const unsigned int *devfns,
			    unsigned int n, struct errbuf *err);

/*
 * Once every PCI function is in place: load what the guest boots (kernel, or firmware and its
 * configuration), write the guest's description of the machine. The vCPUs exist when it returns:
 * created here, or by machine_setup() where the irqchip needs them before devices wire their
 * interrupts (arm64's vgic takes no irqfd before it is initialised, which needs every vCPU).
 */
int machine_boot(struct machine *m, struct errbuf *err);

/* The serial console on stdin / stdout (valid after machine_setup() succeeded). */
struct uart_console *machine_console(struct machine *m);

/* Press the guest's power button (from the main loop, while the vCPUs run); -ENODEV: none. */
int machine_power_button(struct machine *m);

/*
 * After the vCPUs stopped and the passthrough functions left the PCI bus, before the VM closes
 * (safe on a machine at any stage of being built, and on NULL).
 */
void machine_free(struct machine *m);

#endif
