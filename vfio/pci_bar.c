// SPDX-License-Identifier: MIT
/*
 * The BARs of a passthrough device as the guest programs them.
 *
 * Each BAR is emulated in config space (sizing with all-ones writes, 64-bit pairs, the type bits
 * read-only). While the guest has it decoded at a valid address, the whole BAR is claimed on the
 * I/O bus (trapped accesses are forwarded to the device at the region offset, or emulated for the
 * MSI-X table and PBA) and every mmap-able, page-aligned piece outside the MSI-X table and PBA
 * pages is a KVM memory slot on top, so the guest reaches those without any exit.
 *
 * A BAR smaller than a page whose page the host lets us mmap (vfio-pci reserves the rest of the
 * page for it) is mapped whole while the guest keeps it page-aligned and no other range lies in
 * its page: the BAR then claims the whole page on the I/O bus, so that nothing else decodes there
 * while the slot shadows it. Anywhere else it is trapped like any other unmappable BAR.
 */
#include "vfio/pci_dev.h"

#include <errno.h>
#include <linux/pci_regs.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define PIO_LIMIT 0x10000ULL

static uint32_t bar_reg(unsigned int index)
{
	return index == VFIO_PCI_ROM ? PCI_ROM_ADDRESS : PCI_BASE_ADDRESS_0 + 4 * index;
}

static uint64_t pow2_at_least(uint64_t v, uint64_t min)
{
	uint64_t r = min;

	while (r < v && r <= UINT64_MAX / 2)
		r <<= 1;
	return r;
}

struct cut {
	struct vfio_pci_piece *out;
	unsigned int max, nr;
	const uint64_t (*excl)[2];
	unsigned int nr_excl;
	uint64_t page;
};

static void emit(struct cut *c, uint64_t start, uint64_t end, unsigned int k)
{
	uint64_t a, b;

	if (start >= end)
		return;
	if (k == c->nr_excl) {
		if (c->nr < c->max)
			c->out[c->nr++] = (struct vfio_pci_piece){start, end - start, NULL, -1};
		return;
	}
	a = c->excl[k][0] & ~(c->page - 1);
	b = (c->excl[k][1] + c->page - 1) & ~(c->page - 1);
	if (b <= start || a >= end) {
		emit(c, start, end, k + 1);
		return;
	}
	emit(c, start, a, k + 1);
	emit(c, b, end, k + 1);
}

int vfio_pci_bar_pieces(const struct vfio_region *r, uint64_t page, const uint64_t (*excl)[2],
			unsigned int nr_excl, struct vfio_pci_piece *out, unsigned int max)
{
	struct cut c = {out, max, 0, excl, nr_excl, page};
	struct vfio_mmap_area whole = {0, r->size};
	const struct vfio_mmap_area *areas = r->sparse ? r->areas : &whole;
	unsigned int nr = r->sparse ? r->nr_areas : 1;

	if (!(r->flags & VFIO_REGION_INFO_FLAG_MMAP) || !page || (page & (page - 1)))
		return 0;
	if (r->size && r->size < page) {
		/* the page, if the mmap area covers the registers and no MSI-X structure is there
		 */
		for (unsigned int i = 0; i < nr && !nr_excl && max; i++)
			if (areas[i].offset == 0 && areas[i].size >= r->size) {
				out[0] = (struct vfio_pci_piece){0, page, NULL, -1};
				return 1;
			}
		return 0;
	}
	for (unsigned int i = 0; i < nr; i++) {
		uint64_t end = areas[i].offset + areas[i].size;

		if (end > r->size || end < areas[i].offset)
			continue;
		/* KVM slots are whole pages: a part of a page stays trapped */
		emit(&c, (areas[i].offset + page - 1) & ~(page - 1), end & ~(page - 1), 0);
	}
	return (int)c.nr;
}

static uint64_t bar_addr(const struct vfio_pci *p, const struct vfio_pci_bar *b)
{
	uint32_t reg = bar_reg(b->index);
	uint64_t lo = vfio_pci_shadow_read(p, reg, 4);

	if (b->index == VFIO_PCI_ROM)
		return lo & PCI_ROM_ADDRESS_MASK;
	if (b->io)
		return lo & PCI_BASE_ADDRESS_IO_MASK;
	lo &= PCI_BASE_ADDRESS_MEM_MASK;
	if (b->is64)
		lo |= (uint64_t)vfio_pci_shadow_read(p, reg + 4, 4) << 32;
	return lo;
}

static bool overlaps(uint64_t a, uint64_t size, uint64_t start, uint64_t end)
{
	return a < end && start < a + size;
}

