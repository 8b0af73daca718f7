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
check "no --kernel: exit 2" 2 'kernel is required' run
check "--memory 512X: exit 2 naming the value" 2 '--memory 512X: not a size' run --kernel "$tmp/bzImage" --memory 512X
check "--memory 3M: exit 2 (not a multiple of 2M)" 2 'multiple of 2M' run --kernel "$tmp/bzImage" --memory 3M
check "--memory 1G,hugepages=4K: exit 2 naming the size" 2 "huge page size '4K' is not 2M or 1G" run --kernel "$tmp/bzImage" --memory 1G,hugepages=4K
# the huge page pool is checked before /dev/kvm is opened, against a test tree (VFVM_HOST_ROOT)
hp=$tmp/root/sys/kernel/mm/hugepages/hugepages-2048kB
export VFVM_HOST_ROOT=$tmp/root
mkdir -p "$hp" && echo 20 >"$hp/nr_hugepages" && echo 10 >"$hp/free_hugepages" && echo 0 >"$hp/resv_hugepages"
check "too few 2M pages: exit 2 counting the missing ones" 2 'needs 32 huge pages of 2M, 10 are free: 22 missing' run --kernel "$tmp/bzImage" --memory 64M,hugepages
check "too few 2M pages: says where to reserve them" 2 "echo 42 > $hp/nr_hugepages" run --kernel "$tmp/bzImage" --memory 64M,hugepages=2M,prealloc
check "no 1G pool on the host: exit 2 naming it" 2 'this host has no 1G huge pages' run --kernel "$tmp/bzImage" --memory 1G,hugepages=1G
unset VFVM_HOST_ROOT
check "--cpus 0: exit 2" 2 '--cpus 0: not a vCPU count' run --kernel "$tmp/bzImage" --cpus 0
check "unknown option: exit 2" 2 "unknown option '--vga'" run --kernel "$tmp/bzImage" --vga
check "missing kernel: exit 2 naming the file" 2 "--kernel $tmp/nope: No such file" run --kernel "$tmp/nope"
check "kernel is a directory: exit 2" 2 "--kernel $tmp: not a regular file" run --kernel "$tmp"
mkfifo "$tmp/fifo"
check "a FIFO as kernel: exit 2 at once, not a wait for a writer" 2 "--kernel $tmp/fifo: not a regular file" run --kernel "$tmp/fifo"
check "/dev/zero as initrd: exit 2" 2 "--initrd /dev/zero: not a regular file" run --kernel "$tmp/bzImage" --initrd /dev/zero
check "--seccomp with a bad mode: exit 2" 2 "--seccomp strict: not 'off', 'log' or 'kill'" run --kernel "$tmp/bzImage" --seccomp strict
check "--user with --vfio ADDR,bind: refused up front, exit 2" 2 "cannot be combined with --user" run --kernel "$tmp/bzImage" --user nobody --vfio 00:02.0,bind
check "--user naming a user that does not exist: exit 2" 2 "--user no-such-user-x: no such user" run --kernel "$tmp/bzImage" --user no-such-user-x
check "--user root: exit 2" 2 "--user root: that is root" run --kernel "$tmp/bzImage" --user root
check "missing initrd: exit 2 naming the file" 2 "--initrd $tmp/nope" run --kernel "$tmp/bzImage" --initrd "$tmp/nope"
# --firmware: the image is read and checked before KVM is opened, so these need no /dev/kvm
check "missing firmware file: exit 2 naming it" 2 "--firmware $tmp/nope.bin: No such file" run --firmware "$tmp/nope.bin"
head -c 5000 /dev/zero >"$tmp/odd.bin"
check "firmware not a whole page: exit 2" 2 "--firmware $tmp/odd.bin: 5000 bytes" run --firmware "$tmp/odd.bin"
head -c 65536 /dev/zero >"$tmp/zero.bin"
check "firmware without a reset vector: exit 2" 2 "--firmware $tmp/zero.bin: not a BIOS image" run --firmware "$tmp/zero.bin"
check "firmware is a directory: exit 2" 2 "--firmware $tmp: not a regular file" run --firmware "$tmp"
check "--boot kernel without --kernel: exit 2" 2 "--boot kernel needs --kernel" run --firmware "$tmp/zero.bin" --boot kernel
check "--boot without --firmware: exit 2" 2 "--boot needs --firmware" run --kernel "$tmp/bzImage" --boot disk
check "--dump-dtb on x86: exit 2 (ACPI, no device tree)" 2 "--dump-dtb: the x86 machine describes itself with ACPI" run --kernel "$tmp/bzImage" --dump-dtb "$tmp/dtb"
check "run --help names --firmware and its default image" 0 '--firmware \[PATH\]' run --help
check "run --help explains --viommu" 0 '--viommu         put a virtio-iommu in front' run --help
check "--viommu without --vfio: exit 2" 2 '--viommu needs at least one --vfio device' run --kernel "$tmp/bzImage" --viommu
if [ "$(id -u)" != 0 ]; then
	cp "$tmp/bzImage" "$tmp/locked" && chmod 000 "$tmp/locked"
	check "unreadable kernel: exit 2 naming the file" 2 "--kernel $tmp/locked: Permission denied" run --kernel "$tmp/locked"
fi
if [ -c /dev/kvm ]; then
	check "more vCPUs than KVM allows: exit 2" 2 'this host.s KVM allows at most' run --kernel "$tmp/bzImage" --cpus 4096
	check "an empty kernel file is not a bzImage: exit 2" 2 "$tmp/bzImage" run --kernel "$tmp/bzImage"
else
	n=$((n + 1)); echo "ok $n - more vCPUs than KVM allows # SKIP no /dev/kvm"
	check "without /dev/kvm: exit 1 naming it" 1 '/dev/kvm' run --kernel "$tmp/bzImage"
fi
echo "1..$n"
exit $fail
