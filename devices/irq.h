/* SPDX-License-Identifier: MIT */
/*
 * An interrupt line as a device sees it: a level it can raise or lower. The VM object hands each
 * device one of these (backed by KVM_IRQ_LINE on a GSI); devices never issue KVM ioctls themselves,
 * and a unit test passes a line that records the levels instead.
 */
#ifndef VFVM_DEVICES_IRQ_H
#define VFVM_DEVICES_IRQ_H

#include <stdbool.h>

struct irq_line {
	void (*set_level)(void *opaque, unsigned int gsi, bool level);
	void *opaque;
	unsigned int gsi;
};

static inline void irq_line_set(const struct irq_line *line, bool level)
{
	if (line && line->set_level)
		line->set_level(line->opaque, line->gsi, level);
}

#endif
