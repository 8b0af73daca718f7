// SPDX-License-Identifier: MIT
/* `vfvm run`: boot a Linux kernel in a KVM virtual machine built by the machine (machine.h). */
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

#include "vfio/diag.h"
#include "vmm/commands.h"
#include "vmm/kvm_host.h"
#include "vmm/rss.h"
#include "vmm/run.h"
#include "vmm/sandbox.h"

/* A KVM that is not hardware KVM: say what it is and what will not work, before anything fails. */
static void warn_kvm_kind(const struct host_paths *hp)
{
	char dev[PATH_MAX + 8], line[512];
	struct kvm_host host;

	snprintf(dev, sizeof(dev), "%s/kvm", hp->dev);
	kvm_host_detect(hp->sys, dev, &host);
	if (kvm_host_limits(&host, line, sizeof(line)))
		fprintf(stderr, "vfvm run: warning: %s\n", line);
}

/*
 * Under --user the control socket is NAME's: NAME's vfvm serves it and removes it at exit, which
 * takes a directory NAME may write (in a root-only one the socket would outlive vfvm).
 */
static int api_socket_to_user(struct run *r, struct errbuf *err)
{
	char dir[sizeof(r->api.path)];
	char *slash;
	int ret;

	snprintf(dir, sizeof(dir), "%s", r->api.path);
	slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else
		slash[slash == dir ? 1 : 0] = '\0';
	ret = sandbox_user_may_write_dir(&r->user, dir);
	if (ret == -EACCES)
		return errbuf_set(
			err, EACCES,
			"--api-socket %s: user %s may not write %s, so could not remove the "
			"socket at exit; choose a directory %s may write",
			r->api.path, r->user.name, dir, r->user.name);
	if (ret)
		return errbuf_set(err, -ret,
				  "--api-socket %s: asking whether user %s may write %s: %s",
				  r->api.path, r->user.name, dir, strerror(-ret));
	return api_chown(&r->api, r->user.uid, r->user.gid, err);
}

/* Build the machine; returns an exit code (EXIT_OK to go on running it). */
static int build(struct run *r, struct errbuf *err)
{
	int ret;

	/* first: a socket another vfvm serves must stop this one before it touches any device */
	if (r->opt.api_socket) {
		ret = api_listen(&r->api, r->opt.api_socket, run_api_commands, r, err);
		if (ret)
			return ret == -ENAMETOOLONG || ret == -EEXIST ? EXIT_USAGE : EXIT_RUNTIME;
		r->api_ready = true;
		ret = r->opt.user ? api_socket_to_user(r, err) : 0;
		if (ret)
			return ret == -EACCES ? EXIT_USAGE : EXIT_RUNTIME;
	}
	ret = machine_new(&r->machine, &r->opt, err);
	if (ret != EXIT_OK)
		return ret;
	host_paths_from_env(&r->host, r->host_buf, sizeof(r->host_buf));
	/* a short huge page pool is the user's to fix: say so before KVM is even opened */
	if (r->opt.backing.page_size && hugepages_check(r->host.sys, r->opt.backing.page_size,
							r->opt.memory, r->opt.memory_arg, err))
		return EXIT_USAGE;
	ret = vm_open(&r->vm, err);
	r->vm_open = true;
	r->vm.t_start = r->t_start;
	r->vm.sandbox = r->opt.seccomp;
	if (ret)
		return EXIT_RUNTIME;
	r->vm.count_exits = r->opt.stats;
	if (run_options_check_cpus(&r->opt, r->vm.max_vcpus, err))
		return EXIT_USAGE;
	ret = machine_setup(r->machine, &r->vm, err);
	if (ret != EXIT_OK)
		return ret;
	/* passthrough devices: their errors come before the guest starts, the devices untouched */
	if (r->opt.nr_vfio) {
		/*
		 * VFIO pins all guest RAM: an ordinary user's memlock limit must allow it. With
		 * --viommu each group has a container of its own, and each counts its own pins.
		 */
		uint64_t pinned = r->opt.memory * (r->opt.viommu ? r->opt.nr_vfio : 1u);

		ret = r->opt.user ? sandbox_memlock_reserve(pinned, err)
				  : diag_memlock_self(r->opt.memory, err);
		if (ret)
			return EXIT_RUNTIME;
		const uint64_t(*reserved)[2];
		unsigned int nr_reserved = machine_mmio_reserved(r->machine, &reserved);

		managed_init(&r->managed, &r->host, &sysfs_ops_real);
		r->managed_ready = true;
		if (managed_bind_all(&r->managed, r->opt.vfio_args, r->opt.nr_vfio, err))
			return EXIT_RUNTIME;
		if (vm_vfio_attach(&r->vfio, &r->vm, machine_pci(r->machine), r->opt.vfio,
				   r->opt.nr_vfio, machine_intx_gsi(r->machine), reserved,
				   nr_reserved, r->opt.viommu, err))
			return EXIT_RUNTIME;
		r->vfio_ready = true;
	}
	if (r->opt.viommu) {
		unsigned int eps[VFIO_MAX_ASSIGNED];

		r->viommu_ready = true;
		if (vm_viommu_attach(&r->viommu, &r->vm, &r->vfio, machine_pci(r->machine),
				     machine_intx_gsi(r->machine), err))
			return EXIT_RUNTIME;
		for (unsigned int i = 0; i < r->vfio.nr_slots; i++)
			eps[i] = (unsigned int)r->vfio.slots[i].devfn;
		if (machine_describe_viommu(r->machine, (unsigned int)r->viommu.devfn, eps,
					    r->vfio.nr_slots, err))
			return EXIT_RUNTIME;
	}
	/*
	 * direct boot has no firmware to place BARs: vfvm does, as one would, in the windows of the
	 * machine's bus (x86: below 4 GiB and above RAM; arm64: the 32-bit MMIO and I/O windows its
	 * device tree describes, where 64-bit BARs fall back to)
	 */
	if (r->vfio_ready && !r->opt.firmware && vm_vfio_place_bars(&r->vfio, err))
		return EXIT_RUNTIME;
	ret = machine_boot(r->machine, err);
	if (ret != EXIT_OK)
		return ret;
	/* everything is open: the threads that run beside the guest start as the user */
	if (r->opt.user && sandbox_drop_to(&r->user, err))
		return EXIT_RUNTIME;
	if (r->vfio_ready && vm_vfio_start_dma(&r->vfio, err))
		return EXIT_RUNTIME;
	return EXIT_OK;
}

