// SPDX-License-Identifier: MIT
#include "vmm/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/kvm_caps.h"

#define KVM_DEV "/dev/kvm"

static int check_cap(int fd, unsigned long cap)
{
	int r = ioctl(fd, KVM_CHECK_EXTENSION, cap);

	return r < 0 ? 0 : r;
}

int vm_open(struct vm *vm, struct errbuf *err)
{
	int r, api;

	memset(vm, 0, sizeof(*vm));
	vm->kvm_fd = vm->vm_fd = vm->stop_fd = -1;
	atomic_init(&vm->stopping, false);
	atomic_init(&vm->stop_reason, VM_RUNNING);
	atomic_init(&vm->first_run_ns, 0);
	r = pthread_mutex_init(&vm->lock, NULL) ?: pthread_mutex_init(&vm->coalesced_lock, NULL);
	if (r)
		return errbuf_set(err, r, "cannot create a mutex: %s", strerror(r));
	r = io_bus_init(&vm->bus);
	if (r)
		return errbuf_set(err, r, "cannot create the I/O bus: %s", strerror(-r));
	vm->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->stop_fd < 0)
		return errbuf_set(err, errno, "eventfd: %s", strerror(errno));

	vm->kvm_fd = kvm_open_checked(KVM_DEV, &api, err);
	if (vm->kvm_fd < 0)
		return vm->kvm_fd;
	r = kvm_caps_require(vm->kvm_fd, err);
	if (r)
		return r;
	/* how a vCPU is stopped without a race (see vm_stop_vcpus()) */
	if (!check_cap(vm->kvm_fd, KVM_CAP_IMMEDIATE_EXIT))
		return errbuf_set(err, ENOTSUP, "%s: this KVM lacks KVM_CAP_IMMEDIATE_EXIT",
				  KVM_DEV);
	vm->max_vcpus = check_cap(vm->kvm_fd, KVM_CAP_MAX_VCPUS);
	if (!vm->max_vcpus)
		vm->max_vcpus = check_cap(vm->kvm_fd, KVM_CAP_NR_VCPUS);
	if (!vm->max_vcpus)
		vm->max_vcpus = 4; /* what the KVM API documents when neither cap is there */
	vm->nr_memslots = check_cap(vm->kvm_fd, KVM_CAP_NR_MEMSLOTS);
	if (!vm->nr_memslots)
		vm->nr_memslots = 32;
	vm->max_gsi = check_cap(vm->kvm_fd, KVM_CAP_IRQ_ROUTING);
	vm->coalesced_page = check_cap(vm->kvm_fd, KVM_CAP_COALESCED_MMIO);
	vm->coalesced_pio = check_cap(vm->kvm_fd, KVM_CAP_COALESCED_PIO) > 0;
	r = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (r <= 0)
		return errbuf_set(err, errno, "KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
	vm->run_size = r;

	vm->slot_used = calloc(vm->nr_memslots, 1);
	if (!vm->slot_used)
		return errbuf_set(err, ENOMEM, "out of memory");
	if (vm->max_gsi > GSI_IRQCHIP_PINS) {
		r = gsi_routes_init(&vm->routes, vm->max_gsi);
		if (r)
			return errbuf_set(err, r, "GSI routing table: %s", strerror(-r));
	}

	do
		vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	while (vm->vm_fd < 0 && errno == EINTR);
	if (vm->vm_fd < 0)
		return errbuf_set(err, errno, "KVM_CREATE_VM: %s", strerror(errno));
	return 0;
}

void vm_close(struct vm *vm)
{
	vm_stop_vcpus(vm);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (v->run)
			munmap(v->run, vm->run_size);
		if (v->fd >= 0)
			close(v->fd);
	}
	free(vm->vcpus);
	vm->vcpus = NULL;
	vm->nr_vcpus = 0;
	/* the VM fd goes first: KVM lets go of guest memory with it */
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	if (vm->stop_fd >= 0)
		close(vm->stop_fd);
	vm->vm_fd = vm->kvm_fd = vm->stop_fd = -1;
	guest_mem_free(&vm->mem);
	gsi_routes_destroy(&vm->routes);
	free(vm->slot_used);
	vm->slot_used = NULL;
	io_bus_destroy(&vm->bus);
	pthread_mutex_destroy(&vm->lock);
	pthread_mutex_destroy(&vm->coalesced_lock);
}

