#!/usr/bin/env bash
# The Debian package as a user gets it: scripts/deb builds vfvm_VERSION_amd64.deb, which is
# unpacked into a scratch root; its vfvm runs (--version), its man page renders (man -l), its
# completion and documentation are there, it depends on what vfvm links and recommends seabios,
# and lintian reports no error. Usage: test_deb.sh SRCDIR OUTDIR VERSION
SRC=$1 OUT=$2 VERSION=$3
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); echo "not ok $n - $*"; }
check() { _d=$1; shift; if "$@" >/tmp/vfvm-deb-check.$$ 2>&1; then ok "$_d"; else notok "$_d"; sed 's/^/#   /' /tmp/vfvm-deb-check.$$; fi; rm -f /tmp/vfvm-deb-check.$$; }
for tool in dpkg-buildpackage dh lintian scdoc man; do
	if ! command -v $tool >/dev/null; then
		echo "1..0 # SKIP $tool is not installed (scripts/setup installs the packaging tools)"
		exit 0
	fi
done
rm -rf "$OUT" && mkdir -p "$OUT"
deb=$OUT/vfvm_${VERSION}_amd64.deb
check "scripts/deb builds vfvm_${VERSION}_amd64.deb" "$SRC/scripts/deb" "$OUT"
[ -f "$deb" ] || { echo "1..$n"; exit 1; }
root=$OUT/root
check "the package unpacks into a scratch root" dpkg-deb -x "$deb" "$root"
check "its vfvm runs: vfvm --version says $VERSION" \
	bash -c "[ \"\$('$root/usr/bin/vfvm' --version)\" = 'vfvm $VERSION' ]"
man -l "$root/usr/share/man/man1/vfvm.1.gz" >"$OUT/man.txt" 2>"$OUT/man.err"
check "man -l renders its page vfvm(1), which covers the control socket" \
	grep -q -- '--api-socket' "$OUT/man.txt"
check "the page starts with its name" grep -q 'vfvm - a small KVM virtual machine monitor' "$OUT/man.txt"
check "bash completion installed" test -s "$root/usr/share/bash-completion/completions/vfvm"
# debhelper compresses the larger documents
check "documentation installed (README, control.md, copyright)" bash -c \
	"ls '$root'/usr/share/doc/vfvm/README.md* '$root'/usr/share/doc/vfvm/control.md* '$root'/usr/share/doc/vfvm/copyright"
check "depends on libc6 (what vfvm links), recommends seabios" \
	bash -c "dpkg-deb -f '$deb' Depends | grep -q libc6 && [ \"\$(dpkg-deb -f '$deb' Recommends)\" = seabios ]"
lintian "$deb" >"$OUT/lintian.txt" 2>&1
sed 's/^/#   lintian: /' "$OUT/lintian.txt" | grep -v 'root privileges'
check "lintian reports no error" bash -c "! grep -q '^E:' '$OUT/lintian.txt'"
echo "1..$n"
