// SPDX-License-Identifier: MIT
/* Names and flag lists of VFIO regions and irqs, as `vfvm check` prints them. */
#include "vfio/vfio.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

const char *vfio_region_name(unsigned int index, char buf[16])
{
	static const char *const names[] = {
		[VFIO_PCI_BAR0_REGION_INDEX] = "BAR0", [VFIO_PCI_BAR1_REGION_INDEX] = "BAR1",
		[VFIO_PCI_BAR2_REGION_INDEX] = "BAR2", [VFIO_PCI_BAR3_REGION_INDEX] = "BAR3",
		[VFIO_PCI_BAR4_REGION_INDEX] = "BAR4", [VFIO_PCI_BAR5_REGION_INDEX] = "BAR5",
		[VFIO_PCI_ROM_REGION_INDEX] = "ROM",   [VFIO_PCI_CONFIG_REGION_INDEX] = "CONFIG",
		[VFIO_PCI_VGA_REGION_INDEX] = "VGA",
	};

	if (index < sizeof(names) / sizeof(names[0]))
		return names[index];
	snprintf(buf, 16, "REGION%u", (unsigned short)index);
	return buf;
}

const char *vfio_irq_name(unsigned int index, char buf[16])
{
	static const char *const names[] = {
		[VFIO_PCI_INTX_IRQ_INDEX] = "INTx",  [VFIO_PCI_MSI_IRQ_INDEX] = "MSI",
		[VFIO_PCI_MSIX_IRQ_INDEX] = "MSI-X", [VFIO_PCI_ERR_IRQ_INDEX] = "ERR",
		[VFIO_PCI_REQ_IRQ_INDEX] = "REQ",
	};

	if (index < sizeof(names) / sizeof(names[0]))
		return names[index];
	snprintf(buf, 16, "IRQ%u", (unsigned short)index);
	return buf;
}

struct strbuf {
	char *buf;
	size_t len, used;
	int err;
};

static void add(struct strbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct strbuf *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->err)
		return;
	if (s->used && s->used + 1 < s->len)
		s->buf[s->used++] = ',';
	va_start(ap, fmt);
	n = vsnprintf(s->buf + s->used, s->len - s->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= s->len - s->used) {
		s->err = -ENOSPC;
		return;
	}
	s->used += (size_t)n;
}

static int finish(struct strbuf *s)
{
	if (!s->len)
		return -ENOSPC;
	if (!s->used && !s->err)
		add(s, "none");
	return s->err;
}

int vfio_region_flags_str(const struct vfio_region *r, char *buf, size_t len)
{
	struct strbuf s = {buf, len, 0, 0};

	if (len)
		buf[0] = '\0';
	if (r->flags & VFIO_REGION_INFO_FLAG_READ)
		add(&s, "read");
	if (r->flags & VFIO_REGION_INFO_FLAG_WRITE)
		add(&s, "write");
	if (r->flags & VFIO_REGION_INFO_FLAG_MMAP)
		add(&s, "mmap");
	if (r->sparse) {
		/* offset+size pairs joined by '/', so that the list stays one comma field */
		char areas[256];
		size_t used = 0;

		areas[0] = '\0';
		for (unsigned int i = 0; i < r->nr_areas && used < sizeof(areas); i++) {
			int n = snprintf(areas + used, sizeof(areas) - used,
					 "%s0x%" PRIx64 "+0x%" PRIx64, i ? "/" : "",
					 r->areas[i].offset, r->areas[i].size);
			if (n < 0)
				break;
			used += (size_t)n;
		}
		add(&s, "sparse-mmap=%s", r->nr_areas ? areas : "empty");
	}
	if (r->msix_mappable)
		add(&s, "msix-mappable");
	return finish(&s);
}

int vfio_irq_flags_str(uint32_t flags, char *buf, size_t len)
{
	struct strbuf s = {buf, len, 0, 0};

	if (len)
		buf[0] = '\0';
	if (flags & VFIO_IRQ_INFO_EVENTFD)
		add(&s, "eventfd");
	if (flags & VFIO_IRQ_INFO_MASKABLE)
		add(&s, "maskable");
	if (flags & VFIO_IRQ_INFO_AUTOMASKED)
		add(&s, "automasked");
	if (flags & VFIO_IRQ_INFO_NORESIZE)
		add(&s, "noresize");
	return finish(&s);
}

int vfio_device_flags_str(uint32_t flags, char *buf, size_t len)
{
	struct strbuf s = {buf, len, 0, 0};

	if (len)
		buf[0] = '\0';
	if (flags & VFIO_DEVICE_FLAGS_PCI)
		add(&s, "pci");
	if (flags & VFIO_DEVICE_FLAGS_RESET)
		add(&s, "reset");
	return finish(&s);
}
