// SPDX-License-Identifier: MIT
/* `vfvm run`: boot a Linux bzImage in a KVM virtual machine. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "devices/pci.h"
#include "devices/power.h"
#include "devices/uart_console.h"
#include "vmm/commands.h"
#include "vmm/rss.h"
#include "vmm/run_firmware.h"
#include "vmm/run_options.h"
#include "vmm/vm.h"
#include "vmm/vm_vfio.h"
#include "vmm/vm_viommu.h"
#include "vmm/x86/x86.h"

/* Everything one run owns, so that every exit path releases it in one place. */
struct run {
	struct run_options opt;
	struct vm vm;
	bool vm_open;
	struct uart_console uart;
	bool uart_ready;
	struct pci_bus pci;
	bool pci_ready;
	struct power power;
	struct vm_vfio vfio;
	bool vfio_ready;
	struct vm_viommu viommu; /* --viommu */
	bool viommu_ready;
	/* --vfio ADDR,bind: devices vfvm moved to vfio-pci, given back at exit */
	char host_buf[5 * PATH_MAX];
	struct host_paths host;
	struct managed_binding managed;
	bool managed_ready;
	struct run_firmware fw; /* --firmware */
	bool fw_loaded;
	struct x86_boot_entry entry;
	int signal_fd;
	struct timespec t_start;
};

static void power_event(void *opaque, enum power_event ev)
{
	vm_request_stop(opaque, ev == POWER_OFF ? VM_STOP_POWEROFF : VM_STOP_RESET);
}

static int init_vcpu(struct vm *vm, struct vcpu *v, void *arg, struct errbuf *err)
{
	struct run *r = arg;

	return x86_vcpu_init(vm->kvm_fd, v->fd, v->index, r->opt.cpus,
			     v->index == 0 ? &r->entry : NULL, err);
}

/* A file the user named is at fault: a usage error rather than a runtime failure. */
static bool is_usage_errno(int r)
{
	return r == -ENOENT || r == -EACCES || r == -ENOEXEC || r == -E2BIG || r == -EISDIR ||
	       r == -EINVAL;
}

static int setup_devices(struct run *r, struct errbuf *err)
{
	struct irq_line uart_irq = vm_irq_line(&r->vm, X86_UART_IRQ);
	int ret;

	ret = uart_console_init(&r->uart, STDIN_FILENO, STDOUT_FILENO, &uart_irq);
	if (ret)
		return errbuf_set(err, ret, "serial console: %s", strerror(-ret));
	r->uart_ready = true;
	ret = uart_console_attach(&r->uart, &r->vm.bus, UART_COM1_BASE);
	if (ret)
		return errbuf_set(err, ret, "serial console at %#x: %s", UART_COM1_BASE,
				  strerror(-ret));
	ret = pci_bus_init(&r->pci, X86_PCI_MMIO32_START, X86_PCI_MMIO32_END, X86_PCI_IO_START,
			   X86_PCI_IO_END);
	if (ret)
		return errbuf_set(err, ret, "PCI bus: %s", strerror(-ret));
	r->pci_ready = true;
	ret = pci_bus_attach(&r->pci, &r->vm.bus);
	if (ret)
		return errbuf_set(err, ret, "PCI configuration ports: %s", strerror(-ret));
	power_init(&r->power, power_event, &r->vm);
	pci_bus_set_cf9(&r->pci, &power_cf9_ops, &r->power);
	ret = power_attach(&r->power, &r->vm.bus, X86_ACPI_SLEEP_PORT, X86_ACPI_S5_SLP_TYP);
	/* firmware boot gives the guest PC ACPI tables, whose power-off is the PM1 registers */
	if (!ret && r->opt.firmware)
		ret = power_attach_acpi_pm1(&r->power, &r->vm.bus, X86_ACPI_PM1_EVT,
					    X86_ACPI_PM1_CNT, X86_ACPI_S5_SLP_TYP);
	if (ret)
		return errbuf_set(err, ret, "power-off / reset ports: %s", strerror(-ret));
	return 0;
}

