#!/bin/sh
# The vfvm executable's top-level command line: help, version, unknown commands. TAP.
vfvm=$1
. "$(dirname "$0")/cli-check.sh"
check "--help lists the commands and exits 0" 0 'Usage: vfvm COMMAND' --help
check "--version prints the version and exits 0" 0 '^vfvm [0-9]' --version
check "no command is a usage error (exit 2)" 2 'Usage: vfvm' 
check "an unknown command is named, exit 2" 2 "unknown command 'frobnicate'" frobnicate
check "check --help explains the command, exit 0" 0 'Usage: vfvm check' check --help
check "check names a malformed address, exit 2" 2 "'12:xx' is not a PCI device address" check 12:xx
check "check names an option it does not know, exit 2" 2 "'--frob' is not a PCI device" check --frob
check "check names a device that does not exist, exit 1" 1 '0000:ff:1f.7: no such PCI device' \
	check /sys/bus/pci/devices/0000:ff:1f.7
check "ctl --help lists its commands, exit 0" 0 'powerdown' ctl --help
check "ctl without SOCKET and COMMAND is a usage error" 2 'SOCKET and COMMAND are needed' ctl
check "ctl takes one command at a time" 2 'one COMMAND at a time' ctl /tmp/s status stop
check "ctl names an option it does not know" 2 "unknown option '--frob'" ctl /tmp/s --frob
check "ctl names a socket nobody listens on, exit 1" 1 '/nonexistent/vfvm.sock: No such file' \
	ctl /nonexistent/vfvm.sock status
check "run refuses a file that is no socket as --api-socket, exit 2" 2 \
	'--api-socket /dev/null: the file exists and is not a socket' \
	run --kernel "$0" --api-socket /dev/null
echo "1..$n"
exit $fail
