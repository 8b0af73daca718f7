// SPDX-License-Identifier: MIT
/* The lifetime of a passthrough PCI device: from a backend to a guest-facing device and back. */
#include "vfio/pci_dev.h"

#include <errno.h>
#include <linux/pci_regs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int vfio_pci_create(struct vfio_pci **out, const struct vfio_backend_ops *ops, void *be,
		    const struct vfio_vm *vm, const struct vfio_pci_params *params,
		    struct errbuf *e)
{
	uint8_t real[PCI_CFG_SPACE];
	struct vfio_region cfg;
	struct vfio_pci *p;
	long page;
	int err;

	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return errbuf_set(e, ENOMEM, "%s: out of memory", params->name);
	pthread_mutex_init(&p->lock, NULL);
	p->be_ops = ops;
	p->be = be;
	p->vm = *vm;
	snprintf(p->name, sizeof(p->name), "%s", params->name);
	page = sysconf(_SC_PAGESIZE);
	p->page_size = params->page_size ? params->page_size : (uint64_t)(page > 0 ? page : 4096);
	p->intx.gsi = -1;
	p->intx.trigger = p->intx.resample = -1;

	/* start from a clean device, when it can be reset at all */
	err = ops->reset(be);
	if (err && err != -ENOTSUP) {
		errbuf_set(e, err, "%s: reset failed: %s", p->name, strerror(-err));
		goto fail;
	}
	if (ops->region_info(be, VFIO_PCI_CONFIG_REGION_INDEX, &cfg) || cfg.size < PCI_CFG_SPACE ||
	    ops->region_read(be, VFIO_PCI_CONFIG_REGION_INDEX, 0, real, sizeof(real)) !=
		    (ssize_t)sizeof(real)) {
		err = errbuf_set(e, EIO, "%s: cannot read its config space", p->name);
		goto fail;
	}
	p->cfg_size = cfg.size >= PCI_CFG_SPACE_EXP ? PCI_CFG_SPACE_EXP : PCI_CFG_SPACE;
	err = vfio_pci_config_init(p, real, e);
	if (err) {
		if (!errbuf_msg(e)[0])
			errbuf_set(e, err, "%s: %s", p->name, strerror(-err));
		goto fail;
	}
	err = vfio_pci_bars_init(p, real, e);
	if (err)
		goto fail;
	err = vfio_pci_intx_init(p, params->intx_gsi, real[PCI_INTERRUPT_PIN]);
	if (err) {
		errbuf_set(e, err, "%s: cannot wire INTx to GSI %d: %s", p->name, params->intx_gsi,
			   strerror(-err));
		goto fail;
	}
	vfio_pci_reset_snapshot(p);
	*out = p;
	return 0;
fail:
	vfio_pci_destroy(p);
	return err;
}

void vfio_pci_destroy(struct vfio_pci *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	/*
	 * Leave the device as quiet as we found it: no more DMA, even where a reset fails.
	 * Mastering goes off first, so that the device never runs on with its interrupts already
	 * gone.
	 */
	{
		uint16_t cmd = 0;

		if (p->be_ops->region_read(p->be, VFIO_PCI_CONFIG_REGION_INDEX, PCI_COMMAND, &cmd,
					   2) == 2) {
			cmd &= (uint16_t)~PCI_COMMAND_MASTER;
			p->be_ops->region_write(p->be, VFIO_PCI_CONFIG_REGION_INDEX, PCI_COMMAND,
						&cmd, 2);
		}
	}
	vfio_pci_msix_release(p);
	vfio_pci_msi_release(p);
	vfio_pci_intx_release(p);
	vfio_pci_bars_release(p);
	p->be_ops->reset(p->be);
	pthread_mutex_unlock(&p->lock);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
