// SPDX-License-Identifier: MIT
/* PCI host bridge, configuration mechanism #1, device slots and the BAR allocator. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>
#include <linux/pci_regs.h>

#include "devices/pci.h"

#define ADDR(devfn, reg) (0x80000000u | ((devfn) << 8) | ((reg)&0xfc) | (((reg)&0xf00) << 16))

struct fixture {
	struct pci_bus pci;
	struct io_bus io;
};

static int setup(void **state)
{
	static struct fixture f;

	if (io_bus_init(&f.io) || pci_bus_init(&f.pci, 0xc0000000, 0xfec00000, 0x1000, 0x10000) ||
	    pci_bus_attach(&f.pci, &f.io))
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	pci_bus_destroy(&f->pci);
	io_bus_destroy(&f->io);
	return 0;
}

static void outl(struct fixture *f, uint16_t port, uint32_t v)
{
	assert_int_equal(io_bus_access(&f->io, IO_SPACE_PIO, port, &v, 4, true), 0);
}

static uint32_t in(struct fixture *f, uint16_t port, unsigned int len)
{
	uint32_t v = 0;

	assert_int_equal(io_bus_access(&f->io, IO_SPACE_PIO, port, &v, len, false), 0);
	return v;
}

static void out(struct fixture *f, uint16_t port, uint32_t v, unsigned int len)
{
	assert_int_equal(io_bus_access(&f->io, IO_SPACE_PIO, port, &v, len, true), 0);
}

static uint32_t cfg(struct fixture *f, unsigned int devfn, unsigned int reg, unsigned int len)
{
	outl(f, 0xcf8, ADDR(devfn, reg));
	return in(f, 0xcfc + (reg & 3), len);
}

static void host_bridge_identity(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cfg(f, 0, PCI_VENDOR_ID, 2), PCI_HOST_VENDOR_ID);
	assert_int_equal(cfg(f, 0, PCI_DEVICE_ID, 2), PCI_HOST_DEVICE_ID);
	assert_int_equal(cfg(f, 0, PCI_VENDOR_ID, 4),
			 PCI_HOST_VENDOR_ID | (PCI_HOST_DEVICE_ID << 16));
	/* class 06 (bridge), subclass 00 (host), prog-if 00, revision 0 */
	assert_int_equal(cfg(f, 0, PCI_CLASS_REVISION, 4), 0x06000000);
	assert_int_equal(cfg(f, 0, PCI_CLASS_DEVICE, 2), 0x0600);
	assert_int_equal(cfg(f, 0, PCI_HEADER_TYPE, 1), PCI_HEADER_TYPE_NORMAL);
	/* no capabilities, no BARs, no interrupt pin */
	assert_int_equal(cfg(f, 0, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST, 0);
	for (unsigned int bar = PCI_BASE_ADDRESS_0; bar <= PCI_BASE_ADDRESS_5; bar += 4)
		assert_int_equal(cfg(f, 0, bar, 4), 0);
	assert_int_equal(cfg(f, 0, PCI_INTERRUPT_PIN, 1), 0);
	assert_int_equal(cfg(f, 0, PCI_SUBSYSTEM_VENDOR_ID, 2), PCI_HOST_VENDOR_ID);
	/* byte reads at every offset of the data port agree with the dword */
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(cfg(f, 0, i, 1),
				 ((PCI_HOST_VENDOR_ID | (PCI_HOST_DEVICE_ID << 16)) >> (8 * i)) &
					 0xff);
	/* a word at offset 2 through port 0xcfe */
	assert_int_equal(cfg(f, 0, 2, 2), PCI_HOST_DEVICE_ID);
}

