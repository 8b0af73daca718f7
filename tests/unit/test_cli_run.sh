#!/bin/sh
# `vfvm run` as a user meets it: help, and every usage error with its message and exit code 2. TAP.
# None of these needs /dev/kvm except the --cpus limit, which is skipped without it.
vfvm=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/bzImage"
. "$(dirname "$0")/cli-check.sh"
check "run --help shows the options, exit 0" 0 '--memory SIZE' run --help
check "vfvm --help lists run" 0 '^  run ' --help
kernel=$tmp/bzImage
. "$(dirname "$0")/cli-run-common.sh"
# --firmware: the image is read and checked before KVM is opened, so these need no /dev/kvm
check "missing firmware file: exit 2 naming it" 2 "--firmware $tmp/nope.bin: No such file" run --firmware "$tmp/nope.bin"
head -c 5000 /dev/zero >"$tmp/odd.bin"
check "firmware not a whole page: exit 2" 2 "--firmware $tmp/odd.bin: 5000 bytes" run --firmware "$tmp/odd.bin"
head -c 65536 /dev/zero >"$tmp/zero.bin"
check "firmware without a reset vector: exit 2" 2 "--firmware $tmp/zero.bin: not a BIOS image" run --firmware "$tmp/zero.bin"
check "firmware is a directory: exit 2" 2 "--firmware $tmp: not a regular file" run --firmware "$tmp"
check "--boot kernel without --kernel: exit 2" 2 "--boot kernel needs --kernel" run --firmware "$tmp/zero.bin" --boot kernel
check "--dump-dtb on x86: exit 2 (ACPI, no device tree)" 2 "--dump-dtb: the x86 machine describes itself with ACPI" run --kernel "$tmp/bzImage" --dump-dtb "$tmp/dtb"
check "run --help names --firmware and its default image" 0 '--firmware \[PATH\]' run --help
check "run --help explains --viommu" 0 '--viommu         put a virtio-iommu in front' run --help
if [ -c /dev/kvm ]; then
	check "more vCPUs than KVM allows: exit 2" 2 'this host.s KVM allows at most' run --kernel "$tmp/bzImage" --cpus 4096
	check "an empty kernel file is not a bzImage: exit 2" 2 "$tmp/bzImage" run --kernel "$tmp/bzImage"
else
	n=$((n + 1)); echo "ok $n - more vCPUs than KVM allows # SKIP no /dev/kvm"
	check "without /dev/kvm: exit 1 naming it" 1 '/dev/kvm' run --kernel "$tmp/bzImage"
fi
echo "1..$n"
exit $fail
