// SPDX-License-Identifier: MIT
#include "firmware/fw_cfg.h"

#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/memmap.h"

#define DMA_DESC_SIZE 16
#define DMA_KNOWN_OPS (FW_CFG_DMA_READ | FW_CFG_DMA_SKIP | FW_CFG_DMA_SELECT | FW_CFG_DMA_WRITE)

void *fw_cfg_guest_mem_ptr(void *guest_mem, uint64_t gpa, uint64_t len)
{
	return guest_mem_ptr(guest_mem, gpa, len);
}

static int find_key(const struct fw_cfg *fw, uint16_t key)
{
	for (unsigned int i = 0; i < fw->nr_items; i++)
		if (fw->items[i].key == key)
			return (int)i;
	return -1;
}

/* The slot for key, created empty if it does not exist yet. */
static struct fw_cfg_item *get_slot(struct fw_cfg *fw, uint16_t key)
{
	int i = find_key(fw, key);

	if (i >= 0)
		return &fw->items[i];
	if (fw->nr_items == fw->cap_items) {
		unsigned int cap = fw->cap_items ? fw->cap_items * 2 : 32;
		struct fw_cfg_item *n = realloc(fw->items, cap * sizeof(*n));

		if (!n)
			return NULL;
		fw->items = n;
		fw->cap_items = cap;
	}
	fw->items[fw->nr_items] = (struct fw_cfg_item){.key = key};
	return &fw->items[fw->nr_items++];
}

static int store(struct fw_cfg *fw, uint16_t key, const void *data, size_t size)
{
	struct fw_cfg_item *it;
	uint8_t *copy;

	if (size > UINT32_MAX)
		return -EFBIG;
	copy = malloc(size ? size : 1);
	if (!copy)
		return -ENOMEM;
	if (size)
		memcpy(copy, data, size);
	it = get_slot(fw, key);
	if (!it) {
		free(copy);
		return -ENOMEM;
	}
	free(it->data);
	it->data = copy;
	it->size = (uint32_t)size;
	return 0;
}

int fw_cfg_init(struct fw_cfg *fw, fw_cfg_gpa_to_hva gpa_to_hva, void *mem_opaque)
{
	uint32_t features = FW_CFG_FEATURE_TRADITIONAL;
	uint32_t count = 0;
	int ret;

	*fw = (struct fw_cfg){.sel = -1, .gpa_to_hva = gpa_to_hva, .mem_opaque = mem_opaque};
	if (gpa_to_hva)
		features |= FW_CFG_FEATURE_DMA;
	features = htole32(features);
	ret = store(fw, FW_CFG_SIGNATURE, "QEMU", 4);
	if (!ret)
		ret = store(fw, FW_CFG_ID, &features, sizeof(features));
	if (!ret)
		ret = store(fw, FW_CFG_FILE_DIR, &count, sizeof(count));
	if (!ret)
		ret = -pthread_mutex_init(&fw->lock, NULL);
	if (ret) {
		for (unsigned int i = 0; i < fw->nr_items; i++)
			free(fw->items[i].data);
		free(fw->items);
		*fw = (struct fw_cfg){.sel = -1};
	}
	return ret;
}

void fw_cfg_destroy(struct fw_cfg *fw)
{
	for (unsigned int i = 0; i < fw->nr_items; i++) {
		free(fw->items[i].data);
		free(fw->items[i].name);
	}
	free(fw->items);
	pthread_mutex_destroy(&fw->lock);
	*fw = (struct fw_cfg){.sel = -1};
}

static bool numeric_key(uint16_t key)
{
	if (key & FW_CFG_KEY_WRITE)
		return false;
	if ((key & ~FW_CFG_KEY_ARCH) >= FW_CFG_FILE_FIRST)
		return false;
	return key != FW_CFG_SIGNATURE && key != FW_CFG_ID && key != FW_CFG_FILE_DIR;
}

int fw_cfg_set_bytes(struct fw_cfg *fw, uint16_t key, const void *data, size_t size)
{
	int ret;

	if (!numeric_key(key))
		return -EINVAL;
	pthread_mutex_lock(&fw->lock);
	ret = store(fw, key, data, size);
	pthread_mutex_unlock(&fw->lock);
	return ret;
}

int fw_cfg_set_u16(struct fw_cfg *fw, uint16_t key, uint16_t v)
{
	v = htole16(v);
	return fw_cfg_set_bytes(fw, key, &v, sizeof(v));
}

int fw_cfg_set_u32(struct fw_cfg *fw, uint16_t key, uint32_t v)
{
	v = htole32(v);
	return fw_cfg_set_bytes(fw, key, &v, sizeof(v));
}

int fw_cfg_set_u64(struct fw_cfg *fw, uint16_t key, uint64_t v)
{
	v = htole64(v);
	return fw_cfg_set_bytes(fw, key, &v, sizeof(v));
}