static void host_bridge_writable_bits_only(void **state)
{
	struct fixture *f = *state;

	/* identity registers are read-only */
	outl(f, 0xcf8, ADDR(0, 0));
	out(f, 0xcfc, 0x12345678, 4);
	assert_int_equal(cfg(f, 0, 0, 4), PCI_HOST_VENDOR_ID | (PCI_HOST_DEVICE_ID << 16));
	/* command: only I/O, memory and bus master stick */
	outl(f, 0xcf8, ADDR(0, PCI_COMMAND));
	out(f, 0xcfc, 0xffff, 2);
	assert_int_equal(cfg(f, 0, PCI_COMMAND, 2),
			 PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	out(f, 0xcfc, 0, 2);
	assert_int_equal(cfg(f, 0, PCI_COMMAND, 2), 0);
	/* status is not touched by a dword write to command/status */
	outl(f, 0xcf8, ADDR(0, PCI_COMMAND));
	out(f, 0xcfc, 0xffff0007, 4);
	assert_int_equal(cfg(f, 0, PCI_COMMAND, 4), 0x00000007);
	/* interrupt line, cache line size and latency timer are plain storage */
	outl(f, 0xcf8, ADDR(0, PCI_INTERRUPT_LINE));
	out(f, 0xcfc, 0x0b, 1);
	assert_int_equal(cfg(f, 0, PCI_INTERRUPT_LINE, 1), 0x0b);
	outl(f, 0xcf8, ADDR(0, PCI_CACHE_LINE_SIZE));
	out(f, 0xcfd, 0x40, 1); /* latency timer through the second data byte */
	assert_int_equal(cfg(f, 0, PCI_LATENCY_TIMER, 1), 0x40);
	/* BARs of the host bridge stay zero */
	outl(f, 0xcf8, ADDR(0, PCI_BASE_ADDRESS_0));
	out(f, 0xcfc, 0xffffffff, 4);
	assert_int_equal(cfg(f, 0, PCI_BASE_ADDRESS_0, 4), 0);
}

static void config_address_register(void **state)
{
	struct fixture *f = *state;

	/* reads back without the two low bits and the reserved bits 30:28 */
	outl(f, 0xcf8, 0xffffffff);
	assert_int_equal(in(f, 0xcf8, 4), 0x8ffffffc);
	/* only a dword access is CONFIG_ADDRESS: a word write leaves it alone */
	outl(f, 0xcf8, ADDR(0, 0));
	out(f, 0xcf8, 0xbeef, 2);
	assert_int_equal(in(f, 0xcf8, 4), ADDR(0, 0));
	/* non-dword reads of 0xcf8-0xcfb read all-ones (0xcf9 has no hook yet) */
	assert_int_equal(in(f, 0xcf8, 2), 0xffff);
	assert_int_equal(in(f, 0xcf9, 1), 0xff);
	assert_int_equal(in(f, 0xcfa, 1), 0xff);
}

static void disabled_other_bus_and_absent_functions_read_all_ones(void **state)
{
	struct fixture *f = *state;

	/* enable bit clear: no config cycle at all */
	outl(f, 0xcf8, ADDR(0, 0) & ~0x80000000u);
	assert_int_equal(in(f, 0xcfc, 4), 0xffffffff);
	out(f, 0xcfc, 0, 4);
	/* bus 1 does not exist */
	outl(f, 0xcf8, ADDR(0, 0) | (1 << 16));
	assert_int_equal(in(f, 0xcfc, 4), 0xffffffff);
	assert_int_equal(in(f, 0xcfe, 2), 0xffff);
	/* every other function on bus 0 is empty */
	for (unsigned int devfn = 1; devfn < PCI_NR_DEVFN; devfn++)
		assert_int_equal(cfg(f, devfn, 0, 4), 0xffffffff);
	assert_int_equal(cfg(f, PCI_DEVFN(3, 0), PCI_VENDOR_ID, 2), 0xffff);
	assert_int_equal(cfg(f, PCI_DEVFN(3, 0), PCI_HEADER_TYPE, 1), 0xff);
	/* beyond 256 bytes (extended register bits) the host bridge reads all-ones */
	assert_int_equal(cfg(f, 0, 0x100, 4), 0xffffffff);
}

struct fake_fn {
	struct pci_cfg_space cs;
	unsigned int last_off, last_len, writes;
	uint32_t last_val;
};

static uint32_t fake_read(void *opaque, unsigned int off, unsigned int len)
{
	struct fake_fn *d = opaque;

	/* the bus promises naturally aligned accesses */
	assert_int_equal(off % len, 0);
	d->last_off = off;
	d->last_len = len;
	if (off >= 0x100)
		return 0xa5a5a5a5; /* extended space: distinguishable from all-ones */
	return pci_cfg_space_read(&d->cs, off, len);
}

static void fake_write(void *opaque, unsigned int off, uint32_t val, unsigned int len)
{
	struct fake_fn *d = opaque;

	assert_int_equal(off % len, 0);
	d->last_off = off;
	d->last_len = len;
	d->last_val = val;
	d->writes++;
	pci_cfg_space_write(&d->cs, off, val, len);
}

static const struct pci_dev_ops fake_ops = {fake_read, fake_write};

static void devices_plug_in_and_see_aligned_accesses(void **state)
{
	struct fixture *f = *state;
	struct fake_fn a = {0}, b = {0};
	int devfn;

	memset(a.cs.wmask, 0xff, sizeof(a.cs.wmask));
	a.cs.data[0] = 0x86;
	a.cs.data[1] = 0x80;
	devfn = pci_bus_add(&f->pci, -1, &fake_ops, &a);
	assert_int_equal(devfn, PCI_DEVFN(1, 0));
	assert_int_equal(pci_bus_add(&f->pci, -1, &fake_ops, &b), PCI_DEVFN(2, 0));
	assert_int_equal(pci_bus_add(&f->pci, PCI_DEVFN(1, 0), &fake_ops, &b), -EBUSY);
	assert_int_equal(pci_bus_add(&f->pci, PCI_NR_DEVFN, &fake_ops, &b), -EINVAL);
	assert_int_equal(pci_bus_add(&f->pci, 5, NULL, &b), -EINVAL);
	assert_int_equal(cfg(f, devfn, 0, 2), 0x8086);
	/* a misaligned word (port 0xcfd) becomes two byte accesses */
	outl(f, 0xcf8, ADDR(devfn, 0x40));
	out(f, 0xcfd, 0xbbaa, 2);
	assert_int_equal(a.last_len, 1);
	assert_int_equal(a.last_off, 0x42);
	assert_int_equal(cfg(f, devfn, 0x40, 4), 0x00bbaa00);
	/* a dword at 0xcfe is cut by the port range: 2 bytes reach the device */
	outl(f, 0xcf8, ADDR(devfn, 0x40));
	a.writes = 0;
	out(f, 0xcfe, 0x11223344, 4);
	assert_int_equal(a.writes, 1);
	assert_int_equal(a.last_off, 0x42);
	assert_int_equal(a.last_len, 2);
	assert_int_equal(a.last_val, 0x3344);
	/* extended registers (CONFIG_ADDRESS bits 27:24) reach offsets above 255 */
	assert_int_equal(cfg(f, devfn, 0x104, 4), 0xa5a5a5a5);
	assert_int_equal(a.last_off, 0x104);
	/* removal: the slot reads all-ones again; the host bridge cannot be removed */
	assert_int_equal(pci_bus_remove(&f->pci, devfn), 0);
	assert_int_equal(pci_bus_remove(&f->pci, devfn), -ENOENT);
	assert_int_equal(pci_bus_remove(&f->pci, 0), -EINVAL);
	assert_int_equal(cfg(f, devfn, 0, 4), 0xffffffff);
	assert_int_equal(pci_bus_remove(&f->pci, PCI_DEVFN(2, 0)), 0);
}

static void slots_run_out(void **state)
{
	struct fixture *f = *state;
	struct fake_fn d = {0};

	for (int slot = 1; slot < 32; slot++)
		assert_int_equal(pci_bus_add(&f->pci, -1, &fake_ops, &d), PCI_DEVFN(slot, 0));
	assert_int_equal(pci_bus_add(&f->pci, -1, &fake_ops, &d), -ENOSPC);
	/* a free function of a taken slot is still available by number */
	assert_int_equal(pci_bus_add(&f->pci, PCI_DEVFN(4, 1), &fake_ops, &d), PCI_DEVFN(4, 1));
	for (int devfn = 8; devfn < PCI_NR_DEVFN; devfn++)
		pci_bus_remove(&f->pci, devfn);
}

static uint8_t cf9_last;
static void cf9_w(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	(void)opaque;
	assert_int_equal(off, 0);
	assert_int_equal(len, 1);
	cf9_last = *(const uint8_t *)data;
}
static void cf9_r(void *opaque, uint64_t off, void *data, unsigned int len)
{
	(void)opaque;
	(void)off;
	(void)len;
	*(uint8_t *)data = 0x02;
}
static const struct io_ops cf9 = {cf9_r, cf9_w};

static void byte_at_cf9_is_the_reset_register(void **state)
{
	struct fixture *f = *state;

	pci_bus_set_cf9(&f->pci, &cf9, NULL);
	outl(f, 0xcf8, ADDR(0, 8));
	out(f, 0xcf9, 0x06, 1);
	assert_int_equal(cf9_last, 0x06);
	assert_int_equal(in(f, 0xcf9, 1), 0x02);
	/* and CONFIG_ADDRESS did not change */
	assert_int_equal(in(f, 0xcf8, 4), ADDR(0, 8));
	pci_bus_set_cf9(&f->pci, NULL, NULL);
}

static void bar_allocator(void **state)
{
	struct pci_bus bus;
	uint64_t a, b, c;
	(void)state;

	assert_int_equal(pci_bus_init(&bus, 0xc0000000, 0xc0100000, 0x1000, 0x1100), 0);
	assert_int_equal(pci_bar_alloc(&bus, PCI_BAR_MMIO32, 0x20000, &a), 0);
	assert_true(a == 0xc0000000);
	/* small MMIO BARs still get a page of their own */
	assert_int_equal(pci_bar_alloc(&bus, PCI_BAR_MMIO32, 16, &b), 0);
	assert_true(b == 0xc0020000);
	/* natural alignment: 64 KiB goes to the next 64 KiB boundary */
	assert_int_equal(pci_bar_alloc(&bus, PCI_BAR_MMIO32, 0x10000, &c), 0);
	assert_true(c == 0xc0030000);
	assert_int_equal(pci_bar_alloc(&bus, PCI_BAR_MMIO32, 0x100000, &c), -ENOSPC);
	assert_int_equal(pci_bar_alloc(&bus, PCI_BAR_MMIO32, 0x3000, &c), -EINVAL);
	assert_int_equal(pci_bar_alloc(&bus, PCI_BAR_MMIO32, 0, &c), -EINVAL);
	assert_int_equal(pci_bar_alloc(&bus, 7, 0x1000, &c), -EINVAL);
	assert_int_equal(pci_bar_alloc(&bus, PCI_BAR_IO, 0x20, &a), 0);
	assert_true(a == 0x1000);
	assert_int_equal(pci_bar_alloc(&bus, PCI_BAR_IO, 2, &b), 0);
	assert_true(b == 0x1020);
	assert_int_equal(pci_bar_alloc(&bus, PCI_BAR_IO, 0x100, &c), -ENOSPC);
	assert_int_equal(pci_bar_alloc(&bus, PCI_BAR_IO, 0x80, &c), 0);
	assert_true(c == 0x1080);
	pci_bus_destroy(&bus);
	/* bad windows are refused */
	assert_int_equal(pci_bus_init(&bus, 0xd0000000, 0xc0000000, 0x1000, 0x2000), -EINVAL);
	assert_int_equal(pci_bus_init(&bus, 0xc0000000, 0xd0000000, 0x1000, 0x20000), -EINVAL);
}

static void direct_config_access_bounds(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(pci_bus_cfg_read(&f->pci, PCI_NR_DEVFN, 0, 4), 0xffffffff);
	assert_int_equal(pci_bus_cfg_read(&f->pci, 0, PCI_CFG_SPACE_EXP_SIZE - 2, 4), 0xffffffff);
	assert_int_equal(pci_bus_cfg_read(&f->pci, 0, 0, 3),
			 PCI_HOST_VENDOR_ID | ((PCI_HOST_DEVICE_ID & 0xff) << 16));
	assert_int_equal(pci_bus_cfg_read(&f->pci, 0, 0, 0), 0);
	pci_bus_cfg_write(&f->pci, 0, PCI_CFG_SPACE_EXP_SIZE, 0, 4); /* ignored, no crash */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(host_bridge_identity),
		cmocka_unit_test(host_bridge_writable_bits_only),
		cmocka_unit_test(config_address_register),
		cmocka_unit_test(disabled_other_bus_and_absent_functions_read_all_ones),
		cmocka_unit_test(devices_plug_in_and_see_aligned_accesses),
		cmocka_unit_test(slots_run_out),
		cmocka_unit_test(byte_at_cf9_is_the_reset_register),
		cmocka_unit_test(bar_allocator),
		cmocka_unit_test(direct_config_access_bounds),
	};

	return cmocka_run_group_tests_name("pci", tests, setup, teardown);
}