/* Build the machine; returns an exit code (EXIT_OK to go on running it). */
static int build(struct run *r, struct errbuf *err)
{
	struct x86_linux_args linux_args = {
		.kernel = r->opt.kernel,
		.initrd = r->opt.initrd,
	};
	bool firmware = r->opt.firmware != NULL;
	struct x86_viot viot = {0};
	char *cmdline;
	int ret;

	if (firmware) {
		ret = run_firmware_load(&r->fw, &r->opt, err);
		r->fw_loaded = true;
		if (ret)
			return is_usage_errno(ret) ? EXIT_USAGE : EXIT_RUNTIME;
	}
	ret = vm_open(&r->vm, err);
	r->vm_open = true;
	r->vm.t_start = r->t_start;
	if (ret)
		return EXIT_RUNTIME;
	r->vm.count_exits = r->opt.stats;
	if (run_options_check_cpus(&r->opt, r->vm.max_vcpus, err))
		return EXIT_USAGE;
	ret = x86_memory_layout(&r->vm.mem, r->opt.memory);
	if (ret) {
		errbuf_set(err, ret, "--memory %llu MiB: cannot lay out guest RAM",
			   (unsigned long long)(r->opt.memory >> 20));
		return EXIT_USAGE;
	}
	if (vm_add_ram(&r->vm, firmware ? RUN_FIRMWARE_RAM_SKIP_START : 0,
		       firmware ? RUN_FIRMWARE_RAM_SKIP_END : 0, err) ||
	    x86_vm_init(r->vm.vm_fd, err) || setup_devices(r, err))
		return EXIT_RUNTIME;
	if (firmware && run_firmware_platform(&r->fw, &r->vm, &r->pci, &r->opt, err))
		return EXIT_RUNTIME;
	/* passthrough devices: their errors come before the guest starts, the devices untouched */
	if (r->opt.nr_vfio) {
		host_paths_from_env(&r->host, r->host_buf, sizeof(r->host_buf));
		managed_init(&r->managed, &r->host, &sysfs_ops_real);
		r->managed_ready = true;
		if (managed_bind_all(&r->managed, r->opt.vfio_args, r->opt.nr_vfio, err))
			return EXIT_RUNTIME;
		if (vm_vfio_attach(&r->vfio, &r->vm, &r->pci, r->opt.vfio, r->opt.nr_vfio,
				   x86_pci_intx_gsi, r->opt.viommu, err))
			return EXIT_RUNTIME;
		r->vfio_ready = true;
	}
	if (r->opt.viommu) {
		r->viommu_ready = true;
		if (vm_viommu_attach(&r->viommu, &r->vm, &r->vfio, &r->pci, x86_pci_intx_gsi, err))
			return EXIT_RUNTIME;
	}
	if (firmware) {
		ret = run_firmware_config(&r->fw, &r->pci, &r->opt, err);
		if (ret)
			return is_usage_errno(ret) ? EXIT_USAGE : EXIT_RUNTIME;
		r->entry.reset = true;
		goto vcpus;
	}
	cmdline = run_kernel_cmdline(&r->opt);
	if (!cmdline) {
		errbuf_set(err, ENOMEM, "out of memory");
		return EXIT_RUNTIME;
	}
	linux_args.cmdline = cmdline;
	ret = x86_load_linux(&r->vm.mem, &linux_args, &r->entry, err);
	free(cmdline);
	if (ret)
		return is_usage_errno(ret) ? EXIT_USAGE : EXIT_RUNTIME;
	/* the platform's own vCPU limit (what its tables can describe) shows up here */
	if (r->viommu_ready) {
		viot.iommu_bdf = (uint16_t)r->viommu.devfn;
		for (unsigned int i = 0; i < r->vfio.nr_slots; i++)
			viot.ep_bdf[viot.nr++] = (uint16_t)r->vfio.slots[i].devfn;
	}
	ret = x86_build_tables(&r->vm.mem, r->opt.cpus, r->viommu_ready ? &viot : NULL, err);
	if (ret)
		return ret == -EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
vcpus:
	if (vm_create_vcpus(&r->vm, r->opt.cpus, init_vcpu, r, err))
		return EXIT_RUNTIME;
	return EXIT_OK;
}

/* Wait for the guest to stop, a signal, or console input. */
static void main_loop(struct run *r)
{
	while (!atomic_load(&r->vm.stopping)) {
		struct pollfd p[3] = {
			{.fd = r->vm.stop_fd, .events = POLLIN},
			{.fd = r->signal_fd, .events = POLLIN},
			{.fd = uart_console_poll_fd(&r->uart), .events = POLLIN},
		};
		struct signalfd_siginfo si;

		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			vm_fail(&r->vm, "poll: %s", strerror(errno));
			break;
		}
		if (p[1].revents & POLLIN && read(r->signal_fd, &si, sizeof(si)) == sizeof(si)) {
			r->vm.stop_signal = si.ssi_signo;
			vm_request_stop(&r->vm, VM_STOP_SIGNAL);
		}
		/* POLLNVAL: stdin was closed; the read fails and input is dropped for good */
		if (p[2].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) {
			int ret = uart_console_pump(&r->uart);

			if (ret)
				fprintf(stderr,
					"vfvm: console input: %s (input ignored from now on)\n",
					strerror(-ret));
		}
	}
}

