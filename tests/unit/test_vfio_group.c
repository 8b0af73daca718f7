// SPDX-License-Identifier: MIT
/*
 * Finding a device's group and the errors a user meets on the way, against a sysfs tree and a
 * /dev/vfio built in a temporary directory (the same layout the kernel presents).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "vfio/vfio.h"

struct tree {
	char root[256];
	char sys[300];
	char dev[300];
};

static void mkdirs(const char *path)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(tmp, 0755);
			*p = '/';
		}
	}
	mkdir(tmp, 0755);
}

static void linkf(const char *target, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void linkf(const char *target, const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	unlink(path);
	assert_int_equal(symlink(target, path), 0);
}

static int setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));
	char p[PATH_MAX];

	snprintf(t->root, sizeof(t->root), "%.200s/vfvm-test-XXXXXX", getenv("TMPDIR") ?: "/tmp");
	if (!mkdtemp(t->root))
		return -1;
	snprintf(t->sys, sizeof(t->sys), "%s/sys", t->root);
	snprintf(t->dev, sizeof(t->dev), "%s/dev/vfio", t->root);
	mkdirs(t->dev);
	/* 0000:00:02.0 in group 5 on vfio-pci, 0000:00:03.0 on nvme, 0000:00:04.0 no group */
	snprintf(p, sizeof(p), "%s/devices/pci0000:00/0000:00:02.0", t->sys);
	mkdirs(p);
	snprintf(p, sizeof(p), "%s/devices/pci0000:00/0000:00:03.0", t->sys);
	mkdirs(p);
	snprintf(p, sizeof(p), "%s/devices/pci0000:00/0000:00:04.0", t->sys);
	mkdirs(p);
	snprintf(p, sizeof(p), "%s/bus/pci/devices", t->sys);
	mkdirs(p);
	snprintf(p, sizeof(p), "%s/kernel/iommu_groups/5/devices", t->sys);
	mkdirs(p);
	snprintf(p, sizeof(p), "%s/kernel/iommu_groups/6/devices", t->sys);
	mkdirs(p);
	for (int d = 2; d <= 4; d++) {
		char target[PATH_MAX];

		snprintf(target, sizeof(target), "%s/devices/pci0000:00/0000:00:0%d.0", t->sys, d);
		linkf(target, "%s/bus/pci/devices/0000:00:0%d.0", t->sys, d);
	}
	linkf("../../../kernel/iommu_groups/5", "%s/devices/pci0000:00/0000:00:02.0/iommu_group",
	      t->sys);
	linkf("../../../kernel/iommu_groups/6", "%s/devices/pci0000:00/0000:00:03.0/iommu_group",
	      t->sys);
	linkf("../../../bus/pci/drivers/vfio-pci", "%s/devices/pci0000:00/0000:00:02.0/driver",
	      t->sys);
	linkf("../../../bus/pci/drivers/nvme", "%s/devices/pci0000:00/0000:00:03.0/driver", t->sys);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tree *t = *state;
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->root);
	if (system(cmd))
		return -1;
	free(t);
	return 0;
}

static void group_of_a_bound_device(void **state)
{
	struct tree *t = *state;
	struct errbuf e = {""};
	unsigned int id = 0;

	assert_int_equal(vfio_group_of_device(t->sys, "0000:00:02.0", &id, &e), 0);
	assert_int_equal(id, 5);
}

