// SPDX-License-Identifier: MIT
/*
 * The arm64 machine (vmm/machine.h): RAM from 1 GiB, the in-kernel GICv3 with its ITS, a 16550A
 * on MMIO, PCI through ECAM, PSCI 0.2 in KVM (CPU_ON for the secondaries, SYSTEM_OFF and
 * SYSTEM_RESET come back as KVM_EXIT_SYSTEM_EVENT); Linux's Image booted directly with a device
 * tree built by libfdt.
 */
#include "vmm/machine.h"

#include <errno.h>
#include <fcntl.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/pci_ecam.h"
#include "vmm/arm64/arm64.h"
#include "vmm/arm64/kvm_arm64.h"
#include "vmm/commands.h"

struct machine {
	const struct run_options *opt;
	struct vm *vm;
	struct arm64_image img;
	uint64_t initrd_size;
	struct arm64_boot_layout boot;
	struct arm64_gic gic;
	bool gic_made;
	struct uart_console uart;
	bool uart_ready;
	struct pci_bus pci;
	bool pci_ready;
};

const char *machine_default_cmdline(void)
{
	return ARM64_DEFAULT_CMDLINE;
}

static int pread_full(int fd, void *dst, uint64_t len)
{
	uint8_t *p = dst;
	uint64_t off = 0;

	while (off < len) {
		ssize_t n = pread(fd, p + off, len - off > (1U << 30) ? (1U << 30) : len - off,
				  (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO; /* the file shrank under us */
		off += (uint64_t)n;
	}
	return 0;
}

/* Open path and say how long it is; the caller closes the fd. */
static int open_sized(const char *what, const char *path, uint64_t *size, struct errbuf *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errbuf_set(err, errno, "%s %s: %s", what, path, strerror(errno));
	if (fstat(fd, &st)) {
		errbuf_set(err, errno, "%s %s: %s", what, path, strerror(errno));
		close(fd);
		return -errno;
	}
	*size = (uint64_t)st.st_size;
	return fd;
}

/* The Image's header and the initrd's size: every input checked before a VM exists. */
static int check_inputs(struct machine *m, struct errbuf *err)
{
	const struct run_options *o = m->opt;
	uint8_t head[ARM64_IMAGE_HEADER_SIZE];
	struct errbuf why = {""};
	uint64_t size;
	ssize_t n;
	int fd, ret;

	if (o->firmware) {
		errbuf_set(err, EINVAL,
			   "--firmware: the arm64 machine boots Linux directly (there is no BIOS "
			   "for it)");
		return EXIT_USAGE;
	}
	if (o->unpack_kernel) {
		errbuf_set(err, EINVAL,
			   "--unpack-kernel: an arm64 Image is not compressed (only a bzImage is)");
		return EXIT_USAGE;
	}
	if (o->viommu) {
		errbuf_set(err, EINVAL,
			   "--viommu: the arm64 machine's device tree does not describe a "
			   "virtio-iommu yet (x86 only)");
		return EXIT_USAGE;
	}
	fd = open_sized("--kernel", o->kernel, &size, err);
	if (fd < 0)
		return EXIT_USAGE;
	n = pread(fd, head, sizeof(head), 0);
	close(fd);
	if (n < 0) {
		errbuf_set(err, errno, "--kernel %s: %s", o->kernel, strerror(errno));
		return EXIT_USAGE;
	}
	ret = arm64_image_parse(head, (size_t)n, size, o->memory, &m->img, &why);
	if (ret) {
		errbuf_set(err, -ret, "--kernel %s: %s", o->kernel, errbuf_msg(&why));
		return EXIT_USAGE;
	}
	if (o->initrd) {
		fd = open_sized("--initrd", o->initrd, &m->initrd_size, err);
		if (fd < 0)
			return EXIT_USAGE;
		close(fd);
	}
	ret = arm64_boot_place(ARM64_RAM_BASE, o->memory, &m->img, m->initrd_size, &m->boot, &why);
	if (ret) {
		errbuf_set(err, -ret, "--memory %llu MiB: %s",
			   (unsigned long long)(o->memory >> 20), errbuf_msg(&why));
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* The device tree into buf (ARM64_FDT_MAX bytes). */
static int build_fdt(struct machine *m, void *buf, struct errbuf *err)
{
	struct arm64_fdt_args a = {
		.ram_base = ARM64_RAM_BASE,
		.ram_size = m->opt->memory,
		.cpus = m->opt->cpus,
		.initrd_start = m->boot.initrd,
		.initrd_end = m->boot.initrd_end,
	};
	char *cmdline = run_kernel_cmdline(m->opt);
	int ret;

	if (!cmdline)
		return errbuf_set(err, ENOMEM, "out of memory");
	a.bootargs = cmdline;
	ret = arm64_fdt_build(&a, buf, ARM64_FDT_MAX, err);
	free(cmdline);
	return ret;
}

int machine_check_kvm(int kvm_fd)
{
	return arm64_check_kvm(kvm_fd);
}

int machine_dump_dtb(const struct run_options *o, struct errbuf *err)
{
	struct machine m = {.opt = o};
	void *buf;
	int fd, code, ret;

	code = check_inputs(&m, err);
	if (code != EXIT_OK)
		return code;
	buf = calloc(1, ARM64_FDT_MAX);
	if (!buf) {
		errbuf_set(err, ENOMEM, "out of memory");
		return EXIT_RUNTIME;
	}
	ret = build_fdt(&m, buf, err);
	if (ret) {
		free(buf);
		return ret == -EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
	}
	fd = open(o->dump_dtb, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	code = EXIT_OK;
	if (fd < 0 || write(fd, buf, fdt_totalsize(buf)) != (ssize_t)fdt_totalsize(buf)) {
		errbuf_set(err, errno, "--dump-dtb %s: %s", o->dump_dtb, strerror(errno));
		code = fd < 0 ? EXIT_USAGE : EXIT_RUNTIME;
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return code;
}

int machine_new(struct machine **out, const struct run_options *o, struct errbuf *err)
{
	struct machine *m = calloc(1, sizeof(*m));

	*out = m;
	if (!m) {
		errbuf_set(err, ENOMEM, "out of memory");
		return EXIT_RUNTIME;
	}
	m->opt = o;
	return check_inputs(m, err);
}

static int setup_devices(struct machine *m, struct errbuf *err)
{
	struct irq_line uart_irq = arm64_spi_line(m->vm, ARM64_UART_SPI);
	int ret;

	ret = uart_console_init(&m->uart, STDIN_FILENO, STDOUT_FILENO, &uart_irq);
	if (ret)
		return errbuf_set(err, ret, "serial console: %s", strerror(-ret));
	m->uart_ready = true;
	ret = uart_console_attach_mmio(&m->uart, &m->vm->bus, ARM64_UART_BASE);
	if (ret)
		return errbuf_set(err, ret, "serial console at %#llx: %s", ARM64_UART_BASE,
				  strerror(-ret));
	ret = pci_bus_init(&m->pci, ARM64_PCI_MMIO32_START, ARM64_PCI_MMIO32_END,
			   ARM64_PCI_IO_START, ARM64_PCI_IO_END);
	if (ret)
		return errbuf_set(err, ret, "PCI bus: %s", strerror(-ret));
	m->pci_ready = true;
	ret = pci_ecam_attach(&m->pci, &m->vm->bus, ARM64_PCI_ECAM_BASE, ARM64_PCI_ECAM_BUSES)
		      ?: pci_io_window_attach(&m->vm->bus, ARM64_PCI_IO_CPU_BASE,
					      ARM64_PCI_IO_SIZE);
	if (ret)
		return errbuf_set(err, ret, "PCI ECAM at %#llx: %s", ARM64_PCI_ECAM_BASE,
				  strerror(-ret));
	return 0;
}

static int init_vcpu(struct vm *vm, struct vcpu *v, void *arg, struct errbuf *err)
{
	struct machine *m = arg;

	return arm64_vcpu_init(vm->vm_fd, v->fd, v->index, m->boot.kernel, m->boot.fdt, err);
}

int machine_setup(struct machine *m, struct vm *vm, struct errbuf *err)
{
	int ret;

	m->vm = vm;
	ret = arm64_memory_layout(&vm->mem, m->opt->memory);
	if (ret) {
		errbuf_set(err, ret,
			   "--memory %llu MiB: cannot lay out guest RAM (at most %llu GiB)",
			   (unsigned long long)(m->opt->memory >> 20), ARM64_RAM_MAX >> 30);
		return EXIT_USAGE;
	}
	if (m->opt->cpus > ARM64_MAX_CPUS) {
		errbuf_set(err, EINVAL, "--cpus %u: the arm64 machine's GIC holds at most %llu",
			   m->opt->cpus, ARM64_MAX_CPUS);
		return EXIT_USAGE;
	}
	if (vm_add_ram(vm, 0, 0, err))
		return EXIT_RUNTIME;
	m->gic_made = true;
	if (arm64_gic_create(&m->gic, vm, err) || setup_devices(m, err))
		return EXIT_RUNTIME;
	/*
	 * The vCPUs and the GIC's initialisation come now, before the passthrough devices: KVM
	 * takes no irqfd (their INTx lines) until the vgic is initialised, which needs every vCPU.
	 * Their reset state (the Image, the DTB's address) is known already; what is at those
	 * addresses is written by machine_boot(), before anything runs.
	 */
	if (vm_create_vcpus(vm, m->opt->cpus, init_vcpu, m, err) || arm64_gic_init(&m->gic, err))
		return EXIT_RUNTIME;
	return EXIT_OK;
}

struct pci_bus *machine_pci(struct machine *m)
{
	return &m->pci;
}

vm_vfio_intx_fn machine_intx_gsi(struct machine *m)
{
	(void)m;
	return arm64_pci_intx_gsi;
}

unsigned int machine_mmio_reserved(struct machine *m, const uint64_t (**ranges)[2])
{
	(void)m;
	return arm64_mmio_reserved(ranges);
}

static int load_file(const struct guest_mem *mem, const char *what, const char *path, uint64_t gpa,
		     uint64_t size, struct errbuf *err)
{
	void *dst = guest_mem_ptr(mem, gpa, size);
	uint64_t now;
	int fd, ret;

	if (!dst)
		return errbuf_set(err, E2BIG, "%s %s: does not fit in guest RAM at %#llx", what,
				  path, (unsigned long long)gpa);
	fd = open_sized(what, path, &now, err);
	if (fd < 0)
		return fd;
	ret = now == size ? pread_full(fd, dst, size) : -EIO;
	close(fd);
	if (ret)
		return errbuf_set(err, ret, "%s %s: %s", what, path,
				  ret == -EIO ? "changed while vfvm read it" : strerror(-ret));
	return 0;
}

int machine_boot(struct machine *m, struct errbuf *err)
{
	const struct guest_mem *mem = &m->vm->mem;
	void *fdt = guest_mem_ptr(mem, m->boot.fdt, ARM64_FDT_MAX);

	if (!fdt) {
		errbuf_set(err, EINVAL, "the device tree's place %#llx is outside guest RAM",
			   (unsigned long long)m->boot.fdt);
		return EXIT_RUNTIME;
	}
	if (load_file(mem, "--kernel", m->opt->kernel, m->boot.kernel, m->img.file_size, err) ||
	    (m->opt->initrd &&
	     load_file(mem, "--initrd", m->opt->initrd, m->boot.initrd, m->initrd_size, err)) ||
	    build_fdt(m, fdt, err))
		return EXIT_RUNTIME;
	return EXIT_OK;
}

/* Refused with --viommu before the machine is built (see above): never reached with devices. */
int machine_describe_viommu(struct machine *m, unsigned int iommu_devfn, const unsigned int *devfns,
			    unsigned int n, struct errbuf *err)
{
	(void)m;
	(void)iommu_devfn;
	(void)devfns;
	(void)n;
	return errbuf_set(err, ENOTSUP, "the arm64 device tree cannot describe a virtio-iommu yet");
}

/* The arm64 machine has no power button yet (it would be a GPIO key the device tree describes). */
int machine_power_button(struct machine *m)
{
	(void)m;
	return -ENODEV;
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
	if (m->pci_ready)
		pci_bus_destroy(&m->pci);
	if (m->gic_made)
		arm64_gic_destroy(&m->gic);
	free(m);
}
