// SPDX-License-Identifier: MIT
/* vfvm bind / unbind against a built sysfs tree: the exact writes, in order, and their effect. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/test_sysfs_tree.h"
#include "vfio/sysfs.h"

#define NIC "0000:00:02.0"
#define NIC2 "0000:00:04.0"

struct fx {
	struct tree t;
	struct tree_rec r;
	struct sysfs_ops ops;
};

static int setup(void **state)
{
	static struct fx f;

	tree_new(&f.t);
	tree_driver(&f.t, "vfio-pci");
	tree_dev(&f.t, NIC, 0x8086, 0x10d3, 0x020000, "e1000e", 3);
	tree_dev(&f.t, NIC2, 0x8086, 0x100e, 0x020000, "e1000", 4);
	tree_ops(&f.r, &f.t, &f.ops);
	f.r.native[0] = NIC;
	f.r.native[1] = "e1000e";
	f.r.native[2] = NIC2;
	f.r.native[3] = "e1000";
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	tree_free(&f->t);
	return 0;
}

static const char *driver_of(struct fx *f, const char *addr)
{
	static struct pci_dev_info d;

	assert_int_equal(pci_dev_read(&f->t.h, addr, &d, NULL), 0);
	return d.driver;
}

static void expect_log(struct fx *f, const char *const *want, int n)
{
	for (int i = 0; i < n && i < f->r.n; i++)
		assert_string_equal(f->r.log[i], want[i]);
	assert_int_equal(f->r.n, n);
	f->r.n = 0;
}

static void bind_writes_override_unbind_probe_then_unbind_restores(void **state)
{
	struct fx *f = *state;
	struct errbuf e, note;
	const char *bind_writes[] = {
		"sys/bus/pci/devices/" NIC "/driver_override=vfio-pci",
		"sys/bus/pci/drivers/e1000e/unbind=" NIC,
		"sys/bus/pci/drivers_probe=" NIC,
	};
	const char *unbind_writes[] = {
		"sys/bus/pci/devices/" NIC "/driver_override=\n",
		"sys/bus/pci/drivers/vfio-pci/unbind=" NIC,
		"sys/bus/pci/drivers_probe=" NIC,
	};

	assert_int_equal(pci_bind_vfio(&f->t.h, &f->ops, NIC, 0, &note, &e), 0);
	expect_log(f, bind_writes, 3);
	assert_string_equal(driver_of(f, NIC), "vfio-pci");
	assert_non_null(strstr(tree_read(&f->t, "run/vfvm/" NIC), "driver=e1000e\n"));

	/* a second bind changes nothing */
	assert_int_equal(pci_bind_vfio(&f->t.h, &f->ops, NIC, 0, &note, &e), 0);
	expect_log(f, NULL, 0);
	assert_non_null(strstr(note.msg, "already bound to vfio-pci"));

	assert_int_equal(pci_unbind_vfio(&f->t.h, &f->ops, NIC, &note, &e), 0);
	expect_log(f, unbind_writes, 3);
	assert_string_equal(driver_of(f, NIC), "e1000e");
	assert_string_equal(note.msg, NIC " is back on e1000e");
	assert_string_equal(tree_read(&f->t, "run/vfvm/" NIC), "");
	assert_string_equal(tree_read(&f->t, "sys/bus/pci/devices/" NIC "/driver_override"),
			    "(null)\n");

	/* and a second unbind neither */
	assert_int_equal(pci_unbind_vfio(&f->t.h, &f->ops, NIC, &note, &e), 0);
	expect_log(f, NULL, 0);
	assert_non_null(strstr(note.msg, "nothing to undo"));
}

static void device_in_use_is_refused_unless_forced(void **state)
{
	struct fx *f = *state;
	struct errbuf e, note;

	tree_net(&f->t, NIC, "eth0", "up");
	tree_file(
		&f->t, "proc/net/route",
		"Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT\n"
		"eth0\t000200C0\t00000000\t0001\t0\t0\t0\t80FFFFFF\t0\t0\t0\n");
	assert_int_equal(pci_bind_vfio(&f->t.h, &f->ops, NIC, 0, &note, &e), -EBUSY);
	assert_non_null(strstr(e.msg, "refusing to bind " NIC));
	assert_non_null(
		strstr(e.msg, "network interface eth0 is up with IPv4 routes 192.0.2.0/25"));
	assert_non_null(strstr(e.msg, "--force"));
	expect_log(f, NULL, 0);
	assert_string_equal(driver_of(f, NIC), "e1000e");
	assert_string_equal(tree_read(&f->t, "run/vfvm/" NIC), "");

	assert_int_equal(pci_bind_vfio(&f->t.h, &f->ops, NIC, BIND_FORCE, &note, &e), 0);
	assert_int_equal(f->r.n, 3);
	assert_string_equal(driver_of(f, NIC), "vfio-pci");
}

