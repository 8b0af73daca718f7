// SPDX-License-Identifier: MIT
/* Reading devices, the state file, pci.ids names and host use from a built sysfs tree. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_sysfs_tree.h"
#include "vfio/sysfs.h"

static struct tree t;

static int setup(void **state)
{
	(void)state;
	tree_new(&t);
	tree_dev(&t, "0000:00:02.0", 0x8086, 0x10d3, 0x020000, "e1000e", 3);
	tree_dev(&t, "0000:00:03.0", 0x1b36, 0x0010, 0x010802, "nvme", 4);
	tree_dev(&t, "0000:00:01.0", 0x1234, 0x1111, 0x030000, NULL, -1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tree_free(&t);
	return 0;
}

static void reads_ids_driver_group_and_override(void **state)
{
	struct pci_dev_info d;
	struct errbuf e;
	(void)state;

	assert_int_equal(pci_dev_read(&t.h, "0000:00:02.0", &d, &e), 0);
	assert_int_equal(d.vendor, 0x8086);
	assert_int_equal(d.device, 0x10d3);
	assert_int_equal(d.class, 0x020000);
	assert_string_equal(d.driver, "e1000e");
	assert_int_equal(d.group, 3);
	assert_true(d.has_override);
	assert_string_equal(d.override, "");
	assert_false(d.boot_vga);

	assert_int_equal(pci_dev_read(&t.h, "0000:00:01.0", &d, &e), 0);
	assert_string_equal(d.driver, "");
	assert_int_equal(d.group, -1);

	tree_file(&t, "sys/devices/pci0000:00/0000:00:01.0/class", "garbage\n");
	assert_int_equal(pci_dev_read(&t.h, "0000:00:01.0", &d, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "0000:00:01.0: cannot read"));
	assert_non_null(strstr(e.msg, "/class"));

	assert_int_equal(pci_dev_read(&t.h, "0000:09:00.0", &d, &e), -ENODEV);
	assert_non_null(strstr(e.msg, "no PCI device 0000:09:00.0"));
}

static void lists_devices_and_group_members_sorted(void **state)
{
	char(*a)[VFIO_PCI_ADDR_LEN];
	size_t n;
	(void)state;

	tree_dev(&t, "0000:00:03.1", 0x1b36, 0x0010, 0x010802, NULL, 4);
	assert_int_equal(pci_dev_list(&t.h, &a, &n), 0);
	assert_int_equal(n, 4);
	assert_string_equal(a[0], "0000:00:01.0");
	assert_string_equal(a[3], "0000:00:03.1");
	free(a);
	assert_int_equal(iommu_group_members(&t.h, 4, &a, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(a[0], "0000:00:03.0");
	assert_string_equal(a[1], "0000:00:03.1");
	free(a);
	assert_true(iommu_groups_present(&t.h));
	assert_int_equal(iommu_group_members(&t.h, 99, &a, &n), -ENOENT);
}

static void addresses_parse_or_are_named_in_the_error(void **state)
{
	const char *bad[] = {
		"0000:00:02",	 "zz:00.0", "/dev/0000:00:02.0",    "00:20.0", "00:02.8",
		"0000:00:02.0x", "",	    "/sys/bus/pci/devices/"};
	char out[VFIO_PCI_ADDR_LEN];
	struct errbuf e;
	(void)state;

	assert_int_equal(sysfs_addr_parse("00:02.0", out, &e), 0);
	assert_string_equal(out, "0000:00:02.0");
	assert_int_equal(sysfs_addr_parse("0000:0A:1f.7", out, &e), 0);
	assert_string_equal(out, "0000:0a:1f.7");
	assert_int_equal(sysfs_addr_parse("/sys/bus/pci/devices/0000:00:03.0/", out, &e), 0);
	assert_string_equal(out, "0000:00:03.0");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[64];

		assert_int_equal(sysfs_addr_parse(bad[i], out, &e), -EINVAL);
		snprintf(want, sizeof(want), "'%s' is not a PCI address", bad[i]);
		assert_non_null(strstr(e.msg, want));
	}
}

static void state_file_round_trip(void **state)
{
	struct bind_state s = {.driver = "e1000e", .used_new_id = true}, r;
	struct errbuf e;
	(void)state;

	assert_int_equal(bind_state_load(&t.h, "0000:00:02.0", &r, &e), -ENOENT);
	assert_int_equal(bind_state_save(&t.h, "0000:00:02.0", &s, &e), 0);
	assert_int_equal(bind_state_load(&t.h, "0000:00:02.0", &r, &e), 0);
	assert_string_equal(r.driver, "e1000e");
	assert_true(r.used_new_id);

	s = (struct bind_state){.driver = ""};
	assert_int_equal(bind_state_save(&t.h, "0000:00:02.0", &s, &e), 0);
	assert_int_equal(bind_state_load(&t.h, "0000:00:02.0", &r, &e), 0);
	assert_string_equal(r.driver, "");
	assert_false(r.used_new_id);

	assert_int_equal(bind_state_remove(&t.h, "0000:00:02.0"), 0);
	assert_int_equal(bind_state_load(&t.h, "0000:00:02.0", &r, &e), -ENOENT);
	assert_int_equal(bind_state_remove(&t.h, "0000:00:02.0"), 0);
}

static void malformed_state_file_is_named(void **state)
{
	const char *bad[] = {"driver=../../evil\n", "new_id=2\ndriver=x\n", "# only a comment\n",
			     "drivr=e1000e\n"};
	struct bind_state r;
	struct errbuf e;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tree_file(&t, "run/vfvm/0000:00:02.0", bad[i]);
		assert_int_equal(bind_state_load(&t.h, "0000:00:02.0", &r, &e), -EINVAL);
		assert_non_null(strstr(e.msg, "run/vfvm/0000:00:02.0"));
		assert_non_null(strstr(e.msg, "unbind 0000:00:02.0 by hand"));
	}
}

static void names_come_from_pci_ids(void **state)
{
	struct pci_names n;
	(void)state;

	tree_file(&t, "pci.ids",
		  "# comment\n"
		  "1234  Other vendor\n"
		  "\t10d3  not this one\n"
		  "8086  Intel Corporation\n"
		  "\t100e  82540EM Gigabit Ethernet Controller\n"
		  "\t10d3  82574L Gigabit Network Connection\n"
		  "\t\t8086 0000  a subsystem\n"
		  "9999  Later vendor\n"
		  "C 01  Mass storage controller\n"
		  "\t08  Non-Volatile memory controller\n"
		  "C 02  Network controller\n"
		  "\t00  Ethernet controller\n"
		  "\t\t00  a prog-if\n");
	pci_ids_lookup(t.ids, 0x8086, 0x10d3, 0x020000, &n);
	assert_string_equal(n.vendor, "Intel Corporation");
	assert_string_equal(n.device, "82574L Gigabit Network Connection");
	assert_string_equal(n.class, "Ethernet controller");
	pci_ids_lookup(t.ids, 0x1b36, 0x0010, 0x017700, &n);
	assert_string_equal(n.vendor, "");
	assert_string_equal(n.device, "");
	assert_string_equal(n.class, "Mass storage controller");
	pci_ids_lookup(NULL, 0x8086, 0x10d3, 0x020000, &n);
	assert_string_equal(n.vendor, "");
	pci_ids_lookup("/nonexistent/pci.ids", 0x8086, 0x10d3, 0x020000, &n);
	assert_string_equal(n.device, "");
}

static void network_interface_use(void **state)
{
	char out[512];
	(void)state;

	tree_net(&t, "0000:00:02.0", "eth0", "up");
	/* up, but only a link-local IPv6 address and no route: nothing depends on it */
	tree_file(&t, "proc/net/if_inet6", "fe800000000000000000000000000001 02 40 20 80 eth0\n");
	tree_file(&t, "proc/net/route",
		  "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\t"
		  "Mask\tMTU\tWindow\tIRTT\n");
	assert_int_equal(pci_dev_host_users(&t.h, "0000:00:02.0", out, sizeof(out)), 0);
	assert_string_equal(out, "");

	tree_file(
		&t, "proc/net/route",
		"Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT\n"
		"eth9\t000200C0\t00000000\t0001\t0\t0\t0\t80FFFFFF\t0\t0\t0\n"
		"eth0\t000200C0\t00000000\t0001\t0\t0\t0\t80FFFFFF\t0\t0\t0\n");
	assert_int_equal(pci_dev_host_users(&t.h, "0000:00:02.0", out, sizeof(out)), 1);
	assert_string_equal(out, "network interface eth0 is up with IPv4 routes 192.0.2.0/25");
	/* another device's entry does not count */
	assert_int_equal(pci_dev_host_users(&t.h, "0000:00:03.0", out, sizeof(out)), 0);

	tree_file(&t, "sys/devices/pci0000:00/0000:00:02.0/net/eth0/operstate", "down\n");
	assert_int_equal(pci_dev_host_users(&t.h, "0000:00:02.0", out, sizeof(out)), 0);
}

