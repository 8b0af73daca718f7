// SPDX-License-Identifier: MIT
/* The ECAM front of the PCI bus: address decoding, every access width, buses with nothing on them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "devices/pci_ecam.h"

#define BASE 0x3f000000ULL
#define BUSES 16
#define DEVFN PCI_DEVFN(3, 2)

/* A function that records what reaches it and answers reads from its own 4 KiB. */
struct recorder {
	uint8_t cfg[4096];
	unsigned int reads, writes;
	unsigned int last_off, last_len;
	uint32_t last_val;
};

static uint32_t rec_read(void *opaque, unsigned int off, unsigned int len)
{
	struct recorder *r = opaque;
	uint32_t v = 0;

	r->reads++;
	r->last_off = off;
	r->last_len = len;
	memcpy(&v, r->cfg + off, len);
	return v;
}

static void rec_write(void *opaque, unsigned int off, uint32_t val, unsigned int len)
{
	struct recorder *r = opaque;

	r->writes++;
	r->last_off = off;
	r->last_len = len;
	r->last_val = val;
	memcpy(r->cfg + off, &val, len);
}

static const struct pci_dev_ops rec_ops = {rec_read, rec_write};

struct fixture {
	struct io_bus io;
	struct pci_bus pci;
	struct recorder rec;
};

static int setup(void **state)
{
	static struct fixture f;

	memset(&f.rec, 0, sizeof(f.rec));
	for (unsigned int i = 0; i < sizeof(f.rec.cfg); i++)
		f.rec.cfg[i] = (uint8_t)(i * 7 + 1);
	if (io_bus_init(&f.io) || pci_bus_init(&f.pci, 0x10000000, 0x3eff0000, 0x1000, 0x10000) ||
	    pci_ecam_attach(&f.pci, &f.io, BASE, BUSES) ||
	    pci_bus_add(&f.pci, DEVFN, &rec_ops, &f.rec) != DEVFN)
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

static uint64_t rd(struct fixture *f, unsigned int bus, unsigned int devfn, unsigned int reg,
		   unsigned int len)
{
	uint64_t v = 0;
	uint64_t a = BASE + ((uint64_t)bus << 20 | devfn << 12 | reg);

	assert_int_equal(io_bus_access(&f->io, IO_SPACE_MMIO, a, &v, len, false), 0);
	return v;
}

static void wr(struct fixture *f, unsigned int bus, unsigned int devfn, unsigned int reg,
	       uint64_t v, unsigned int len)
{
	uint64_t a = BASE + ((uint64_t)bus << 20 | devfn << 12 | reg);

	assert_int_equal(io_bus_access(&f->io, IO_SPACE_MMIO, a, &v, len, true), 0);
}

static void decode(void **state)
{
	struct pci_ecam_addr a = pci_ecam_decode(0xabcULL | (0x1aULL << 12) | (5ULL << 20));

	(void)state;
	assert_int_equal(a.bus, 5);
	assert_int_equal(a.devfn, 0x1a);
	assert_int_equal(a.reg, 0xabc);
	a = pci_ecam_decode(0xfffffff);
	assert_int_equal(a.bus, 0xff);
	assert_int_equal(a.devfn, 0xff);
	assert_int_equal(a.reg, 0xfff);
	a = pci_ecam_decode(0);
	assert_int_equal(a.bus + a.devfn + a.reg, 0);
}

static void host_bridge(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(rd(f, 0, 0, PCI_VENDOR_ID, 2), PCI_HOST_VENDOR_ID);
	assert_int_equal(rd(f, 0, 0, PCI_DEVICE_ID, 2), PCI_HOST_DEVICE_ID);
	assert_int_equal(rd(f, 0, 0, PCI_VENDOR_ID, 4),
			 PCI_HOST_DEVICE_ID << 16 | PCI_HOST_VENDOR_ID);
	assert_int_equal(rd(f, 0, 0, PCI_CLASS_DEVICE, 2), 0x0600);
	/* an empty slot on bus 0 */
	assert_int_equal(rd(f, 0, PCI_DEVFN(9, 0), PCI_VENDOR_ID, 4), 0xffffffff);
}

static void every_width(void **state)
{
	struct fixture *f = *state;
	const uint8_t *c = f->rec.cfg;
	uint64_t want;

	/* reads: each width lands on the function with its offset and length */
	assert_int_equal(rd(f, 0, DEVFN, 0x41, 1), c[0x41]);
	assert_int_equal(f->rec.last_off, 0x41);
	assert_int_equal(f->rec.last_len, 1);
	assert_int_equal(rd(f, 0, DEVFN, 0x42, 2), c[0x42] | c[0x43] << 8);
	assert_int_equal(f->rec.last_len, 2);
	memcpy(&want, c + 0x44, 4);
	assert_int_equal(rd(f, 0, DEVFN, 0x44, 4), want & 0xffffffff);
	assert_int_equal(f->rec.last_len, 4);
	/* extended config space (PCIe: 0x100-0xfff) is reached too */
	memcpy(&want, c + 0xffc, 4);
	assert_int_equal(rd(f, 0, DEVFN, 0xffc, 4), want & 0xffffffff);
	assert_int_equal(f->rec.last_off, 0xffc);
	/* 8 bytes: two dwords, low first */
	f->rec.reads = 0;
	memcpy(&want, c + 0x48, 8);
	assert_int_equal(rd(f, 0, DEVFN, 0x48, 8), want);
	assert_int_equal(f->rec.reads, 2);
	assert_int_equal(f->rec.last_off, 0x4c);

	/* writes */
	wr(f, 0, DEVFN, 0x61, 0xab, 1);
	assert_int_equal(f->rec.last_off, 0x61);
	assert_int_equal(f->rec.last_len, 1);
	assert_int_equal(f->rec.last_val, 0xab);
	wr(f, 0, DEVFN, 0x62, 0xbeef, 2);
	assert_int_equal(f->rec.last_len, 2);
	assert_int_equal(f->rec.last_val, 0xbeef);
	wr(f, 0, DEVFN, 0x64, 0x12345678, 4);
	assert_int_equal(f->rec.last_len, 4);
	assert_int_equal(f->rec.last_val, 0x12345678);
	f->rec.writes = 0;
	wr(f, 0, DEVFN, 0x68, 0x1122334455667788ULL, 8);
	assert_int_equal(f->rec.writes, 2);
	assert_int_equal(f->rec.last_off, 0x6c);
	assert_int_equal(f->rec.last_val, 0x11223344);
	assert_int_equal(rd(f, 0, DEVFN, 0x68, 8), 0x1122334455667788ULL);
}

static void other_buses(void **state)
{
	struct fixture *f = *state;
	static const unsigned int widths[] = {1, 2, 4, 8};

	f->rec.reads = f->rec.writes = 0;
	for (unsigned int bus = 1; bus < BUSES; bus += 7) {
		for (unsigned int i = 0; i < 4; i++) {
			unsigned int w = widths[i];
			uint64_t ones = w == 8 ? ~0ULL : (1ULL << (8 * w)) - 1;

			/* the same devfn as the function on bus 0: still nothing there */
			assert_int_equal(rd(f, bus, DEVFN, 0, w), ones);
			assert_int_equal(rd(f, bus, 0, 0, w), ones);
			wr(f, bus, DEVFN, 0x40, 0, w);
		}
	}
	assert_int_equal(f->rec.reads, 0);
	assert_int_equal(f->rec.writes, 0);
	/* the last bus of the window ends it: the address after it is nobody's */
	assert_int_equal(rd(f, BUSES - 1, 0xff, 0xffc, 4), 0xffffffff);
}

static void bad_attach(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(pci_ecam_attach(&f->pci, &f->io, 0x80000000, 0), -EINVAL);
	assert_int_equal(pci_ecam_attach(&f->pci, &f->io, 0x80000000, 257), -EINVAL);
	/* overlapping the window already claimed */
	assert_int_equal(pci_ecam_attach(&f->pci, &f->io, BASE + 0x100000, 1), -EEXIST);
}

static uint64_t port_seen;
static uint32_t port_val;

static void port_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	(void)opaque;
	port_seen = 0x1000 + off;
	memcpy(data, &port_val, len);
}

