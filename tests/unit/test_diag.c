// SPDX-License-Identifier: MIT
/* One diagnosis per VFIO failure state, and the verdicts of `vfvm devices`, on built trees. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/test_sysfs_tree.h"
#include "vfio/diag.h"

#define MIB (1ULL << 20)

static struct tree t;

static int setup(void **state)
{
	(void)state;
	tree_new(&t);
	tree_driver(&t, "vfio-pci");
	tree_dev(&t, "0000:00:02.0", 0x8086, 0x10d3, 0x020000, "vfio-pci", 3);
	tree_file(&t, "dev/vfio/3", "");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tree_free(&t);
	return 0;
}

static struct pci_dev_info dev(const char *addr)
{
	struct pci_dev_info d;

	assert_int_equal(pci_dev_read(&t.h, addr, &d, NULL), 0);
	return d;
}

static void no_iommu_groups_names_the_option_for_the_cpu(void **state)
{
	struct errbuf e;
	(void)state;

	assert_int_equal(diag_iommu(&t.h, &e), 0);
	tree_free(&t);
	tree_new(&t);
	tree_dev(&t, "0000:00:02.0", 0x8086, 0x10d3, 0x020000, "e1000e", -1);
	tree_file(&t, "proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\n");
	assert_int_equal(diag_iommu(&t.h, &e), -ENODEV);
	assert_non_null(strstr(e.msg, "the IOMMU is off"));
	assert_non_null(strstr(e.msg, "intel_iommu=on"));
	tree_file(&t, "proc/cpuinfo", "processor\t: 0\nvendor_id\t: AuthenticAMD\n");
	assert_int_equal(diag_iommu(&t.h, &e), -ENODEV);
	assert_non_null(strstr(e.msg, "amd_iommu=on iommu=pt"));
	assert_null(strstr(e.msg, "intel_iommu"));
	tree_file(&t, "proc/cpuinfo", "processor\t: 0\n");
	assert_int_equal(diag_iommu(&t.h, &e), -ENODEV);
	assert_non_null(strstr(e.msg, "intel_iommu=on on Intel, amd_iommu=on on AMD"));
}

static void vfio_pci_module_missing(void **state)
{
	struct errbuf e;
	char cmd[PATH_MAX];
	(void)state;

	assert_int_equal(diag_vfio_module(&t.h, &e), 0);
	snprintf(cmd, sizeof(cmd), "rm -r '%s/sys/bus/pci/drivers/vfio-pci'", t.root);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(diag_vfio_module(&t.h, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "vfio-pci driver is not loaded"));
	assert_non_null(strstr(e.msg, "modprobe vfio-pci"));
}

static void driver_states(void **state)
{
	struct pci_dev_info d = dev("0000:00:02.0");
	struct errbuf e;
	(void)state;

	assert_int_equal(diag_driver(&d, &e), 0);
	snprintf(d.driver, sizeof(d.driver), "e1000e");
	assert_int_equal(diag_driver(&d, &e), -EBUSY);
	assert_string_equal(e.msg, "0000:00:02.0 is bound to e1000e, not vfio-pci: run 'vfvm bind "
				   "0000:00:02.0' ('vfvm unbind' gives it back to e1000e)");
	snprintf(d.driver, sizeof(d.driver), "uio_pci_generic");
	assert_int_equal(diag_driver(&d, &e), -EBUSY);
	assert_non_null(strstr(e.msg, "0000:00:02.0 is on uio_pci_generic, a UIO driver"));
	assert_non_null(strstr(e.msg, "without DMA isolation"));
	assert_non_null(strstr(e.msg, "vfvm bind 0000:00:02.0"));
	snprintf(d.driver, sizeof(d.driver), "igb_uio");
	assert_int_equal(diag_driver(&d, &e), -EBUSY);
	assert_non_null(strstr(e.msg, "igb_uio, a UIO driver"));
	d.driver[0] = '\0';
	assert_int_equal(diag_driver(&d, &e), -ENODEV);
	assert_non_null(strstr(e.msg, "0000:00:02.0 has no driver"));
}

static void group_viability_follows_the_kernel_rule(void **state)
{
	struct pci_dev_info d;
	struct errbuf e;
	const char also[][VFIO_PCI_ADDR_LEN] = {"0000:01:02.0"};
	(void)state;

	/* a PCIe-to-PCI bridge and two functions behind it share group 7 */
	tree_dev(&t, "0000:00:05.0", 0x1b36, 0x000e, 0x060400, NULL, 7);
	tree_dev(&t, "0000:01:01.0", 0x8086, 0x100e, 0x020000, "vfio-pci", 7);
	tree_dev(&t, "0000:01:02.0", 0x8086, 0x100e, 0x020000, "e1000", 7);
	d = dev("0000:01:01.0");
	assert_int_equal(diag_group_viable(&t.h, &d, NULL, 0, &e), -EBUSY);
	assert_string_equal(
		e.msg, "IOMMU group 7 of 0000:01:01.0 is not viable: 0000:00:05.0 (no driver), "
		       "0000:01:01.0 (vfio-pci), 0000:01:02.0 (e1000: blocks); every member "
		       "must be on vfio-pci, pci-stub, pcieport or no driver: run 'vfvm bind "
		       "--group 0000:01:01.0'");
	/* members the caller is about to bind count as bound */
	assert_int_equal(diag_group_viable(&t.h, &d, also, 1, &e), 0);
	tree_set_driver(&t, "0000:01:02.0", "pci-stub");
	tree_set_driver(&t, "0000:00:05.0", "pcieport");
	assert_int_equal(diag_group_viable(&t.h, &d, NULL, 0, &e), 0);
	tree_set_driver(&t, "0000:01:02.0", NULL);
	assert_int_equal(diag_group_viable(&t.h, &d, NULL, 0, &e), 0);
	tree_set_driver(&t, "0000:00:05.0", "shpchp");
	assert_int_equal(diag_group_viable(&t.h, &d, NULL, 0, &e), -EBUSY);
	assert_non_null(strstr(e.msg, "0000:00:05.0 (shpchp: blocks)"));
}