int vm_coalesce_writes(struct vm *vm, enum io_space space, uint64_t addr, uint32_t len)
{
	struct kvm_coalesced_mmio_zone z = {.addr = addr, .size = len};
	long page = sysconf(_SC_PAGESIZE);

	if (!vm->coalesced_page || (space == IO_SPACE_PIO && !vm->coalesced_pio) ||
	    (size_t)vm->coalesced_page * (size_t)page >= vm->run_size)
		return -ENOTSUP;
	z.pio = space == IO_SPACE_PIO;
	return ioctl(vm->vm_fd, KVM_REGISTER_COALESCED_MMIO, &z) ? -errno : 0;
}

/* Under vm->lock: a free slot number, marked used, or -ENOSPC. */
static int slot_get(struct vm *vm)
{
	for (unsigned int s = 0; s < vm->nr_memslots; s++) {
		if (!vm->slot_used[s]) {
			vm->slot_used[s] = 1;
			return s;
		}
	}
	return -ENOSPC;
}

static int set_slot(struct vm *vm, unsigned int slot, uint64_t gpa, uint64_t size, void *hva,
		    uint32_t flags)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)hva,
	};

	return ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) ? -errno : 0;
}

/* A slot for [gpa, gpa + size) of RAM range ram; nothing for an empty piece. */
static int add_ram_slot(struct vm *vm, const struct ram_range *ram, uint64_t gpa, uint64_t size,
			struct errbuf *err)
{
	unsigned int slot;
	int r;

	if (!size)
		return 0;
	r = vm_map_host_memory(vm, gpa, size, (uint8_t *)ram->hva + (gpa - ram->gpa), false, &slot);
	if (r)
		return errbuf_set(err, r, "KVM memory slot for RAM at %#llx (%llu KiB): %s",
				  (unsigned long long)gpa, (unsigned long long)(size >> 10),
				  strerror(-r));
	return 0;
}

int vm_add_ram(struct vm *vm, uint64_t skip_start, uint64_t skip_end, struct errbuf *err)
{
	int r = guest_mem_alloc(&vm->mem);

	if (r && vm->mem.page_size)
		return errbuf_set(err, r,
				  "cannot allocate %llu MiB of guest RAM on %s huge pages%s",
				  (unsigned long long)(vm->mem.total >> 20),
				  vm->mem.page_size == (1ULL << 30) ? "1G" : "2M",
				  vm->mem.prealloc ? " (prealloc)" : "");
	if (r)
		return errbuf_set(err, r, "cannot allocate %llu MiB of guest RAM%s",
				  (unsigned long long)(vm->mem.total >> 20),
				  vm->mem.prealloc ? " (prealloc)" : "");
	for (unsigned int i = 0; i < vm->mem.nr_ram; i++) {
		const struct ram_range *ram = &vm->mem.ram[i];
		uint64_t end = ram->gpa + ram->size;

		if (skip_start >= skip_end || skip_end <= ram->gpa || skip_start >= end) {
			r = add_ram_slot(vm, ram, ram->gpa, ram->size, err);
		} else {
			uint64_t lo = skip_start > ram->gpa ? skip_start : ram->gpa;
			uint64_t hi = skip_end < end ? skip_end : end;

			r = add_ram_slot(vm, ram, ram->gpa, lo - ram->gpa, err)
				    ?: add_ram_slot(vm, ram, hi, end - hi, err);
		}
		if (r)
			return r;
	}
	return 0;
}

int vm_map_host_memory(struct vm *vm, uint64_t gpa, uint64_t size, void *hva, bool readonly,
		       unsigned int *slot)
{
	int s, r;

	pthread_mutex_lock(&vm->lock);
	s = slot_get(vm);
	if (s < 0) {
		pthread_mutex_unlock(&vm->lock);
		return s;
	}
	r = set_slot(vm, s, gpa, size, hva, readonly ? KVM_MEM_READONLY : 0);
	if (r)
		vm->slot_used[s] = 0;
	else
		*slot = s;
	pthread_mutex_unlock(&vm->lock);
	return r;
}

int vm_unmap_host_memory(struct vm *vm, unsigned int slot)
{
	int r = -ENOENT;

	pthread_mutex_lock(&vm->lock);
	if (slot < vm->nr_memslots && vm->slot_used[slot]) {
		/* a zero-sized region deletes the slot */
		r = set_slot(vm, slot, 0, 0, NULL, 0);
		if (!r)
			vm->slot_used[slot] = 0;
	}
	pthread_mutex_unlock(&vm->lock);
	return r;
}

int vm_set_irq_level(struct vm *vm, unsigned int gsi, bool level)
{
	struct kvm_irq_level l = {.irq = gsi, .level = level};

	return ioctl(vm->vm_fd, KVM_IRQ_LINE, &l) ? -errno : 0;
}

