#!/bin/sh
# `vfvm devices` and `vfvm check` run by an ordinary user name each of the three things that user
# needs for passthrough and lacks: /dev/kvm, the group's /dev/vfio/N, a memlock limit of guest RAM.
# Against a sysfs-shaped tree (VFVM_HOST_ROOT); the user is nobody, switched to with util-linux's
# setpriv, so the test needs root (TAP skip otherwise). TAP.
vfvm=$(realpath "$1")
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
	echo "1..0 # SKIP needs root and setpriv (util-linux) to run vfvm as nobody"
	exit 0
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
chmod 755 "$root"
# nobody runs a copy of vfvm in the tree, where it can reach it whatever the build directory's
# permissions; a cross build's vfvm ($1, a wrapper running the binary $2 under qemu-user) with its
# binary's path rewritten
mkdir "$root/bin"
if [ -n "$2" ] && [ "$(realpath "$2")" != "$vfvm" ]; then
	cp "$2" "$root/bin/vfvm.bin"
	sed "s|$(realpath "$2")|$root/bin/vfvm.bin|" "$vfvm" >"$root/bin/vfvm"
else
	cp "$vfvm" "$root/bin/vfvm"
fi
chmod 755 "$root/bin" "$root/bin/"*
vfvm=$root/bin/vfvm
export VFVM_HOST_ROOT=$root
d=$root/sys/devices/pci0000:00/0000:00:03.0
mkdir -p "$d" "$root/sys/bus/pci/devices" "$root/sys/bus/pci/drivers/vfio-pci" \
	"$root/sys/kernel/iommu_groups/4/devices" "$root/proc" "$root/dev/vfio" "$root/run"
echo 0x1b36 >"$d/vendor"
echo 0x0010 >"$d/device"
echo 0x010802 >"$d/class"
echo '(null)' >"$d/driver_override"
ln -s ../../../devices/pci0000:00/0000:00:03.0 "$root/sys/bus/pci/devices/0000:00:03.0"
ln -s ../../../bus/pci/drivers/vfio-pci "$d/driver"
ln -s ../../../kernel/iommu_groups/4 "$d/iommu_group"
ln -s ../../../../devices/pci0000:00/0000:00:03.0 "$root/sys/kernel/iommu_groups/4/devices/"
: >"$root/dev/kvm"
: >"$root/dev/vfio/4"
chmod 600 "$root/dev/kvm" "$root/dev/vfio/4"

n=0
fail=0
# as_nobody MEMLOCK-KIB CMD...: vfvm CMD as uid/gid 65534 with that memlock limit; stderr in $err
as_nobody() {
	_l=$1
	shift
	# the limit is set while still root: a user may lower it, never raise it
	err=$(sh -c 'ulimit -l "$0" && exec "$@"' "$_l" setpriv --reuid=65534 --regid=65534 \
		--clear-groups --inh-caps=-all "$vfvm" "$@" 2>&1 >/dev/null </dev/null)
	rc=$?
}
expect() { # expect DESCRIPTION GREP-PATTERN: one TAP line about $err
	n=$((n + 1))
	if printf '%s\n' "$err" | grep -q -- "$2"; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		printf '%s\n' "$err" | sed 's/^/#   /'
		fail=1
	fi
}

as_nobody 64 devices
expect "devices names /dev/kvm" "^vfvm devices: missing for uid 65534: $root/dev/kvm: Permission denied (add the user to group kvm)"
expect "devices names the group node" "^vfvm devices: missing for uid 65534: permission denied opening $root/dev/vfio/4 (IOMMU group 4 of 0000:00:03.0)"
expect "devices names the memlock limit" "^vfvm devices: missing for uid 65534: the memlock limit (64 KiB) is below the guest RAM (524288 KiB)"
n=$((n + 1))
[ "$(printf '%s\n' "$err" | grep -c 'missing for uid')" = 3 ] && echo "ok $n - devices: three lines, one each" ||
	{ echo "not ok $n - devices: three lines, one each"; fail=1; }
as_nobody 64 devices --memory 32K
n=$((n + 1))
printf '%s\n' "$err" | grep -q memlock && { echo "not ok $n - --memory 32K fits a 64 KiB limit"; fail=1; } ||
	echo "ok $n - --memory 32K fits a 64 KiB limit"
as_nobody 64 check 0000:00:03.0
expect "check names the memlock limit against 512M" "^vfvm check: missing for uid 65534: the memlock limit (64 KiB)"
expect "check names the group node" "^vfvm check: missing for uid 65534: permission denied opening $root/dev/vfio/4"
n=$((n + 1))
[ "$rc" = 1 ] && echo "ok $n - check exits 1 when something is missing" ||
	{ echo "not ok $n - check exits 1 when something is missing (exit $rc)"; fail=1; }

# given all three, nothing is said
chmod 666 "$root/dev/kvm" "$root/dev/vfio/4"
as_nobody 64 devices --memory 32K
n=$((n + 1))
if [ -z "$err" ]; then echo "ok $n - devices says nothing once the user has all three"
else echo "not ok $n - devices says nothing once the user has all three"; printf '%s\n' "$err" | sed 's/^/#   /'; fail=1; fi
# --user is for root: an ordinary user is told to run vfvm directly
: >"$root/kernel"
chmod 644 "$root/kernel"
as_nobody 64 run --kernel "$root/kernel" --user nobody
expect "run --user as an ordinary user: refused, told to run vfvm directly" \
	"^vfvm run: --user nobody: only root can switch users"
n=$((n + 1))
[ "$rc" = 2 ] && echo "ok $n - that is a usage error (exit 2)" || { echo "not ok $n - that is a usage error (exit $rc)"; fail=1; }
echo "1..$n"
exit $fail