static int cmp_by_name(const void *a, const void *b)
{
	const struct fw_cfg_item *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

/* Rebuild the directory item: be32 count, then 64-byte entries sorted by name. */
static int rebuild_dir(struct fw_cfg *fw)
{
	size_t size = 4 + (size_t)fw->nr_files * FW_CFG_DIR_ENTRY_SIZE;
	const struct fw_cfg_item **files = calloc(fw->nr_files ? fw->nr_files : 1, sizeof(*files));
	uint8_t *dir = calloc(1, size);
	unsigned int n = 0;
	uint32_t be;
	int ret;

	if (!files || !dir) {
		ret = -ENOMEM;
		goto out;
	}
	for (unsigned int i = 0; i < fw->nr_items; i++)
		if (fw->items[i].name)
			files[n++] = &fw->items[i];
	qsort(files, n, sizeof(*files), cmp_by_name);
	be = htobe32(n);
	memcpy(dir, &be, 4);
	for (unsigned int i = 0; i < n; i++) {
		uint8_t *e = dir + 4 + (size_t)i * FW_CFG_DIR_ENTRY_SIZE;
		uint16_t sel = htobe16(files[i]->key);

		be = htobe32(files[i]->size);
		memcpy(e, &be, 4);
		memcpy(e + 4, &sel, 2);
		/* e + 6: two reserved bytes, zero */
		memcpy(e + 8, files[i]->name, strlen(files[i]->name));
	}
	ret = store(fw, FW_CFG_FILE_DIR, dir, size);
out:
	free(files);
	free(dir);
	return ret;
}

int fw_cfg_add_file(struct fw_cfg *fw, const char *name, const void *data, size_t size,
		    uint16_t *key)
{
	size_t len = name ? strnlen(name, FW_CFG_FILE_NAME_MAX) : 0;
	struct fw_cfg_item *it;
	uint16_t k;
	char *copy;
	int ret;

	if (len == 0 || len >= FW_CFG_FILE_NAME_MAX)
		return -EINVAL;
	if (size > UINT32_MAX)
		return -EFBIG;
	pthread_mutex_lock(&fw->lock);
	ret = -EEXIST;
	for (unsigned int i = 0; i < fw->nr_items; i++)
		if (fw->items[i].name && !strcmp(fw->items[i].name, name))
			goto out;
	ret = -ENOSPC;
	if (fw->nr_files >= FW_CFG_MAX_FILES)
		goto out;
	ret = -ENOMEM;
	copy = strdup(name);
	if (!copy)
		goto out;
	k = (uint16_t)(FW_CFG_FILE_FIRST + fw->nr_files);
	ret = store(fw, k, data, size);
	if (ret) {
		free(copy);
		goto out;
	}
	it = &fw->items[find_key(fw, k)];
	it->name = copy;
	fw->nr_files++;
	ret = rebuild_dir(fw);
	if (ret) {
		/* the new file is the last item: take it back so the directory stays true */
		free(it->data);
		free(it->name);
		fw->nr_items--;
		fw->nr_files--;
		goto out;
	}
	if (key)
		*key = k;
out:
	pthread_mutex_unlock(&fw->lock);
	return ret;
}

struct e820_entry {
	uint64_t addr, size;
	uint32_t type;
};

static int cmp_by_addr(const void *a, const void *b)
{
	const struct e820_entry *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

int fw_cfg_add_e820(struct fw_cfg *fw, const struct guest_mem *mem,
		    const struct fw_cfg_range *reserved, unsigned int nr_reserved)
{
	struct e820_entry e[FW_CFG_E820_MAX];
	uint8_t blob[FW_CFG_E820_MAX * FW_CFG_E820_ENTRY_SIZE];
	unsigned int n = 0;

	if (mem->nr_ram > FW_CFG_E820_MAX || nr_reserved > FW_CFG_E820_MAX - mem->nr_ram)
		return -E2BIG;
	for (unsigned int i = 0; i < mem->nr_ram; i++)
		e[n++] = (struct e820_entry){mem->ram[i].gpa, mem->ram[i].size, FW_CFG_E820_RAM};
	for (unsigned int i = 0; i < nr_reserved; i++)
		e[n++] = (struct e820_entry){reserved[i].addr, reserved[i].size,
					     FW_CFG_E820_RESERVED};
	for (unsigned int i = 0; i < n; i++)
		if (!e[i].size || e[i].addr + e[i].size < e[i].addr)
			return -EINVAL;
	qsort(e, n, sizeof(e[0]), cmp_by_addr);
	for (unsigned int i = 0; i < n; i++) {
		uint8_t *p = blob + i * FW_CFG_E820_ENTRY_SIZE;
		uint64_t addr = htole64(e[i].addr), size = htole64(e[i].size);
		uint32_t type = htole32(e[i].type);

		memcpy(p, &addr, 8);
		memcpy(p + 8, &size, 8);
		memcpy(p + 16, &type, 4);
	}
	return fw_cfg_add_file(fw, "etc/e820", blob, (size_t)n * FW_CFG_E820_ENTRY_SIZE, NULL);
}

static void select_key(struct fw_cfg *fw, uint16_t key)
{
	fw->sel = find_key(fw, key & ~FW_CFG_KEY_WRITE);
	fw->offset = 0;
}

static void io_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	struct fw_cfg *fw = opaque;
	uint8_t *out = data;

	(void)off;
	pthread_mutex_lock(&fw->lock);
	for (unsigned int i = 0; i < len; i++) {
		const struct fw_cfg_item *it = fw->sel >= 0 ? &fw->items[fw->sel] : NULL;

		if (it && fw->offset < it->size)
			out[i] = it->data[fw->offset++];
		else
			out[i] = 0;
	}
	pthread_mutex_unlock(&fw->lock);
}

static void io_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	struct fw_cfg *fw = opaque;
	uint16_t key;

	if (off != 0 || len != 2)
		return; /* data port writes: the items are read-only */
	memcpy(&key, data, 2);
	pthread_mutex_lock(&fw->lock);
	select_key(fw, le16toh(key));
	pthread_mutex_unlock(&fw->lock);
}

