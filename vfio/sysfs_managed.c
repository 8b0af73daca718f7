// SPDX-License-Identifier: MIT
/*
 * Managed devices for `vfvm run --vfio ADDR,bind`: like libvirt's managed mode, the devices are
 * moved to vfio-pci before the guest starts and given back when vfvm exits, whichever way.
 */
#include "vfio/sysfs.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int vfio_arg_parse(const char *arg, struct vfio_arg *out, struct errbuf *e)
{
	char addr[128];
	const char *comma = strchr(arg, ',');
	size_t len = comma ? (size_t)(comma - arg) : strlen(arg);

	memset(out, 0, sizeof(*out));
	if (comma) {
		if (strcmp(comma + 1, "bind"))
			return errbuf_set(
				e, EINVAL,
				"--vfio %s: unknown option '%s' (the only one is ',bind')", arg,
				comma + 1);
		out->bind = true;
	}
	if (len >= sizeof(addr))
		return errbuf_set(e, EINVAL, "--vfio %s: not a PCI address", arg);
	memcpy(addr, arg, len);
	addr[len] = '\0';
	if (vfio_pci_addr_parse(addr, out->addr))
		return errbuf_set(
			e, EINVAL,
			"--vfio %s: '%s' is not a PCI address (DDDD:BB:DD.F, BB:DD.F or "
			"/sys/bus/pci/devices/DDDD:BB:DD.F, optionally followed by ',bind')",
			arg, addr);
	return 0;
}

void managed_init(struct managed_binding *m, const struct host_paths *h,
		  const struct sysfs_ops *ops)
{
	memset(m, 0, sizeof(*m));
	m->h = h;
	m->ops = ops;
}

int managed_bind_all(struct managed_binding *m, const struct vfio_arg *args, unsigned int n,
		     struct errbuf *e)
{
	for (unsigned int i = 0; i < n; i++) {
		struct pci_dev_info d;
		int err;

		if (!args[i].bind)
			continue;
		err = pci_dev_read(m->h, args[i].addr, &d, e);
		if (!err && !strcmp(d.driver, "vfio-pci"))
			continue; /* not ours to give back */
		if (!err && m->nr == MANAGED_MAX)
			err = errbuf_set(e, E2BIG, "--vfio %s,bind: more than %d managed devices",
					 args[i].addr, MANAGED_MAX);
		if (!err)
			err = pci_bind_vfio(m->h, m->ops, args[i].addr, 0, NULL, e);
		if (!err) {
			memcpy(m->bound[m->nr++], args[i].addr, VFIO_PCI_ADDR_LEN);
			continue;
		}
		/* Whatever partly bound stays recorded in its state file: restore it too. */
		if (err != -EBUSY && err != -ENODEV && m->nr < MANAGED_MAX)
			memcpy(m->bound[m->nr++], args[i].addr, VFIO_PCI_ADDR_LEN);
		managed_restore_all(m, NULL);
		return err;
	}
	return 0;
}

int managed_restore_all(struct managed_binding *m, struct errbuf *e)
{
	int first = 0;

	while (m->nr) {
		struct errbuf local;
		int err = pci_unbind_vfio(m->h, m->ops, m->bound[--m->nr], NULL, &local);

		if (err && !first) {
			first = err;
			if (e)
				*e = local;
		}
	}
	return first;
}