static void missing_vfio_pci_is_loaded_first(void **state)
{
	struct fx *f = *state;
	struct errbuf e, note;
	char p[PATH_MAX];

	/* no vfio-pci driver in this tree */
	snprintf(p, sizeof(p), "rm -r '%s/sys/bus/pci/drivers/vfio-pci'", f->t.root);
	assert_int_equal(system(p), 0);
	assert_int_equal(pci_bind_vfio(&f->t.h, &f->ops, NIC, 0, &note, &e), 0);
	assert_string_equal(f->r.log[0], "modprobe vfio-pci");
	assert_int_equal(f->r.n, 4);
	assert_string_equal(note.msg, "loaded the vfio-pci module");
}

static void failed_modprobe_is_said_and_nothing_written(void **state)
{
	struct fx *f = *state;
	struct errbuf e, note;
	char cmd[PATH_MAX];

	snprintf(cmd, sizeof(cmd), "rm -r '%s/sys/bus/pci/drivers/vfio-pci'", f->t.root);
	assert_int_equal(system(cmd), 0);
	f->r.modprobe_fails = true;
	assert_int_equal(pci_bind_vfio(&f->t.h, &f->ops, NIC, 0, &note, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "'modprobe vfio-pci' failed"));
	assert_int_equal(f->r.n, 1);
	assert_string_equal(driver_of(f, NIC), "e1000e");
}

static void kernel_without_driver_override_uses_new_id(void **state)
{
	struct fx *f = *state;
	struct errbuf e, note;
	char p[PATH_MAX];
	const char *bind_writes[] = {
		"sys/bus/pci/drivers/e1000e/unbind=" NIC,
		"sys/bus/pci/drivers/vfio-pci/new_id=8086 10d3",
		"sys/bus/pci/drivers/vfio-pci/bind=" NIC,
	};
	const char *unbind_writes[] = {
		"sys/bus/pci/drivers/vfio-pci/unbind=" NIC,
		"sys/bus/pci/drivers/vfio-pci/remove_id=8086 10d3",
		"sys/bus/pci/drivers_probe=" NIC,
	};

	snprintf(p, sizeof(p), "%s/sys/devices/pci0000:00/" NIC "/driver_override", f->t.root);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(pci_bind_vfio(&f->t.h, &f->ops, NIC, 0, &note, &e), 0);
	expect_log(f, bind_writes, 3);
	assert_non_null(strstr(note.msg, "no driver_override: used new_id"));
	assert_non_null(strstr(tree_read(&f->t, "run/vfvm/" NIC), "new_id=1\n"));
	assert_int_equal(pci_unbind_vfio(&f->t.h, &f->ops, NIC, &note, &e), 0);
	expect_log(f, unbind_writes, 3);
	assert_string_equal(driver_of(f, NIC), "e1000e");
}

static void device_without_driver_is_left_without_one(void **state)
{
	struct fx *f = *state;
	struct errbuf e, note;
	const char *bind_writes[] = {
		"sys/bus/pci/devices/" NIC "/driver_override=vfio-pci",
		"sys/bus/pci/drivers_probe=" NIC,
	};
	const char *unbind_writes[] = {
		"sys/bus/pci/devices/" NIC "/driver_override=\n",
		"sys/bus/pci/drivers/vfio-pci/unbind=" NIC,
	};

	tree_set_driver(&f->t, NIC, NULL);
	assert_int_equal(pci_bind_vfio(&f->t.h, &f->ops, NIC, 0, &note, &e), 0);
	expect_log(f, bind_writes, 2);
	assert_int_equal(pci_unbind_vfio(&f->t.h, &f->ops, NIC, &note, &e), 0);
	expect_log(f, unbind_writes, 2);
	assert_string_equal(driver_of(f, NIC), "");
	assert_non_null(strstr(note.msg, "had no driver"));
}

static void bind_that_does_not_take_is_reported(void **state)
{
	struct fx *f = *state;
	struct errbuf e, note;

	f->r.simulate = false; /* the kernel ignores the writes */
	assert_int_equal(pci_bind_vfio(&f->t.h, &f->ops, NIC, 0, &note, &e), -EIO);
	assert_non_null(strstr(e.msg, NIC " did not bind to vfio-pci (now on e1000e)"));
	/* the record stays, so that unbind can give it back */
	assert_non_null(strstr(tree_read(&f->t, "run/vfvm/" NIC), "driver=e1000e"));
}

