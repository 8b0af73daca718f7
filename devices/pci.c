// SPDX-License-Identifier: MIT
#include "devices/pci.h"

#include <errno.h>
#include <linux/pci_regs.h>
#include <string.h>

#define CONFIG_ENABLE 0x80000000u
/* enable, extended register (27:24), bus, device, function, register (7:2) */
#define CONFIG_ADDRESS_MASK 0x8ffffffcu

static uint32_t ones(unsigned int len)
{
	return len >= 4 ? 0xffffffffu : (1u << (8 * len)) - 1;
}

uint32_t pci_cfg_space_read(const struct pci_cfg_space *cs, unsigned int off, unsigned int len)
{
	uint32_t v = 0;

	if (off >= sizeof(cs->data) || len > sizeof(cs->data) - off)
		return ones(len);
	for (unsigned int i = 0; i < len; i++)
		v |= (uint32_t)cs->data[off + i] << (8 * i);
	return v;
}

void pci_cfg_space_write(struct pci_cfg_space *cs, unsigned int off, uint32_t val, unsigned int len)
{
	if (off >= sizeof(cs->data) || len > sizeof(cs->data) - off)
		return;
	for (unsigned int i = 0; i < len; i++) {
		uint8_t m = cs->wmask[off + i], b = val >> (8 * i);

		cs->data[off + i] = (cs->data[off + i] & ~m) | (b & m);
	}
}

static void put16(struct pci_cfg_space *cs, unsigned int off, uint16_t v)
{
	cs->data[off] = v;
	cs->data[off + 1] = v >> 8;
}

static uint32_t host_read(void *opaque, unsigned int off, unsigned int len)
{
	return pci_cfg_space_read(opaque, off, len);
}

static void host_write(void *opaque, unsigned int off, uint32_t val, unsigned int len)
{
	pci_cfg_space_write(opaque, off, val, len);
}

static const struct pci_dev_ops host_ops = {host_read, host_write};

