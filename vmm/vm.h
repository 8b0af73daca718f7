/* SPDX-License-Identifier: MIT */
/*
 * The VM object: the KVM fds, guest RAM and its memory slots, the I/O bus every device sits on, the
 * vCPUs and why the VM stopped. Everything the rest of vfvm needs from KVM goes through here:
 * devices get an irq_line, and VFIO passthrough gets the memory-slot, GSI-routing and irqfd
 * services at the end of this header. No other module issues KVM ioctls on the VM.
 */
#ifndef VFVM_VM_H
#define VFVM_VM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "devices/bus.h"
#include "devices/irq.h"
#include "vmm/errbuf.h"
#include "vmm/exit_stats.h"
#include "vmm/gsi_routes.h"
#include "vmm/memmap.h"
#include "vmm/sandbox.h"

enum vm_stop_reason {
	VM_RUNNING,
	VM_STOP_POWEROFF, /* the guest powered off */
	VM_STOP_RESET,	  /* the guest asked for a reset: vfvm ends too */
	VM_STOP_ERROR,	  /* a vCPU failed; vm->error says why */
	VM_STOP_SIGNAL,	  /* SIGINT / SIGTERM; vm->stop_signal says which */
	VM_STOP_SANDBOX, /* a thread made a system call its seccomp filter refuses (said already) */
	VM_STOP_REQUEST, /* a "stop" request on the control socket */
	VM_STOP_TIMEOUT, /* the guest did not power off in time after its power button */
};

struct vm;
struct kvm_coalesced_mmio_ring;

struct vcpu {
	struct vm *vm;
	unsigned int index;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool started;
	char name[16]; /* "vCPU N", as a seccomp violation names the thread */
	struct exit_stats stats;
};

struct vm {
	int kvm_fd, vm_fd;
	unsigned int max_vcpus;
	unsigned int nr_memslots;
	unsigned int max_gsi;
	size_t run_size;

	struct guest_mem mem; /* laid out by the caller before vm_add_ram() */
	struct io_bus bus;
	struct vcpu *vcpus;
	unsigned int nr_vcpus;
	bool count_exits;	   /* --stats: count PIO/MMIO exits by device range */
	enum sandbox_mode sandbox; /* --seccomp: each thread installs its filter once set up */

	atomic_bool stopping;
	atomic_int stop_reason; /* enum vm_stop_reason: the first one wins */
	int stop_signal;
	int stop_fd;		   /* eventfd, readable once a stop was requested */
	struct errbuf error;	   /* why a vCPU failed (VM_STOP_ERROR) */
	struct timespec t_start;   /* set by the caller; first KVM_RUN is measured from it */
	atomic_llong first_run_ns; /* 0 until vCPU 0 entered the guest */

	/* coalesced writes (vmm/coalesced.h): KVM's page offset in kvm_run (0: none), the ring */
	unsigned int coalesced_page;
	bool coalesced_pio;
	struct kvm_coalesced_mmio_ring *coalesced_ring;
	pthread_mutex_t coalesced_lock;

	pthread_mutex_t lock; /* memory slots, GSI routes */
	uint8_t *slot_used;
	struct gsi_routes routes;
	bool routes_set; /* KVM has our table instead of its default one */
	bool msi_devid;	 /* MSI routes carry their sender's device ID (a GICv3 ITS), set by the
			    machine */
};

/* Open /dev/kvm, check its API, create the VM and the I/O bus. err names what failed. */
int vm_open(struct vm *vm, struct errbuf *err);
/* Stop the vCPUs if they still run and release everything (safe on a half-opened VM). */
void vm_close(struct vm *vm);

/*
 * Back vm->mem (already laid out) with memory and give each range a memory slot, except
 * [skip_start, skip_end) (page aligned; 0, 0 for none): RAM there is allocated and DMA-mapped
 * like the rest, but its slots are the caller's (the BIOS area under the PAM registers).
 */
int vm_add_ram(struct vm *vm, uint64_t skip_start, uint64_t skip_end, struct errbuf *err);