static void bridge_and_missing_device_are_refused(void **state)
{
	struct fx *f = *state;
	struct errbuf e, note;

	tree_dev(&f->t, "0000:00:05.0", 0x1b36, 0x000e, 0x060400, NULL, 5);
	assert_int_equal(pci_bind_vfio(&f->t.h, &f->ops, "0000:00:05.0", BIND_FORCE, &note, &e),
			 -EINVAL);
	assert_non_null(strstr(e.msg, "0000:00:05.0 is a bridge (class 060400)"));
	assert_int_equal(pci_bind_vfio(&f->t.h, &f->ops, "0000:07:00.0", 0, &note, &e), -ENODEV);
	assert_non_null(strstr(e.msg, "no PCI device 0000:07:00.0"));
	assert_int_equal(f->r.n, 0);
}

static void managed_binds_and_restores_all(void **state)
{
	struct fx *f = *state;
	struct managed_binding m;
	struct vfio_arg args[2];
	struct errbuf e;

	assert_int_equal(vfio_arg_parse(NIC ",bind", &args[0], &e), 0);
	assert_int_equal(vfio_arg_parse("00:04.0,bind", &args[1], &e), 0);
	managed_init(&m, &f->t.h, &f->ops);
	assert_int_equal(managed_bind_all(&m, args, 2, &e), 0);
	assert_int_equal(m.nr, 2);
	assert_string_equal(driver_of(f, NIC), "vfio-pci");
	assert_string_equal(driver_of(f, NIC2), "vfio-pci");
	assert_int_equal(managed_restore_all(&m, &e), 0);
	assert_string_equal(driver_of(f, NIC), "e1000e");
	assert_string_equal(driver_of(f, NIC2), "e1000");
	assert_int_equal(managed_restore_all(&m, &e), 0); /* twice is harmless */
}

static void managed_leaves_devices_already_on_vfio_pci(void **state)
{
	struct fx *f = *state;
	struct managed_binding m;
	struct vfio_arg a;
	struct errbuf e;

	tree_set_driver(&f->t, NIC, "vfio-pci");
	assert_int_equal(vfio_arg_parse(NIC ",bind", &a, &e), 0);
	managed_init(&m, &f->t.h, &f->ops);
	assert_int_equal(managed_bind_all(&m, &a, 1, &e), 0);
	assert_int_equal(m.nr, 0);
	assert_int_equal(managed_restore_all(&m, &e), 0);
	assert_string_equal(driver_of(f, NIC), "vfio-pci");
	assert_int_equal(f->r.n, 0);
}

static void managed_failure_restores_what_it_bound(void **state)
{
	struct fx *f = *state;
	struct managed_binding m;
	struct vfio_arg args[2];
	struct errbuf e;

	tree_net(&f->t, NIC2, "eth1", "up");
	tree_file(&f->t, "proc/net/if_inet6",
		  "20010db8000000000000000000000001 02 40 00 80 eth1\n");
	assert_int_equal(vfio_arg_parse(NIC ",bind", &args[0], &e), 0);
	assert_int_equal(vfio_arg_parse(NIC2 ",bind", &args[1], &e), 0);
	managed_init(&m, &f->t.h, &f->ops);
	assert_int_equal(managed_bind_all(&m, args, 2, &e), -EBUSY);
	assert_non_null(strstr(e.msg, "eth1 is up with 1 IPv6 address"));
	assert_int_equal(m.nr, 0);
	assert_string_equal(driver_of(f, NIC), "e1000e");
	assert_string_equal(driver_of(f, NIC2), "e1000");
}

static void vfio_arg_forms(void **state)
{
	struct vfio_arg a;
	struct errbuf e;
	(void)state;

	assert_int_equal(vfio_arg_parse("0000:01:00.0", &a, &e), 0);
	assert_string_equal(a.addr, "0000:01:00.0");
	assert_false(a.bind);
	assert_int_equal(vfio_arg_parse("/sys/bus/pci/devices/0000:01:00.1,bind", &a, &e), 0);
	assert_string_equal(a.addr, "0000:01:00.1");
	assert_true(a.bind);
	assert_int_equal(vfio_arg_parse("01:00.0,bnd", &a, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "unknown option 'bnd'"));
	assert_int_equal(vfio_arg_parse("01:00.0,", &a, &e), -EINVAL);
	assert_int_equal(vfio_arg_parse("zz:00.0,bind", &a, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "'zz:00.0' is not a PCI address"));
	assert_int_equal(vfio_arg_parse(",bind", &a, &e), -EINVAL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(bind_writes_override_unbind_probe_then_unbind_restores),
		T(device_in_use_is_refused_unless_forced),
		T(missing_vfio_pci_is_loaded_first),
		T(failed_modprobe_is_said_and_nothing_written),
		T(kernel_without_driver_override_uses_new_id),
		T(device_without_driver_is_left_without_one),
		T(bind_that_does_not_take_is_reported),
		T(bridge_and_missing_device_are_refused),
		T(managed_binds_and_restores_all),
		T(managed_leaves_devices_already_on_vfio_pci),
		T(managed_failure_restores_what_it_bound),
		cmocka_unit_test(vfio_arg_forms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