void pci_cfg_host_bridge(struct pci_cfg_space *cs, uint16_t vendor, uint16_t device,
			 uint16_t subsys_vendor, uint16_t subsys_id)
{
	memset(cs, 0, sizeof(*cs));
	put16(cs, PCI_VENDOR_ID, vendor);
	put16(cs, PCI_DEVICE_ID, device);
	put16(cs, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	cs->data[PCI_CLASS_DEVICE] = 0x00;     /* host bridge ... */
	cs->data[PCI_CLASS_DEVICE + 1] = 0x06; /* ... of class bridge */
	cs->data[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;
	put16(cs, PCI_SUBSYSTEM_VENDOR_ID, subsys_vendor);
	put16(cs, PCI_SUBSYSTEM_ID, subsys_id);
	cs->wmask[PCI_COMMAND] = PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	cs->wmask[PCI_LATENCY_TIMER] = 0xff;
}

static void host_bridge_init(struct pci_cfg_space *cs)
{
	pci_cfg_host_bridge(cs, PCI_HOST_VENDOR_ID, PCI_HOST_DEVICE_ID, PCI_HOST_VENDOR_ID,
			    PCI_HOST_DEVICE_ID);
	/* and the scratch-like registers a guest may write */
	cs->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	cs->wmask[PCI_INTERRUPT_LINE] = 0xff;
}

int pci_bus_init(struct pci_bus *bus, uint64_t mmio_start, uint64_t mmio_end, uint64_t io_start,
		 uint64_t io_end)
{
	memset(bus, 0, sizeof(*bus));
	if (mmio_start >= mmio_end || io_start >= io_end || io_end > 0x10000)
		return -EINVAL;
	bus->win[PCI_BAR_MMIO32] = (struct pci_window){mmio_start, mmio_end, mmio_start};
	bus->win[PCI_BAR_IO] = (struct pci_window){io_start, io_end, io_start};
	host_bridge_init(&bus->host);
	bus->fn[0].ops = &host_ops;
	bus->fn[0].opaque = &bus->host;
	return -pthread_mutex_init(&bus->lock, NULL);
}

void pci_bus_destroy(struct pci_bus *bus)
{
	pthread_mutex_destroy(&bus->lock);
}

void pci_bus_set_cf9(struct pci_bus *bus, const struct io_ops *ops, void *opaque)
{
	pthread_mutex_lock(&bus->lock);
	bus->cf9_ops = ops;
	bus->cf9_opaque = opaque;
	pthread_mutex_unlock(&bus->lock);
}

int pci_bus_add(struct pci_bus *bus, int devfn, const struct pci_dev_ops *ops, void *opaque)
{
	int ret = -ENOSPC;

	if (!ops || !ops->cfg_read || devfn >= PCI_NR_DEVFN)
		return -EINVAL;
	pthread_mutex_lock(&bus->lock);
	if (devfn >= 0) {
		ret = bus->fn[devfn].ops ? -EBUSY : devfn;
	} else {
		for (int d = PCI_DEVFN(1, 0); d < PCI_NR_DEVFN; d += 8) {
			if (!bus->fn[d].ops) {
				ret = d;
				break;
			}
		}
	}
	if (ret >= 0) {
		bus->fn[ret].ops = ops;
		bus->fn[ret].opaque = opaque;
	}
	pthread_mutex_unlock(&bus->lock);
	return ret;
}

void pci_bus_set_host(struct pci_bus *bus, const struct pci_dev_ops *ops, void *opaque)
{
	pthread_mutex_lock(&bus->lock);
	bus->fn[0].ops = ops ? ops : &host_ops;
	bus->fn[0].opaque = ops ? opaque : &bus->host;
	pthread_mutex_unlock(&bus->lock);
}

int pci_bus_remove(struct pci_bus *bus, unsigned int devfn)
{
	int ret = -ENOENT;

	/* the host bridge stays */
	if (devfn == 0 || devfn >= PCI_NR_DEVFN)
		return -EINVAL;
	pthread_mutex_lock(&bus->lock);
	if (bus->fn[devfn].ops) {
		bus->fn[devfn].ops = NULL;
		bus->fn[devfn].opaque = NULL;
		ret = 0;
	}
	pthread_mutex_unlock(&bus->lock);
	return ret;
}

int pci_bus_set_mmio64(struct pci_bus *bus, uint64_t start, uint64_t end)
{
	if (start >= end || start < (1ULL << 32) || start % 4096 || end % 4096)
		return -EINVAL;
	bus->win[PCI_BAR_MMIO64] = (struct pci_window){start, end, start};
	return 0;
}

int pci_bar_alloc(struct pci_bus *bus, enum pci_bar_kind kind, uint64_t size, uint64_t *addr)
{
	struct pci_window *w;
	uint64_t a;
	int ret = -ENOSPC;

	if (kind > PCI_BAR_MMIO64 || !size || (size & (size - 1)))
		return -EINVAL;
	if (kind != PCI_BAR_IO && size < 4096)
		size = 4096;
	if (kind == PCI_BAR_IO && size < 4)
		size = 4;
	pthread_mutex_lock(&bus->lock);
	w = &bus->win[kind];
	a = (w->next + size - 1) & ~(size - 1);
	if (a >= w->next && a < w->end && size <= w->end - a) {
		w->next = a + size;
		*addr = a;
		ret = 0;
	}
	pthread_mutex_unlock(&bus->lock);
	return ret;
}

/* A function's handlers, read under the bus lock; the access itself is made without it held. */
static const struct pci_dev_ops *fn_ops(struct pci_bus *bus, unsigned int devfn, void **opaque)
{
	const struct pci_dev_ops *ops;

	pthread_mutex_lock(&bus->lock);
	ops = bus->fn[devfn].ops;
	*opaque = bus->fn[devfn].opaque;
	pthread_mutex_unlock(&bus->lock);
	return ops;
}

/* One naturally aligned access to one function. */
static uint32_t fn_read(struct pci_bus *bus, unsigned int devfn, unsigned int off, unsigned int len)
{
	void *opaque;
	const struct pci_dev_ops *ops = fn_ops(bus, devfn, &opaque);

	return ops ? ops->cfg_read(opaque, off, len) & ones(len) : ones(len);
}

static void fn_write(struct pci_bus *bus, unsigned int devfn, unsigned int off, uint32_t val,
		     unsigned int len)
{
	void *opaque;
	const struct pci_dev_ops *ops = fn_ops(bus, devfn, &opaque);

	if (ops && ops->cfg_write)
		ops->cfg_write(opaque, off, val & ones(len), len);
}

/* The largest naturally aligned piece that starts at off and fits in left bytes. */
static unsigned int piece(unsigned int off, unsigned int left)
{
	if (!(off & 3) && left >= 4)
		return 4;
	if (!(off & 1) && left >= 2)
		return 2;
	return 1;
}

uint32_t pci_bus_cfg_read(struct pci_bus *bus, unsigned int devfn, unsigned int off,
			  unsigned int len)
{
	uint32_t v = 0;

	if (devfn >= PCI_NR_DEVFN || !len || len > 4 || off >= PCI_CFG_SPACE_EXP_SIZE ||
	    len > PCI_CFG_SPACE_EXP_SIZE - off)
		return ones(len);
	for (unsigned int done = 0, n; done < len; done += n) {
		n = piece(off + done, len - done);
		v |= fn_read(bus, devfn, off + done, n) << (8 * done);
	}
	return v;
}

void pci_bus_cfg_write(struct pci_bus *bus, unsigned int devfn, unsigned int off, uint32_t val,
		       unsigned int len)
{
	if (devfn >= PCI_NR_DEVFN || !len || len > 4 || off >= PCI_CFG_SPACE_EXP_SIZE ||
	    len > PCI_CFG_SPACE_EXP_SIZE - off)
		return;
	for (unsigned int done = 0, n; done < len; done += n) {
		n = piece(off + done, len - done);
		fn_write(bus, devfn, off + done, val >> (8 * done), n);
	}
}

/* The function and register CONFIG_ADDRESS selects, or false when it selects nothing on bus 0. */
static bool decode(struct pci_bus *bus, unsigned int *devfn, unsigned int *reg)
{
	uint32_t a;

	pthread_mutex_lock(&bus->lock);
	a = bus->config_address;
	pthread_mutex_unlock(&bus->lock);
	if (!(a & CONFIG_ENABLE) || ((a >> 16) & 0xff) != 0)
		return false;
	*devfn = (a >> 8) & 0xff;
	*reg = (a & 0xfc) | ((a >> 16) & 0xf00);
	return true;
}

static void cf9_access(struct pci_bus *bus, void *data, bool is_write)
{
	const struct io_ops *ops;
	void *opaque;

	pthread_mutex_lock(&bus->lock);
	ops = bus->cf9_ops;
	opaque = bus->cf9_opaque;
	pthread_mutex_unlock(&bus->lock);
	if (is_write && ops && ops->write)
		ops->write(opaque, 0, data, 1);
	else if (!is_write && ops && ops->read)
		ops->read(opaque, 0, data, 1);
	else if (!is_write)
		*(uint8_t *)data = 0xff;
}

static void conf1_access(struct pci_bus *bus, uint64_t off, void *data, unsigned int len,
			 bool is_write)
{
	unsigned int devfn, reg;
	uint32_t v = 0;

	if (off < 4) {
		if (off == 0 && len == 4) {
			pthread_mutex_lock(&bus->lock);
			if (is_write) {
				memcpy(&v, data, 4);
				bus->config_address = v & CONFIG_ADDRESS_MASK;
			} else {
				memcpy(data, &bus->config_address, 4);
			}
			pthread_mutex_unlock(&bus->lock);
		} else if (off == 1 && len == 1) {
			cf9_access(bus, data, is_write);
		} else if (!is_write) {
			memset(data, 0xff, len);
		}
		return;
	}
	off -= 4;
	if (!decode(bus, &devfn, &reg)) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	if (is_write) {
		memcpy(&v, data, len);
		pci_bus_cfg_write(bus, devfn, reg + off, v, len);
	} else {
		v = pci_bus_cfg_read(bus, devfn, reg + off, len);
		memcpy(data, &v, len);
	}
}

static void conf1_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	/* the bus never hands out more than the range holds, so len <= 8 - off */
	if (len > 4) {
		memset(data, 0xff, len);
		return;
	}
	conf1_access(opaque, off, data, len, false);
}

static void conf1_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	if (len > 4)
		return;
	conf1_access(opaque, off, (void *)data, len, true);
}

static const struct io_ops conf1_ops = {conf1_read, conf1_write};

int pci_bus_attach(struct pci_bus *bus, struct io_bus *io)
{
	return io_bus_register(io, IO_SPACE_PIO, PCI_CONFIG_ADDRESS_PORT, 8, &conf1_ops, bus,
			       "pci-conf1");
}
