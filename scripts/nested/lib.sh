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