/* Milliseconds poll() may wait: until the power-down deadline, or for ever (-1). */
static int poll_timeout(const struct run *r)
{
	struct timespec now;
	long long ms;

	if (!r->powerdown_pending)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (r->powerdown_deadline.tv_sec - now.tv_sec) * 1000LL +
	     (r->powerdown_deadline.tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : ms > 1000000 ? 1000000 : (int)ms;
}

static void on_signal(struct run *r, int sig)
{
	struct errbuf err = {""};

	/* --on-sigterm powerdown: the first SIGTERM presses the button, another one stops */
	if (sig == SIGTERM && r->opt.sigterm_powerdown && !r->powerdown_pending &&
	    run_powerdown(r, &err) == 0)
		return;
	if (errbuf_msg(&err)[0])
		fprintf(stderr, "vfvm: SIGTERM: %s; stopping\n", errbuf_msg(&err));
	r->vm.stop_signal = sig;
	vm_request_stop(&r->vm, VM_STOP_SIGNAL);
}

/* Wait for the guest to stop, a signal, console input, or a control request. */
static void main_loop(struct run *r)
{
	enum { STOP, SIGNAL, CONSOLE, API };

	while (!atomic_load(&r->vm.stopping)) {
		struct pollfd p[API + API_POLL_FDS] = {
			[STOP] = {.fd = r->vm.stop_fd, .events = POLLIN},
			[SIGNAL] = {.fd = r->signal_fd, .events = POLLIN},
			[CONSOLE] = {.fd = uart_console_poll_fd(machine_console(r->machine)),
				     .events = POLLIN},
		};
		unsigned int n = API;
		struct signalfd_siginfo si;
		int ready;

		if (r->api_ready)
			n += api_poll_fds(&r->api, p + API);
		ready = poll(p, n, poll_timeout(r));
		if (ready < 0) {
			if (errno == EINTR)
				continue;
			vm_fail(&r->vm, "poll: %s", strerror(errno));
			break;
		}
		if (p[SIGNAL].revents & POLLIN && read(r->signal_fd, &si, sizeof(si)) == sizeof(si))
			on_signal(r, (int)si.ssi_signo);
		/* POLLNVAL: stdin was closed; the read fails and input is dropped for good */
		if (p[CONSOLE].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) {
			int ret = uart_console_pump(machine_console(r->machine));

			if (ret)
				fprintf(stderr,
					"vfvm: console input: %s (input ignored from now on)\n",
					strerror(-ret));
		}
		if (r->api_ready)
			api_serve(&r->api, p + API, n - API);
		/* checked after the events too: a busy console must not hold the deadline off */
		if (r->powerdown_pending && poll_timeout(r) == 0)
			vm_request_stop(&r->vm, VM_STOP_TIMEOUT);
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
	case VM_STOP_SANDBOX:
		return EXIT_RUNTIME; /* the line naming the call is out already */
	case VM_STOP_SIGNAL:
	case VM_STOP_REQUEST:
	case VM_STOP_TIMEOUT:
		if (r->vm.stop_reason == VM_STOP_TIMEOUT)
			fprintf(stderr,
				"vfvm: the guest did not power off within %u s of its power "
				"button; "
				"stopped (",
				r->opt.powerdown_timeout);
		else if (r->vm.stop_reason == VM_STOP_REQUEST)
			fprintf(stderr,
				"vfvm: stopped by a 'stop' request on the control socket (");
		else
			fprintf(stderr, "vfvm: stopped by SIG%s (",
				sigabbrev_np(r->vm.stop_signal));
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
	/* first: a client waiting on a stopped guest learns at once that it is gone */
	if (r->api_ready)
		api_close(&r->api);
	if (r->vm_open)
		vm_stop_vcpus(&r->vm);
	if (r->machine && machine_console(r->machine))
		uart_console_restore_tty(machine_console(r->machine));
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
	/* only once the passthrough functions left its PCI bus */
	machine_free(r->machine);
	if (r->vm_open)
		vm_close(&r->vm);
	if (r->signal_fd >= 0)
		close(r->signal_fd);
}

/* From the SIGSYS handler of the thread at fault: async-signal-safe, as vm_request_stop() is. */
static void sandbox_stop(void *opaque)
{
	struct vm *vm = opaque;

	if (vm->stop_fd >= 0)
		vm_request_stop(vm, VM_STOP_SANDBOX);
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
	if (run_options_check_files(&r.opt, &err) ||
	    (r.opt.user && sandbox_user_lookup(r.opt.user, &r.user, &err))) {
		fprintf(stderr, "vfvm run: %s\n", errbuf_msg(&err));
		return EXIT_USAGE;
	}
	if (r.opt.dump_dtb) {
		/* no VM is made: nothing to sandbox */
		code = machine_dump_dtb(&r.opt, &err);
		if (code != EXIT_OK)
			fprintf(stderr, "vfvm run: %s\n", errbuf_msg(&err));
		return code;
	}
	if (r.opt.user && geteuid() != 0) {
		fprintf(stderr,
			"vfvm run: --user %s: only root can switch users; run vfvm as %s "
			"directly instead\n",
			r.opt.user, r.user.name);
		return EXIT_USAGE;
	}
	r.vm.stop_fd = -1;
	if (sandbox_prepare(r.opt.seccomp, sandbox_stop, &r.vm, &err)) {
		fprintf(stderr, "vfvm run: %s\n", errbuf_msg(&err));
		return EXIT_RUNTIME;
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
	host_paths_from_env(&r.host, r.host_buf, sizeof(r.host_buf));
	warn_kvm_kind(&r.host);

	code = build(&r, &err);
	if (code == EXIT_OK) {
		uart_console_raw_tty(machine_console(r.machine));
		if (vm_start(&r.vm, &err) ||
		    sandbox_enter(r.opt.seccomp, SANDBOX_MAIN, "main", &err)) {
			code = EXIT_RUNTIME;
			vm_request_stop(&r.vm, VM_STOP_ERROR);
		} else {
			main_loop(&r);
			vm_stop_vcpus(&r.vm);
			uart_console_restore_tty(machine_console(r.machine));
			code = report_stop(&r);
			if (r.opt.stats)
				print_stats(&r);
		}
	}
	if (code != EXIT_OK && errbuf_msg(&err)[0])
		fprintf(stderr, "vfvm run: %s\n", errbuf_msg(&err));
	release(&r);
	/* a call refused during the teardown too: the guest may have ended well, vfvm did not */
	if (sandbox_violations())
		code = EXIT_RUNTIME;
	return code;
}
