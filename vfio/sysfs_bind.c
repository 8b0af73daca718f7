// SPDX-License-Identifier: MIT
/*
 * Moving a device to vfio-pci and back, the way the kernel documents it
 * (Documentation/driver-api/vfio.rst, ABI sysfs-bus-pci): driver_override names the one driver
 * allowed to bind, the old driver lets go (unbind), and drivers_probe makes the kernel bind the
 * overriding driver. Only a kernel without driver_override gets new_id, which makes vfio-pci claim
 * every unbound device with the same vendor:device, hence the note to the user.
 */
#include "vfio/sysfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int real_write(void *ctx, const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(val);
	ssize_t n;

	(void)ctx;
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0 || (size_t)n != len) {
		int err = n < 0 ? -errno : -EIO;

		close(fd);
		return err;
	}
	return close(fd) ? -errno : 0;
}

static int real_modprobe(void *ctx, const char *module)
{
	int status;
	pid_t pid;

	(void)ctx;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		execlp("modprobe", "modprobe", module, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status))
		return -EINTR;
	return WEXITSTATUS(status) == 127 ? -ENOENT : WEXITSTATUS(status) ? -ENODEV : 0;
}

const struct sysfs_ops sysfs_ops_real = {.write = real_write, .modprobe = real_modprobe};

static int do_write(const struct sysfs_ops *ops, const char *path, const char *val,
		    struct errbuf *e)
{
	int err = ops->write(ops->ctx, path, val);

	if (err)
		return errbuf_set(e, err, "writing '%.*s' to %s failed: %s",
				  (int)strcspn(val, "\n"), val, path, strerror(-err));
	return 0;
}

static int unbind_from(const struct host_paths *h, const struct sysfs_ops *ops, const char *driver,
		       const char *addr, struct errbuf *e)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/bus/pci/drivers/%s/unbind", h->sys, driver);
	return do_write(ops, p, addr, e);
}

static int probe(const struct host_paths *h, const struct sysfs_ops *ops, const char *addr,
		 struct errbuf *e)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/bus/pci/drivers_probe", h->sys);
	return do_write(ops, p, addr, e);
}

static int ensure_vfio_pci(const struct host_paths *h, const struct sysfs_ops *ops,
			   struct errbuf *note, struct errbuf *e)
{
	int err;

	if (vfio_pci_loaded(h))
		return 0;
	err = ops->modprobe(ops->ctx, "vfio-pci");
	if (err || !vfio_pci_loaded(h))
		return errbuf_set(
			e, err ? err : ENODEV,
			"the vfio-pci driver is not loaded and 'modprobe vfio-pci' failed "
			"(%s): install your kernel's modules package or build vfio-pci in",
			err ? strerror(-err) : "no driver appeared");
	errbuf_set(note, 0, "loaded the vfio-pci module");
	return 0;
}

/* Binding through new_id: for kernels before 3.16, which lack driver_override. */
static int bind_new_id(const struct host_paths *h, const struct sysfs_ops *ops,
		       const struct pci_dev_info *d, struct errbuf *e)
{
	char p[PATH_MAX], id[16];
	int err;

	snprintf(p, sizeof(p), "%s/bus/pci/drivers/vfio-pci/new_id", h->sys);
	snprintf(id, sizeof(id), "%04x %04x", d->vendor, d->device);
	err = ops->write(ops->ctx, p, id);
	if (err && err != -EEXIST)
		return do_write(ops, p, id, e); /* again, for the message */
	snprintf(p, sizeof(p), "%s/bus/pci/drivers/vfio-pci/bind", h->sys);
	err = ops->write(ops->ctx, p, d->addr);
	/* new_id may already have bound it: the final check says whether it worked */
	return err == -EBUSY || err == -ENODEV ? 0 : err ? do_write(ops, p, d->addr, e) : 0;
}

