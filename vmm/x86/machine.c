// SPDX-License-Identifier: MIT
/*
 * The x86 machine (vmm/machine.h): RAM around the MMIO hole below 4 GiB, the in-kernel PIC /
 * IOAPIC / PIT, COM1, PCI through ports 0xcf8/0xcfc, the ACPI sleep and reset ports; Linux booted
 * directly with ACPI tables in low RAM, or SeaBIOS and its PC platform (run_firmware.h).
 */
#include "vmm/machine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/power.h"
#include "vmm/commands.h"
#include "vmm/x86/run_firmware.h"
#include "vmm/x86/x86.h"

struct machine {
	const struct run_options *opt;
	struct vm *vm;
	struct uart_console uart;
	bool uart_ready;
	struct pci_bus pci;
	bool pci_ready;
	struct power power;
	struct run_firmware fw; /* --firmware */
	bool fw_loaded;
	struct x86_boot_entry entry;
	struct x86_viot viot; /* with has_viot: --viommu */
	bool has_viot;
};

const char *machine_default_cmdline(void)
{
	return X86_DEFAULT_CMDLINE;
}

/* A file the user named is at fault: a usage error rather than a runtime failure. */
static bool is_usage_errno(int r)
{
	return r == -ENOENT || r == -EACCES || r == -ENOEXEC || r == -E2BIG || r == -EISDIR ||
	       r == -EINVAL;
}

/* The common capabilities (kvm_caps_needed) are the x86 machine's: nothing more to check. */
int machine_check_kvm(int kvm_fd)
{
	(void)kvm_fd;
	return 0;
}

int machine_dump_dtb(const struct run_options *o, struct errbuf *err)
{
	(void)o;
	errbuf_set(err, ENOTSUP,
		   "--dump-dtb: the x86 machine describes itself with ACPI tables, not a device "
		   "tree");
	return EXIT_USAGE;
}

int machine_new(struct machine **out, const struct run_options *o, struct errbuf *err)
{
	struct machine *m = calloc(1, sizeof(*m));
	int ret;

	*out = m;
	if (!m) {
		errbuf_set(err, ENOMEM, "out of memory");
		return EXIT_RUNTIME;
	}
	m->opt = o;
	if (o->firmware) {
		ret = run_firmware_load(&m->fw, o, err);
		m->fw_loaded = true;
		if (ret)
			return is_usage_errno(ret) ? EXIT_USAGE : EXIT_RUNTIME;
	}
	return EXIT_OK;
}

static void power_event(void *opaque, enum power_event ev)
{
	vm_request_stop(opaque, ev == POWER_OFF ? VM_STOP_POWEROFF : VM_STOP_RESET);
}

static int setup_devices(struct machine *m, struct errbuf *err)
{
	struct irq_line uart_irq = vm_irq_line(m->vm, X86_UART_IRQ), button;
	uint64_t start, end;
	int ret;

	ret = uart_console_init(&m->uart, STDIN_FILENO, STDOUT_FILENO, &uart_irq);
	if (ret)
		return errbuf_set(err, ret, "serial console: %s", strerror(-ret));
	m->uart_ready = true;
	ret = uart_console_attach(&m->uart, &m->vm->bus, UART_COM1_BASE);
	if (ret)
		return errbuf_set(err, ret, "serial console at %#x: %s", UART_COM1_BASE,
				  strerror(-ret));
	ret = pci_bus_init(&m->pci, X86_PCI_MMIO32_START, X86_PCI_MMIO32_END, X86_PCI_IO_START,
			   X86_PCI_IO_END);
	if (ret)
		return errbuf_set(err, ret, "PCI bus: %s", strerror(-ret));
	m->pci_ready = true;
	/* large 64-bit BARs go above RAM, where the DSDT's _CRS tells the guest it may put them */
	if (!x86_pci_mmio64_window(&m->vm->mem, &start, &end))
		pci_bus_set_mmio64(&m->pci, start, end);
	ret = pci_bus_attach(&m->pci, &m->vm->bus);
	if (ret)
		return errbuf_set(err, ret, "PCI configuration ports: %s", strerror(-ret));
	power_init(&m->power, power_event, m->vm);
	/* the DSDT's Generic Event Device: its _EVT notifies the power button */
	button = vm_irq_line(m->vm, X86_ACPI_GED_GSI);
	power_attach_button(&m->power, &button);
	pci_bus_set_cf9(&m->pci, &power_cf9_ops, &m->power);
	ret = power_attach(&m->power, &m->vm->bus, X86_ACPI_SLEEP_PORT, X86_ACPI_S5_SLP_TYP);
	/* firmware boot gives the guest PC ACPI tables, whose power-off is the PM1 registers */
	if (!ret && m->opt->firmware)
		ret = power_attach_acpi_pm1(&m->power, &m->vm->bus, X86_ACPI_PM1_EVT,
					    X86_ACPI_PM1_CNT, X86_ACPI_S5_SLP_TYP);
	if (ret)
		return errbuf_set(err, ret, "power-off / reset ports: %s", strerror(-ret));
	return 0;
}

