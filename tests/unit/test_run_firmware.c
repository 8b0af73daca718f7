// SPDX-License-Identifier: MIT
/* The boot order vfvm hands SeaBIOS: which PCI functions, in which order, in which text form. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "vmm/x86/run_firmware.h"

static uint32_t fn_read(void *opaque, unsigned int off, unsigned int len)
{
	return pci_cfg_space_read(opaque, off, len);
}

static void fn_write(void *opaque, unsigned int off, uint32_t val, unsigned int len)
{
	(void)opaque, (void)off, (void)val, (void)len;
}

static const struct pci_dev_ops fn_ops = {fn_read, fn_write};

static void function(struct pci_cfg_space *cs, uint8_t class, uint8_t subclass)
{
	memset(cs, 0, sizeof(*cs));
	cs->data[PCI_VENDOR_ID] = 0x86;
	cs->data[PCI_VENDOR_ID + 1] = 0x80;
	cs->data[PCI_CLASS_DEVICE] = subclass;
	cs->data[PCI_CLASS_DEVICE + 1] = class;
}

static void bootorder(void **state)
{
	struct pci_cfg_space nic, nvme, nic2, sata;
	struct pci_bus bus;
	char buf[512];
	size_t len;
	(void)state;

	assert_int_equal(pci_bus_init(&bus, 0xc0000000, 0xfec00000, 0x1000, 0x10000), 0);
	/* nothing passed through: only the boot ROM, or nothing at all */
	assert_int_equal(run_firmware_bootorder(&bus, RUN_BOOT_KERNEL, buf, sizeof(buf), &len), 0);
	assert_string_equal(buf, "/rom@genroms/vfvm-linuxboot.bin");
	assert_int_equal(len, strlen(buf));
	assert_int_equal(run_firmware_bootorder(&bus, RUN_BOOT_DISK, buf, sizeof(buf), &len), 0);
	assert_string_equal(buf, "");
	assert_int_equal(len, 0);

	/* --vfio NIC --vfio NVMe --vfio NIC: the disk controller goes first, functions by slot */
	function(&nic, 0x02, 0x00);
	function(&nvme, 0x01, 0x08);
	function(&nic2, 0x02, 0x00);
	function(&sata, 0x01, 0x06);
	assert_int_equal(pci_bus_add(&bus, PCI_DEVFN(1, 0), &fn_ops, &nic), PCI_DEVFN(1, 0));
	assert_int_equal(pci_bus_add(&bus, PCI_DEVFN(2, 0), &fn_ops, &nvme), PCI_DEVFN(2, 0));
	assert_int_equal(pci_bus_add(&bus, PCI_DEVFN(3, 0), &fn_ops, &nic2), PCI_DEVFN(3, 0));
	assert_int_equal(pci_bus_add(&bus, PCI_DEVFN(0x1f, 2), &fn_ops, &sata), PCI_DEVFN(0x1f, 2));
	assert_int_equal(run_firmware_bootorder(&bus, RUN_BOOT_DISK, buf, sizeof(buf), &len), 0);
	assert_string_equal(buf, "/pci@i0cf8/device@2\n"
				 "/pci@i0cf8/device@1f,2\n"
				 "/pci@i0cf8/device@1\n"
				 "/pci@i0cf8/device@3");
	assert_int_equal(run_firmware_bootorder(&bus, RUN_BOOT_KERNEL, buf, sizeof(buf), &len), 0);
	assert_true(strncmp(buf, "/rom@genroms/vfvm-linuxboot.bin\n/pci@i0cf8/device@2\n", 52) ==
		    0);
	/* too small a buffer is an error, never a cut line */
	assert_int_equal(run_firmware_bootorder(&bus, RUN_BOOT_DISK, buf, 30, &len), -E2BIG);
	assert_int_equal(run_firmware_bootorder(&bus, RUN_BOOT_DISK, buf, 0, &len), -E2BIG);
	pci_bus_destroy(&bus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bootorder),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
