# shellcheck shell=bash
# Shared by the nested harness scripts (sourced).
note() { printf '# nested: %s\n' "$*" >&2; }
die() { printf 'nested: error: %s\n' "$*" >&2; exit 1; }
now_us() { echo "${EPOCHREALTIME/./}"; }
since() {
	local d=$(($(now_us) - $1))
	printf '%d.%d' $((d / 1000000)) $((d / 100000 % 10))
}
# prepare_build DIR: DIR set up (meson setup when it has no build.ninja yet) and built, with
# DIR/nested/logs; prints its absolute path. For scripts that may meet a fresh build directory.
prepare_build() {
	local out
	if [ ! -f "$1/build.ninja" ]; then
		out=$(meson setup "$1" "$SRC" 2>&1) || { printf '%s\n' "$out" >&2; die "meson setup $1 failed"; }
	fi
	out=$(ninja -C "$1" 2>&1) || { printf '%s\n' "$out" >&2; die "ninja -C $1 failed"; }
	mkdir -p "$1/nested/logs"
	(cd "$1" && pwd)
}
# nested_lock: take one of the machine's slots for an L0 QEMU on fd 9, held until the script exits.
# A TCG guest wants a core to itself: as many slots as cores, so that runs beyond that wait instead of
# all crawling. Slot 0 is the lock file older checkouts take alone.
nested_lock() {
	local base=${TMPDIR:-/tmp}/vfvm-nested.lock n i f waited=
	n=$(nproc)
	while :; do
		for ((i = 0; i < n; i++)); do
			f=$base
			[ "$i" = 0 ] || f=$base.$i
			exec 9>"$f"
			if flock -n 9; then
				[ -z "$waited" ] || note "got nested slot $i after waiting"
				return 0
			fi
		done
		[ -n "$waited" ] || note "all $n nested slots ($base*) are held by other runs; waiting"
		waited=1
		sleep 3
	done
}
# bench_suite NAME BUILDDIR: run the benchmark suite NAME (tests/nested/suites/9N-NAME.sh, which runs
# only when named) in one nested run and print its "# bench: " lines; exit 1 when the run or a check
# of the suite failed. For the scripts/bench-* wrappers.
bench_suite() {
	local name=$1 build tap
	build=$(prepare_build "$2")
	"$SRC/scripts/nested/run" --suites "$name" "$build" >"$build/nested/logs/$name.out" 2>&1 || {
		echo "$name: the nested run failed; see $build/nested/logs/$name.out" >&2
		tail -n 20 "$build/nested/logs/$name.out" >&2
		exit 1
	}
	tap=$build/nested/results/$name.tap
	[ -f "$tap" ] || die "$name: L1 did not run the benchmark (see $build/nested/logs/serial.log)"
	sed -n 's/^# bench: //p' "$tap"
	if grep -q '^not ok' "$tap"; then
		grep '^not ok' "$tap" >&2
		exit 1
	fi
}