const struct io_ops fw_cfg_io_ops = {io_read, io_write};

/* One request; returns the control word to write back. Called with the lock held. */
static uint32_t dma_request(struct fw_cfg *fw, uint32_t control, uint32_t length, uint64_t addr)
{
	uint32_t ops = control & 0xffff;
	uint32_t xfer = ops & (FW_CFG_DMA_READ | FW_CFG_DMA_SKIP | FW_CFG_DMA_WRITE);
	const struct fw_cfg_item *it;
	void *dst;

	if (ops & ~DMA_KNOWN_OPS)
		return FW_CFG_DMA_ERROR;
	if (ops & FW_CFG_DMA_SELECT)
		select_key(fw, (uint16_t)(control >> 16));
	else if (control >> 16)
		return FW_CFG_DMA_ERROR;
	if (!xfer)
		return 0;
	if (xfer != FW_CFG_DMA_READ && xfer != FW_CFG_DMA_SKIP)
		return FW_CFG_DMA_ERROR; /* WRITE, or more than one transfer bit */
	if (fw->sel < 0 || length == 0)
		return FW_CFG_DMA_ERROR;
	it = &fw->items[fw->sel];
	if (fw->offset > it->size || length > it->size - fw->offset)
		return FW_CFG_DMA_ERROR;
	if (xfer == FW_CFG_DMA_READ) {
		if (addr + length < addr)
			return FW_CFG_DMA_ERROR;
		dst = fw->gpa_to_hva(fw->mem_opaque, addr, length);
		if (!dst)
			return FW_CFG_DMA_ERROR;
		memcpy(dst, it->data + fw->offset, length);
	}
	fw->offset += length;
	return 0;
}

static void dma_run(struct fw_cfg *fw, uint64_t desc)
{
	uint32_t control, length;
	uint64_t addr;
	uint8_t *p;

	if (desc + DMA_DESC_SIZE < desc ||
	    !(p = fw->gpa_to_hva(fw->mem_opaque, desc, DMA_DESC_SIZE))) {
		fw->dma_dropped++;
		return;
	}
	/* read the descriptor once: the guest may change it under us */
	memcpy(&control, p, 4);
	memcpy(&length, p + 4, 4);
	memcpy(&addr, p + 8, 8);
	control = dma_request(fw, be32toh(control), be32toh(length), be64toh(addr));
	control = htobe32(control);
	memcpy(p, &control, 4);
}

static void dma_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	static const char sig[8] = FW_CFG_DMA_SIGNATURE;
	uint8_t *out = data;

	(void)opaque;
	for (unsigned int i = 0; i < len; i++)
		out[i] = off + i < sizeof(sig) ? (uint8_t)sig[off + i] : 0;
}

static void dma_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	struct fw_cfg *fw = opaque;
	uint32_t half;
	uint64_t full;

	pthread_mutex_lock(&fw->lock);
	if (off == 0 && len == 4) {
		memcpy(&half, data, 4);
		fw->dma_addr_hi = be32toh(half);
	} else if (off == 4 && len == 4) {
		memcpy(&half, data, 4);
		full = (uint64_t)fw->dma_addr_hi << 32 | be32toh(half);
		fw->dma_addr_hi = 0;
		dma_run(fw, full);
	} else if (off == 0 && len == 8) {
		memcpy(&full, data, 8);
		fw->dma_addr_hi = 0;
		dma_run(fw, be64toh(full));
	}
	pthread_mutex_unlock(&fw->lock);
}

const struct io_ops fw_cfg_dma_ops = {dma_read, dma_write};

int fw_cfg_attach(struct fw_cfg *fw, struct io_bus *bus)
{
	int ret = io_bus_register(bus, IO_SPACE_PIO, FW_CFG_PORT_SEL, 2, &fw_cfg_io_ops, fw,
				  "fw_cfg");

	if (ret || !fw->gpa_to_hva)
		return ret;
	return io_bus_register(bus, IO_SPACE_PIO, FW_CFG_PORT_DMA, 8, &fw_cfg_dma_ops, fw,
			       "fw_cfg-dma");
}
