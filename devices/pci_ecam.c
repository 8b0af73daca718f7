// SPDX-License-Identifier: MIT
#include "devices/pci_ecam.h"

#include <errno.h>
#include <string.h>

static void ecam_access(struct pci_bus *bus, uint64_t off, void *data, unsigned int len,
			bool is_write)
{
	struct pci_ecam_addr a = pci_ecam_decode(off);
	uint32_t v = 0;

	if (len == 8) {
		ecam_access(bus, off, data, 4, is_write);
		ecam_access(bus, off + 4, (uint8_t *)data + 4, 4, is_write);
		return;
	}
	if (a.bus != 0 || len > 4) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	if (is_write) {
		memcpy(&v, data, len);
		pci_bus_cfg_write(bus, a.devfn, a.reg, v, len);
	} else {
		v = pci_bus_cfg_read(bus, a.devfn, a.reg, len);
		memcpy(data, &v, len);
	}
}

static void ecam_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	ecam_access(opaque, off, data, len, false);
}

static void ecam_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	ecam_access(opaque, off, (void *)data, len, true);
}

static const struct io_ops ecam_ops = {ecam_read, ecam_write};

int pci_ecam_attach(struct pci_bus *bus, struct io_bus *io, uint64_t base, unsigned int nr_buses)
{
	if (!nr_buses || nr_buses > 256)
		return -EINVAL;
	return io_bus_register(io, IO_SPACE_MMIO, base, (uint64_t)nr_buses << PCI_ECAM_BUS_SHIFT,
			       &ecam_ops, bus, "pci-ecam");
}

static void io_window_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	if (io_bus_access(opaque, IO_SPACE_PIO, off, data, len, false))
		memset(data, 0xff, len);
}

static void io_window_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	io_bus_access(opaque, IO_SPACE_PIO, off, (void *)data, len, true);
}

static const struct io_ops io_window_ops = {io_window_read, io_window_write};

int pci_io_window_attach(struct io_bus *io, uint64_t cpu_base, uint64_t size)
{
	if (!size || size > 0x10000)
		return -EINVAL;
	return io_bus_register(io, IO_SPACE_MMIO, cpu_base, size, &io_window_ops, io, "pci-io");
}