static void block_device_use(void **state)
{
	char out[512];
	(void)state;

	tree_block(&t, "0000:00:03.0", "nvme0n1", "259:0");
	tree_block(&t, "0000:00:03.0", "nvme0n1p1", "259:1");
	tree_file(&t, "proc/self/mountinfo",
		  "22 1 0:21 / /proc rw,relatime shared:12 - proc proc rw\n"
		  "30 1 259:1 / /data rw,relatime shared:1 - ext4 /dev/nvme0n1p1 rw\n");
	assert_int_equal(pci_dev_host_users(&t.h, "0000:00:03.0", out, sizeof(out)), 1);
	assert_string_equal(out, "block device nvme0n1p1 is mounted on /data");

	/* btrfs-like: the mount's st_dev is anonymous, the source names the device */
	tree_file(&t, "proc/self/mountinfo", "30 1 0:45 / /srv rw - btrfs /dev/nvme0n1p1 rw\n");
	tree_file(&t, "proc/swaps",
		  "Filename\tType\tSize\tUsed\tPriority\n"
		  "/dev/nvme0n1\tpartition\t1024\t0\t-2\n");
	tree_file(&t, "sys/devices/pci0000:00/0000:00:03.0/nvme/nvme0/nvme0n1/holders/dm-0", "");
	assert_int_equal(pci_dev_host_users(&t.h, "0000:00:03.0", out, sizeof(out)), 3);
	assert_non_null(strstr(out, "block device nvme0n1p1 is mounted on /srv"));
	assert_non_null(strstr(out, "block device nvme0n1 is used as swap"));
	assert_non_null(strstr(out, "block device nvme0n1 is held by dm-0"));
}

