// SPDX-License-Identifier: MIT
/* vCPU lifecycle and the run loop: one thread per vCPU looping on KVM_RUN. */
#include "vmm/vm.h"
#include "vmm/coalesced.h"

#include <errno.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

/* The signal that kicks a vCPU thread out of KVM_RUN; its handler does nothing on purpose. */
#define VCPU_KICK_SIGNAL SIGUSR1

static void kick_handler(int sig)
{
	(void)sig;
}

int vm_create_vcpus(struct vm *vm, unsigned int n, vcpu_init_fn init, void *arg, struct errbuf *err)
{
	vm->vcpus = calloc(n, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return errbuf_set(err, ENOMEM, "out of memory");
	for (unsigned int i = 0; i < n; i++) {
		struct vcpu *v = &vm->vcpus[i];
		void *run;
		int r;

		v->vm = vm;
		v->index = i;
		v->fd = -1;
		snprintf(v->name, sizeof(v->name), "vCPU %u", i);
		vm->nr_vcpus = i + 1;
		v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, i);
		if (v->fd < 0)
			return errbuf_set(err, errno, "KVM_CREATE_VCPU %u: %s", i, strerror(errno));
		run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
		if (run == MAP_FAILED)
			return errbuf_set(err, errno, "vCPU %u: mmap of kvm_run: %s", i,
					  strerror(errno));
		v->run = run;
		/* one ring for the VM, reached through any vCPU's mapping */
		if (vm->coalesced_page && !vm->coalesced_ring &&
		    (size_t)vm->coalesced_page * (size_t)sysconf(_SC_PAGESIZE) < vm->run_size)
			vm->coalesced_ring =
				(void *)((uint8_t *)run + (size_t)vm->coalesced_page *
								  (size_t)sysconf(_SC_PAGESIZE));
		if (init) {
			r = init(vm, v, arg, err);
			if (r)
				return r;
		}
	}
	return 0;
}

static void vcpu_fail(struct vcpu *v, const char *what)
{
	vm_fail(v->vm, "vCPU %u: %s at RIP %#llx", v->index, what, vcpu_rip(v));
}

static void count_io(struct vcpu *v, enum io_space space, uint64_t addr)
{
	if (v->vm->count_exits)
		exit_stats_count_io(&v->stats, space, io_bus_name(&v->vm->bus, space, addr), addr);
}

static void handle_pio(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool is_write = run->io.direction == KVM_EXIT_IO_OUT;

	count_io(v, IO_SPACE_PIO, run->io.port);
	/* a string instruction (rep ins/outs) hands over count elements at once */
	for (uint32_t i = 0; i < run->io.count; i++, data += run->io.size)
		io_bus_access(&v->vm->bus, IO_SPACE_PIO, run->io.port, data, run->io.size,
			      is_write);
}

static void handle_mmio(struct vcpu *v)
{
	struct kvm_run *run = v->run;

	count_io(v, IO_SPACE_MMIO, run->mmio.phys_addr);
	io_bus_access(&v->vm->bus, IO_SPACE_MMIO, run->mmio.phys_addr, run->mmio.data,
		      run->mmio.len, run->mmio.is_write);
}

static void handle_system_event(struct vcpu *v)
{
	char what[64];

	switch (v->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		vm_request_stop(v->vm, VM_STOP_POWEROFF);
		break;
	case KVM_SYSTEM_EVENT_RESET:
		vm_request_stop(v->vm, VM_STOP_RESET);
		break;
	default:
		snprintf(what, sizeof(what), "system event %u (KVM_EXIT_SYSTEM_EVENT)",
			 v->run->system_event.type);
		vcpu_fail(v, what);
	}
}