/* Where the platform or guest RAM is, a BAR is not decoded (as QEMU leaves it unmapped). */
static bool place_allowed(const struct vfio_pci *p, const struct vfio_pci_bar *b, uint64_t addr)
{
	const struct guest_mem *mem = p->vm.mem;

	if (b->io)
		return addr + b->size <= PIO_LIMIT;
	/* a 32-bit BAR reaching 4 GiB is a sizing pattern or wraps: the firmware's place */
	if (!b->is64 && addr + (b->size - 1) >= 0xffffffffULL)
		return false;
	for (unsigned int i = 0; i < p->vm.nr_reserved; i++)
		if (overlaps(addr, b->size, p->vm.reserved[i][0], p->vm.reserved[i][1]))
			return false;
	for (unsigned int i = 0; mem && i < mem->nr_ram; i++)
		if (overlaps(addr, b->size, mem->ram[i].gpa, mem->ram[i].gpa + mem->ram[i].size))
			return false;
	return true;
}

static bool bar_wanted(const struct vfio_pci *p, const struct vfio_pci_bar *b, uint64_t addr)
{
	bool on = (p->command & (b->io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY)) != 0;

	if (b->index == VFIO_PCI_ROM)
		on = on && (p->shadow[PCI_ROM_ADDRESS] & PCI_ROM_ADDRESS_ENABLE);
	/* out of D0 a function decodes nothing (and vfio-pci refuses its mmaps) */
	on = on && p->power == VFIO_PCI_D0;
	/* address 0 is "unassigned"; a range that wraps is what a sizing write leaves behind */
	if (!on || !addr || addr > UINT64_MAX - (b->size - 1))
		return false;
	return place_allowed(p, b, addr);
}

/* A trapped access, split where the MSI-X table and PBA begin and end. */
static void trap_access(struct vfio_pci_bar *b, uint64_t off, uint8_t *data, unsigned int len,
			bool is_write)
{
	struct vfio_pci *p = b->owner;
	unsigned int span;

	pthread_mutex_lock(&p->lock);
	for (; len; off += span, data += span, len -= span) {
		if (vfio_pci_msix_span(p, b->index, off, len, &span))
			vfio_pci_msix_access(p, b->index, off, data, span, is_write);
		else if (is_write)
			p->be_ops->region_write(p->be, b->index, off, data, span);
		else if (p->be_ops->region_read(p->be, b->index, off, data, span) != (ssize_t)span)
			memset(data, 0xff, span);
	}
	pthread_mutex_unlock(&p->lock);
}

static void trap_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	struct vfio_pci_bar *b = opaque;
	struct vfio_pci *p = b->owner;

	if (b->rom) {
		if (off < b->size && len <= b->size - off)
			memcpy(data, b->rom + off, len);
		else
			memset(data, 0xff, len);
		return;
	}
	if (b->index == VFIO_PCI_ROM) {
		pthread_mutex_lock(&p->lock);
		if (p->be_ops->region_read(p->be, VFIO_PCI_ROM_REGION_INDEX, off, data, len) !=
		    (ssize_t)len)
			memset(data, 0xff, len);
		pthread_mutex_unlock(&p->lock);
		return;
	}
	trap_access(b, off, data, len, false);
}

static void trap_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	struct vfio_pci_bar *b = opaque;

	if (b->index == VFIO_PCI_ROM)
		return; /* read-only */
	trap_access(b, off, (void *)data, len, true);
}

static const struct io_ops trap_ops = {.read = trap_read, .write = trap_write};

static void slots_remove(struct vfio_pci *p, struct vfio_pci_bar *b)
{
	for (unsigned int i = 0; i < b->nr_pieces; i++) {
		if (b->pieces[i].slot >= 0)
			p->vm.ops->mem_slot_remove(p->vm.opaque, b->pieces[i].slot);
		b->pieces[i].slot = -1;
	}
}

static void slots_add(struct vfio_pci *p, struct vfio_pci_bar *b, uint64_t addr)
{
	/* a slot the VM refuses leaves that piece trapped: slower, still correct */
	for (unsigned int i = 0; i < b->nr_pieces; i++) {
		int slot = p->vm.ops->mem_slot_add(p->vm.opaque, addr + b->pieces[i].offset,
						   b->pieces[i].size, b->pieces[i].hva,
						   b->pieces[i].readonly);
		b->pieces[i].slot = slot >= 0 ? slot : -1;
	}
}

static enum io_space bar_space(const struct vfio_pci_bar *b)
{
	return b->io ? IO_SPACE_PIO : IO_SPACE_MMIO;
}

static void bar_unmap(struct vfio_pci *p, struct vfio_pci_bar *b)
{
	if (!b->mapped)
		return;
	slots_remove(p, b);
	io_bus_unregister(p->vm.bus, bar_space(b), b->mapped_addr, b);
	b->mapped = false;
	p->space_freed = true;
}