/* Per-vCPU architecture setup (CPUID, MSRs, registers), called once per vCPU in index order. */
typedef int (*vcpu_init_fn)(struct vm *vm, struct vcpu *vcpu, void *arg, struct errbuf *err);
int vm_create_vcpus(struct vm *vm, unsigned int n, vcpu_init_fn init, void *arg,
		    struct errbuf *err);

/*
 * Let the guest's writes to [addr, addr + len) of space go into KVM's coalesced ring instead of
 * exiting: only for registers whose writes need no answer and no immediate side effect (they
 * reach the bus before the next exit is handled). Before vm_create_vcpus(). -ENOTSUP when this
 * KVM cannot (the writes then exit as before), else -errno from KVM.
 */
int vm_coalesce_writes(struct vm *vm, enum io_space space, uint64_t addr, uint32_t len);

/* Start one thread per vCPU. SIGUSR1 is taken for kicking vCPUs out of KVM_RUN. */
int vm_start(struct vm *vm, struct errbuf *err);
/* Ask every vCPU to stop (from any thread, including a vCPU's); the first reason is kept. */
void vm_request_stop(struct vm *vm, enum vm_stop_reason why);
/* Record why a vCPU failed and stop the VM (the first failure's message is kept). */
void vm_fail(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Kick every vCPU out of the guest and wait for its thread to end. */
void vm_stop_vcpus(struct vm *vm);

/* The instruction pointer of a vCPU (for diagnostics; the machine's); 0 if it cannot be read. */
unsigned long long vcpu_rip(struct vcpu *v);

/* The sum of every vCPU's exit counts (valid once they stopped). */
void vm_exit_stats(struct vm *vm, struct exit_stats *sum);

/* An interrupt line on gsi for a device (KVM_IRQ_LINE; needs the in-kernel irqchip). */
struct irq_line vm_irq_line(struct vm *vm, unsigned int gsi);

/* ---- services for device passthrough (VFIO) ---- */

/*
 * Map host memory (e.g. an mmap()ed BAR) into the guest at gpa as a new memory slot: guest
 * accesses no longer exit. gpa, size and hva must be page aligned. -ENOSPC when no slot is left,
 * -EEXIST/-EINVAL from KVM for an overlap or bad alignment.
 */
int vm_map_host_memory(struct vm *vm, uint64_t gpa, uint64_t size, void *hva, bool readonly,
		       unsigned int *slot);
int vm_unmap_host_memory(struct vm *vm, unsigned int slot);

/* Drive a wired interrupt line (GSI 0-23) to level. */
int vm_set_irq_level(struct vm *vm, unsigned int gsi, bool level);

/*
 * MSI routes: a GSI whose irqfd or KVM_SIGNAL_MSI delivers the message (addr, data). A batch of
 * changes reaches KVM in one KVM_SET_GSI_ROUTING, all or nothing (gsi_routes_commit). A new
 * route's devid (a requester ID: bus << 8 | devfn) is kept only when vm->msi_devid, else set -1.
 */
int vm_msi_routes_commit(struct vm *vm, struct gsi_route_change *c, unsigned int n);
int vm_msi_route_add(struct vm *vm, uint64_t addr, uint32_t data, unsigned int *gsi);
int vm_msi_route_update(struct vm *vm, unsigned int gsi, uint64_t addr, uint32_t data);
int vm_msi_route_remove(struct vm *vm, unsigned int gsi);

/* Inject one MSI directly (emulated devices). */
int vm_signal_msi(struct vm *vm, uint64_t addr, uint32_t data);

/*
 * An eventfd that raises gsi when signalled. resample_fd >= 0 makes it a level-triggered line:
 * KVM lowers it on the guest's EOI and signals resample_fd (for VFIO's INTx unmask).
 */
int vm_irqfd_assign(struct vm *vm, int fd, unsigned int gsi, int resample_fd);
int vm_irqfd_deassign(struct vm *vm, int fd, unsigned int gsi);

#endif
