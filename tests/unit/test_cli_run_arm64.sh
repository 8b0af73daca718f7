#!/bin/sh
# `vfvm run` of the arm64 machine as a user meets it: the usage errors it shares with x86, the Image
# header's errors (exit 2, one line naming the file), --dump-dtb. TAP. Needs no /dev/kvm.
vfvm=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/cli-check.sh"

# one line of output, as every usage error is (after the check just made)
one_line() {
	n=$((n + 1))
	if [ "$(printf '%s\n' "$out" | wc -l)" = 1 ]; then
		echo "ok $n - $1: one line"
	else
		echo "not ok $n - $1: one line"
		fail=1
	fi
}

# 8 little-endian bytes
le64() {
	v=$1 i=0
	while [ $i -lt 8 ]; do
		printf "\\$(printf %03o $((v & 255)))"
		v=$((v >> 8)) i=$((i + 1))
	done
}
# image FILE TEXT_OFFSET IMAGE_SIZE [FLAGS]: an Image header (Documentation/arch/arm64/booting.rst)
image() {
	{ le64 0; le64 "$2"; le64 "$3"; le64 "${4:-0}"; le64 0; le64 0; le64 0; printf 'ARMd'
	  printf '\000\000\000\000'; } >"$1"
}
MiB=1048576
image "$tmp/Image" 0 $((8 * MiB))
: >"$tmp/initrd"
head -c 12345 /dev/zero >"$tmp/initrd"

check "run --help shows the options, exit 0" 0 '--dump-dtb FILE' run --help
check "run --help names the arm64 console" 0 'console=ttyS0 earlycon' run --help
kernel=$tmp/Image
. "$(dirname "$0")/cli-run-common.sh"

: >"$tmp/empty"
check "short Image: exit 2" 2 "--kernel $tmp/empty: too short for an arm64 Image (0 bytes" run --kernel "$tmp/empty"
one_line "short Image"
head -c 4096 /dev/zero >"$tmp/zero"
check "bad magic: exit 2" 2 "--kernel $tmp/zero: not an arm64 Image (magic 0" run --kernel "$tmp/zero"
one_line "bad magic"
printf '\037\213\010\000' >"$tmp/gz" && head -c 100 /dev/zero >>"$tmp/gz"
check "gzip-compressed Image: exit 2" 2 "--kernel $tmp/gz: a gzip-compressed kernel" run --kernel "$tmp/gz"
image "$tmp/far" $((512 * MiB)) $MiB
check "text_offset beyond RAM: exit 2" 2 "text_offset 0x20000000 is beyond the guest's 256 MiB" run --kernel "$tmp/far" --memory 256M
one_line "text_offset beyond RAM"
image "$tmp/big" 0 $((300 * MiB))
check "Image larger than RAM: exit 2" 2 "the kernel takes 300 MiB from text_offset 0: more than the guest's 256 MiB" run --kernel "$tmp/big" --memory 256M
one_line "Image larger than RAM"
image "$tmp/be" 0 $MiB 1
check "big-endian kernel: exit 2" 2 "big-endian kernel" run --kernel "$tmp/be"
check "--firmware: exit 2 (no BIOS on arm64)" 2 "boots Linux directly" run --firmware "$tmp/Image"
check "--unpack-kernel: exit 2 (an Image is not compressed)" 2 "--unpack-kernel: an arm64 Image is not compressed" run --kernel "$tmp/Image" --unpack-kernel

check "--dump-dtb writes the device tree, exit 0" 0 '' run --kernel "$tmp/Image" --initrd "$tmp/initrd" --cpus 2 --memory 1G --cmdline "quiet rdinit=/init" --dump-dtb "$tmp/dtb"
n=$((n + 1))
if [ "$(head -c 4 "$tmp/dtb" | od -An -tx1 | tr -d ' ')" = d00dfeed ]; then
	echo "ok $n - the dump is a flattened device tree (magic d00dfeed)"
else
	echo "not ok $n - the dump is a flattened device tree (magic d00dfeed)"
	fail=1
fi
check "--dump-dtb FILE in a missing directory: exit 2" 2 "--dump-dtb $tmp/no/dtb" run --kernel "$tmp/Image" --dump-dtb "$tmp/no/dtb"
check "--dump-dtb of a bad Image: exit 2" 2 "not an arm64 Image" run --kernel "$tmp/zero" --dump-dtb "$tmp/dtb2"
if [ -n "${DTC:-}" ]; then
	dts=$("$DTC" -q -I dtb -O dts "$tmp/dtb")
	for want in 'cpu@1 {' 'bootargs = "console=ttyS0 earlycon panic=-1 quiet rdinit=/init"' \
		'reg = <0x00 0x40000000 0x00 0x40000000>' 'linux,initrd-start = <0x00 0x7fdfc000>' \
		'linux,initrd-end = <0x00 0x7fdff039>' 'compatible = "pci-host-ecam-generic"'; do
		n=$((n + 1))
		if printf '%s\n' "$dts" | grep -qF -- "$want"; then
			echo "ok $n - dtc reads: $want"
		else
			echo "not ok $n - dtc reads: $want"
			fail=1
		fi
	done
else
	n=$((n + 1)); echo "ok $n - dtc reads the dump # SKIP no dtc (device-tree-compiler)"
fi
if [ -c /dev/kvm ]; then
	n=$((n + 1)); echo "ok $n - without /dev/kvm: exit 1 # SKIP this host has /dev/kvm"
else
	check "without /dev/kvm: exit 1 naming it" 1 '/dev/kvm' run --kernel "$tmp/Image"
fi
echo "1..$n"
exit $fail
