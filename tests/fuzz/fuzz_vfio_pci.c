// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the guest-facing registers of a passthrough device (config space, BARs, the
 * MSI-X table and PBA) driven by arbitrary guest accesses, over a simulated function whose own
 * config space also comes from the input (a hostile or broken device must not crash vfvm either).
 *
 * Input: 256 bytes of the device's config space, 1 byte of flags, then 12-byte accesses
 * {kind, len, pad[2], offset u32, value u32}: kind 0 config read, 1 config write, 2 MMIO read,
 * 3 MMIO write (at a BAR address the guest may have programmed), 4 PIO read/write.
 */
#include <linux/pci_regs.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vfio/pci_dev.h"
#include "vfio_sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The simulated regions' contents, made once per region: a fresh memfd filled 4 KiB at a time for
 * every BAR of every input was most of an execution. Each input starts from the same contents
 * (one pwrite of the pristine copy), so an input still means the same thing whatever ran before.
 */
struct pooled_region {
	int fd;
	uint64_t size;
	uint8_t *pristine;
};

static int pooled_fd(unsigned int index, uint64_t size, uint8_t fill)
{
	static struct pooled_region pool[VFIO_PCI_NUM_REGIONS];
	struct pooled_region *r = &pool[index];

	if (!r->pristine) {
		r->pristine = malloc(size);
		r->fd = memfd_create("fuzz-region", MFD_CLOEXEC);
		if (!r->pristine || r->fd < 0 || ftruncate(r->fd, (off_t)size))
			__builtin_trap();
		/* what vfio_sim's regions hold: each dword its own offset xor the fill */
		for (uint64_t off = 0; off + 4 <= size; off += 4) {
			uint32_t v = (uint32_t)off ^ (fill * 0x01010101u);

			memcpy(r->pristine + off, &v, 4);
		}
		r->size = size;
	}
	if (pwrite(r->fd, r->pristine, size, 0) != (ssize_t)size)
		__builtin_trap();
	return r->fd;
}

/* a region as sim_bar()/sim_rom() make it, its contents from the pool */
static void region(struct sim_pci *s, unsigned int i, uint64_t size, uint32_t flags, uint8_t fill)
{
	s->regions[i].size = size;
	s->regions[i].flags = flags;
	s->regions[i].fd = pooled_fd(i, size, fill);
}

static void build(struct sim_pci *s, const uint8_t *cfg, uint8_t flags)
{
	static const uint64_t sizes[] = {0x20000, 0x4000, 0x20, 0x1000};

	memcpy(s->cfg, cfg, 256);
	for (unsigned int i = 0; i < 4; i++) {
		if (!(flags & (1u << i)))
			continue;
		uint32_t bar;

		/* sim_bar(): the BAR register's low bits from the input, the rest the size's */
		memcpy(&bar, cfg + PCI_BASE_ADDRESS_0 + 4 * i, 4);
		region(s, i, sizes[i],
		       VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
			       ((flags & 0x10) ? VFIO_REGION_INFO_FLAG_MMAP : 0),
		       (uint8_t)(0x10 + i));
		bar &= 0xf;
		memcpy(s->cfg + PCI_BASE_ADDRESS_0 + 4 * i, &bar, 4);
	}
	if (flags & 0x20)
		region(s, VFIO_PCI_ROM_REGION_INDEX, 0x8000, VFIO_REGION_INFO_FLAG_READ, 0x55);
	if (flags & 0x40)
		sim_intx(s, 1);
	s->irqs[VFIO_PCI_MSI_IRQ_INDEX].count = 32;
	s->irqs[VFIO_PCI_MSI_IRQ_INDEX].flags = VFIO_IRQ_INFO_EVENTFD;
	s->irqs[VFIO_PCI_MSIX_IRQ_INDEX].count = SIM_MAX_VEC;
	s->irqs[VFIO_PCI_MSIX_IRQ_INDEX].flags = VFIO_IRQ_INFO_EVENTFD;
}

static void none_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	(void)opaque;
	(void)off;
	memset(data, 0, len);
}

static void none_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	(void)opaque;
	(void)off;
	(void)data;
	(void)len;
}

static const struct io_ops none = {none_read, none_write};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sim_pci sim;
	static struct rec_vm vm;
	struct vfio_pci_params params = {.name = "fuzz", .intx_gsi = 10, .page_size = 4096};
	struct errbuf e = {""};
	struct vfio_pci *p;

	if (size < 257)
		return 0;
	sim_init(&sim, 0x8086, 0x10d3, (data[256] & 0x80) ? 4096 : 256);
	build(&sim, data, data[256]);
	rec_vm_init(&vm);
	/* another device on each bus (the bus's lookup in an empty table is not what we fuzz) */
	io_bus_register(&vm.bus, IO_SPACE_MMIO, 1ULL << 40, 0x1000, &none, &vm, "other");
	io_bus_register(&vm.bus, IO_SPACE_PIO, 0xfff0, 0x10, &none, &vm, "other");
	if (!vfio_pci_create(&p, &sim_ops, &sim, &vm.vm, &params, &e)) {
		for (size_t at = 257; at + 12 <= size; at += 12) {
			const uint8_t *op = data + at;
			unsigned int len = 1u << (op[1] % 4); /* 1, 2, 4, 8 */
			uint32_t off, val;
			uint64_t v64;

			memcpy(&off, op + 4, 4);
			memcpy(&val, op + 8, 4);
			v64 = val;
			switch (op[0] % 5) {
			case 0:
				vfio_pci_config_read(p, off % 4200, &v64, len);
				break;
			case 1:
				vfio_pci_config_write(p, off % 4200, &v64, len);
				break;
			case 2:
			case 3:
				/* BARs land where config writes put them; aim near the usual window
				 */
				io_bus_access(&vm.bus, IO_SPACE_MMIO,
					      0xfe000000ULL + (off % 0x400000), &v64, len,
					      op[0] % 5 == 3);
				break;
			default:
				io_bus_access(&vm.bus, IO_SPACE_PIO, off & 0xffff, &v64,
					      len > 4 ? 4 : len, op[2] & 1);
				break;
			}
			if (op[3] == 0xee) /* the device raises a vector now and then */
				sim_fire(&sim, op[2] % VFIO_PCI_NUM_IRQS, op[1]);
		}
		vfio_pci_destroy(p);
	}
	/* whatever the guest did, destroy left nothing of the device behind */
	if (rec_nr_slots(&vm) || rec_nr_irqfds(&vm) || rec_nr_routes(&vm) ||
	    vm.bus.nr[IO_SPACE_MMIO] != 1 || vm.bus.nr[IO_SPACE_PIO] != 1)
		__builtin_trap();
	rec_vm_fini(&vm);
	/* the pool keeps its regions for the next input */
	for (unsigned int i = 0; i < VFIO_PCI_NUM_REGIONS; i++)
		sim.regions[i].fd = -1;
	sim_fini(&sim);
	return 0;
}
