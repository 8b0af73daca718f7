// SPDX-License-Identifier: MIT
/* The arm64 machine's device tree, written with libfdt's sequential-write functions. */
#include "vmm/arm64/arm64.h"

#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

/* A writer whose first failure sticks, so that the tree reads as a list of nodes. */
struct fdtw {
	void *fdt;
	int err; /* libfdt's error (negative FDT_ERR_*), 0 so far */
};

static void node(struct fdtw *w, const char *name)
{
	if (!w->err)
		w->err = fdt_begin_node(w->fdt, name);
}

static void end(struct fdtw *w)
{
	if (!w->err)
		w->err = fdt_end_node(w->fdt);
}

static void prop_str(struct fdtw *w, const char *name, const char *s)
{
	if (!w->err)
		w->err = fdt_property_string(w->fdt, name, s);
}

/* A string list: the strings separated by NULs, len bytes with the last NUL. */
static void prop_strs(struct fdtw *w, const char *name, const char *s, size_t len)
{
	if (!w->err)
		w->err = fdt_property(w->fdt, name, s, len);
}

static void prop_empty(struct fdtw *w, const char *name)
{
	if (!w->err)
		w->err = fdt_property(w->fdt, name, NULL, 0);
}

static void prop_u32(struct fdtw *w, const char *name, uint32_t v)
{
	if (!w->err)
		w->err = fdt_property_u32(w->fdt, name, v);
}

static void prop_u64(struct fdtw *w, const char *name, uint64_t v)
{
	if (!w->err)
		w->err = fdt_property_u64(w->fdt, name, v);
}

/* n cells in host order, written big endian. */
static void prop_cells(struct fdtw *w, const char *name, const uint32_t *cells, unsigned int n)
{
	fdt32_t be[160];

	if (w->err)
		return;
	if (n > sizeof(be) / sizeof(be[0])) {
		w->err = -FDT_ERR_INTERNAL;
		return;
	}
	for (unsigned int i = 0; i < n; i++)
		be[i] = cpu_to_fdt32(cells[i]);
	w->err = fdt_property(w->fdt, name, be, n * sizeof(be[0]));
}

#define HI(x) ((uint32_t)((uint64_t)(x) >> 32))
#define LO(x) ((uint32_t)(x))
#define CELLS(w, name, ...)                                                                        \
	do {                                                                                       \
		const uint32_t c_[] = {__VA_ARGS__};                                               \
		prop_cells(w, name, c_, sizeof(c_) / sizeof(c_[0]));                               \
	} while (0)

/* The interrupt specifier cells of the GIC binding (#interrupt-cells = 3). */
#define GIC_SPI 0
#define GIC_PPI 1
#define IRQ_LEVEL_HIGH 4

/* PCI address space codes in the first cell of a PCI address (the PCI bus binding). */
#define PCI_SPACE_IO 0x01000000
#define PCI_SPACE_MEM32 0x02000000
#define PCI_SPACE_MEM64 0x03000000

static void cpus(struct fdtw *w, unsigned int n)
{
	char name[32];

	node(w, "cpus");
	prop_u32(w, "#address-cells", 1);
	prop_u32(w, "#size-cells", 0);
	for (unsigned int i = 0; i < n; i++) {
		uint64_t mpidr = arm64_vcpu_mpidr(i);

		snprintf(name, sizeof(name), "cpu@%llx", (unsigned long long)mpidr);
		node(w, name);
		prop_str(w, "device_type", "cpu");
		prop_str(w, "compatible", "arm,arm-v8");
		prop_u32(w, "reg", (uint32_t)mpidr);
		prop_str(w, "enable-method", "psci");
		end(w);
	}
	end(w);
}

static void chosen(struct fdtw *w, const struct arm64_fdt_args *a)
{
	node(w, "chosen");
	prop_str(w, "bootargs", a->bootargs ? a->bootargs : "");
	prop_str(w, "stdout-path", ARM64_FDT_UART_PATH);
	if (a->initrd_end > a->initrd_start) {
		prop_u64(w, "linux,initrd-start", a->initrd_start);
		prop_u64(w, "linux,initrd-end", a->initrd_end);
	}
	end(w);
}

