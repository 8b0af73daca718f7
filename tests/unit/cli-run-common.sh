# Sourced by the `vfvm run` command-line tests of both machines (test_cli_run.sh on x86,
# test_cli_run_arm64.sh on arm64) after cli-check.sh: the usage errors that are not about one
# machine, each with the same message and exit code on both. $tmp is the test's directory, $kernel a
# kernel file the machine accepts before it opens /dev/kvm.
check "no --kernel: exit 2" 2 'kernel is required' run
check "--memory 512X: exit 2 naming the value" 2 '--memory 512X: not a size' run --kernel "$kernel" --memory 512X
check "--memory 3M: exit 2 (not a multiple of 2M)" 2 'multiple of 2M' run --kernel "$kernel" --memory 3M
check "--memory 2T: exit 2 (more than vfvm supports)" 2 'more than the 1T vfvm supports' run --kernel "$kernel" --memory 2T
check "--memory 1G,hugepages=4K: exit 2 naming the size" 2 "huge page size '4K' is not 2M or 1G" run --kernel "$kernel" --memory 1G,hugepages=4K
# the huge page pool is checked before /dev/kvm is opened, against a test tree (VFVM_HOST_ROOT)
hp=$tmp/root/sys/kernel/mm/hugepages/hugepages-2048kB
export VFVM_HOST_ROOT=$tmp/root
mkdir -p "$hp" && echo 20 >"$hp/nr_hugepages" && echo 10 >"$hp/free_hugepages" && echo 0 >"$hp/resv_hugepages"
check "too few 2M pages: exit 2 counting the missing ones" 2 'needs 32 huge pages of 2M, 10 are free: 22 missing' run --kernel "$kernel" --memory 64M,hugepages
check "too few 2M pages: says where to reserve them" 2 "echo 42 > $hp/nr_hugepages" run --kernel "$kernel" --memory 64M,hugepages=2M,prealloc
check "no 1G pool on the host: exit 2 naming it" 2 'this host has no 1G huge pages' run --kernel "$kernel" --memory 1G,hugepages=1G
unset VFVM_HOST_ROOT
check "--cpus 0: exit 2" 2 '--cpus 0: not a vCPU count' run --kernel "$kernel" --cpus 0
check "--cpus x: exit 2" 2 '--cpus x: not a vCPU count' run --kernel "$kernel" --cpus x
check "unknown option: exit 2" 2 "unknown option '--vga'" run --kernel "$kernel" --vga
check "missing kernel: exit 2 naming the file" 2 "--kernel $tmp/nope: No such file" run --kernel "$tmp/nope"
check "kernel is a directory: exit 2" 2 "--kernel $tmp: not a regular file" run --kernel "$tmp"
mkfifo "$tmp/fifo"
check "a FIFO as kernel: exit 2 at once, not a wait for a writer" 2 "--kernel $tmp/fifo: not a regular file" run --kernel "$tmp/fifo"
check "/dev/zero as initrd: exit 2" 2 "--initrd /dev/zero: not a regular file" run --kernel "$kernel" --initrd /dev/zero
check "missing initrd: exit 2 naming the file" 2 "--initrd $tmp/nope" run --kernel "$kernel" --initrd "$tmp/nope"
check "a malformed --vfio address: exit 2" 2 "is not a PCI address" run --kernel "$kernel" --vfio 0000:00:02
check "--vfio ADDR,foo: exit 2 naming the option" 2 "unknown option 'foo'" run --kernel "$kernel" --vfio 0000:00:02.0,foo
check "--seccomp with a bad mode: exit 2" 2 "--seccomp strict: not 'off', 'log' or 'kill'" run --kernel "$kernel" --seccomp strict
check "--user with --vfio ADDR,bind: refused up front, exit 2" 2 "cannot be combined with --user" run --kernel "$kernel" --user nobody --vfio 00:02.0,bind
check "--user naming a user that does not exist: exit 2" 2 "--user no-such-user-x: no such user" run --kernel "$kernel" --user no-such-user-x
check "--user root: exit 2" 2 "--user root: that is root" run --kernel "$kernel" --user root
check "--viommu without --vfio: exit 2" 2 '--viommu needs at least one --vfio device' run --kernel "$kernel" --viommu
check "--boot without --firmware: exit 2" 2 "--boot needs --firmware" run --kernel "$kernel" --boot disk
if [ "$(id -u)" != 0 ]; then
	cp "$kernel" "$tmp/locked" && chmod 000 "$tmp/locked"
	check "unreadable kernel: exit 2 naming the file" 2 "--kernel $tmp/locked: Permission denied" run --kernel "$tmp/locked"
fi
