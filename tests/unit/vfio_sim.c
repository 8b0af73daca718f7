// SPDX-License-Identifier: MIT
#include "vfio_sim.h"

#include <errno.h>
#include <linux/pci_regs.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static int region_fd(uint64_t size, uint8_t fill)
{
	int fd = memfd_create("sim-region", MFD_CLOEXEC);
	uint8_t buf[4096];

	if (fd < 0 || ftruncate(fd, (off_t)size))
		return -1;
	memset(buf, fill, sizeof(buf));
	/* recognisable contents: each dword holds its own offset xor the fill */
	for (uint64_t off = 0; off < size && off < (1 << 20); off += sizeof(buf)) {
		for (unsigned int i = 0; i + 4 <= sizeof(buf); i += 4)
			put32(buf + i, (uint32_t)(off + i) ^ (fill * 0x01010101u));
		if (pwrite(fd, buf, size - off < sizeof(buf) ? size - off : sizeof(buf),
			   (off_t)off) < 0)
			return -1;
	}
	return fd;
}

void sim_init(struct sim_pci *s, uint16_t vendor, uint16_t device, uint32_t cfg_size)
{
	memset(s, 0, sizeof(*s));
	for (unsigned int i = 0; i < VFIO_PCI_NUM_REGIONS; i++)
		s->regions[i].fd = -1;
	for (unsigned int i = 0; i < VFIO_PCI_NUM_IRQS; i++) {
		s->irqs[i].index = i;
		for (unsigned int k = 0; k < SIM_MAX_VEC; k++)
			s->trigger[i][k] = -1;
	}
	s->unmask_fd = -1;
	s->can_reset = true;
	s->cfg_size = cfg_size;
	put16(s->cfg + PCI_VENDOR_ID, vendor);
	put16(s->cfg + PCI_DEVICE_ID, device);
	put16(s->cfg + PCI_STATUS, 0);
	s->cfg[PCI_CLASS_DEVICE] = 0x00;
	s->cfg[PCI_CLASS_DEVICE + 1] = 0x02; /* network controller */
	s->cfg[PCI_HEADER_TYPE] = 0x80;	     /* multi-function on the host */
	s->regions[VFIO_PCI_CONFIG_REGION_INDEX].size = cfg_size;
	s->regions[VFIO_PCI_CONFIG_REGION_INDEX].flags =
		VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
	s->irqs[VFIO_PCI_ERR_IRQ_INDEX].count = 1;
	s->irqs[VFIO_PCI_ERR_IRQ_INDEX].flags = VFIO_IRQ_INFO_EVENTFD;
}

void sim_fini(struct sim_pci *s)
{
	for (unsigned int i = 0; i < VFIO_PCI_NUM_REGIONS; i++)
		if (s->regions[i].fd >= 0)
			close(s->regions[i].fd);
}

void sim_bar(struct sim_pci *s, unsigned int i, uint64_t size, uint32_t bar_flags, bool mmap)
{
	struct sim_region *r = &s->regions[i];

	r->size = size;
	r->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
		   (mmap ? VFIO_REGION_INFO_FLAG_MMAP : 0);
	r->fd = region_fd(size, (uint8_t)(0x10 + i));
	put32(s->cfg + PCI_BASE_ADDRESS_0 + 4 * i, bar_flags);
}

void sim_sparse(struct sim_pci *s, unsigned int i, uint64_t off, uint64_t size)
{
	struct sim_region *r = &s->regions[i];

	r->sparse = true;
	r->areas[r->nr_areas++] = (struct vfio_mmap_area){off, size};
}

void sim_rom(struct sim_pci *s, uint64_t size)
{
	struct sim_region *r = &s->regions[VFIO_PCI_ROM_REGION_INDEX];

	r->size = size;
	r->flags = VFIO_REGION_INFO_FLAG_READ;
	r->fd = region_fd(size, 0x55);
}

