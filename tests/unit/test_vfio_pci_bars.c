// SPDX-License-Identifier: MIT
/* Passthrough BARs: sizing, relocation, decode enables, mmap pieces, trapped accesses, the ROM. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <linux/pci_regs.h>
#include <string.h>
#include <cmocka.h>

#include "devices/pci.h"
#include "vfio/pci_dev.h"
#include "vmm/vm_vfio.h"
#include "vfio_sim.h"
#ifdef __aarch64__
#include "vmm/arm64/arm64.h"
#define platform_mmio_reserved arm64_mmio_reserved
#else
#include "vmm/x86/x86.h"
#define platform_mmio_reserved x86_mmio_reserved
#endif

#define KIB 1024ULL
#define MIB (1024ULL * KIB)

struct fx {
	struct sim_pci sim;
	struct rec_vm vm;
	struct vfio_pci *pci;
};

static bool platform_reserved; /* the next fx_new's VM keeps what the platform keeps */

static struct fx *fx_new(void (*build)(struct sim_pci *))
{
	static struct fx f;
	struct vfio_pci_params params = {.name = "0000:00:02.0", .intx_gsi = -1, .page_size = 4096};
	struct errbuf e = {""};

	sim_init(&f.sim, 0x8086, 0x10d3, 256);
	build(&f.sim);
	rec_vm_init(&f.vm);
	if (platform_reserved)
		f.vm.vm.nr_reserved = platform_mmio_reserved(&f.vm.vm.reserved);
	platform_reserved = false;
	if (vfio_pci_create(&f.pci, &sim_ops, &f.sim, &f.vm.vm, &params, &e))
		fail_msg("create: %s", e.msg);
	return &f;
}

static void fx_free(struct fx *f)
{
	vfio_pci_destroy(f->pci);
	assert_int_equal(rec_nr_slots(&f->vm), 0);
	assert_int_equal(f->vm.bus.nr[IO_SPACE_MMIO] + f->vm.bus.nr[IO_SPACE_PIO], 0);
	rec_vm_fini(&f->vm);
	sim_fini(&f->sim);
}

/* e1000e as QEMU models it: BAR0 and BAR1 128 KiB memory, BAR2 32-byte I/O, BAR3 16 KiB MSI-X. */
static void build_e1000e(struct sim_pci *s)
{
	sim_bar(s, 0, 128 * KIB, 0, true);
	sim_bar(s, 1, 128 * KIB, 0, true);
	sim_bar(s, 2, 32, PCI_BASE_ADDRESS_SPACE_IO, false);
	sim_bar(s, 3, 16 * KIB, 0, true);
	sim_msix(s, 0xa0, 5, 3, 0, 3, 0x2000);
}

static void build_64bit(struct sim_pci *s)
{
	sim_bar(s, 0, 64 * MIB, PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH, true);
	sim_bar(s, 2, 8ULL << 30, PCI_BASE_ADDRESS_MEM_TYPE_64, false);
	sim_rom(s, 64 * KIB);
}

static void sizing_32bit_and_io(void **state)
{
	struct fx *f = fx_new(build_e1000e);
	(void)state;

	cfg_wr(f->pci, PCI_BASE_ADDRESS_0, 0xffffffff, 4);
	assert_int_equal(cfg_rd(f->pci, PCI_BASE_ADDRESS_0, 4), 0xfffe0000);
	cfg_wr(f->pci, PCI_BASE_ADDRESS_2, 0xffffffff, 4);
	assert_int_equal(cfg_rd(f->pci, PCI_BASE_ADDRESS_2, 4), 0xffffffe1);
	cfg_wr(f->pci, PCI_BASE_ADDRESS_3, 0xffffffff, 4);
	assert_int_equal(cfg_rd(f->pci, PCI_BASE_ADDRESS_3, 4), 0xffffc000);
	/* no BAR behind 4 and 5: they size to zero, as absent BARs do */
	cfg_wr(f->pci, PCI_BASE_ADDRESS_4, 0xffffffff, 4);
	assert_int_equal(cfg_rd(f->pci, PCI_BASE_ADDRESS_4, 4), 0);
	/* a byte write sizes only its byte */
	cfg_wr(f->pci, PCI_BASE_ADDRESS_0, 0, 4);
	cfg_wr(f->pci, PCI_BASE_ADDRESS_0 + 3, 0xfe, 1);
	assert_int_equal(cfg_rd(f->pci, PCI_BASE_ADDRESS_0, 4), 0xfe000000);
	/* the device never sees BAR writes: its own registers keep the host's view */
	assert_int_equal(f->sim.cfg[PCI_BASE_ADDRESS_0 + 3], 0);
	fx_free(f);
}

