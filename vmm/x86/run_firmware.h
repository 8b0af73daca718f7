/* SPDX-License-Identifier: MIT */
/*
 * `vfvm run --firmware`: the PC platform a legacy BIOS (SeaBIOS) expects, around the VM that
 * machine.c builds for every boot: an i440FX host bridge with working PAM registers over the
 * BIOS area, the image read-only below 4 GiB and (its tail) below 1 MiB, CMOS/RTC, fw_cfg with
 * the RAM map, CPUs, boot order, ACPI tables and the kernel to boot, and the debug port.
 */
#ifndef VFVM_RUN_FIRMWARE_H
#define VFVM_RUN_FIRMWARE_H

#include <stdbool.h>

#include "devices/cmos.h"
#include "devices/debugcon.h"
#include "devices/i440fx.h"
#include "devices/pci.h"
#include "firmware/bios_image.h"
#include "firmware/bios_shadow.h"
#include "firmware/fw_cfg.h"
#include "vmm/run_options.h"
#include "vmm/vm.h"
#include "vmm/x86/x86.h"
#include "vmm/vm_vfio.h"
#include "vmm/x86/x86.h"

struct run_firmware {
	struct bios_image image;
	unsigned int image_slot;
	bool image_mapped;
	struct bios_shadow shadow;
	bool shadow_ready;
	struct i440fx host;
	bool host_ready;
	struct cmos cmos;
	bool cmos_ready;
	struct fw_cfg fw_cfg;
	bool fw_cfg_ready;
	struct debugcon debugcon;
	bool debugcon_ready;
	int log_fd;
	struct vm *vm;
};

/* Guest RAM without KVM slots when a firmware runs: the VGA window and the PAM-controlled area. */
#define RUN_FIRMWARE_RAM_SKIP_START X86_VGA_START
#define RUN_FIRMWARE_RAM_SKIP_END X86_BIOS_END

/* Read and check the image (and open the log file): usage errors, before any VM exists. */
int run_firmware_load(struct run_firmware *f, const struct run_options *o, struct errbuf *err);

/*
 * The platform, once vm's RAM, the PCI bus and the other devices exist: before the passthrough
 * devices are attached, since the firmware's view of them is set up afterwards by
 * run_firmware_config().
 */
int run_firmware_platform(struct run_firmware *f, struct vm *vm, struct pci_bus *pci,
			  const struct run_options *o, struct errbuf *err);

/*
 * fw_cfg's contents, once every PCI function is in place (bootorder names their slots); the ACPI
 * tables carry a VIOT when viot is not NULL (--viommu).
 */
int run_firmware_config(struct run_firmware *f, struct pci_bus *pci, const struct run_options *o,
			const struct x86_viot *viot, struct errbuf *err);

/*
 * SeaBIOS's boot order (the fw_cfg file "bootorder"): one device path per line, which SeaBIOS
 * matches against the paths it builds ("/pci@i0cf8/<any name>@SLOT[,FN]"). Kernel boot puts
 * vfvm's boot ROM first; then storage controllers (class 01) before the other functions of bus 0,
 * each group by slot. -E2BIG if it does not fit in size bytes (NUL included).
 */
int run_firmware_bootorder(struct pci_bus *pci, enum run_boot boot, char *buf, size_t size,
			   size_t *len);

/* After the vCPUs stopped (safe on a half-built run_firmware, or one never loaded). */
void run_firmware_release(struct run_firmware *f);

#endif