int machine_setup(struct machine *m, struct vm *vm, struct errbuf *err)
{
	bool firmware = m->opt->firmware != NULL;
	int ret;

	m->vm = vm;
	ret = x86_memory_layout(&vm->mem, m->opt->memory);
	if (ret) {
		errbuf_set(err, ret, "--memory %llu MiB: cannot lay out guest RAM",
			   (unsigned long long)(m->opt->memory >> 20));
		return EXIT_USAGE;
	}
	vm->mem.page_size = m->opt->backing.page_size;
	vm->mem.prealloc = m->opt->backing.prealloc;
	if (vm_add_ram(vm, firmware ? RUN_FIRMWARE_RAM_SKIP_START : 0,
		       firmware ? RUN_FIRMWARE_RAM_SKIP_END : 0, err) ||
	    x86_vm_init(vm->vm_fd, err) || setup_devices(m, err))
		return EXIT_RUNTIME;
	if (firmware && run_firmware_platform(&m->fw, vm, &m->pci, m->opt, err))
		return EXIT_RUNTIME;
	return EXIT_OK;
}

struct pci_bus *machine_pci(struct machine *m)
{
	return &m->pci;
}

int machine_describe_viommu(struct machine *m, unsigned int iommu_devfn, const unsigned int *devfns,
			    unsigned int n, struct errbuf *err)
{
	if (n > X86_VIOT_MAX_ENDPOINTS || iommu_devfn > 0xff)
		return errbuf_set(err, EINVAL, "the ACPI tables cannot describe this virtio-iommu");
	m->viot.iommu_bdf = (uint16_t)iommu_devfn;
	m->viot.nr = n;
	for (unsigned int i = 0; i < n; i++)
		m->viot.ep_bdf[i] = (uint16_t)devfns[i];
	m->has_viot = true;
	return 0;
}

vm_vfio_intx_fn machine_intx_gsi(struct machine *m)
{
	(void)m;
	return x86_pci_intx_gsi;
}

unsigned int machine_mmio_reserved(struct machine *m, const uint64_t (**ranges)[2])
{
	(void)m;
	return x86_mmio_reserved(ranges);
}

static int init_vcpu(struct vm *vm, struct vcpu *v, void *arg, struct errbuf *err)
{
	struct machine *m = arg;

	return x86_vcpu_init(vm->kvm_fd, v->fd, v->index, m->opt->cpus,
			     v->index == 0 ? &m->entry : NULL, err);
}

static int load_linux(struct machine *m, struct errbuf *err)
{
	struct x86_linux_args linux_args = {
		.kernel = m->opt->kernel,
		.initrd = m->opt->initrd,
		.unpack = m->opt->unpack_kernel,
	};
	char *cmdline;
	int ret;

	cmdline = run_kernel_cmdline(m->opt);
	if (!cmdline) {
		errbuf_set(err, ENOMEM, "out of memory");
		return EXIT_RUNTIME;
	}
	linux_args.cmdline = cmdline;
	ret = x86_load_linux(&m->vm->mem, &linux_args, &m->entry, err);
	free(cmdline);
	if (ret)
		return is_usage_errno(ret) ? EXIT_USAGE : EXIT_RUNTIME;
	/* the platform's own vCPU limit (what its tables can describe) shows up here */
	ret = x86_build_tables(&m->vm->mem, m->opt->cpus, m->has_viot ? &m->viot : NULL, err);
	if (ret)
		return ret == -EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
	return EXIT_OK;
}

int machine_boot(struct machine *m, struct errbuf *err)
{
	int ret;

	if (m->opt->firmware) {
		ret = run_firmware_config(&m->fw, &m->pci, m->opt, m->has_viot ? &m->viot : NULL,
					  err);
		if (ret)
			return is_usage_errno(ret) ? EXIT_USAGE : EXIT_RUNTIME;
		m->entry.reset = true;
	} else {
		ret = load_linux(m, err);
		if (ret != EXIT_OK)
			return ret;
	}
	if (vm_create_vcpus(m->vm, m->opt->cpus, init_vcpu, m, err))
		return EXIT_RUNTIME;
	return EXIT_OK;
}

int machine_power_button(struct machine *m)
{
	return power_button(&m->power);
}

struct uart_console *machine_console(struct machine *m)
{
	return m->uart_ready ? &m->uart : NULL;
}

void machine_free(struct machine *m)
{
	if (!m)
		return;
	if (m->uart_ready) {
		uart_console_restore_tty(&m->uart);
		uart_console_destroy(&m->uart);
	}
	if (m->fw_loaded)
		run_firmware_release(&m->fw);
	if (m->pci_ready)
		pci_bus_destroy(&m->pci);
	free(m);
}