static void group_node_states(void **state)
{
	struct errbuf e;
	(void)state;

	assert_int_equal(diag_group_node(&t.h, "0000:00:02.0", 3, &e), 0);
	assert_int_equal(diag_group_node(&t.h, "0000:00:02.0", 9, &e), -ENOENT);
	assert_non_null(
		strstr(e.msg, "/dev/vfio/9 does not exist (IOMMU group 9 of 0000:00:02.0)"));
	assert_non_null(strstr(e.msg, "vfvm bind 0000:00:02.0"));
	/* busy and denied come from open(2) on the real node; the text is the same function's */
	assert_int_equal(diag_group_open_error("0000:00:02.0", 3, "/dev/vfio/3", EBUSY, &e),
			 -EBUSY);
	assert_string_equal(e.msg, "/dev/vfio/3 is busy: another process holds IOMMU group 3 of "
				   "0000:00:02.0 (another VM?); find it with 'fuser /dev/vfio/3' "
				   "and stop it");
	assert_int_equal(diag_group_open_error("0000:00:02.0", 3, "/dev/vfio/3", -EACCES, &e),
			 -EACCES);
	assert_non_null(strstr(e.msg, "permission denied opening /dev/vfio/3"));
	assert_non_null(strstr(e.msg, "run vfvm as root"));
	if (geteuid()) {
		/* as a user, a node without permissions is the real thing */
		char p[PATH_MAX];

		snprintf(p, sizeof(p), "%s/dev/vfio/3", t.root);
		assert_int_equal(chmod(p, 0), 0);
		assert_int_equal(diag_group_node(&t.h, "0000:00:02.0", 3, &e), -EACCES);
	}
}

static void interrupt_remapping(void **state)
{
	struct errbuf e;
	(void)state;

	assert_int_equal(diag_interrupt_remapping(&t.h, &e), 0); /* cannot tell: no file */
	tree_file(&t, "proc/interrupts",
		  "           CPU0\n"
		  "  0:         33   IO-APIC   2-edge      timer\n"
		  " 24:          0   PCI-MSI 512000-edge      ahci\n");
	assert_int_equal(diag_interrupt_remapping(&t.h, &e), -EPERM);
	assert_non_null(strstr(e.msg, "interrupt remapping is unavailable"));
	assert_non_null(strstr(e.msg, "allow_unsafe_interrupts=1"));
	assert_non_null(strstr(e.msg, "vfvm will not set it"));
	tree_file(&t, "sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", "Y\n");
	assert_int_equal(diag_interrupt_remapping(&t.h, &e), 0);
	tree_file(&t, "sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", "N\n");
	tree_file(&t, "proc/interrupts",
		  "           CPU0\n"
		  "  0:         33   IR-IO-APIC   2-edge      timer\n"
		  " 24:          0   IR-PCI-MSI-0000:00:02.0 0-edge  eth0\n");
	assert_int_equal(diag_interrupt_remapping(&t.h, &e), 0);

	assert_int_equal(diag_set_iommu_error(3, -EPERM, &e), -EPERM);
	assert_non_null(strstr(e.msg, "VFIO_SET_IOMMU for group 3 failed with EPERM: interrupt "
				      "remapping is unavailable"));
	assert_int_equal(diag_set_iommu_error(3, EINVAL, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "VFIO_SET_IOMMU for group 3 failed: Invalid argument"));
}

static void memlock_against_guest_ram(void **state)
{
	struct errbuf e;
	(void)state;

	assert_int_equal(diag_memlock(512 * MIB, false, 8 * MIB, &e), -ENOMEM);
	assert_string_equal(e.msg,
			    "the memlock limit (8192 KiB) is below the guest RAM (524288 KiB), "
			    "which VFIO pins: raise it ('ulimit -l 524288', or memlock in "
			    "/etc/security/limits.conf) or run as root");
	assert_int_equal(diag_memlock(512 * MIB, true, 8 * MIB, &e), 0);
	assert_int_equal(diag_memlock(512 * MIB, false, 512 * MIB, &e), 0);
	assert_int_equal(diag_memlock(512 * MIB, false, (uint64_t)RLIM_INFINITY, &e), 0);
}

