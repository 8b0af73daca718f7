// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: PCI configuration mechanism #1 (CONFIG_ADDRESS 0xcf8, CONFIG_DATA 0xcfc-0xcff,
 * the reset control byte at 0xcf9) as a guest drives it through the I/O bus, with the host bridge
 * at 00:00.0 and a plain function at 00:03.0 behind it; BAR allocation from the windows. The same
 * bus is also behind an ECAM window of two buses and a memory-mapped I/O window (arm64's way).
 *
 * Input: 6-byte accesses {kind, len, value u32}: kind bits 0-3 the port 0xcf8 + kind % 8 (any
 * width, any alignment), bit 4 write, bit 5 also allocate a BAR of 1 << (value % 32) bytes. With
 * kind bit 7, the access is 10 bytes {kind, len, offset u32, value u32} into the ECAM window (bit
 * 6 clear: 1, 2, 4 or 8 bytes) or the I/O window (bit 6 set).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "devices/pci.h"
#include "devices/pci_ecam.h"

#define ECAM_BASE 0x30000000ULL
#define IOWIN_BASE 0x3eff0000ULL
#define IOWIN_SIZE 0x10000ULL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t fn_read(void *opaque, unsigned int off, unsigned int len)
{
	return pci_cfg_space_read(opaque, off & 0xff, len);
}

static void fn_write(void *opaque, unsigned int off, uint32_t val, unsigned int len)
{
	pci_cfg_space_write(opaque, off & 0xff, val, len);
}

static const struct pci_dev_ops fn_ops = {fn_read, fn_write};

static void cf9_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	(void)opaque, (void)off;
	memset(data, 0, len);
}

static void cf9_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	(void)opaque, (void)off, (void)data, (void)len;
}

static const struct io_ops cf9_ops = {cf9_read, cf9_write};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pci_cfg_space fn;
	struct pci_bus pci;
	struct io_bus io;

	if (io_bus_init(&io) || pci_bus_init(&pci, 0xc0000000, 0xfec00000, 0x1000, 0x10000) ||
	    pci_bus_attach(&pci, &io))
		__builtin_trap();
	pci_bus_set_cf9(&pci, &cf9_ops, NULL);
	pci_cfg_host_bridge(&fn, 0x8086, 0x10d3, 0, 0);
	memset(fn.wmask + 0x10, 0xff, 0x30);
	if (pci_bus_add(&pci, PCI_DEVFN(3, 0), &fn_ops, &fn) != PCI_DEVFN(3, 0))
		__builtin_trap();
	if (pci_ecam_attach(&pci, &io, ECAM_BASE, 2) ||
	    pci_io_window_attach(&io, IOWIN_BASE, IOWIN_SIZE))
		__builtin_trap();
	while (size >= 6) {
		unsigned int len = 1u << (data[1] % 4);
		uint64_t val = 0;
		uint64_t addr;
		uint32_t off;

		if (data[0] & 0x80) {
			if (size < 10)
				break;
			memcpy(&off, data + 2, 4);
			memcpy(&val, data + 6, 4);
			if (data[0] & 0x40)
				io_bus_access(&io, IO_SPACE_MMIO, IOWIN_BASE + off % IOWIN_SIZE,
					      &val, len > 4 ? 4 : len, data[0] & 0x10);
			else
				io_bus_access(&io, IO_SPACE_MMIO, ECAM_BASE + off % (2u << 20),
					      &val, len, data[0] & 0x10);
			data += 10;
			size -= 10;
			continue;
		}
		memcpy(&val, data + 2, 4);
		io_bus_access(&io, IO_SPACE_PIO, PCI_CONFIG_ADDRESS_PORT + data[0] % 8, &val, len,
			      data[0] & 0x10);
		if (data[0] & 0x20)
			pci_bar_alloc(&pci, (data[0] & 0x40) ? PCI_BAR_IO : PCI_BAR_MMIO32,
				      1ULL << (val % 32), &addr);
		data += 6;
		size -= 6;
	}
	pci_bus_remove(&pci, PCI_DEVFN(3, 0));
	pci_bus_destroy(&pci);
	io_bus_destroy(&io);
	return 0;
}
