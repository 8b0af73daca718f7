// SPDX-License-Identifier: MIT
/* VFIO info answers: capability chains, region/irq names and flags, PCI address parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "vfio/info_cap.h"
#include "vfio/vfio.h"

/* A region info answer as the kernel builds it: header, then caps at increasing offsets. */
struct answer {
	unsigned char buf[512];
	size_t len;
	uint32_t last; /* offset of the last cap header, 0 if none */
};

static uint32_t add_cap(struct answer *a, uint16_t id, const void *body, size_t body_len)
{
	struct vfio_info_cap_header h = {.id = id, .version = 1, .next = 0};
	uint32_t at = (uint32_t)((a->len + 7) & ~(size_t)7);

	if (a->last) {
		struct vfio_info_cap_header prev;

		memcpy(&prev, a->buf + a->last, sizeof(prev));
		prev.next = at;
		memcpy(a->buf + a->last, &prev, sizeof(prev));
	}
	memcpy(a->buf + at, &h, sizeof(h));
	if (body_len)
		memcpy(a->buf + at + sizeof(h), body, body_len);
	a->len = at + sizeof(h) + body_len;
	a->last = at;
	return at;
}

static void start(struct answer *a)
{
	memset(a, 0, sizeof(*a));
	a->len = sizeof(struct vfio_region_info);
}

static uint32_t add_sparse(struct answer *a, const struct vfio_region_sparse_mmap_area *areas,
			   uint32_t n)
{
	unsigned char body[256];
	uint32_t hdr[2] = {n, 0};

	memcpy(body, hdr, sizeof(hdr));
	memcpy(body + sizeof(hdr), areas, n * sizeof(*areas));
	return add_cap(a, VFIO_REGION_INFO_CAP_SPARSE_MMAP, body, sizeof(hdr) + n * sizeof(*areas));
}

static void sparse_and_msix_mappable_are_read(void **state)
{
	const struct vfio_region_sparse_mmap_area areas[] = {{0, 0x2000}, {0x3000, 0x1000}};
	struct vfio_region r = {.size = 0x4000};
	struct answer a;
	uint32_t first;
	char flags[256];
	(void)state;

	start(&a);
	first = add_sparse(&a, areas, 2);
	add_cap(&a, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, NULL, 0);
	assert_int_equal(vfio_region_parse_caps(&r, a.buf, a.len, first), 0);
	assert_true(r.sparse);
	assert_int_equal(r.nr_areas, 2);
	assert_true(r.areas[1].offset == 0x3000 && r.areas[1].size == 0x1000);
	assert_true(r.msix_mappable);

	r.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
		  VFIO_REGION_INFO_FLAG_MMAP;
	assert_int_equal(vfio_region_flags_str(&r, flags, sizeof(flags)), 0);
	assert_string_equal(flags, "read,write,mmap,sparse-mmap=0x0+0x2000/0x3000+0x1000,"
				   "msix-mappable");
}

static void unknown_caps_are_skipped_and_type_read(void **state)
{
	struct vfio_region r = {.size = 0x1000};
	uint32_t unknown[4] = {1, 2, 3, 4}, type[2] = {3, 1};
	struct answer a;
	uint32_t first;
	(void)state;

	start(&a);
	first = add_cap(&a, 0x7777, unknown, sizeof(unknown));
	add_cap(&a, VFIO_REGION_INFO_CAP_TYPE, type, sizeof(type));
	assert_int_equal(vfio_region_parse_caps(&r, a.buf, a.len, first), 0);
	assert_false(r.sparse);
	assert_false(r.msix_mappable);
	assert_true(r.has_type && r.type == 3 && r.subtype == 1);
}

static void sparse_areas_outside_the_region_are_dropped(void **state)
{
	const struct vfio_region_sparse_mmap_area areas[] = {
		{0x3000, 0x2000},	      /* crosses the end */
		{UINT64_MAX - 0xfff, 0x2000}, /* wraps */
		{0x1000, 0},		      /* empty */
		{0, 0x1000},
	};
	struct vfio_region r = {.size = 0x4000};
	struct answer a;
	uint32_t first;
	(void)state;

	start(&a);
	first = add_sparse(&a, areas, 4);
	assert_int_equal(vfio_region_parse_caps(&r, a.buf, a.len, first), 0);
	assert_int_equal(r.nr_areas, 1);
	assert_true(r.areas[0].offset == 0 && r.areas[0].size == 0x1000);
}

