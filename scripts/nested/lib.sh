# shellcheck shell=bash
# Shared by the nested harness scripts (sourced).
note() { printf '# nested: %s\n' "$*" >&2; }
die() { printf 'nested: error: %s\n' "$*" >&2; exit 1; }
now_us() { echo "${EPOCHREALTIME/./}"; }
since() {
	local d=$(($(now_us) - $1))
	printf '%d.%d' $((d / 1000000)) $((d / 100000 % 10))
}