static void port_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	(void)opaque;
	port_seen = 0x1000 + off;
	port_val = 0;
	memcpy(&port_val, data, len);
}

static const struct io_ops port_ops = {port_read, port_write};

/* PCI I/O space as memory: an I/O BAR at port 0x1000 answers at the window's base + 0x1000 */
static void io_window(void **state)
{
	const uint64_t win = 0x3eff0000;
	struct fixture *f = *state;
	uint32_t v = 0x12345678;

	assert_int_equal(pci_io_window_attach(&f->io, win, 0x10000), 0);
	assert_int_equal(io_bus_register(&f->io, IO_SPACE_PIO, 0x1000, 0x20, &port_ops, NULL, "t"),
			 0);
	assert_int_equal(io_bus_access(&f->io, IO_SPACE_MMIO, win + 0x1004, &v, 4, true), 0);
	assert_int_equal(port_seen, 0x1004);
	assert_int_equal(port_val, 0x12345678);
	v = 0;
	assert_int_equal(io_bus_access(&f->io, IO_SPACE_MMIO, win + 0x1002, &v, 2, false), 0);
	assert_int_equal(port_seen, 0x1002);
	assert_int_equal(v, 0x5678);
	/* a port nobody claimed reads all-ones through the window too */
	v = 0;
	assert_int_equal(io_bus_access(&f->io, IO_SPACE_MMIO, win + 0x2000, &v, 4, false), 0);
	assert_int_equal(v, 0xffffffff);
	assert_int_equal(pci_io_window_attach(&f->io, 0x50000000, 0x10001), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decode),
		cmocka_unit_test_setup_teardown(host_bridge, setup, teardown),
		cmocka_unit_test_setup_teardown(every_width, setup, teardown),
		cmocka_unit_test_setup_teardown(other_buses, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_attach, setup, teardown),
		cmocka_unit_test_setup_teardown(io_window, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