int pci_bind_vfio(const struct host_paths *h, const struct sysfs_ops *ops, const char *addr,
		  unsigned int flags, struct errbuf *note, struct errbuf *e)
{
	struct bind_state st = {0}, old;
	struct pci_dev_info d;
	char users[512];
	int err;

	errbuf_set(note, 0, "%s", "");
	err = pci_dev_read(h, addr, &d, e);
	if (err)
		return err;
	if (!strcmp(d.driver, "vfio-pci")) {
		errbuf_set(note, 0, "%s is already bound to vfio-pci", addr);
		return 0;
	}
	if (pci_class_is_bridge(d.class))
		return errbuf_set(e, EINVAL,
				  "%s is a bridge (class %06x): vfio-pci does not take bridges; "
				  "bind the devices behind it",
				  addr, d.class);
	if (pci_dev_host_users(h, addr, users, sizeof(users)) && !(flags & BIND_FORCE))
		return errbuf_set(
			e, EBUSY,
			"refusing to bind %s: the host uses it (%s); stop using it first, "
			"or run 'vfvm bind --force %s'",
			addr, users, addr);
	err = ensure_vfio_pci(h, ops, note, e);
	if (err)
		return err;

	/* Remember the driver before touching anything, so that a failure halfway can be undone. */
	snprintf(st.driver, sizeof(st.driver), "%s", d.driver);
	if (!d.driver[0] && !bind_state_load(h, addr, &old, NULL))
		st = old; /* unbound by hand after an earlier bind: keep the first record */
	st.used_new_id = !d.has_override;
	err = bind_state_save(h, addr, &st, e);
	if (err)
		return err;

	if (d.has_override) {
		char p[PATH_MAX];

		snprintf(p, sizeof(p), "%s/bus/pci/devices/%s/driver_override", h->sys, addr);
		if (strcmp(d.override, "vfio-pci"))
			err = do_write(ops, p, "vfio-pci", e);
		if (!err && d.driver[0])
			err = unbind_from(h, ops, d.driver, addr, e);
		if (!err)
			err = probe(h, ops, addr, e);
	} else {
		errbuf_set(note, 0,
			   "this kernel has no driver_override: used new_id, so vfio-pci will also "
			   "claim other unbound %04x:%04x devices",
			   d.vendor, d.device);
		if (d.driver[0])
			err = unbind_from(h, ops, d.driver, addr, e);
		if (!err)
			err = bind_new_id(h, ops, &d, e);
	}
	if (err)
		return err;
	err = pci_dev_read(h, addr, &d, e);
	if (err)
		return err;
	if (strcmp(d.driver, "vfio-pci"))
		return errbuf_set(
			e, EIO,
			"%s did not bind to vfio-pci (now on %s): see the kernel log (dmesg); "
			"'vfvm unbind %s' gives it back to %s",
			addr, d.driver[0] ? d.driver : "no driver", addr,
			st.driver[0] ? st.driver : "no driver");
	return 0;
}

static int unbind_finish(const struct host_paths *h, const struct sysfs_ops *ops, const char *addr,
			 const struct bind_state *st, bool have, struct errbuf *note,
			 struct errbuf *e)
{
	struct pci_dev_info d;
	int err;

	if (have && !st->driver[0]) {
		errbuf_set(note, 0, "%s had no driver before 'vfvm bind': left without one", addr);
		return 0;
	}
	err = probe(h, ops, addr, e);
	if (err)
		return err;
	err = pci_dev_read(h, addr, &d, e);
	if (err)
		return err;
	if (have && strcmp(d.driver, st->driver)) {
		char p[PATH_MAX];

		/* A driver whose probe is not automatic (bound by hand before) needs its bind file.
		 */
		snprintf(p, sizeof(p), "%s/bus/pci/drivers/%s/bind", h->sys, st->driver);
		if (!d.driver[0] && !ops->write(ops->ctx, p, addr) &&
		    !pci_dev_read(h, addr, &d, e) && !strcmp(d.driver, st->driver))
			goto back;
		return errbuf_set(e, EIO, "%s did not go back to %s (now on %s): see dmesg", addr,
				  st->driver, d.driver[0] ? d.driver : "no driver");
	}
back:
	if (have)
		errbuf_set(note, 0, "%s is back on %s", addr, d.driver);
	else
		errbuf_set(note, 0,
			   "no record of %s's previous driver: the kernel probed it, now %s", addr,
			   d.driver[0] ? d.driver : "without a driver");
	return 0;
}

int pci_unbind_vfio(const struct host_paths *h, const struct sysfs_ops *ops, const char *addr,
		    struct errbuf *note, struct errbuf *e)
{
	struct pci_dev_info d;
	struct bind_state st;
	bool have;
	int err;

	errbuf_set(note, 0, "%s", "");
	err = pci_dev_read(h, addr, &d, e);
	if (err)
		return err;
	err = bind_state_load(h, addr, &st, e);
	if (err && err != -ENOENT)
		return err;
	have = !err;
	if (strcmp(d.driver, "vfio-pci") && strcmp(d.override, "vfio-pci")) {
		errbuf_set(note, 0, "%s is not on vfio-pci (driver: %s): nothing to undo", addr,
			   d.driver[0] ? d.driver : "none");
		return bind_state_remove(h, addr);
	}
	if (d.override[0]) {
		char p[PATH_MAX];

		snprintf(p, sizeof(p), "%s/bus/pci/devices/%s/driver_override", h->sys, addr);
		err = do_write(ops, p, "\n", e);
		if (err)
			return err;
	}
	if (!strcmp(d.driver, "vfio-pci")) {
		err = unbind_from(h, ops, "vfio-pci", addr, e);
		if (err)
			return err;
	}
	if (have && st.used_new_id) {
		char p[PATH_MAX], id[16];

		/* Best effort: the id may have been removed already by another unbind. */
		snprintf(p, sizeof(p), "%s/bus/pci/drivers/vfio-pci/remove_id", h->sys);
		snprintf(id, sizeof(id), "%04x %04x", d.vendor, d.device);
		ops->write(ops->ctx, p, id);
	}
	err = unbind_finish(h, ops, addr, &st, have, note, e);
	if (err)
		return err;
	return bind_state_remove(h, addr);
}