/* Decode the BAR at addr: the whole page and its slot when it can have them, else trapped. */
static int bar_map(struct vfio_pci *p, struct vfio_pci_bar *b, uint64_t addr)
{
	uint64_t len = b->size;

	if (b->subpage && b->nr_pieces && !(addr % p->page_size) &&
	    !io_bus_register(p->vm.bus, IO_SPACE_MMIO, addr, p->page_size, &trap_ops, b, b->name))
		len = p->page_size;
	else if (io_bus_register(p->vm.bus, bar_space(b), addr, b->size, &trap_ops, b, b->name))
		return -EBUSY;
	b->mapped = true;
	b->mapped_addr = addr;
	b->mapped_len = len;
	if (!b->subpage || len == p->page_size)
		slots_add(p, b, addr);
	return 0;
}

static void bar_update(struct vfio_pci *p, struct vfio_pci_bar *b)
{
	uint64_t addr = bar_addr(p, b);
	bool want = bar_wanted(p, b, addr);

	b->blocked = false;
	if (b->mapped && want && addr == b->mapped_addr)
		return;
	if (b->mapped && want && !b->subpage) {
		/* relocation: the bus entry moves, the slots follow */
		slots_remove(p, b);
		if (!io_bus_move(p->vm.bus, bar_space(b), b->mapped_addr, b, addr)) {
			b->mapped_addr = addr;
			slots_add(p, b, addr);
			p->space_freed = true;
			return;
		}
		bar_unmap(p, b);
	}
	/* a sub-page BAR that moves may gain or lose its page: decoded anew */
	if (b->mapped)
		bar_unmap(p, b);
	if (!want)
		return;
	/* the place is another's (maybe a BAR on its way out): decoded once it frees */
	if (bar_map(p, b, addr))
		b->blocked = true;
}

void vfio_pci_bars_update(struct vfio_pci *p)
{
	bool freed = p->space_freed;

	/*
	 * A BAR may move onto a place another BAR of this device leaves later in the same pass
	 * (two BARs trading places): pass again while places free up and some BAR still waits.
	 */
	for (unsigned int pass = 0; pass < VFIO_PCI_NR_BARS; pass++) {
		bool blocked = false;

		p->space_freed = false;
		for (unsigned int i = 0; i < VFIO_PCI_NR_BARS; i++) {
			if (!p->bars[i].size)
				continue;
			bar_update(p, &p->bars[i]);
			blocked |= p->bars[i].blocked;
		}
		freed |= p->space_freed;
		if (!blocked || !p->space_freed)
			break;
	}
	p->space_freed = freed;
}

void vfio_pci_bars_retry(struct vfio_pci *p)
{
	pthread_mutex_lock(&p->lock);
	for (unsigned int i = 0; i < VFIO_PCI_NR_BARS; i++)
		if (p->bars[i].blocked)
			bar_update(p, &p->bars[i]);
	pthread_mutex_unlock(&p->lock);
}

static void set_bar_masks(struct vfio_pci *p, struct vfio_pci_bar *b, uint32_t flags)
{
	uint32_t reg = bar_reg(b->index);

	vfio_pci_shadow_write(p, reg, flags, 4);
	for (unsigned int i = 0; i < 4; i++)
		p->wmask[reg + i] = (uint8_t)(b->mask >> (8 * i));
	if (b->is64) {
		vfio_pci_shadow_write(p, reg + 4, 0, 4);
		for (unsigned int i = 0; i < 4; i++)
			p->wmask[reg + 4 + i] = (uint8_t)(b->mask >> (32 + 8 * i));
	}
}

static void bar_mmap_pieces(struct vfio_pci *p, struct vfio_pci_bar *b, const struct vfio_region *r)
{
	uint64_t holes[2][2];
	unsigned int nr_holes = vfio_pci_msix_holes(p, b->index, holes);
	int n = vfio_pci_bar_pieces(r, p->page_size, holes, nr_holes, b->pieces,
				    VFIO_PCI_MAX_PIECES);

	b->nr_pieces = 0;
	for (int i = 0; i < n; i++) {
		struct vfio_pci_piece pc = b->pieces[i];

		pc.hva = p->be_ops->region_mmap(p->be, b->index, pc.offset, pc.size,
						PROT_READ | PROT_WRITE);
		if (pc.hva) /* a piece the kernel will not mmap stays trapped */
			b->pieces[b->nr_pieces++] = pc;
	}
	b->subpage = b->nr_pieces && r->size < p->page_size;
}

/*
 * Copy the expansion ROM once (padded with all-ones to the BAR size) and offer the copy as a
 * read-only piece, so that a guest reading it makes no exits. A ROM that cannot be read whole
 * stays served by region reads.
 */