static void sizing_64bit_pairs_and_prefetch(void **state)
{
	struct fx *f = fx_new(build_64bit);
	(void)state;

	cfg_wr(f->pci, PCI_BASE_ADDRESS_0, 0xffffffff, 4);
	cfg_wr(f->pci, PCI_BASE_ADDRESS_1, 0xffffffff, 4);
	assert_int_equal(cfg_rd(f->pci, PCI_BASE_ADDRESS_0, 4), 0xfc00000c);
	assert_int_equal(cfg_rd(f->pci, PCI_BASE_ADDRESS_1, 4), 0xffffffff);
	/* 8 GiB: every low address bit is size, the upper dword says the rest */
	cfg_wr(f->pci, PCI_BASE_ADDRESS_2, 0xffffffff, 4);
	cfg_wr(f->pci, PCI_BASE_ADDRESS_3, 0xffffffff, 4);
	assert_int_equal(cfg_rd(f->pci, PCI_BASE_ADDRESS_2, 4), 0x00000004);
	assert_int_equal(cfg_rd(f->pci, PCI_BASE_ADDRESS_3, 4), 0xfffffffe);

	/* place BAR0 above 4 GiB and turn memory decoding on: one slot, mmap-backed */
	cfg_wr(f->pci, PCI_BASE_ADDRESS_0, 0, 4);
	cfg_wr(f->pci, PCI_BASE_ADDRESS_1, 0x8, 4);
	cfg_wr(f->pci, PCI_BASE_ADDRESS_2, 0, 4);
	cfg_wr(f->pci, PCI_BASE_ADDRESS_3, 0x10, 4);
	cfg_wr(f->pci, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	assert_int_equal(rec_nr_slots(&f->vm), 1);
	{
		const struct rec_slot *s = rec_slot_at(&f->vm, 0x800000000ULL);
		uint32_t v;

		assert_non_null(s);
		assert_true(s->size == 64 * MIB);
		/* the slot's memory is the device's BAR */
		memcpy(&v, (char *)s->hva + 0x100, 4);
		assert_int_equal(v, sim_region_u32(&f->sim, 0, 0x100));
	}
	/* the non-mmap 8 GiB BAR is trapped: an access reaches the device at the region offset */
	{
		uint32_t v = 0, w = 0x12345678;

		assert_int_equal(io_bus_access(&f->vm.bus, IO_SPACE_MMIO, 0x1000000000ULL + 0x40,
					       &v, 4, false),
				 0);
		assert_int_equal(v, sim_region_u32(&f->sim, 2, 0x40));
		io_bus_access(&f->vm.bus, IO_SPACE_MMIO, 0x1000000000ULL + 0x80, &w, 4, true);
		assert_int_equal(sim_region_u32(&f->sim, 2, 0x80), 0x12345678);
	}
	fx_free(f);
}

static void decode_enables_and_relocation(void **state)
{
	struct fx *f = fx_new(build_e1000e);
	uint32_t v;
	(void)state;

	cfg_wr(f->pci, PCI_BASE_ADDRESS_0, 0xfe000000, 4);
	cfg_wr(f->pci, PCI_BASE_ADDRESS_2, 0xc000, 4);
	/* programmed but not decoded: nothing mapped */
	assert_int_equal(rec_nr_slots(&f->vm), 0);
	assert_int_equal(f->vm.bus.nr[IO_SPACE_MMIO], 0);

	cfg_wr(f->pci, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
	assert_non_null(rec_slot_at(&f->vm, 0xfe000000));
	assert_null(io_bus_name(&f->vm.bus, IO_SPACE_PIO, 0xc000)); /* I/O decode still off */
	/* the command register itself is the device's: bus mastering reaches it */
	assert_int_equal(f->sim.cfg[PCI_COMMAND] & PCI_COMMAND_MASTER, PCI_COMMAND_MASTER);

	/* moving the BAR moves the slot and the bus range */
	cfg_wr(f->pci, PCI_BASE_ADDRESS_0, 0xfd000000, 4);
	assert_null(rec_slot_at(&f->vm, 0xfe000000));
	assert_non_null(rec_slot_at(&f->vm, 0xfd000000));
	assert_null(io_bus_name(&f->vm.bus, IO_SPACE_MMIO, 0xfe000000));
	assert_non_null(io_bus_name(&f->vm.bus, IO_SPACE_MMIO, 0xfd000000));

	/* I/O decode on: the 32-byte BAR is trapped in port space, forwarded to the device */
	cfg_wr(f->pci, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_IO, 2);
	assert_int_equal(io_bus_access(&f->vm.bus, IO_SPACE_PIO, 0xc004, &v, 4, false), 0);
	assert_int_equal(v, sim_region_u32(&f->sim, 2, 4));
	assert_int_equal(io_bus_access(&f->vm.bus, IO_SPACE_PIO, 0xc020, &v, 4, false), -ENOENT);

	/* memory decode off: every slot and MMIO range goes, the I/O BAR stays */
	cfg_wr(f->pci, PCI_COMMAND, PCI_COMMAND_IO, 2);
	assert_int_equal(rec_nr_slots(&f->vm), 0);
	assert_int_equal(f->vm.bus.nr[IO_SPACE_MMIO], 0);
	assert_int_equal(f->vm.bus.nr[IO_SPACE_PIO], 1);

	/* an I/O BAR beyond the 64 KiB port space is not decoded */
	cfg_wr(f->pci, PCI_BASE_ADDRESS_2, 0x20000, 4);
	assert_int_equal(f->vm.bus.nr[IO_SPACE_PIO], 0);
	/* sizing with decode on: a 32-bit BAR that reaches 4 GiB is not decoded (as on QEMU) */
	cfg_wr(f->pci, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	cfg_wr(f->pci, PCI_BASE_ADDRESS_0, 0xffffffff, 4);
	assert_null(rec_slot_at(&f->vm, 0xfffe0000));
	assert_null(io_bus_name(&f->vm.bus, IO_SPACE_MMIO, 0xfffe0000));
	assert_null(io_bus_name(&f->vm.bus, IO_SPACE_MMIO, 0xfd000000));
	fx_free(f);
}

static void msix_pages_are_trapped_the_rest_mapped(void **state)
{
	struct fx *f = fx_new(build_e1000e);
	(void)state;

	/* BAR3: table at 0 (5 entries), PBA at 0x2000: the pages 0x1000 and 0x3000 are slots */
	cfg_wr(f->pci, PCI_BASE_ADDRESS_3, 0xfebf0000, 4);
	cfg_wr(f->pci, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	assert_null(rec_slot_at(&f->vm, 0xfebf0000));
	assert_non_null(rec_slot_at(&f->vm, 0xfebf1000));
	assert_null(rec_slot_at(&f->vm, 0xfebf2000));
	assert_non_null(rec_slot_at(&f->vm, 0xfebf3000));
	assert_int_equal(rec_slot_at(&f->vm, 0xfebf1000)->size, 0x1000);
	/* the table page beyond the table's 80 bytes is trapped and forwarded */
	{
		uint32_t v = 0;

		io_bus_access(&f->vm.bus, IO_SPACE_MMIO, 0xfebf0100, &v, 4, false);
		assert_int_equal(v, sim_region_u32(&f->sim, 3, 0x100));
	}
	fx_free(f);
}

static void sparse_areas_become_pieces(void **state)
{
	struct vfio_region r = {.flags = VFIO_REGION_INFO_FLAG_MMAP, .size = 64 * KIB};
	struct vfio_pci_piece out[VFIO_PCI_MAX_PIECES];
	const uint64_t table[1][2] = {{0x8000, 0x8100}};
	(void)state;

	/* the whole region, split around the table's page */
	assert_int_equal(vfio_pci_bar_pieces(&r, 4096, table, 1, out, VFIO_PCI_MAX_PIECES), 2);
	assert_true(out[0].offset == 0 && out[0].size == 0x8000);
	assert_true(out[1].offset == 0x9000 && out[1].size == 0x7000);

	/* sparse areas, with partial pages trimmed to whole ones */
	r.sparse = true;
	r.nr_areas = 2;
	r.areas[0] = (struct vfio_mmap_area){0x100, 0x2000}; /* -> [0x1000, 0x2000) */
	r.areas[1] = (struct vfio_mmap_area){0xa000, 0x800}; /* less than a page: trapped */
	assert_int_equal(vfio_pci_bar_pieces(&r, 4096, NULL, 0, out, VFIO_PCI_MAX_PIECES), 1);
	assert_true(out[0].offset == 0x1000 && out[0].size == 0x1000);

	/* no areas at all, or no mmap flag: all trapped */
	r.nr_areas = 0;
	assert_int_equal(vfio_pci_bar_pieces(&r, 4096, NULL, 0, out, VFIO_PCI_MAX_PIECES), 0);
	r.sparse = false;
	r.flags = 0;
	assert_int_equal(vfio_pci_bar_pieces(&r, 4096, NULL, 0, out, VFIO_PCI_MAX_PIECES), 0);
	/* a mmap-able BAR smaller than a page: its whole page (vfio-pci reserved the rest) */
	r.flags = VFIO_REGION_INFO_FLAG_MMAP;
	r.size = 32;
	assert_int_equal(vfio_pci_bar_pieces(&r, 4096, NULL, 0, out, VFIO_PCI_MAX_PIECES), 1);
	assert_true(out[0].offset == 0 && out[0].size == 4096);
	/* ... but not with an MSI-X structure in it, nor a sparse area short of its registers */
	{
		const uint64_t msix[1][2] = {{0, 0x10}};

		assert_int_equal(vfio_pci_bar_pieces(&r, 4096, msix, 1, out, VFIO_PCI_MAX_PIECES),
				 0);
		r.sparse = true;
		r.nr_areas = 1;
		r.areas[0] = (struct vfio_mmap_area){0, 16};
		assert_int_equal(vfio_pci_bar_pieces(&r, 4096, NULL, 0, out, VFIO_PCI_MAX_PIECES),
				 0);
		r.sparse = false;
	}
	/* more pieces than room: the rest stays trapped */
	{
		const uint64_t holes[2][2] = {{0x1000, 0x2000}, {0x3000, 0x4000}};

		r.size = 64 * KIB;
		assert_int_equal(vfio_pci_bar_pieces(&r, 4096, holes, 2, out, 2), 2);
	}
}

static void rom_bar(void **state)
{
	struct fx *f = fx_new(build_64bit);
	uint32_t v = 0, w = 0xabcdef01;
	(void)state;

	cfg_wr(f->pci, PCI_ROM_ADDRESS, 0xfffff800, 4);
	assert_int_equal(cfg_rd(f->pci, PCI_ROM_ADDRESS, 4), 0xffff0000);
	cfg_wr(f->pci, PCI_ROM_ADDRESS, 0xfeb00000 | PCI_ROM_ADDRESS_ENABLE, 4);
	assert_int_equal(cfg_rd(f->pci, PCI_ROM_ADDRESS, 4), 0xfeb00001);
	assert_int_equal(f->vm.bus.nr[IO_SPACE_MMIO], 0); /* memory decode still off */
	assert_null(rec_slot_at(&f->vm, 0xfeb00000));
	cfg_wr(f->pci, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	assert_int_equal(io_bus_access(&f->vm.bus, IO_SPACE_MMIO, 0xfeb00010, &v, 4, false), 0);
	assert_int_equal(v, sim_region_u32(&f->sim, VFIO_PCI_ROM_REGION_INDEX, 0x10));
	/* the whole ROM is a read-only slot holding the device's ROM: no exit per read */
	{
		const struct rec_slot *sl = rec_slot_at(&f->vm, 0xfeb00000);
		uint32_t in_slot;

		assert_non_null(sl);
		assert_true(sl->readonly);
		assert_int_equal(sl->size, 64 * KIB);
		memcpy(&in_slot, (uint8_t *)sl->hva + 0x10, 4);
		assert_int_equal(in_slot, v);
		memcpy(&in_slot, (uint8_t *)sl->hva + 64 * KIB - 4, 4);
		assert_int_equal(in_slot,
				 sim_region_u32(&f->sim, VFIO_PCI_ROM_REGION_INDEX, 64 * KIB - 4));
	}
	/* read-only: a write changes nothing */
	io_bus_access(&f->vm.bus, IO_SPACE_MMIO, 0xfeb00010, &w, 4, true);
	assert_int_equal(sim_region_u32(&f->sim, VFIO_PCI_ROM_REGION_INDEX, 0x10), v);
	/* the enable bit off unmaps it */
	cfg_wr(f->pci, PCI_ROM_ADDRESS, 0xfeb00000, 4);
	assert_int_equal(io_bus_access(&f->vm.bus, IO_SPACE_MMIO, 0xfeb00010, &v, 4, false),
			 -ENOENT);
	assert_null(rec_slot_at(&f->vm, 0xfeb00000));
	fx_free(f);
}

static void bar_over_another_device_is_not_decoded(void **state)
{
	struct fx *f = fx_new(build_e1000e);
	static const struct io_ops none;
	int other;
	(void)state;

	assert_int_equal(io_bus_register(&f->vm.bus, IO_SPACE_MMIO, 0xfe010000, 0x1000, &none,
					 &other, "other"),
			 0);
	cfg_wr(f->pci, PCI_BASE_ADDRESS_0, 0xfe000000, 4);
	cfg_wr(f->pci, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	assert_int_equal(rec_nr_slots(&f->vm), 0);
	assert_string_equal(io_bus_name(&f->vm.bus, IO_SPACE_MMIO, 0xfe010000), "other");
	/* moved out of the way, it appears */
	cfg_wr(f->pci, PCI_BASE_ADDRESS_0, 0xfd000000, 4);
	assert_non_null(rec_slot_at(&f->vm, 0xfd000000));
	io_bus_unregister(&f->vm.bus, IO_SPACE_MMIO, 0xfe010000, &other);
	fx_free(f);
}

/* Two BARs trading places, in the order a guest writes them: each ends up decoded. */
static void bars_swapping_addresses(void **state)
{
	struct fx *f = fx_new(build_e1000e);
	const uint64_t a = 0xfe000000, b = 0xfe020000;
	const struct rec_slot *s;
	uint32_t v;
	(void)state;

	cfg_wr(f->pci, PCI_BASE_ADDRESS_0, (uint32_t)a, 4);
	cfg_wr(f->pci, PCI_BASE_ADDRESS_1, (uint32_t)b, 4);
	cfg_wr(f->pci, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	assert_int_equal(rec_nr_slots(&f->vm), 2);
	/* with decoding on: BAR0 onto BAR1's place first, then BAR1 onto BAR0's old one */
	cfg_wr(f->pci, PCI_BASE_ADDRESS_0, (uint32_t)b, 4);
	cfg_wr(f->pci, PCI_BASE_ADDRESS_1, (uint32_t)a, 4);
	s = rec_slot_at(&f->vm, b);
	assert_non_null(s);
	memcpy(&v, (char *)s->hva + 0x40, 4);
	assert_int_equal(v, sim_region_u32(&f->sim, 0, 0x40));
	s = rec_slot_at(&f->vm, a);
	assert_non_null(s);
	memcpy(&v, (char *)s->hva + 0x40, 4);
	assert_int_equal(v, sim_region_u32(&f->sim, 1, 0x40));
	assert_int_equal(io_bus_access(&f->vm.bus, IO_SPACE_MMIO, b + 0x40, &v, 4, false), 0);
	assert_string_equal(io_bus_name(&f->vm.bus, IO_SPACE_MMIO, b), "0000:00:02.0 BAR0");
	fx_free(f);
}

/* A BAR blocked by another passthrough device appears once that device moves away. */
static void blocked_bar_follows_another_devices_move(void **state)
{
	struct vfio_pci_params params = {.name = "0000:00:03.0", .intx_gsi = -1, .page_size = 4096};
	struct fx *f = fx_new(build_e1000e);
	struct sim_pci sim2;
	struct vfio_pci *p2;
	struct errbuf e = {""};
	(void)state;

	sim_init(&sim2, 0x8086, 0x10d3, 256);
	build_e1000e(&sim2);
	assert_int_equal(vfio_pci_create(&p2, &sim_ops, &sim2, &f->vm.vm, &params, &e), 0);
	rec_vm_add_pci(&f->vm, f->pci);
	rec_vm_add_pci(&f->vm, p2);
	cfg_wr(f->pci, PCI_BASE_ADDRESS_0, 0xfe000000, 4);
	cfg_wr(f->pci, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	cfg_wr(p2, PCI_BASE_ADDRESS_0, 0xfe000000, 4);
	cfg_wr(p2, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	assert_string_equal(io_bus_name(&f->vm.bus, IO_SPACE_MMIO, 0xfe000000),
			    "0000:00:02.0 BAR0");
	cfg_wr(f->pci, PCI_BASE_ADDRESS_0, 0xfd000000, 4);
	assert_string_equal(io_bus_name(&f->vm.bus, IO_SPACE_MMIO, 0xfe000000),
			    "0000:00:03.0 BAR0");
	assert_non_null(rec_slot_at(&f->vm, 0xfe000000));
	assert_non_null(rec_slot_at(&f->vm, 0xfd000000));
	vfio_pci_destroy(p2);
	sim_fini(&sim2);
	f->vm.nr_pcis = 0;
	fx_free(f);
}

#ifdef __aarch64__
/*
 * The GIC's distributor, ITS and redistributors, the UART, a BAR reaching into the PCI I/O
 * window, ECAM's start and end (the BAR is 128 KiB).
 */
static const uint64_t bad[] = {0x08000000, 0x08080000, 0x080a0000, 0x09000000,
			       0x3efe0000, 0x3f000000, 0x3ffe0000};
static const uint64_t good = 0x10000000; /* the 32-bit BAR window's start */
#else
static const uint64_t bad[] = {0xfec00000, 0xfee00000, 0xfee80000, 0xfffc0000};
static const uint64_t good = 0xfebe0000; /* just below the IOAPIC */
#endif

/*
 * Addresses the platform keeps: a BAR there would hide the IOAPIC, the LAPIC or the firmware
 * (x86), the GIC, the UART or ECAM (arm64).
 */
static void bars_over_platform_ranges_are_not_decoded(void **state)
{
	struct fx *f;
	(void)state;

	platform_reserved = true; /* what `vfvm run` hands the devices */
	f = fx_new(build_e1000e);
	cfg_wr(f->pci, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cfg_wr(f->pci, PCI_BASE_ADDRESS_0, (uint32_t)bad[i], 4);
		assert_int_equal(rec_nr_slots(&f->vm), 0);
		assert_int_equal(f->vm.bus.nr[IO_SPACE_MMIO], 0);
	}
	cfg_wr(f->pci, PCI_BASE_ADDRESS_0, (uint32_t)good, 4);
	assert_non_null(rec_slot_at(&f->vm, good));
	fx_free(f);
}

/* rtl8139 as QEMU models it: BAR0 256 bytes of I/O, BAR1 256 bytes of memory (mmap-able page). */
static void build_rtl8139(struct sim_pci *s)
{
	sim_bar(s, 0, 256, PCI_BASE_ADDRESS_SPACE_IO, false);
	sim_bar(s, 1, 256, 0, true);
}

static void subpage_bar_aligned_is_mapped(void **state)
{
	struct fx *f = fx_new(build_rtl8139);
	const struct rec_slot *slot;
	uint32_t v = 0;
	(void)state;

	/* the guest sees a 256-byte BAR */
	cfg_wr(f->pci, PCI_BASE_ADDRESS_1, 0xffffffff, 4);
	assert_int_equal(cfg_rd(f->pci, PCI_BASE_ADDRESS_1, 4), 0xffffff00);
	cfg_wr(f->pci, PCI_BASE_ADDRESS_1, 0xfebf1000, 4);
	cfg_wr(f->pci, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	slot = rec_slot_at(&f->vm, 0xfebf1000);
	assert_non_null(slot);
	assert_true(slot->gpa == 0xfebf1000 && slot->size == 4096);
	/* the slot is the device's page: its registers, as the region holds them */
	assert_int_equal(*(volatile uint32_t *)((uint8_t *)slot->hva + 0x40),
			 sim_region_u32(&f->sim, 1, 0x40));
	/* the page is the BAR's on the bus: nothing else can decode inside it meanwhile */
	assert_non_null(io_bus_name(&f->vm.bus, IO_SPACE_MMIO, 0xfebf1800));
	assert_int_equal(io_bus_access(&f->vm.bus, IO_SPACE_MMIO, 0xfebf1040, &v, 4, false), 0);
	assert_int_equal(v, sim_region_u32(&f->sim, 1, 0x40));
	fx_free(f);
}

static void subpage_bar_unaligned_is_trapped(void **state)
{
	struct fx *f = fx_new(build_rtl8139);
	uint32_t v = 0;
	(void)state;

	cfg_wr(f->pci, PCI_BASE_ADDRESS_1, 0xfebf1100, 4);
	cfg_wr(f->pci, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	assert_int_equal(rec_nr_slots(&f->vm), 0);
	assert_int_equal(io_bus_access(&f->vm.bus, IO_SPACE_MMIO, 0xfebf1140, &v, 4, false), 0);
	assert_int_equal(v, sim_region_u32(&f->sim, 1, 0x40));
	/* only its 256 bytes are claimed: the rest of the page stays free for others */
	assert_null(io_bus_name(&f->vm.bus, IO_SPACE_MMIO, 0xfebf1000));
	assert_null(io_bus_name(&f->vm.bus, IO_SPACE_MMIO, 0xfebf1200));
	fx_free(f);
}

static void subpage_bar_moved_between_the_two(void **state)
{
	struct fx *f = fx_new(build_rtl8139);
	static const struct io_ops none;
	int other;
	(void)state;

	cfg_wr(f->pci, PCI_BASE_ADDRESS_1, 0xfebf1000, 4);
	cfg_wr(f->pci, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	assert_non_null(rec_slot_at(&f->vm, 0xfebf1000));
	/* off the page boundary: the slot goes, accesses trap */
	cfg_wr(f->pci, PCI_BASE_ADDRESS_1, 0xfebf2300, 4);
	assert_int_equal(rec_nr_slots(&f->vm), 0);
	assert_null(io_bus_name(&f->vm.bus, IO_SPACE_MMIO, 0xfebf1000));
	assert_non_null(io_bus_name(&f->vm.bus, IO_SPACE_MMIO, 0xfebf2300));
	/* back on a boundary: mapped again */
	cfg_wr(f->pci, PCI_BASE_ADDRESS_1, 0xfebf3000, 4);
	assert_non_null(rec_slot_at(&f->vm, 0xfebf3000));
	assert_null(io_bus_name(&f->vm.bus, IO_SPACE_MMIO, 0xfebf2300));
	/* aligned, but another range already lies in its page: trapped, the other one untouched */
	assert_int_equal(io_bus_register(&f->vm.bus, IO_SPACE_MMIO, 0xfebf4800, 0x100, &none,
					 &other, "other"),
			 0);
	cfg_wr(f->pci, PCI_BASE_ADDRESS_1, 0xfebf4000, 4);
	assert_int_equal(rec_nr_slots(&f->vm), 0);
	assert_string_equal(io_bus_name(&f->vm.bus, IO_SPACE_MMIO, 0xfebf4800), "other");
	assert_non_null(io_bus_name(&f->vm.bus, IO_SPACE_MMIO, 0xfebf4000));
	/* memory decode off and on again, in a free page: the page comes back */
	cfg_wr(f->pci, PCI_COMMAND, 0, 2);
	assert_int_equal(f->vm.bus.nr[IO_SPACE_MMIO], 1);
	cfg_wr(f->pci, PCI_BASE_ADDRESS_1, 0xfebf5000, 4);
	cfg_wr(f->pci, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	assert_non_null(rec_slot_at(&f->vm, 0xfebf5000));
	io_bus_unregister(&f->vm.bus, IO_SPACE_MMIO, 0xfebf4800, &other);
	fx_free(f);
}

/* the host did not reserve the page (the BAR was not page-aligned on the host): no mmap flag */
static void build_rtl8139_nommap(struct sim_pci *s)
{
	sim_bar(s, 0, 256, PCI_BASE_ADDRESS_SPACE_IO, false);
	sim_bar(s, 1, 256, 0, false);
}

static void subpage_bar_without_mmap_stays_trapped(void **state)
{
	struct fx *f = fx_new(build_rtl8139_nommap);
	(void)state;

	cfg_wr(f->pci, PCI_BASE_ADDRESS_1, 0xfebf1000, 4);
	cfg_wr(f->pci, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	assert_int_equal(rec_nr_slots(&f->vm), 0);
	assert_non_null(io_bus_name(&f->vm.bus, IO_SPACE_MMIO, 0xfebf1000));
	assert_null(io_bus_name(&f->vm.bus, IO_SPACE_MMIO, 0xfebf1800));
	fx_free(f);
}

static void build_big64(struct sim_pci *s)
{
	sim_bar(s, 0, 512 * MIB, PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH,
		true);
	sim_bar(s, 2, 256, 0, true);
}

/* Direct boot: vfvm places every BAR, each memory BAR with a page to itself, largest first. */
static void vfvm_places_bars_page_aligned(void **state)
{
	static struct vm_vfio v;
	struct pci_bus bus;
	struct fx *f = fx_new(build_rtl8139);
	struct vfio_pci *e1000e, *big;
	struct vfio_pci_params params = {.name = "0000:00:03.0", .intx_gsi = -1, .page_size = 4096};
	struct sim_pci sim2, sim3;
	struct errbuf e = {""};
	uint32_t bar1, io0;
	(void)state;

	sim_init(&sim2, 0x8086, 0x10d3, 256);
	build_e1000e(&sim2);
	assert_int_equal(vfio_pci_create(&e1000e, &sim_ops, &sim2, &f->vm.vm, &params, &e), 0);
	assert_int_equal(pci_bus_init(&bus, 0xc0000000, 0xfec00000, 0x1000, 0x10000), 0);
	memset(&v, 0, sizeof(v));
	v.bus = &bus;
	v.nr_slots = 2;
	v.slots[0].pci = f->pci;
	v.slots[1].pci = e1000e;
	strcpy(v.assign.devs[0].dev.name, "0000:00:02.0");
	strcpy(v.assign.devs[1].dev.name, "0000:00:03.0");
	assert_int_equal(vm_vfio_place_bars(&v, &e), 0);
	/* the 256-byte memory BAR: page-aligned, and the next page-aligned BAR is not in its page
	 */
	bar1 = cfg_rd(f->pci, PCI_BASE_ADDRESS_1, 4);
	assert_true(bar1 >= 0xc0000000 && bar1 < 0xfec00000 && bar1 % 4096 == 0);
	for (unsigned int i = 0; i < 4; i++) {
		uint32_t o = cfg_rd(e1000e, PCI_BASE_ADDRESS_0 + 4 * i, 4) & ~0xfu;

		assert_true(o / 4096 != bar1 / 4096);
	}
	io0 = cfg_rd(f->pci, PCI_BASE_ADDRESS_0, 4);
	assert_true((io0 & PCI_BASE_ADDRESS_SPACE_IO) && (io0 & ~3u) >= 0x1000 &&
		    (io0 & ~3u) % 256 == 0);
	/* the largest first: the e1000e's 128 KiB BARs at the window's start */
	assert_int_equal(cfg_rd(e1000e, PCI_BASE_ADDRESS_0, 4), 0xc0000000);
	/* nothing decodes yet: the guest's driver turns that on */
	assert_int_equal(rec_nr_slots(&f->vm), 0);
	cfg_wr(f->pci, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	assert_non_null(rec_slot_at(&f->vm, bar1));
	cfg_wr(f->pci, PCI_COMMAND, 0, 2);
	vfio_pci_destroy(e1000e);
	sim_fini(&sim2);
	pci_bus_destroy(&bus);

	/* a BAR that fits no window: the device, the BAR and its size named */
	sim_init(&sim3, 0x1af4, 0x1110, 256);
	build_big64(&sim3);
	assert_int_equal(vfio_pci_create(&big, &sim_ops, &sim3, &f->vm.vm, &params, &e), 0);
	assert_int_equal(pci_bus_init(&bus, 0xc0000000, 0xfec00000, 0x1000, 0x10000), 0);
	v.nr_slots = 1;
	v.slots[0].pci = big;
	strcpy(v.assign.devs[0].dev.name, "0000:00:04.0");
	assert_int_equal(vm_vfio_place_bars(&v, &e), 0); /* 512 MiB fits once */
	v.nr_slots = 2;
	v.slots[1].pci = big;
	strcpy(v.assign.devs[1].dev.name, "0000:00:05.0");
	pci_bus_destroy(&bus);
	assert_int_equal(pci_bus_init(&bus, 0xc0000000, 0xfec00000, 0x1000, 0x10000), 0);
	assert_int_equal(vm_vfio_place_bars(&v, &e), -ENOSPC);
	assert_non_null(strstr(e.msg, "0000:00:0"));
	assert_non_null(strstr(e.msg,
			       ": 64-bit BAR0 of 512 MiB does not fit in what is left of the "
			       "guest's PCI window below 4 GiB [0xc0000000, 0xfec00000) (and "
			       "this guest has no 64-bit window)"));
	/* with the window above RAM, both go there, naturally aligned */
	pci_bus_destroy(&bus);
	assert_int_equal(pci_bus_init(&bus, 0xc0000000, 0xfec00000, 0x1000, 0x10000), 0);
	assert_int_equal(pci_bus_set_mmio64(&bus, 4ULL << 30, 68ULL << 30), 0);
	assert_int_equal(vm_vfio_place_bars(&v, &e), 0);
	{
		uint64_t a = cfg_rd(big, PCI_BASE_ADDRESS_0, 4) & ~0xfULL;

		a |= (uint64_t)cfg_rd(big, PCI_BASE_ADDRESS_1, 4) << 32;
		assert_true(a >= (4ULL << 30) && a < (68ULL << 30) && a % (512 * MIB) == 0);
		/* the 256-byte BAR of the same device stays below 4 GiB */
		assert_true(cfg_rd(big, PCI_BASE_ADDRESS_2, 4) >= 0xc0000000);
	}
	vfio_pci_destroy(big);
	sim_fini(&sim3);
	pci_bus_destroy(&bus);

	/* a BAR larger than both windows: the device, the BAR and its size named */
	sim_init(&sim3, 0x1af4, 0x1110, 256);
	sim_bar(&sim3, 0, 128ULL << 30, PCI_BASE_ADDRESS_MEM_TYPE_64, false);
	assert_int_equal(vfio_pci_create(&big, &sim_ops, &sim3, &f->vm.vm, &params, &e), 0);
	assert_int_equal(pci_bus_init(&bus, 0xc0000000, 0xfec00000, 0x1000, 0x10000), 0);
	assert_int_equal(pci_bus_set_mmio64(&bus, 4ULL << 30, 68ULL << 30), 0);
	v.nr_slots = 1;
	v.slots[0].pci = big;
	assert_int_equal(vm_vfio_place_bars(&v, &e), -ENOSPC);
	assert_string_equal(e.msg, "0000:00:04.0: 64-bit BAR0 of 128 GiB fits neither what is left "
				   "of the guest's PCI windows [0xc0000000, 0xfec00000) and "
				   "[0x100000000, 0x1100000000)");
	vfio_pci_destroy(big);
	sim_fini(&sim3);
	pci_bus_destroy(&bus);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sizing_32bit_and_io),
		cmocka_unit_test(sizing_64bit_pairs_and_prefetch),
		cmocka_unit_test(decode_enables_and_relocation),
		cmocka_unit_test(msix_pages_are_trapped_the_rest_mapped),
		cmocka_unit_test(sparse_areas_become_pieces),
		cmocka_unit_test(rom_bar),
		cmocka_unit_test(bar_over_another_device_is_not_decoded),
		cmocka_unit_test(bars_swapping_addresses),
		cmocka_unit_test(blocked_bar_follows_another_devices_move),
		cmocka_unit_test(bars_over_platform_ranges_are_not_decoded),
		cmocka_unit_test(subpage_bar_aligned_is_mapped),
		cmocka_unit_test(subpage_bar_unaligned_is_trapped),
		cmocka_unit_test(subpage_bar_moved_between_the_two),
		cmocka_unit_test(subpage_bar_without_mmap_stays_trapped),
		cmocka_unit_test(vfvm_places_bars_page_aligned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