static void gic(struct fdtw *w, unsigned int ncpus)
{
	static const char compat_its[] = "arm,gic-v3-its";
	char name[32];

	snprintf(name, sizeof(name), "intc@%llx", ARM64_GIC_DIST_BASE);
	node(w, name);
	prop_str(w, "compatible", "arm,gic-v3");
	prop_empty(w, "interrupt-controller");
	prop_u32(w, "#interrupt-cells", 3);
	prop_u32(w, "#address-cells", 2);
	prop_u32(w, "#size-cells", 2);
	prop_empty(w, "ranges");
	CELLS(w, "reg", HI(ARM64_GIC_DIST_BASE), LO(ARM64_GIC_DIST_BASE), HI(ARM64_GIC_DIST_SIZE),
	      LO(ARM64_GIC_DIST_SIZE), HI(ARM64_GIC_REDIST_BASE), LO(ARM64_GIC_REDIST_BASE),
	      HI(ncpus * ARM64_GIC_REDIST_SIZE), LO(ncpus * ARM64_GIC_REDIST_SIZE));
	prop_u32(w, "phandle", ARM64_PHANDLE_GIC);

	snprintf(name, sizeof(name), "its@%llx", ARM64_GIC_ITS_BASE);
	node(w, name);
	prop_strs(w, "compatible", compat_its, sizeof(compat_its));
	prop_empty(w, "msi-controller");
	prop_u32(w, "#msi-cells", 1);
	CELLS(w, "reg", HI(ARM64_GIC_ITS_BASE), LO(ARM64_GIC_ITS_BASE), HI(ARM64_GIC_ITS_SIZE),
	      LO(ARM64_GIC_ITS_SIZE));
	prop_u32(w, "phandle", ARM64_PHANDLE_ITS);
	end(w);
	end(w);
}

/* One interrupt-map entry per slot (0-3, the mask's reach) and pin (1-4), as the bridge swizzles.
 */
#define INTX_MAP_ENTRY_CELLS                                                                       \
	10 /* child address 3, pin 1, parent phandle 1, parent address 2,                          \
	    * parent specifier 3 */

static void pci_interrupt_map(struct fdtw *w)
{
	uint32_t map[ARM64_PCI_INTX_LINES * 4 * INTX_MAP_ENTRY_CELLS];
	unsigned int n = 0;

	for (unsigned int slot = 0; slot < ARM64_PCI_INTX_LINES; slot++) {
		for (unsigned int pin = 0; pin < 4; pin++) {
			const uint32_t e[INTX_MAP_ENTRY_CELLS] = {
				slot << 11,
				0,
				0,
				pin + 1,
				ARM64_PHANDLE_GIC,
				0,
				0,
				GIC_SPI,
				arm64_pci_intx_gsi(slot, pin),
				IRQ_LEVEL_HIGH,
			};

			memcpy(&map[n], e, sizeof(e));
			n += INTX_MAP_ENTRY_CELLS;
		}
	}
	prop_cells(w, "interrupt-map", map, n);
	CELLS(w, "interrupt-map-mask", 3 << 11, 0, 0, 7);
}

static void pci(struct fdtw *w)
{
	static const char compat[] = "pci-host-ecam-generic";
	char name[32];

	snprintf(name, sizeof(name), "pcie@%llx", ARM64_PCI_ECAM_BASE);
	node(w, name);
	prop_strs(w, "compatible", compat, sizeof(compat));
	prop_str(w, "device_type", "pci");
	prop_u32(w, "#address-cells", 3);
	prop_u32(w, "#size-cells", 2);
	prop_u32(w, "#interrupt-cells", 1);
	CELLS(w, "reg", HI(ARM64_PCI_ECAM_BASE), LO(ARM64_PCI_ECAM_BASE), HI(ARM64_PCI_ECAM_SIZE),
	      LO(ARM64_PCI_ECAM_SIZE));
	CELLS(w, "bus-range", 0, ARM64_PCI_ECAM_BUSES - 1);
	prop_u32(w, "linux,pci-domain", 0);
	prop_empty(w, "dma-coherent");
	/* PCI address, CPU address, size: I/O, 32-bit memory, 64-bit memory (identity mapped) */
	CELLS(w, "ranges", PCI_SPACE_IO, 0, 0, HI(ARM64_PCI_IO_CPU_BASE), LO(ARM64_PCI_IO_CPU_BASE),
	      0, ARM64_PCI_IO_SIZE, PCI_SPACE_MEM32, 0, ARM64_PCI_MMIO32_START,
	      HI(ARM64_PCI_MMIO32_START), LO(ARM64_PCI_MMIO32_START), 0,
	      ARM64_PCI_MMIO32_END - ARM64_PCI_MMIO32_START, PCI_SPACE_MEM64,
	      HI(ARM64_PCI_MMIO64_START), LO(ARM64_PCI_MMIO64_START), HI(ARM64_PCI_MMIO64_START),
	      LO(ARM64_PCI_MMIO64_START), HI(ARM64_PCI_MMIO64_SIZE), LO(ARM64_PCI_MMIO64_SIZE));
	/* every requester ID is the ITS device ID of the same number */
	CELLS(w, "msi-map", 0, ARM64_PHANDLE_ITS, 0, 0x10000);
	pci_interrupt_map(w);
	end(w);
}