static void too_many_sparse_areas_are_counted(void **state)
{
	struct vfio_region_sparse_mmap_area areas[VFIO_MAX_SPARSE_AREAS + 3];
	struct vfio_region r = {.size = 0x100000};
	struct answer a;
	uint32_t first;
	(void)state;

	for (unsigned int i = 0; i < VFIO_MAX_SPARSE_AREAS + 3; i++)
		areas[i] = (struct vfio_region_sparse_mmap_area){i * 0x2000, 0x1000};
	start(&a);
	first = add_sparse(&a, areas, VFIO_MAX_SPARSE_AREAS + 3);
	assert_int_equal(vfio_region_parse_caps(&r, a.buf, a.len, first), 0);
	assert_int_equal(r.nr_areas, VFIO_MAX_SPARSE_AREAS);
	assert_int_equal(r.nr_areas_dropped, 3);
}

static void malformed_chains_are_refused(void **state)
{
	const struct vfio_region_sparse_mmap_area area = {0, 0x1000};
	struct vfio_info_cap_header h;
	struct vfio_region r = {.size = 0x1000};
	struct vfio_info_cap cap;
	struct answer a;
	uint32_t first, second;
	(void)state;

	/* a loop: the second cap points back at the first */
	start(&a);
	first = add_cap(&a, 0x7777, NULL, 0);
	second = add_cap(&a, 0x7778, NULL, 0);
	memcpy(&h, a.buf + second, sizeof(h));
	h.next = first;
	memcpy(a.buf + second, &h, sizeof(h));
	assert_int_equal(vfio_region_parse_caps(&r, a.buf, a.len, first), -EINVAL);

	/* a first offset beyond the buffer, or a header cut by its end */
	assert_int_equal(vfio_info_cap_find(a.buf, a.len, 4096, 1, 0, &cap), -EINVAL);
	assert_int_equal(vfio_info_cap_find(a.buf, a.len, (uint32_t)a.len - 2, 1, 0, &cap),
			 -EINVAL);

	/* a sparse cap claiming more areas than it holds */
	start(&a);
	first = add_sparse(&a, &area, 1);
	a.buf[first + sizeof(h)] = 50; /* nr_areas */
	assert_int_equal(vfio_region_parse_caps(&r, a.buf, a.len, first), -EINVAL);

	/* no chain at all */
	assert_int_equal(vfio_info_cap_find(a.buf, a.len, 0, 1, 0, &cap), -ENOENT);
}