static void boot_display_is_in_use(void **state)
{
	char out[512];
	struct pci_dev_info d;
	(void)state;

	tree_file(&t, "sys/devices/pci0000:00/0000:00:01.0/boot_vga", "1\n");
	assert_int_equal(pci_dev_host_users(&t.h, "0000:00:01.0", out, sizeof(out)), 1);
	assert_non_null(strstr(out, "boot display"));
	assert_int_equal(pci_dev_read(&t.h, "0000:00:01.0", &d, NULL), 0);
	assert_true(d.boot_vga);
	tree_file(&t, "sys/devices/pci0000:00/0000:00:01.0/boot_vga", "0\n");
	assert_int_equal(pci_dev_host_users(&t.h, "0000:00:01.0", out, sizeof(out)), 0);
}

static void host_paths_follow_the_test_root_variable(void **state)
{
	char buf[5 * PATH_MAX];
	struct host_paths h;
	(void)state;

	unsetenv("VFVM_HOST_ROOT");
	host_paths_from_env(&h, buf, sizeof(buf));
	assert_string_equal(h.sys, "/sys");
	assert_string_equal(h.run, "/run/vfvm");
	assert_string_equal(h.pci_ids, "/usr/share/misc/pci.ids");
	setenv("VFVM_HOST_ROOT", "/x", 1);
	host_paths_from_env(&h, buf, sizeof(buf));
	assert_string_equal(h.dev, "/x/dev");
	assert_string_equal(h.proc, "/x/proc");
	unsetenv("VFVM_HOST_ROOT");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(reads_ids_driver_group_and_override),
		T(lists_devices_and_group_members_sorted),
		T(addresses_parse_or_are_named_in_the_error),
		T(state_file_round_trip),
		T(malformed_state_file_is_named),
		T(names_come_from_pci_ids),
		T(network_interface_use),
		T(block_device_use),
		T(boot_display_is_in_use),
		cmocka_unit_test(host_paths_follow_the_test_root_variable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