static void uart(struct fdtw *w)
{
	node(w, &ARM64_FDT_UART_PATH[1]); /* without the leading '/' */
	prop_str(w, "compatible", "ns16550a");
	CELLS(w, "reg", HI(ARM64_UART_BASE), LO(ARM64_UART_BASE), HI(ARM64_UART_SIZE),
	      LO(ARM64_UART_SIZE));
	CELLS(w, "interrupts", GIC_SPI, ARM64_UART_SPI, IRQ_LEVEL_HIGH);
	prop_u32(w, "clock-frequency", 1843200);
	prop_u32(w, "reg-shift", 0);
	prop_u32(w, "reg-io-width", 1);
	end(w);
}

int arm64_fdt_build(const struct arm64_fdt_args *a, void *buf, size_t size, struct errbuf *err)
{
	struct fdtw w = {buf, 0};
	char name[32];

	if (!a->cpus || a->cpus > ARM64_MAX_CPUS)
		return errbuf_set(err, EINVAL, "%u vCPUs: the arm64 machine holds 1 to %llu",
				  a->cpus, ARM64_MAX_CPUS);
	if (size > INT32_MAX)
		size = INT32_MAX;
	w.err = fdt_create(buf, (int)size);
	if (!w.err)
		w.err = fdt_finish_reservemap(buf);
	node(&w, "");
	prop_str(&w, "compatible", "linux,dummy-virt");
	prop_str(&w, "model", "vfvm");
	prop_u32(&w, "#address-cells", 2);
	prop_u32(&w, "#size-cells", 2);
	prop_u32(&w, "interrupt-parent", ARM64_PHANDLE_GIC);

	chosen(&w, a);
	snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)a->ram_base);
	node(&w, name);
	prop_str(&w, "device_type", "memory");
	CELLS(&w, "reg", HI(a->ram_base), LO(a->ram_base), HI(a->ram_size), LO(a->ram_size));
	end(&w);
	cpus(&w, a->cpus);

	node(&w, "psci");
	prop_str(&w, "compatible", "arm,psci-0.2");
	prop_str(&w, "method", "hvc");
	end(&w);

	node(&w, "timer");
	prop_str(&w, "compatible", "arm,armv8-timer");
	CELLS(&w, "interrupts", GIC_PPI, ARM64_TIMER_PPI_SEC, IRQ_LEVEL_HIGH, GIC_PPI,
	      ARM64_TIMER_PPI_NONSEC, IRQ_LEVEL_HIGH, GIC_PPI, ARM64_TIMER_PPI_VIRT, IRQ_LEVEL_HIGH,
	      GIC_PPI, ARM64_TIMER_PPI_HYP, IRQ_LEVEL_HIGH);
	prop_empty(&w, "always-on");
	end(&w);

	gic(&w, a->cpus);
	pci(&w);
	uart(&w);
	end(&w);
	if (!w.err)
		w.err = fdt_finish(buf);
	if (w.err == -FDT_ERR_NOSPACE)
		return errbuf_set(err, ENOSPC, "the device tree does not fit in %zu bytes", size);
	if (w.err)
		return errbuf_set(err, EINVAL, "device tree: %s", fdt_strerror(w.err));
	return 0;
}