static void names_and_flags(void **state)
{
	struct vfio_region r = {0};
	char buf[64], name[16];
	(void)state;

	assert_string_equal(vfio_region_name(VFIO_PCI_BAR3_REGION_INDEX, name), "BAR3");
	assert_string_equal(vfio_region_name(VFIO_PCI_ROM_REGION_INDEX, name), "ROM");
	assert_string_equal(vfio_region_name(VFIO_PCI_CONFIG_REGION_INDEX, name), "CONFIG");
	assert_string_equal(vfio_region_name(VFIO_PCI_VGA_REGION_INDEX, name), "VGA");
	assert_string_equal(vfio_region_name(11, name), "REGION11");
	assert_string_equal(vfio_irq_name(VFIO_PCI_INTX_IRQ_INDEX, name), "INTx");
	assert_string_equal(vfio_irq_name(VFIO_PCI_MSIX_IRQ_INDEX, name), "MSI-X");
	assert_string_equal(vfio_irq_name(VFIO_PCI_REQ_IRQ_INDEX, name), "REQ");

	assert_int_equal(vfio_region_flags_str(&r, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "none");
	assert_int_equal(vfio_irq_flags_str(VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE |
						    VFIO_IRQ_INFO_AUTOMASKED,
					    buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, "eventfd,maskable,automasked");
	assert_int_equal(vfio_irq_flags_str(VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE, buf,
					    sizeof(buf)),
			 0);
	assert_string_equal(buf, "eventfd,noresize");
	assert_int_equal(vfio_device_flags_str(VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET, buf,
					       sizeof(buf)),
			 0);
	assert_string_equal(buf, "pci,reset");
	/* a buffer too small says so and stays a C string */
	assert_int_equal(vfio_irq_flags_str(VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE, buf, 9),
			 -ENOSPC);
	assert_true(strlen(buf) < 9);
}

static void pci_addresses(void **state)
{
	static const char *const bad[] = {
		"",
		"0000:00:02",
		"0000:00:02.8",
		"0000:00:20.0",
		"000:00:02.0",
		"0000:00:02.0x",
		"0000-00:02.0",
		"/sys/bus/pci/devices/",
		"/sys/bus/pci/devices/0000:00:02.0//",
		"0000:0g:02.0",
		"../../0000:00:02.0",
		"0000:00:02.0 ",
	};
	char out[VFIO_PCI_ADDR_LEN];
	(void)state;

	assert_int_equal(vfio_pci_addr_parse("0000:00:02.0", out), 0);
	assert_string_equal(out, "0000:00:02.0");
	assert_int_equal(vfio_pci_addr_parse("/sys/bus/pci/devices/0000:3A:1f.7/", out), 0);
	assert_string_equal(out, "0000:3a:1f.7");
	assert_int_equal(vfio_pci_addr_parse("01:00.1", out), 0);
	assert_string_equal(out, "0000:01:00.1");
	assert_int_equal(vfio_pci_addr_parse("ffff:ff:1f.7", out), 0);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (vfio_pci_addr_parse(bad[i], out) != -EINVAL)
			fail_msg("'%s' accepted as %s", bad[i], out);
	}
	assert_int_equal(vfio_pci_addr_parse(NULL, out), -EINVAL);
}

/* The real backend's mmap: a region smaller than a page maps as its page, nothing beyond. */
static void subpage_region_maps_its_page(void **state)
{
	struct vfio_device d = {.nr_regions = 2};
	long page = sysconf(_SC_PAGESIZE);
	void *p;
	(void)state;

	d.fd = memfd_create("fake-device", MFD_CLOEXEC);
	assert_true(d.fd >= 0);
	assert_int_equal(ftruncate(d.fd, 4 * page), 0);
	d.regions[1] = (struct vfio_region){
		.flags = VFIO_REGION_INFO_FLAG_MMAP, .size = 256, .offset = (uint64_t)page};
	p = vfio_device_backend.region_mmap(&d, 1, 0, (uint64_t)page, PROT_READ);
	assert_non_null(p);
	munmap(p, (size_t)page);
	assert_null(vfio_device_backend.region_mmap(&d, 1, 0, 2 * (uint64_t)page, PROT_READ));
	assert_null(vfio_device_backend.region_mmap(&d, 1, 256, (uint64_t)page, PROT_READ));
	/* a region of a page or more: exactly its size, as before */
	d.regions[1].size = 2 * (uint64_t)page;
	assert_null(vfio_device_backend.region_mmap(&d, 1, 0, 3 * (uint64_t)page, PROT_READ));
	/* without the mmap flag: never */
	d.regions[1].size = 256;
	d.regions[1].flags = 0;
	assert_null(vfio_device_backend.region_mmap(&d, 1, 0, (uint64_t)page, PROT_READ));
	close(d.fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sparse_and_msix_mappable_are_read),
		cmocka_unit_test(unknown_caps_are_skipped_and_type_read),
		cmocka_unit_test(sparse_areas_outside_the_region_are_dropped),
		cmocka_unit_test(too_many_sparse_areas_are_counted),
		cmocka_unit_test(malformed_chains_are_refused),
		cmocka_unit_test(names_and_flags),
		cmocka_unit_test(pci_addresses),
		cmocka_unit_test(subpage_region_maps_its_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