static void rom_cache(struct vfio_pci *p, struct vfio_pci_bar *b, uint64_t rom_size)
{
	uint64_t got = 0;
	uint8_t *c;

	c = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c == MAP_FAILED)
		return;
	memset(c, 0xff, b->size);
	while (got < rom_size) {
		ssize_t n = p->be_ops->region_read(p->be, VFIO_PCI_ROM_REGION_INDEX, got, c + got,
						   rom_size - got);

		if (n <= 0) {
			munmap(c, b->size);
			return;
		}
		got += n;
	}
	b->rom = c;
	/* a slot needs whole pages; a smaller ROM is served from the copy by exits */
	if (b->size % p->page_size == 0)
		b->pieces[b->nr_pieces++] = (struct vfio_pci_piece){
			.offset = 0, .size = b->size, .hva = c, .slot = -1, .readonly = true};
}

int vfio_pci_bars_init(struct vfio_pci *p, const uint8_t *real, struct errbuf *e)
{
	struct vfio_region r;

	for (unsigned int i = 0; i < VFIO_PCI_NR_BARS; i++) {
		struct vfio_pci_bar *b = &p->bars[i];
		unsigned int region = i == VFIO_PCI_ROM ? VFIO_PCI_ROM_REGION_INDEX : i;
		uint32_t lo = 0, flags;

		memset(b, 0, sizeof(*b));
		b->owner = p;
		b->index = i;
		if (i > 0 && i < VFIO_PCI_ROM && p->bars[i - 1].is64) {
			b->upper = true;
			continue;
		}
		if (p->be_ops->region_info(p->be, region, &r) || !r.size)
			continue;
		memcpy(&lo, real + bar_reg(i), 4);
		if (i == VFIO_PCI_ROM) {
			b->size = pow2_at_least(r.size, 2048);
			b->mask = ~(b->size - 1) & PCI_ROM_ADDRESS_MASK;
			set_bar_masks(p, b, 0);
			p->wmask[PCI_ROM_ADDRESS] |= PCI_ROM_ADDRESS_ENABLE;
			rom_cache(p, b, r.size);
		} else if (lo & PCI_BASE_ADDRESS_SPACE_IO) {
			b->io = true;
			b->size = pow2_at_least(r.size, 4);
			b->mask = ~(b->size - 1) & 0xffffffffULL & PCI_BASE_ADDRESS_IO_MASK;
			set_bar_masks(p, b, PCI_BASE_ADDRESS_SPACE_IO);
		} else {
			b->is64 = (lo & PCI_BASE_ADDRESS_MEM_TYPE_MASK) ==
					  PCI_BASE_ADDRESS_MEM_TYPE_64 &&
				  i < 5;
			b->prefetch = lo & PCI_BASE_ADDRESS_MEM_PREFETCH;
			b->size = pow2_at_least(r.size, 16);
			if (!b->is64 && b->size > (1ULL << 31))
				return errbuf_set(e, ENOTSUP, "%s: 32-bit BAR%u of 0x%llx bytes",
						  p->name, i, (unsigned long long)b->size);
			b->mask = ~(b->size - 1) & (b->is64 ? ~0ULL : 0xffffffffULL) &
				  PCI_BASE_ADDRESS_MEM_MASK;
			flags = lo & (PCI_BASE_ADDRESS_MEM_PREFETCH);
			flags |= b->is64 ? PCI_BASE_ADDRESS_MEM_TYPE_64 : 0;
			set_bar_masks(p, b, flags);
			bar_mmap_pieces(p, b, &r);
		}
		snprintf(b->name, sizeof(b->name), "%.16s %s%u", p->name,
			 i == VFIO_PCI_ROM ? "ROM" : "BAR", i == VFIO_PCI_ROM ? 0 : i);
	}
	return 0;
}

unsigned int vfio_pci_bar_descs(const struct vfio_pci *p, struct vfio_pci_bar_desc out[6])
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < VFIO_PCI_ROM; i++)
		if (p->bars[i].size && !p->bars[i].upper)
			out[n++] = (struct vfio_pci_bar_desc){i, p->bars[i].size, p->bars[i].io,
							      p->bars[i].is64};
	return n;
}

void vfio_pci_bars_release(struct vfio_pci *p)
{
	for (unsigned int i = 0; i < VFIO_PCI_NR_BARS; i++) {
		struct vfio_pci_bar *b = &p->bars[i];

		bar_unmap(p, b);
		/* the ROM's piece is its copy, unmapped below */
		for (unsigned int k = 0; k < b->nr_pieces; k++)
			if (b->pieces[k].hva != b->rom)
				munmap(b->pieces[k].hva, b->pieces[k].size);
		b->nr_pieces = 0;
		if (b->rom)
			munmap(b->rom, b->size);
		b->rom = NULL;
	}
}