static void verdicts(void **state)
{
	struct diag_device dd;
	struct errbuf e;
	(void)state;

	assert_int_equal(diag_device(&t.h, "0000:00:02.0", &dd, &e), 0);
	assert_int_equal(dd.verdict, DIAG_READY);
	assert_string_equal(dd.reason, "");
	assert_string_equal(diag_verdict_name(dd.verdict), "ready");

	tree_dev(&t, "0000:00:03.0", 0x8086, 0x10d3, 0x020000, "e1000e", 4);
	tree_net(&t, "0000:00:03.0", "eth0", "up");
	tree_file(&t, "proc/net/route",
		  "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\n"
		  "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t80FFFFFF\n");
	assert_int_equal(diag_device(&t.h, "0000:00:03.0", &dd, &e), 0);
	assert_int_equal(dd.verdict, DIAG_BINDABLE);
	assert_non_null(strstr(dd.reason, "bound to e1000e"));
	assert_string_equal(dd.users, "network interface eth0 is up with IPv4 routes 192.0.2.0/25");

	/* on vfio-pci but its group partner is on a host driver */
	tree_dev(&t, "0000:00:03.1", 0x8086, 0x10d3, 0x020000, "vfio-pci", 5);
	tree_dev(&t, "0000:00:03.2", 0x8086, 0x10d3, 0x020000, "e1000e", 5);
	assert_int_equal(diag_device(&t.h, "0000:00:03.1", &dd, &e), 0);
	assert_int_equal(dd.verdict, DIAG_BINDABLE);
	assert_non_null(strstr(dd.reason, "IOMMU group 5 of 0000:00:03.1 is not viable"));

	tree_dev(&t, "0000:00:1c.0", 0x8086, 0x2448, 0x060400, "pcieport", 6);
	assert_int_equal(diag_device(&t.h, "0000:00:1c.0", &dd, &e), 0);
	assert_int_equal(dd.verdict, DIAG_NOT);
	assert_non_null(strstr(dd.reason, "0000:00:1c.0 is a bridge (class 0604)"));

	tree_dev(&t, "0000:00:1f.0", 0x8086, 0x2918, 0x060100, NULL, -1);
	assert_int_equal(diag_device(&t.h, "0000:00:1f.0", &dd, &e), 0);
	assert_int_equal(dd.verdict, DIAG_NOT);
	assert_non_null(strstr(dd.reason, "0000:00:1f.0 has no IOMMU group"));

	assert_int_equal(diag_device(&t.h, "0000:00:09.0", &dd, &e), -ENODEV);
}

static void verdict_without_iommu_is_not(void **state)
{
	struct diag_device dd;
	struct errbuf e;
	(void)state;

	tree_free(&t);
	tree_new(&t);
	tree_dev(&t, "0000:00:02.0", 0x8086, 0x10d3, 0x020000, "e1000e", -1);
	assert_int_equal(diag_device(&t.h, "0000:00:02.0", &dd, &e), 0);
	assert_int_equal(dd.verdict, DIAG_NOT);
	assert_non_null(strstr(dd.reason, "the IOMMU is off"));
}

static void preflight_reports_the_first_problem(void **state)
{
	struct errbuf e;
	int group = -1;
	(void)state;

	/* root in the test: memlock never applies, and the node opens */
	if (!geteuid())
		assert_int_equal(
			diag_preflight(&t.h, "0000:00:02.0", 64 * MIB, NULL, 0, &group, &e), 0);
	assert_int_equal(group, geteuid() ? -1 : 3);
	tree_dev(&t, "0000:00:02.1", 0x8086, 0x10d3, 0x020000, "e1000e", 3);
	assert_int_equal(diag_preflight(&t.h, "0000:00:02.0", 64 * MIB, NULL, 0, &group, &e),
			 -EBUSY);
	assert_non_null(strstr(e.msg, "0000:00:02.1 (e1000e: blocks)"));
	tree_set_driver(&t, "0000:00:02.0", "e1000e");
	assert_int_equal(diag_preflight(&t.h, "0000:00:02.0", 64 * MIB, NULL, 0, &group, &e),
			 -EBUSY);
	assert_non_null(strstr(e.msg, "0000:00:02.0 is bound to e1000e"));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(no_iommu_groups_names_the_option_for_the_cpu),
		T(vfio_pci_module_missing),
		T(driver_states),
		T(group_viability_follows_the_kernel_rule),
		T(group_node_states),
		T(interrupt_remapping),
		T(memlock_against_guest_ram),
		T(verdicts),
		T(verdict_without_iommu_is_not),
		T(preflight_reports_the_first_problem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