static void irq_line_cb(void *opaque, unsigned int gsi, bool level)
{
	struct vm *vm = opaque;
	int r = vm_set_irq_level(vm, gsi, level);

	if (r)
		vm_fail(vm, "KVM_IRQ_LINE (GSI %u, level %d): %s", gsi, level, strerror(-r));
}

struct irq_line vm_irq_line(struct vm *vm, unsigned int gsi)
{
	return (struct irq_line){.set_level = irq_line_cb, .opaque = vm, .gsi = gsi};
}

/* Under vm->lock: hand the table to KVM. */
static int push_routes(void *ctx, const struct kvm_irq_routing *table)
{
	struct vm *vm = ctx;

	if (ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, table))
		return -errno;
	vm->routes_set = true;
	return 0;
}

int vm_msi_routes_commit(struct vm *vm, struct gsi_route_change *c, unsigned int n)
{
	int r;

	if (!vm->routes.table)
		return -ENOTSUP;
	/* only an irqchip that translates by device ID (a GICv3 ITS) gets one */
	for (unsigned int i = 0; !vm->msi_devid && i < n; i++)
		c[i].devid = -1;
	pthread_mutex_lock(&vm->lock);
	r = gsi_routes_commit(&vm->routes, c, n, push_routes, vm);
	pthread_mutex_unlock(&vm->lock);
	return r;
}

int vm_msi_route_add(struct vm *vm, uint64_t addr, uint32_t data, unsigned int *gsi)
{
	struct gsi_route_change c = {.gsi = -1, .addr = addr, .data = data, .devid = -1};
	int r = vm_msi_routes_commit(vm, &c, 1);

	if (!r)
		*gsi = (unsigned int)c.gsi;
	return r;
}

int vm_msi_route_update(struct vm *vm, unsigned int gsi, uint64_t addr, uint32_t data)
{
	struct gsi_route_change c = {.gsi = (int)gsi, .addr = addr, .data = data, .devid = -1};

	return gsi > INT32_MAX ? -ENOENT : vm_msi_routes_commit(vm, &c, 1);
}

int vm_msi_route_remove(struct vm *vm, unsigned int gsi)
{
	struct gsi_route_change c = {.gsi = (int)gsi, .remove = true, .devid = -1};

	return gsi > INT32_MAX ? -ENOENT : vm_msi_routes_commit(vm, &c, 1);
}

int vm_signal_msi(struct vm *vm, uint64_t addr, uint32_t data)
{
	struct kvm_msi m = {
		.address_lo = (uint32_t)addr,
		.address_hi = (uint32_t)(addr >> 32),
		.data = data,
	};
	int r = ioctl(vm->vm_fd, KVM_SIGNAL_MSI, &m);

	/* 0 means the guest masked or blocked it: delivered as far as the VMM is concerned */
	return r < 0 ? -errno : 0;
}

int vm_irqfd_assign(struct vm *vm, int fd, unsigned int gsi, int resample_fd)
{
	struct kvm_irqfd i = {.fd = fd, .gsi = gsi};

	if (resample_fd >= 0) {
		i.flags = KVM_IRQFD_FLAG_RESAMPLE;
		i.resamplefd = resample_fd;
	}
	return ioctl(vm->vm_fd, KVM_IRQFD, &i) ? -errno : 0;
}

int vm_irqfd_deassign(struct vm *vm, int fd, unsigned int gsi)
{
	struct kvm_irqfd i = {.fd = fd, .gsi = gsi, .flags = KVM_IRQFD_FLAG_DEASSIGN};

	return ioctl(vm->vm_fd, KVM_IRQFD, &i) ? -errno : 0;
}

void vm_request_stop(struct vm *vm, enum vm_stop_reason why)
{
	int running = VM_RUNNING;
	uint64_t one = 1;

	atomic_compare_exchange_strong(&vm->stop_reason, &running, why);
	atomic_store(&vm->stopping, true);
	if (write(vm->stop_fd, &one, sizeof(one)) < 0) {
		/* only EAGAIN is possible (counter full), and the fd is readable then anyway */
	}
}

void vm_fail(struct vm *vm, const char *fmt, ...)
{
	int running = VM_RUNNING;
	va_list ap;

	/* only the failure that stops the VM writes the message: no race on vm->error */
	if (atomic_compare_exchange_strong(&vm->stop_reason, &running, VM_STOP_ERROR)) {
		va_start(ap, fmt);
		vsnprintf(vm->error.msg, sizeof(vm->error.msg), fmt, ap);
		va_end(ap);
	}
	vm_request_stop(vm, VM_STOP_ERROR);
}

void vm_exit_stats(struct vm *vm, struct exit_stats *sum)
{
	memset(sum, 0, sizeof(*sum));
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		exit_stats_add(sum, &vm->vcpus[i].stats);
}