uint8_t sim_cap(struct sim_pci *s, uint8_t id, unsigned int len, uint8_t at)
{
	(void)len;
	s->cfg[at] = id;
	s->cfg[at + 1] = 0;
	if (s->last_cap)
		s->cfg[s->last_cap + 1] = at;
	else
		s->cfg[PCI_CAPABILITY_LIST] = at;
	s->cfg[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	s->last_cap = at;
	return at;
}

uint8_t sim_msix(struct sim_pci *s, uint8_t at, unsigned int nr, unsigned int table_bar,
		 uint32_t table_off, unsigned int pba_bar, uint32_t pba_off)
{
	sim_cap(s, PCI_CAP_ID_MSIX, PCI_CAP_MSIX_SIZEOF, at);
	put16(s->cfg + at + PCI_MSIX_FLAGS, (uint16_t)(nr - 1));
	put32(s->cfg + at + PCI_MSIX_TABLE, table_off | table_bar);
	put32(s->cfg + at + PCI_MSIX_PBA, pba_off | pba_bar);
	s->irqs[VFIO_PCI_MSIX_IRQ_INDEX].count = nr;
	s->irqs[VFIO_PCI_MSIX_IRQ_INDEX].flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE;
	return at;
}

uint8_t sim_msi(struct sim_pci *s, uint8_t at, bool is64, bool maskable, unsigned int log2_vec)
{
	uint16_t flags = (uint16_t)(log2_vec << 1);

	flags |= is64 ? PCI_MSI_FLAGS_64BIT : 0;
	flags |= maskable ? PCI_MSI_FLAGS_MASKBIT : 0;
	sim_cap(s, PCI_CAP_ID_MSI, 24, at);
	put16(s->cfg + at + PCI_MSI_FLAGS, flags);
	s->irqs[VFIO_PCI_MSI_IRQ_INDEX].count = 1u << log2_vec;
	s->irqs[VFIO_PCI_MSI_IRQ_INDEX].flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE;
	return at;
}

void sim_intx(struct sim_pci *s, uint8_t pin)
{
	s->cfg[PCI_INTERRUPT_PIN] = pin;
	s->irqs[VFIO_PCI_INTX_IRQ_INDEX].count = 1;
	s->irqs[VFIO_PCI_INTX_IRQ_INDEX].flags =
		VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
}

uint8_t sim_pm(struct sim_pci *s, uint8_t at, bool no_soft_reset)
{
	sim_cap(s, PCI_CAP_ID_PM, PCI_PM_SIZEOF, at);
	put16(s->cfg + at + PCI_PM_PMC, 3); /* version 3, no D1/D2 */
	put16(s->cfg + at + PCI_PM_CTRL, no_soft_reset ? PCI_PM_CTRL_NO_SOFT_RESET : 0);
	s->pm_cap = at;
	return at;
}

uint8_t sim_exp(struct sim_pci *s, uint8_t at, bool flr)
{
	sim_cap(s, PCI_CAP_ID_EXP, PCI_CAP_EXP_ENDPOINT_SIZEOF_V2, at);
	put16(s->cfg + at + PCI_EXP_FLAGS, 2 | PCI_EXP_TYPE_ENDPOINT << 4);
	put32(s->cfg + at + PCI_EXP_DEVCAP, flr ? PCI_EXP_DEVCAP_FLR : 0);
	s->exp_cap = at;
	return at;
}

uint8_t sim_af(struct sim_pci *s, uint8_t at)
{
	sim_cap(s, PCI_CAP_ID_AF, PCI_CAP_AF_SIZEOF, at);
	s->cfg[at + PCI_AF_LENGTH] = PCI_CAP_AF_SIZEOF;
	s->cfg[at + PCI_AF_CAP] = PCI_AF_CAP_TP | PCI_AF_CAP_FLR;
	s->af_cap = at;
	return at;
}

/* What the function does by itself when reset: vfio-pci keeps its interrupt setup. */
static void sim_function_reset(struct sim_pci *s)
{
	put16(s->cfg + PCI_COMMAND, 0);
}

bool sim_fire(struct sim_pci *s, unsigned int index, unsigned int n)
{
	uint64_t one = 1;

	if (n >= s->nr_trigger[index] || s->trigger[index][n] < 0)
		return false;
	return write(s->trigger[index][n], &one, sizeof(one)) == sizeof(one);
}

uint32_t sim_region_u32(struct sim_pci *s, unsigned int index, uint64_t off)
{
	uint32_t v = 0;

	if (pread(s->regions[index].fd, &v, 4, (off_t)off) != 4)
		return 0xdeadbeef;
	return v;
}

/* ---- backend ops ---- */

static int sim_region_info(void *be, unsigned int index, struct vfio_region *out)
{
	struct sim_pci *s = be;
	const struct sim_region *r;

	if (index >= VFIO_PCI_NUM_REGIONS)
		return -EINVAL;
	r = &s->regions[index];
	memset(out, 0, sizeof(*out));
	out->index = index;
	out->size = r->size;
	out->flags = r->flags;
	out->offset = (uint64_t)index << 40;
	out->sparse = r->sparse;
	out->nr_areas = r->nr_areas;
	memcpy(out->areas, r->areas, sizeof(r->areas));
	return 0;
}

static bool in_region(const struct sim_pci *s, unsigned int index, uint64_t off, size_t len)
{
	return index < VFIO_PCI_NUM_REGIONS && off <= s->regions[index].size &&
	       len <= s->regions[index].size - off;
}

static ssize_t sim_region_read(void *be, unsigned int index, uint64_t off, void *buf, size_t len)
{
	struct sim_pci *s = be;

	if (!in_region(s, index, off, len))
		return -EINVAL;
	if (index == VFIO_PCI_CONFIG_REGION_INDEX) {
		memcpy(buf, s->cfg + off, len);
		return (ssize_t)len;
	}
	return pread(s->regions[index].fd, buf, len, (off_t)off);
}

static ssize_t sim_region_write(void *be, unsigned int index, uint64_t off, const void *buf,
				size_t len)
{
	struct sim_pci *s = be;

	if (!in_region(s, index, off, len) ||
	    !(s->regions[index].flags & VFIO_REGION_INFO_FLAG_WRITE))
		return -EINVAL;
	if (index == VFIO_PCI_CONFIG_REGION_INDEX) {
		uint16_t pmcsr = 0;

		if (s->pm_cap)
			pmcsr = (uint16_t)(s->cfg[s->pm_cap + PCI_PM_CTRL] |
					   s->cfg[s->pm_cap + PCI_PM_CTRL + 1] << 8);
		/* like vfio-pci, only the command register, cache line, latency and cap bodies */
		for (size_t i = 0; i < len; i++) {
			uint64_t o = off + i;

			if (o == PCI_COMMAND || o == PCI_COMMAND + 1 || o == PCI_CACHE_LINE_SIZE ||
			    o == PCI_LATENCY_TIMER || o >= 0x40)
				s->cfg[o] = ((const uint8_t *)buf)[i];
		}
		if (s->pm_cap) {
			uint8_t *c = s->cfg + s->pm_cap + PCI_PM_CTRL;
			uint16_t now = (uint16_t)(c[0] | c[1] << 8);

			/* No_Soft_Reset is read-only; D3hot -> D0 without it resets the function */
			now = (uint16_t)((now & ~PCI_PM_CTRL_NO_SOFT_RESET) |
					 (pmcsr & PCI_PM_CTRL_NO_SOFT_RESET));
			put16(c, now);
			if ((pmcsr & PCI_PM_CTRL_STATE_MASK) == 3 &&
			    (now & PCI_PM_CTRL_STATE_MASK) == 0 &&
			    !(pmcsr & PCI_PM_CTRL_NO_SOFT_RESET)) {
				s->pm_resets++;
				sim_function_reset(s);
			}
		}
		if (s->exp_cap) {
			uint8_t *c = s->cfg + s->exp_cap + PCI_EXP_DEVCTL;

			if (c[1] & (PCI_EXP_DEVCTL_BCR_FLR >> 8)) {
				c[1] &= (uint8_t) ~(PCI_EXP_DEVCTL_BCR_FLR >> 8);
				if (s->cfg[s->exp_cap + PCI_EXP_DEVCAP + 3] &
				    (PCI_EXP_DEVCAP_FLR >> 24)) {
					s->flrs++;
					sim_function_reset(s);
				}
			}
		}
		if (s->af_cap && (s->cfg[s->af_cap + PCI_AF_CTRL] & PCI_AF_CTRL_FLR)) {
			s->cfg[s->af_cap + PCI_AF_CTRL] &= (uint8_t)~PCI_AF_CTRL_FLR;
			s->flrs++;
			sim_function_reset(s);
		}
		return (ssize_t)len;
	}
	return pwrite(s->regions[index].fd, buf, len, (off_t)off);
}

static void *sim_region_mmap(void *be, unsigned int index, uint64_t off, uint64_t len, int prot)
{
	struct sim_pci *s = be;
	void *p;

	/* as vfio-pci: a BAR smaller than a page is mapped as its whole (reserved) page */
	if (index < VFIO_PCI_NUM_REGIONS && s->regions[index].size < 4096 && off == 0 &&
	    len == 4096 && (s->regions[index].flags & VFIO_REGION_INFO_FLAG_MMAP)) {
		p = mmap(NULL, len, prot, MAP_SHARED, s->regions[index].fd, 0);
		return p == MAP_FAILED ? NULL : p;
	}
	if (!in_region(s, index, off, len) ||
	    !(s->regions[index].flags & VFIO_REGION_INFO_FLAG_MMAP))
		return NULL;
	p = mmap(NULL, len, prot, MAP_SHARED, s->regions[index].fd, (off_t)off);
	return p == MAP_FAILED ? NULL : p;
}

static int sim_irq_info(void *be, unsigned int index, struct vfio_irq *out)
{
	struct sim_pci *s = be;

	if (index >= VFIO_PCI_NUM_IRQS)
		return -EINVAL;
	*out = s->irqs[index];
	return 0;
}

static int sim_set_irqs(void *be, const struct vfio_irq_set *set)
{
	struct sim_pci *s = be;
	struct sim_set_irqs *c = &s->calls[s->nr_calls < 256 ? s->nr_calls++ : 255];
	uint32_t action = set->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
	bool fds = set->flags & VFIO_IRQ_SET_DATA_EVENTFD;

	memset(c, 0, sizeof(*c));
	c->index = set->index;
	c->flags = set->flags;
	c->start = set->start;
	c->count = set->count;
	if (set->index >= VFIO_PCI_NUM_IRQS || set->count > SIM_MAX_VEC ||
	    set->start + set->count > s->irqs[set->index].count + (set->count ? 0 : 1))
		return -EINVAL;
	if (set->argsz < sizeof(*set) + (fds ? set->count * sizeof(int32_t) : 0))
		return -EINVAL;
	for (unsigned int i = 0; fds && i < set->count; i++)
		memcpy(&c->fds[i], set->data + i * 4, 4);
	if (action == VFIO_IRQ_SET_ACTION_UNMASK) {
		if (set->index != VFIO_PCI_INTX_IRQ_INDEX || !fds || set->count != 1)
			return -EINVAL;
		s->unmask_fd = c->fds[0];
		return 0;
	}
	if (action != VFIO_IRQ_SET_ACTION_TRIGGER)
		return -EINVAL;
	if (!set->count) { /* DATA_NONE, count 0: this index off */
		s->nr_trigger[set->index] = 0;
		if (set->index == VFIO_PCI_INTX_IRQ_INDEX)
			s->unmask_fd = -1;
		return 0;
	}
	/* like vfio-pci: INTx, MSI and MSI-X exclude each other */
	for (unsigned int i = VFIO_PCI_INTX_IRQ_INDEX; i <= VFIO_PCI_MSIX_IRQ_INDEX; i++)
		if (i != set->index && s->nr_trigger[i])
			return -EINVAL;
	/* an enabled index without resizing takes new eventfds only for the vectors it has */
	if (s->nr_trigger[set->index] && (s->irqs[set->index].flags & VFIO_IRQ_INFO_NORESIZE) &&
	    set->start + set->count > s->nr_trigger[set->index])
		return -EINVAL;
	/* like older kernels: fewer vectors than asked come back as the count the host has */
	if (!s->nr_trigger[set->index] && s->grant[set->index] &&
	    set->start + set->count > s->grant[set->index])
		return (int)s->grant[set->index];
	for (unsigned int i = 0; i < set->count; i++)
		s->trigger[set->index][set->start + i] = fds ? c->fds[i] : -1;
	s->nr_trigger[set->index] = set->start + set->count;
	return 0;
}

static int sim_reset(void *be)
{
	struct sim_pci *s = be;

	if (!s->can_reset)
		return -ENOTSUP;
	s->resets++;
	return 0;
}

const struct vfio_backend_ops sim_ops = {
	.region_info = sim_region_info,
	.region_read = sim_region_read,
	.region_write = sim_region_write,
	.region_mmap = sim_region_mmap,
	.irq_info = sim_irq_info,
	.set_irqs = sim_set_irqs,
	.reset = sim_reset,
};

/* ---- the recording VM ---- */

static int rec_slot_add(void *vm, uint64_t gpa, uint64_t size, void *hva, bool readonly)
{
	struct rec_vm *r = vm;

	for (unsigned int i = 0; i < 64; i++) {
		const struct rec_slot *o = &r->slots[i];

		if (o->used && gpa < o->gpa + o->size && o->gpa < gpa + size)
			return -EEXIST; /* as KVM refuses overlapping slots */
	}
	for (int i = 0; i < 64; i++) {
		if (!r->slots[i].used) {
			r->slots[i] = (struct rec_slot){true, gpa, size, hva, readonly};
			return i;
		}
	}
	return -ENOSPC;
}

static int rec_slot_remove(void *vm, int slot)
{
	struct rec_vm *r = vm;

	if (slot < 0 || slot >= 64 || !r->slots[slot].used)
		return -ENOENT;
	r->slots[slot].used = false;
	return 0;
}

/* Like the VM: all changes or none, one push to KVM for the lot. */
static int rec_routes_commit(void *vm, struct vfio_route_change *c, unsigned int n)
{
	struct rec_vm *r = vm;
	struct rec_route saved[128];
	int gsi[64];

	r->pushes++;
	if (r->fail_push)
		return -EINVAL;
	memcpy(saved, r->routes, sizeof(saved));
	for (unsigned int i = 0; i < n; i++) {
		if (c[i].gsi < 0) {
			int g = 24;

			while (g < 128 && r->routes[g].used)
				g++;
			if (g == 128)
				goto undo;
			r->routes[g] = (struct rec_route){true, c[i].addr, c[i].data};
			if (i < 64)
				gsi[i] = g;
			continue;
		}
		if (c[i].gsi >= 128 || !r->routes[c[i].gsi].used)
			goto undo;
		if (c[i].remove) {
			r->routes[c[i].gsi].used = false;
		} else {
			r->routes[c[i].gsi].addr = c[i].addr;
			r->routes[c[i].gsi].data = c[i].data;
			r->route_updates++;
		}
	}
	for (unsigned int i = 0; i < n && i < 64; i++)
		if (c[i].gsi < 0)
			c[i].gsi = gsi[i];
	return 0;
undo:
	memcpy(r->routes, saved, sizeof(saved));
	return -ENOSPC;
}

static void rec_warn(void *vm, const char *msg)
{
	struct rec_vm *r = vm;

	r->warnings++;
	snprintf(r->last_warning, sizeof(r->last_warning), "%s", msg);
}

static void rec_bar_space_freed(void *vm, struct vfio_pci *from)
{
	struct rec_vm *r = vm;

	for (unsigned int i = 0; i < r->nr_pcis; i++)
		if (r->pcis[i] != from)
			vfio_pci_bars_retry(r->pcis[i]);
}

static int rec_irqfd_assign(void *vm, int gsi, int efd, int resample)
{
	struct rec_vm *r = vm;

	if (rec_irqfd_of(r, efd))
		return -EBUSY; /* KVM refuses an eventfd twice */
	for (unsigned int i = 0; i < 128; i++) {
		if (!r->irqfds[i].used) {
			r->irqfds[i] = (struct rec_irqfd){true, gsi, efd, resample};
			return 0;
		}
	}
	return -ENOSPC;
}

static int rec_irqfd_deassign(void *vm, int gsi, int efd)
{
	struct rec_vm *r = vm;

	for (unsigned int i = 0; i < 128; i++) {
		if (r->irqfds[i].used && r->irqfds[i].efd == efd && r->irqfds[i].gsi == gsi) {
			r->irqfds[i].used = false;
			return 0;
		}
	}
	return -ENOENT;
}

static int rec_dma_ready(void *vm)
{
	struct rec_vm *r = vm;

	r->dma_ready_calls++;
	return r->dma_ready_result;
}

static const struct vfio_vm_ops rec_ops = {
	.dma_ready = rec_dma_ready,
	.mem_slot_add = rec_slot_add,
	.mem_slot_remove = rec_slot_remove,
	.msi_routes_commit = rec_routes_commit,
	.warn = rec_warn,
	.bar_space_freed = rec_bar_space_freed,
	.irqfd_assign = rec_irqfd_assign,
	.irqfd_deassign = rec_irqfd_deassign,
};

void rec_vm_init(struct rec_vm *r)
{
	memset(r, 0, sizeof(*r));
	io_bus_init(&r->bus);
	r->vm = (struct vfio_vm){&rec_ops, r, &r->bus, &r->mem};
}

void rec_vm_add_pci(struct rec_vm *r, struct vfio_pci *p)
{
	if (r->nr_pcis < 4)
		r->pcis[r->nr_pcis++] = p;
}

void rec_vm_fini(struct rec_vm *r)
{
	io_bus_destroy(&r->bus);
}

unsigned int rec_nr_slots(const struct rec_vm *r)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < 64; i++)
		n += r->slots[i].used;
	return n;
}

