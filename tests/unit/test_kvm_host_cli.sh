#!/bin/sh
# What `vfvm check` and `vfvm run` say about the kind of /dev/kvm, on trees named by VFVM_HOST_ROOT
# (a testing aid of the vfvm binary): none, kvm_amd, kvm_pvm, unknown. A regular file stands in for
# /dev/kvm, so `check` then fails at the API version: the kind comes before that failure. TAP.
vfvm=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/bzImage"
. "$(dirname "$0")/cli-check.sh"

# host NAME dev|nodev MODULE...: a tree $tmp/NAME with or without /dev/kvm, and these modules
host() {
	name=$1 dev=$2
	shift 2
	mkdir -p "$tmp/$name/sys/module/kvm" "$tmp/$name/dev"
	for m in "$@"; do mkdir -p "$tmp/$name/sys/module/$m"; done
	[ "$dev" = nodev ] || : >"$tmp/$name/dev/kvm"
	export VFVM_HOST_ROOT=$tmp/$name
}

pvm_line='/dev/kvm is kvm_pvm, a KVM without hardware virtualization: a guest kernel built without PVM guest support will not boot'

host none nodev kvm_pvm
check "check without /dev/kvm: kind none, exit 1" 1 '^kvm kind none$' check
check "check without /dev/kvm: says it is missing" 1 'kvm is missing: load kvm-intel or kvm-amd' check
host amd dev kvm_amd
check "check on kvm_amd: kind hardware kvm_amd" 1 '^kvm kind hardware kvm_amd$' check
n=$((n + 1))
if "$vfvm" check 2>&1 | grep -q warning; then
	echo "not ok $n - check on kvm_amd warns of nothing"
	fail=1
else
	echo "ok $n - check on kvm_amd warns of nothing"
fi
host pvm dev kvm_pvm
check "check on kvm_pvm: kind other kvm_pvm" 1 '^kvm kind other kvm_pvm$' check
check "check on kvm_pvm: one line says what will not work" 1 "^vfvm check: warning: $pvm_line" check
host unknown dev
check "check on an unknown KVM: kind other unknown" 1 '^kvm kind other unknown$' check
check "check on an unknown KVM: says it is neither kvm_intel nor kvm_amd" 1 \
	'^vfvm check: warning: /dev/kvm is a KVM of unknown kind (neither kvm_intel nor kvm_amd)' check

# run opens the real /dev/kvm: exit 1 without one, 2 for the empty kernel with one. Either way the
# line about the kind must come first.
host pvm dev kvm_pvm
n=$((n + 1))
out=$("$vfvm" run --kernel "$tmp/bzImage" </dev/null 2>&1)
rc=$?
if { [ $rc = 1 ] || [ $rc = 2 ]; } &&
	printf '%s\n' "$out" | head -n 1 | grep -q "^vfvm run: warning: $pvm_line"; then
	echo "ok $n - run on kvm_pvm: the first line says what will not work (exit $rc)"
else
	echo "not ok $n - run on kvm_pvm: the first line says what will not work (exit $rc)"
	printf '%s\n' "$out" | sed 's/^/#   /'
	fail=1
fi
host amd2 dev kvm_amd
n=$((n + 1))
if "$vfvm" run --kernel "$tmp/bzImage" </dev/null 2>&1 | grep -q 'warning: /dev/kvm'; then
	echo "not ok $n - run on kvm_amd says nothing about the kind"
	fail=1
else
	echo "ok $n - run on kvm_amd says nothing about the kind"
fi
echo "1..$n"
exit $fail