static void print_stats(struct run *r)
{
	struct exit_stats sum;
	uint64_t kib;
	FILE *f;

	vm_exit_stats(&r->vm, &sum);
	exit_stats_print(&sum, stderr);
	fprintf(stderr, "vfvm: start-up (main() to the first KVM_RUN): %.2f ms\n",
		atomic_load(&r->vm.first_run_ns) / 1e6);
	if (r->vfio_ready)
		fprintf(stderr,
			"vfvm: passthrough: opening and resetting the devices %.2f ms (part of the "
			"start-up); mapping guest RAM for DMA %.2f ms (while the guest ran, before "
			"any device mastered)\n",
			r->vfio.assign.open_ns / 1e6, r->vfio.assign.map_ns / 1e6);
	if (r->viommu_ready)
		vm_viommu_print_stats(&r->viommu, stderr);
	f = fopen("/proc/self/smaps", "re");
	if (f && rss_outside_guest_ram(f, &r->vm.mem, &kib) == 0)
		fprintf(stderr, "vfvm: resident memory outside guest RAM: %llu KiB\n",
			(unsigned long long)kib);
	if (f)
		fclose(f);
}

/* The exit code of a VM that ran, after telling the user why it stopped. */
static int report_stop(struct run *r)
{
	switch (atomic_load(&r->vm.stop_reason)) {
	case VM_STOP_POWEROFF:
		return EXIT_OK;
	case VM_STOP_RESET:
		fprintf(stderr, "vfvm: the guest reset the machine; exiting\n");
		return EXIT_OK;
	case VM_STOP_SIGNAL:
		fprintf(stderr, "vfvm: stopped by SIG%s (", sigabbrev_np(r->vm.stop_signal));
		/* where the guest was: the first clue when a guest hangs */
		for (unsigned int i = 0; i < r->vm.nr_vcpus; i++)
			fprintf(stderr, "%svCPU %u at RIP %#llx", i ? ", " : "", i,
				vcpu_rip(&r->vm.vcpus[i]));
		fprintf(stderr, ")\n");
		return EXIT_RUNTIME;
	default:
		fprintf(stderr, "vfvm: %s\n", errbuf_msg(&r->vm.error));
		return EXIT_RUNTIME;
	}
}

static void release(struct run *r)
{
	if (r->vm_open)
		vm_stop_vcpus(&r->vm);
	if (r->uart_ready) {
		uart_console_restore_tty(&r->uart);
		uart_console_destroy(&r->uart);
	}
	if (r->viommu_ready)
		vm_viommu_detach(&r->viommu);
	if (r->vfio_ready)
		vm_vfio_detach(&r->vfio);
	/* only once no fd holds them: vfio-pci waits for its users before letting a device go */
	if (r->managed_ready) {
		struct errbuf e = {""};

		if (managed_restore_all(&r->managed, &e))
			fprintf(stderr, "vfvm run: %s\n", errbuf_msg(&e));
	}
	if (r->fw_loaded)
		run_firmware_release(&r->fw);
	if (r->pci_ready)
		pci_bus_destroy(&r->pci);
	if (r->vm_open)
		vm_close(&r->vm);
	if (r->signal_fd >= 0)
		close(r->signal_fd);
}

int cmd_run(int argc, char **argv)
{
	struct run r = {.signal_fd = -1};
	struct errbuf err = {""};
	sigset_t sigs;
	int code;

	if (run_options_parse(argc, argv, &r.opt, &err)) {
		fprintf(stderr, "vfvm run: %s (see 'vfvm run --help')\n", errbuf_msg(&err));
		return EXIT_USAGE;
	}
	if (r.opt.help) {
		run_usage(stdout);
		return EXIT_OK;
	}
	if (run_options_check_files(&r.opt, &err)) {
		fprintf(stderr, "vfvm run: %s\n", errbuf_msg(&err));
		return EXIT_USAGE;
	}
	/* SIGINT and SIGTERM arrive through a signalfd, in the main loop, never in a vCPU thread */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	r.signal_fd = signalfd(-1, &sigs, SFD_CLOEXEC);
	if (r.signal_fd < 0) {
		/* with the signals blocked and nobody reading them, ^C would do nothing */
		fprintf(stderr, "vfvm run: signalfd: %s\n", strerror(errno));
		return EXIT_RUNTIME;
	}
	clock_gettime(CLOCK_MONOTONIC, &r.t_start);

	code = build(&r, &err);
	if (code == EXIT_OK) {
		uart_console_raw_tty(&r.uart);
		if (vm_start(&r.vm, &err)) {
			code = EXIT_RUNTIME;
		} else {
			main_loop(&r);
			vm_stop_vcpus(&r.vm);
			uart_console_restore_tty(&r.uart);
			code = report_stop(&r);
			if (r.opt.stats)
				print_stats(&r);
		}
	}
	if (code != EXIT_OK && errbuf_msg(&err)[0])
		fprintf(stderr, "vfvm run: %s\n", errbuf_msg(&err));
	release(&r);
	return code;
}
