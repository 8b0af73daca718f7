// SPDX-License-Identifier: MIT
#include "devices/i440fx.h"

#include <errno.h>
#include <string.h>

struct pam_segment pam_segment(unsigned int i)
{
	if (i == 0)
		return (struct pam_segment){0xf0000, 0x10000};
	return (struct pam_segment){PAM_AREA_START + (i - 1) * 0x4000, 0x4000};
}

/* Segment i's register and the shift of its two bits there. */
static void segment_bits(unsigned int i, unsigned int *reg, unsigned int *shift)
{
	if (i == 0) {
		*reg = I440FX_PAM0;
		*shift = 4;
	} else {
		*reg = I440FX_PAM0 + 1 + (i - 1) / 2;
		*shift = (i - 1) % 2 ? 4 : 0;
	}
}

static enum pam_mode mode_in(const struct pci_cfg_space *cs, unsigned int i)
{
	unsigned int reg, shift;

	segment_bits(i, &reg, &shift);
	return (cs->data[reg] >> shift) & 3;
}

enum pam_mode i440fx_pam_mode(struct i440fx *h, unsigned int segment)
{
	enum pam_mode m;

	if (segment >= PAM_NR_SEGMENTS)
		return PAM_ROM;
	pthread_mutex_lock(&h->lock);
	m = mode_in(&h->cs, segment);
	pthread_mutex_unlock(&h->lock);
	return m;
}

int i440fx_init(struct i440fx *h, pam_update_fn update, void *opaque)
{
	struct pci_cfg_space *cs = &h->cs;

	memset(h, 0, sizeof(*h));
	h->update = update;
	h->opaque = opaque;
	pci_cfg_host_bridge(cs, I440FX_VENDOR_ID, I440FX_DEVICE_ID, I440FX_SUBSYS_VENDOR_ID,
			    I440FX_SUBSYS_ID);
	cs->data[PCI_STATUS] = PCI_STATUS_DEVSEL_MEDIUM & 0xff;
	cs->data[PCI_STATUS + 1] = PCI_STATUS_DEVSEL_MEDIUM >> 8;
	cs->data[PCI_REVISION_ID] = 0x02;
	/* PAM0's low nibble is reserved; PAM1-6 hold two segments' RE/WE bits each */
	cs->wmask[I440FX_PAM0] = 0x30;
	for (unsigned int r = 1; r < I440FX_NR_PAM; r++)
		cs->wmask[I440FX_PAM0 + r] = 0x33;
	return -pthread_mutex_init(&h->lock, NULL);
}

void i440fx_destroy(struct i440fx *h)
{
	pthread_mutex_destroy(&h->lock);
}

static uint32_t i440fx_cfg_read(void *opaque, unsigned int off, unsigned int len)
{
	struct i440fx *h = opaque;
	uint32_t v;

	pthread_mutex_lock(&h->lock);
	v = pci_cfg_space_read(&h->cs, off, len);
	pthread_mutex_unlock(&h->lock);
	return v;
}

static void i440fx_cfg_write(void *opaque, unsigned int off, uint32_t val, unsigned int len)
{
	struct i440fx *h = opaque;
	enum pam_mode before[PAM_NR_SEGMENTS];

	pthread_mutex_lock(&h->lock);
	for (unsigned int i = 0; i < PAM_NR_SEGMENTS; i++)
		before[i] = mode_in(&h->cs, i);
	pci_cfg_space_write(&h->cs, off, val, len);
	for (unsigned int i = 0; i < PAM_NR_SEGMENTS; i++) {
		enum pam_mode m = mode_in(&h->cs, i);

		if (m != before[i] && h->update)
			h->update(h->opaque, i, m);
	}
	pthread_mutex_unlock(&h->lock);
}

const struct pci_dev_ops i440fx_ops = {i440fx_cfg_read, i440fx_cfg_write};