/* Handle one exit; false when the vCPU cannot go on. */
static bool handle_exit(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	char what[128];
	const char *name;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		handle_pio(v);
		return true;
	case KVM_EXIT_MMIO:
		handle_mmio(v);
		return true;
	case KVM_EXIT_INTR:
		return true;
	case KVM_EXIT_SYSTEM_EVENT:
		handle_system_event(v);
		return false;
	case KVM_EXIT_SHUTDOWN:
		vcpu_fail(v, "the guest triple-faulted (KVM_EXIT_SHUTDOWN)");
		return false;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(what, sizeof(what),
			 "KVM could not enter the guest (KVM_EXIT_FAIL_ENTRY, reason %#llx)",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		vcpu_fail(v, what);
		return false;
	case KVM_EXIT_INTERNAL_ERROR:
		snprintf(what, sizeof(what),
			 "KVM internal error (KVM_EXIT_INTERNAL_ERROR, suberror %u)",
			 run->internal.suberror);
		vcpu_fail(v, what);
		return false;
	case KVM_EXIT_HLT:
		/* only without an in-kernel LAPIC: nothing can wake the vCPU any more */
		vcpu_fail(
			v,
			"the guest halted with no interrupt controller to wake it (KVM_EXIT_HLT)");
		return false;
	default:
		name = exit_reason_name(run->exit_reason);
		snprintf(what, sizeof(what), "unhandled exit reason %u (KVM_EXIT_%s)",
			 run->exit_reason, name ? name : "?");
		vcpu_fail(v, what);
		return false;
	}
}

/* Entries in KVM's ring: its page after the head (KVM_COALESCED_MMIO_MAX for this page size). */
static unsigned int coalesced_max(void)
{
	return (unsigned int)(((size_t)sysconf(_SC_PAGESIZE) -
			       sizeof(struct kvm_coalesced_mmio_ring)) /
			      sizeof(struct kvm_coalesced_mmio));
}

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct vm *vm = v->vm;
	struct errbuf err = {""};
	sigset_t kick;

	sigemptyset(&kick);
	sigaddset(&kick, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);
	/* the vCPU was set up by the main thread: from here on only the run loop's calls */
	if (sandbox_enter(vm->sandbox, SANDBOX_VCPU, v->name, &err)) {
		vm_fail(vm, "vCPU %u: %s", v->index, errbuf_msg(&err));
		return NULL;
	}
	if (v->index == 0) {
		long long t0 = vm->t_start.tv_sec * 1000000000LL + vm->t_start.tv_nsec;

		atomic_store(&vm->first_run_ns, now_ns() - t0);
	}
	while (!atomic_load(&vm->stopping)) {
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			vm_fail(vm, "vCPU %u: KVM_RUN: %s", v->index, strerror(errno));
			break;
		}
		exit_stats_count(&v->stats, v->run->exit_reason);
		/* what the guest wrote without exiting comes first */
		if (vm->coalesced_ring) {
			pthread_mutex_lock(&vm->coalesced_lock);
			coalesced_drain(vm->coalesced_ring, coalesced_max(), &vm->bus);
			pthread_mutex_unlock(&vm->coalesced_lock);
		}
		if (!handle_exit(v))
			break;
	}
	return NULL;
}

int vm_start(struct vm *vm, struct errbuf *err)
{
	struct sigaction sa = {.sa_handler = kick_handler};
	sigset_t kick;

	sigemptyset(&sa.sa_mask);
	if (sigaction(VCPU_KICK_SIGNAL, &sa, NULL))
		return errbuf_set(err, errno, "sigaction: %s", strerror(errno));
	/* the threads start with the kick blocked and unblock it themselves */
	sigemptyset(&kick);
	sigaddset(&kick, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &kick, NULL);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		int r = pthread_create(&v->thread, NULL, vcpu_thread, v);

		if (r)
			return errbuf_set(err, r, "cannot start the thread of vCPU %u: %s", i,
					  strerror(r));
		v->started = true;
	}
	return 0;
}

void vm_stop_vcpus(struct vm *vm)
{
	atomic_store(&vm->stopping, true);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (!v->started)
			continue;
		/*
		 * immediate_exit covers a kick that lands between the thread's check of stopping
		 * and its next KVM_RUN; the signal covers a thread already inside the guest.
		 */
		v->run->immediate_exit = 1;
		pthread_kill(v->thread, VCPU_KICK_SIGNAL);
	}
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (!v->started)
			continue;
		pthread_join(v->thread, NULL);
		v->started = false;
	}
}