const struct rec_slot *rec_slot_at(const struct rec_vm *r, uint64_t gpa)
{
	for (unsigned int i = 0; i < 64; i++)
		if (r->slots[i].used && r->slots[i].gpa == gpa)
			return &r->slots[i];
	return NULL;
}

unsigned int rec_nr_routes(const struct rec_vm *r)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < 128; i++)
		n += r->routes[i].used;
	return n;
}

unsigned int rec_nr_irqfds(const struct rec_vm *r)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < 128; i++)
		n += r->irqfds[i].used;
	return n;
}

const struct rec_irqfd *rec_irqfd_of(const struct rec_vm *r, int efd)
{
	for (unsigned int i = 0; i < 128; i++)
		if (r->irqfds[i].used && r->irqfds[i].efd == efd)
			return &r->irqfds[i];
	return NULL;
}

uint32_t cfg_rd(struct vfio_pci *p, uint32_t off, unsigned int len)
{
	uint8_t b[4] = {0};

	vfio_pci_config_read(p, off, b, len);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

void cfg_wr(struct vfio_pci *p, uint32_t off, uint32_t val, unsigned int len)
{
	uint8_t b[4] = {(uint8_t)val, (uint8_t)(val >> 8), (uint8_t)(val >> 16),
			(uint8_t)(val >> 24)};

	vfio_pci_config_write(p, off, b, len);
}
