// SPDX-License-Identifier: MIT
#include "vmm/x86/run_firmware.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/uart_console.h"
#include "firmware/acpi_loader.h"
#include "firmware/fw_cfg_linux.h"

/* SeaBIOS's own screen goes to the serial console, COM1 */
#define FW_SERCON_PORT UART_COM1_BASE
#define BOOTORDER_MAX 1024
#define PCI_CLASS_STORAGE_BASE 0x01

int run_firmware_load(struct run_firmware *f, const struct run_options *o, struct errbuf *err)
{
	int ret;

	memset(f, 0, sizeof(*f));
	f->log_fd = -1;
	ret = bios_image_load(&f->image, o->firmware, err);
	if (ret)
		return ret;
	if (o->firmware_log) {
		f->log_fd = open(o->firmware_log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (f->log_fd < 0)
			return errbuf_set(err, errno, "--firmware-log %s: %s", o->firmware_log,
					  strerror(errno));
	}
	return 0;
}

static int slot_map(void *opaque, uint64_t gpa, uint64_t size, void *hva, bool readonly,
		    unsigned int *slot)
{
	return vm_map_host_memory(opaque, gpa, size, hva, readonly, slot);
}

static int slot_unmap(void *opaque, unsigned int slot)
{
	return vm_unmap_host_memory(opaque, slot);
}

static const struct bios_shadow_slots vm_slots = {slot_map, slot_unmap};

int run_firmware_platform(struct run_firmware *f, struct vm *vm, struct pci_bus *pci,
			  const struct run_options *o, struct errbuf *err)
{
	uint8_t *ram0 = guest_mem_ptr(&vm->mem, 0, X86_BIOS_END);
	int ret;

	f->vm = vm;
	if (!ram0)
		return errbuf_set(err, EINVAL, "guest RAM does not cover the first MiB");
	ret = vm_map_host_memory(vm, bios_image_gpa(&f->image), f->image.size, f->image.data, true,
				 &f->image_slot);
	if (ret)
		return errbuf_set(err, ret, "firmware image at %#llx: KVM memory slot: %s",
				  (unsigned long long)bios_image_gpa(&f->image), strerror(-ret));
	f->image_mapped = true;

	ret = bios_shadow_init(&f->shadow, ram0, bios_image_low(&f->image),
			       bios_image_low_len(&f->image), &vm_slots, vm);
	if (ret)
		return errbuf_set(err, ret, "BIOS area: %s", strerror(-ret));
	f->shadow_ready = true;
	ret = io_bus_register(&vm->bus, IO_SPACE_MMIO, PAM_AREA_START,
			      PAM_AREA_END - PAM_AREA_START, &bios_shadow_mmio_ops, &f->shadow,
			      "bios-area");
	if (ret)
		return errbuf_set(err, ret, "BIOS area handler: %s", strerror(-ret));
	ret = i440fx_init(&f->host, bios_shadow_update, &f->shadow);
	if (ret)
		return errbuf_set(err, ret, "host bridge: %s", strerror(-ret));
	f->host_ready = true;
	pci_bus_set_host(pci, &i440fx_ops, &f->host);

	ret = cmos_init(&f->cmos, NULL, NULL);
	if (ret)
		return errbuf_set(err, ret, "CMOS: %s", strerror(-ret));
	f->cmos_ready = true;
	cmos_set_memory(&f->cmos, &vm->mem);
	ret = cmos_set_cpus(&f->cmos, o->cpus) ?: cmos_attach(&f->cmos, &vm->bus);
	if (ret)
		return errbuf_set(err, ret, "CMOS at 0x70: %s", strerror(-ret));
	/*
	 * Writes that need no answer need no exit: the CMOS index (thousands of them in a
	 * SeaBIOS boot, each followed by a data access that exits and finds the index written)
	 * and SeaBIOS's screen in the VGA text window, where no device is. Where KVM cannot
	 * coalesce them, they exit as before.
	 */
	vm_coalesce_writes(vm, IO_SPACE_PIO, 0x70, 1);
	vm_coalesce_writes(vm, IO_SPACE_MMIO, 0xb8000, 0x8000);

	ret = fw_cfg_init(&f->fw_cfg, fw_cfg_guest_mem_ptr, &vm->mem);
	if (ret)
		return errbuf_set(err, ret, "fw_cfg: %s", strerror(-ret));
	f->fw_cfg_ready = true;
	ret = fw_cfg_attach(&f->fw_cfg, &vm->bus);
	if (ret)
		return errbuf_set(err, ret, "fw_cfg ports: %s", strerror(-ret));

	if (f->log_fd >= 0) {
		ret = debugcon_init(&f->debugcon, f->log_fd);
		if (ret)
			return errbuf_set(err, ret, "debug port: %s", strerror(-ret));
		f->debugcon_ready = true;
		ret = debugcon_attach(&f->debugcon, &vm->bus, DEBUGCON_PORT);
		if (ret)
			return errbuf_set(err, ret, "debug port %#x: %s", DEBUGCON_PORT,
					  strerror(-ret));
	}
	return 0;
}

static int append(char *buf, size_t size, size_t *len, const char *line, unsigned int devfn)
{
	int n;

	if (line)
		n = snprintf(buf + *len, size - *len, "%s\n", line);
	else if (devfn & 7)
		n = snprintf(buf + *len, size - *len, "/pci@i0cf8/device@%x,%x\n", devfn >> 3,
			     devfn & 7);
	else
		n = snprintf(buf + *len, size - *len, "/pci@i0cf8/device@%x\n", devfn >> 3);
	if (n < 0 || (size_t)n >= size - *len)
		return -E2BIG;
	*len += n;
	return 0;
}

int run_firmware_bootorder(struct pci_bus *pci, enum run_boot boot, char *buf, size_t size,
			   size_t *len)
{
	int ret = 0;

	*len = 0;
	if (!size)
		return -E2BIG;
	buf[0] = 0;
	if (boot == RUN_BOOT_KERNEL)
		ret = append(buf, size, len, FW_CFG_LINUXBOOT_BOOTORDER, 0);
	for (int pass = 0; pass < 2 && !ret; pass++) {
		for (unsigned int devfn = 8; devfn < PCI_NR_DEVFN && !ret; devfn++) {
			uint32_t id = pci_bus_cfg_read(pci, devfn, PCI_VENDOR_ID, 2);
			bool storage = pci_bus_cfg_read(pci, devfn, PCI_CLASS_DEVICE + 1, 1) ==
				       PCI_CLASS_STORAGE_BASE;

			if (id == 0xffff || storage != (pass == 0))
				continue;
			ret = append(buf, size, len, NULL, devfn);
		}
	}
	/* lines are separated, not terminated: a last newline would be an empty entry */
	if (!ret && *len)
		buf[--*len] = 0;
	return ret;
}

/*
 * vfvm's own ACPI tables (the PC variant: PIC, PIT, CMOS and PM1 registers exist), which SeaBIOS
 * places and links by the loader script, instead of its built-in ones for a PIIX4 vfvm lacks.
 */
static int add_acpi(struct run_firmware *f, unsigned int cpus, const struct x86_viot *viot,
		    struct errbuf *err)
{
	struct x86_acpi_blobs b;
	int ret = x86_acpi_firmware_blobs(cpus, &f->vm->mem, viot, &b, err);

	if (ret)
		return ret;
	ret = fw_cfg_add_file(&f->fw_cfg, X86_ACPI_FW_RSDP, b.rsdp, b.rsdp_len, NULL) ?:
	      fw_cfg_add_file(&f->fw_cfg, X86_ACPI_FW_TABLES, b.tables, b.tables_len, NULL) ?:
	      fw_cfg_add_file(&f->fw_cfg, ACPI_LOADER_FILE, b.loader, b.loader_len, NULL);
	x86_acpi_blobs_free(&b);
	if (ret)
		return errbuf_set(err, ret, "fw_cfg ACPI tables: %s", strerror(-ret));
	return 0;
}

int run_firmware_config(struct run_firmware *f, struct pci_bus *pci, const struct run_options *o,
			const struct x86_viot *viot, struct errbuf *err)
{
	const struct fw_cfg_range kvm_pages = {X86_KVM_IDENTITY_MAP_ADDR,
					       X86_KVM_PRIVATE_END - X86_KVM_IDENTITY_MAP_ADDR};
	const uint16_t sercon = FW_SERCON_PORT, no_menu = 0;
	/* with nothing to boot SeaBIOS reboots after this many ms; a reboot ends vfvm, so at once
	 */
	const uint32_t fail_wait = 0;
	char order[BOOTORDER_MAX];
	size_t order_len;
	int ret;

	ret = fw_cfg_set_u16(&f->fw_cfg, FW_CFG_NB_CPUS, o->cpus) ?:
	      fw_cfg_set_u16(&f->fw_cfg, FW_CFG_MAX_CPUS, o->cpus) ?:
	      fw_cfg_set_u64(&f->fw_cfg, FW_CFG_RAM_SIZE, f->vm->mem.total) ?:
	      fw_cfg_add_e820(&f->fw_cfg, &f->vm->mem, &kvm_pages, 1) ?:
	      fw_cfg_add_file(&f->fw_cfg, "etc/sercon-port", &sercon, sizeof(sercon), NULL) ?:
	      fw_cfg_add_file(&f->fw_cfg, "etc/show-boot-menu", &no_menu, sizeof(no_menu), NULL) ?:
	      fw_cfg_add_file(&f->fw_cfg, "etc/boot-fail-wait", &fail_wait, sizeof(fail_wait), NULL);
	if (ret)
		return errbuf_set(err, ret, "fw_cfg: %s", strerror(-ret));
	ret = add_acpi(f, o->cpus, viot, err);
	if (ret)
		return ret;
	/* --kernel: its items and the ROM that boots them, whether or not it boots first */
	if (o->kernel) {
		char *cmdline = run_kernel_cmdline(o);
		struct x86_linux_args args = {o->kernel, o->initrd, cmdline};

		if (!cmdline)
			return errbuf_set(err, ENOMEM, "out of memory");
		ret = fw_cfg_add_linux(&f->fw_cfg, &f->vm->mem, &args, err);
		free(cmdline);
		if (ret)
			return ret;
		ret = fw_cfg_add_linuxboot_rom(&f->fw_cfg);
		if (ret)
			return errbuf_set(err, ret, "fw_cfg %s: %s", FW_CFG_LINUXBOOT_ROM_FILE,
					  strerror(-ret));
	}
	ret = run_firmware_bootorder(pci, o->boot, order, sizeof(order), &order_len);
	if (!ret)
		ret = fw_cfg_add_file(&f->fw_cfg, "bootorder", order, order_len, NULL);
	if (ret)
		return errbuf_set(err, ret, "fw_cfg bootorder: %s", strerror(-ret));
	return 0;
}

void run_firmware_release(struct run_firmware *f)
{
	if (f->debugcon_ready)
		debugcon_destroy(&f->debugcon);
	if (f->log_fd >= 0)
		close(f->log_fd);
	if (f->fw_cfg_ready)
		fw_cfg_destroy(&f->fw_cfg);
	if (f->cmos_ready)
		cmos_destroy(&f->cmos);
	if (f->host_ready)
		i440fx_destroy(&f->host);
	if (f->shadow_ready)
		bios_shadow_destroy(&f->shadow);
	if (f->image_mapped)
		vm_unmap_host_memory(f->vm, f->image_slot);
	bios_image_free(&f->image);
	memset(f, 0, sizeof(*f));
	f->log_fd = -1;
}