static void errors_name_the_device_and_the_fix(void **state)
{
	struct tree *t = *state;
	struct errbuf e = {""};
	unsigned int id = 0;

	assert_int_equal(vfio_group_of_device(t->sys, "0000:00:09.0", &id, &e), -ENODEV);
	assert_non_null(strstr(e.msg, "0000:00:09.0: no such PCI device"));

	assert_int_equal(vfio_group_of_device(t->sys, "0000:00:04.0", &id, &e), -ENODEV);
	assert_non_null(strstr(e.msg, "0000:00:04.0 has no IOMMU group"));
	assert_non_null(strstr(e.msg, "intel_iommu=on"));

	assert_int_equal(vfio_group_of_device(t->sys, "0000:00:03.0", &id, &e), -EBUSY);
	assert_non_null(strstr(e.msg, "0000:00:03.0 is bound to nvme, not vfio-pci"));
	assert_non_null(strstr(e.msg, "drivers/nvme/unbind"));

	char drv[PATH_MAX];

	snprintf(drv, sizeof(drv), "%s/devices/pci0000:00/0000:00:03.0/driver", t->sys);
	assert_int_equal(unlink(drv), 0);
	assert_int_equal(vfio_group_of_device(t->sys, "0000:00:03.0", &id, &e), -ENXIO);
	assert_non_null(strstr(e.msg, "not bound to any driver"));
}

static void missing_group_node(void **state)
{
	struct tree *t = *state;
	struct errbuf e = {""};
	struct vfio_group g;

	assert_int_equal(vfio_group_open(&g, 5, t->dev, t->sys, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "/dev/vfio/5 is missing"));
	assert_int_equal(g.fd, -1);
}

static void missing_container_node(void **state)
{
	struct tree *t = *state;
	struct errbuf e = {""};
	struct vfio_container c;

	assert_int_equal(vfio_container_open(&c, t->dev, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "/dev/vfio/vfio is missing"));
	assert_int_equal(c.fd, -1);
}

static void assignment_fails_before_opening_anything(void **state)
{
	static const struct vfio_vm_ops no_ops;
	const struct vfio_vm vm = {.ops = &no_ops};
	struct tree *t = *state;
	struct vfio_assignment a = {.sysfs_dir = t->sys, .dev_dir = t->dev};
	struct errbuf e = {""};
	const char *twice[] = {"0000:00:02.0", "/sys/bus/pci/devices/0000:00:02.0"};
	const char *bad[] = {"0000:00:02.0", "0000:00:02"};
	const char *nogroup[] = {"0000:00:02.0", "0000:00:04.0"};

	assert_int_equal(vfio_assign_open(&a, twice, 2, &vm, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "0000:00:02.0 is given twice"));
	assert_int_equal(a.container.fd, -1);
	a = (struct vfio_assignment){.sysfs_dir = t->sys, .dev_dir = t->dev};
	assert_int_equal(vfio_assign_open(&a, bad, 2, &vm, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "'0000:00:02' is not a PCI device address"));
	a = (struct vfio_assignment){.sysfs_dir = t->sys, .dev_dir = t->dev};
	assert_int_equal(vfio_assign_open(&a, nogroup, 2, &vm, &e), -ENODEV);
	assert_non_null(strstr(e.msg, "0000:00:04.0 has no IOMMU group"));
	assert_int_equal(a.container.fd, -1);
	/* every sysfs fact right, but no VFIO on this machine */
	a = (struct vfio_assignment){.sysfs_dir = t->sys, .dev_dir = t->dev};
	assert_int_equal(vfio_assign_open(&a, nogroup, 1, &vm, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "vfio is missing"));
	assert_int_equal(a.nr_groups + a.nr_devs, 0);

	/* group errors get the device's name in front, once */
	snprintf(e.msg, sizeof(e.msg), "group 5 is busy");
	vfio_errbuf_name_device(&e, "0000:00:02.0");
	assert_string_equal(e.msg, "0000:00:02.0: group 5 is busy");
	vfio_errbuf_name_device(&e, "0000:00:02.0");
	assert_string_equal(e.msg, "0000:00:02.0: group 5 is busy");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(group_of_a_bound_device),
		cmocka_unit_test(errors_name_the_device_and_the_fix),
		cmocka_unit_test(missing_group_node),
		cmocka_unit_test(missing_container_node),
		cmocka_unit_test(assignment_fails_before_opening_anything),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
