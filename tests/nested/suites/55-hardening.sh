# Suite "hardening": every thread of a running vfvm is under its seccomp filter (Seccomp: 2); started
# as root with --user NAME, vfvm runs the guest as NAME with no capability and no_new_privs; an ordinary
# user given /dev/kvm, the group's /dev/vfio/N and a memlock limit of guest RAM runs it without root,
# and `vfvm check` tells that user which of the three is missing. The e1000 (INTx) serves as the
# device. It has no reset at all, so a guest ended by a signal in the middle of traffic leaves its
# receive ring running in L0's model, which the next guest's driver then sees DMA through (a DMAR
# fault in L1, as with the e1000e: docs/testing.md, known faults): each guest starts on a quiet one.
. /lib/vfvm/tap.sh

GRP=$(iommu_group $E1000)
USER_NAME=vfvmuser USER_ID=4242
# L1 has no user database: root (su looks its caller up) and the test user
grep -q "^root:" /etc/passwd 2>/dev/null || echo "root:x:0:0:root:/root:/bin/sh" >>/etc/passwd
grep -q "^root:" /etc/group 2>/dev/null || echo "root:x:0:" >>/etc/group
grep -q "^$USER_NAME:" /etc/passwd 2>/dev/null ||
	echo "$USER_NAME:x:$USER_ID:$USER_ID:vfvm test user:/tmp:/bin/sh" >>/etc/passwd
grep -q "^$USER_NAME:" /etc/group 2>/dev/null || echo "$USER_NAME:x:$USER_ID:" >>/etc/group

not_refused() { ! grep -q 'vfvm: seccomp:' "$1"; }
not_missing() { ! grep -q 'missing for uid' "$1"; }
exited_saying() { [ "$1" = "$2" ] && grep -q -- "$3" "$4"; } # exited_saying RC WANT PATTERN FILE
# the nodes an ordinary user is given below start as root's alone, whatever L1's defaults are
kvm_mode=$(stat -c %a /dev/kvm) grp_mode=$(stat -c %a /dev/vfio/$GRP)
chmod 600 /dev/kvm /dev/vfio/$GRP

# bg_guest LOG CMD...: a guest pinging 15 times over the e1000, started in the background; waits for
# L2's marker (or CMD's end: a vfvm that failed at start-up) and sets $vpid to vfvm's pid (found by
# name: CMD may be su or vfvm itself)
bg_guest() {
	_log=$1
	shift
	# the same registers as the e1000e's (RCTL, TCTL, IMC): only while no VMM holds the device
	[ "$(driver_of $E1000)" != vfio-pci ] || e1000e_quiesce $E1000 || diag "could not quiet $E1000"
	: >$_log
	rm -f $_log.rc
	("$@" </dev/null >$_log 2>&1; echo $? >$_log.rc) &
	wait_log $_log L2-MARKER 900 || :
	vpid=$(pidof vfvm | awk '{ print $1 }')
}
wait_guest() { # wait_guest LOG: until the background guest ended (at most 120 s)
	_i=0
	while [ ! -s $1.rc ] && [ $_i -lt 1200 ]; do sleep 0.1; _i=$((_i + 1)); done
	show_log $1 "$(basename $1 .log)" | grep -E 'L2-RESULT|L2-END|vfvm'
}
status_of() { # status_of PID KEY: the value of /proc/PID/status's KEY line, tabs as spaces
	awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ /, ""); print }' /proc/$1/status 2>/dev/null
}
GUEST="vfvm run --kernel $GUEST_KERNEL --initrd $GUEST_INITRD --memory 256M"
WORDS="quiet rdinit=/init vfvm.test=net vfvm.ping=15"

# --- seccomp, on by default: each thread of a running vfvm has its filter
bg_guest /tmp/sc.log $GUEST --stats --cmdline "$WORDS" --vfio $E1000
check "seccomp: a guest runs (vfvm pid ${vpid:-none})" [ -n "$vpid" ]
threads=0 filtered=0
for t in /proc/$vpid/task/*; do
	s=$(awk '$1 == "Seccomp:" { print $2 }' $t/status 2>/dev/null)
	[ -n "$s" ] || continue
	threads=$((threads + 1))
	[ "$s" = 2 ] && filtered=$((filtered + 1))
	diag "thread $(basename $t) ($(cat $t/comm 2>/dev/null)): Seccomp: $s"
done
check "seccomp: every thread of the running vfvm is filtered ($filtered of $threads, Seccomp: 2)" \
	[ "$threads" -ge 2 -a "$filtered" = "$threads" ]
wait_guest /tmp/sc.log
check "seccomp: the guest pinged 15/15 and powered off, exit 0 ($(pings /tmp/sc.log e1000), exit $(cat /tmp/sc.log.rc))" \
	[ "$(pings /tmp/sc.log e1000)/$(cat /tmp/sc.log.rc)" = 15/15/0 ]
check "seccomp: no system call was refused" not_refused /tmp/sc.log
# what the filters cost, one sample each (a benchmark, not an assertion): start-up and ping RTT
bg_guest /tmp/nosc.log $GUEST --stats --seccomp off --cmdline "$WORDS" --vfio $E1000
wait_guest /tmp/nosc.log >/dev/null
startup() { sed -n 's/.*start-up (main() to the first KVM_RUN): \([0-9.]*\) ms.*/\1/p' "$1"; }
rtt() { l2_result "$1" ping e1000 | sed -n 's/.*rtt_min\/avg\/max=\([^ ]*\).*/\1/p'; }
diag "cost of seccomp, one run each: start-up $(startup /tmp/sc.log) ms with, $(startup /tmp/nosc.log) ms without; e1000 ping rtt min/avg/max $(rtt /tmp/sc.log) ms with, $(rtt /tmp/nosc.log) ms without"

# --- --user: root opens everything, then the guest runs as the user
as_user() { su -s /bin/sh $USER_NAME -c "$*"; }
# its control socket is the user's, in a directory the user may write (to remove it at exit)
mkdir -p /tmp/usock && chown $USER_ID:$USER_ID /tmp/usock && chmod 700 /tmp/usock
bg_guest /tmp/user.log $GUEST --user $USER_NAME --api-socket /tmp/usock/vfvm.sock --cmdline "$WORDS" \
	--vfio $E1000
sock_owner=$(stat -c '%u:%g %a' /tmp/usock/vfvm.sock 2>/dev/null)
as_user "vfvm ctl /tmp/usock/vfvm.sock status" </dev/null >/tmp/ustatus.json 2>&1
check "--user: the control socket is the user's, mode 600 ($sock_owner)" \
	[ "$sock_owner" = "$USER_ID:$USER_ID 600" ]
check "--user: the user asks the running vfvm for its status" grep -q '"running"' /tmp/ustatus.json
uid=$(status_of $vpid Uid) gid=$(status_of $vpid Gid) capeff=$(status_of $vpid CapEff)
capprm=$(status_of $vpid CapPrm) capbnd=$(status_of $vpid CapBnd) nnp=$(status_of $vpid NoNewPrivs)
sc=$(status_of $vpid Seccomp)
diag "--user $USER_NAME, /proc/$vpid/status: Uid: $uid | Gid: $gid | CapEff: $capeff | CapPrm: $capprm | CapBnd: $capbnd | NoNewPrivs: $nnp | Seccomp: $sc"
check "--user: the running vfvm's uid is the user's ($uid)" [ "$uid" = "$USER_ID $USER_ID $USER_ID $USER_ID" ]
check "--user: no capability left (CapEff $capeff, CapPrm $capprm, CapBnd $capbnd)" \
	[ "$capeff$capprm$capbnd" = 000000000000000000000000000000000000000000000000 ]
check "--user: no_new_privs set, seccomp on (NoNewPrivs $nnp, Seccomp $sc)" [ "$nnp/$sc" = 1/2 ]
wait_guest /tmp/user.log
check "--user: the guest pinged 15/15 and powered off, exit 0 ($(pings /tmp/user.log e1000), exit $(cat /tmp/user.log.rc))" \
	[ "$(pings /tmp/user.log e1000)/$(cat /tmp/user.log.rc)" = 15/15/0 ]
check "--user: the device is back on vfio-pci" [ "$(driver_of $E1000)" = vfio-pci ]
check "--user: the control socket is gone after exit" [ ! -e /tmp/usock/vfvm.sock ]
# a socket in a directory only root may write would outlive the user's vfvm: refused up front
mkdir -p /tmp/rootonly && chmod 755 /tmp/rootonly
vfvm run --kernel $GUEST_KERNEL --user $USER_NAME --api-socket /tmp/rootonly/vfvm.sock \
	--vfio $E1000 </dev/null >/tmp/us.out 2>&1
rc=$?
check "--user with a socket in a root-only directory is refused up front, exit 2 ($rc)" \
	exited_saying $rc 2 "user $USER_NAME may not write /tmp/rootonly" /tmp/us.out
check "--user: the refused run left no socket behind" [ ! -e /tmp/rootonly/vfvm.sock ]
grep vfvm /tmp/us.out | sed 's/^/#   /'
vfvm run --kernel $GUEST_KERNEL --user $USER_NAME --vfio $E1000,bind </dev/null >/tmp/ub.out 2>&1
rc=$?
check "--user with --vfio ADDR,bind is refused up front, exit 2 ($rc)" \
	exited_saying $rc 2 "cannot be combined with --user" /tmp/ub.out
grep vfvm /tmp/ub.out | sed 's/^/#   /'

# --- an ordinary user, no root at all: what is missing, then given each, a guest
(ulimit -l 1024; as_user "vfvm check --memory 256M $E1000" </dev/null >/tmp/chk.out 2>&1)
sed 's/^/#   /' /tmp/chk.out | grep 'missing'
check "check as $USER_NAME names /dev/kvm" grep -q "missing for uid $USER_ID: /dev/kvm: Permission denied" /tmp/chk.out
check "check as $USER_NAME names /dev/vfio/$GRP" \
	grep -q "missing for uid $USER_ID: permission denied opening /dev/vfio/$GRP" /tmp/chk.out
check "check as $USER_NAME names the memlock limit (1024 KiB < 256 MiB)" \
	grep -q "missing for uid $USER_ID: the memlock limit (1024 KiB) is below the guest RAM (262144 KiB)" /tmp/chk.out
chown $USER_NAME /dev/kvm /dev/vfio/$GRP
(ulimit -l 300000; as_user "vfvm check --memory 256M $E1000" </dev/null >/tmp/chk2.out 2>&1)
check "check as $USER_NAME, given all three: nothing missing" not_missing /tmp/chk2.out
bg_guest /tmp/plain.log sh -c "ulimit -l 300000 && su -s /bin/sh $USER_NAME -c '$GUEST --cmdline \"$WORDS\" --vfio $E1000'"
uid=$(status_of $vpid Uid) capeff=$(status_of $vpid CapEff) sc=$(status_of $vpid Seccomp)
diag "as $USER_NAME without root, /proc/$vpid/status: Uid: $uid | CapEff: $capeff | Seccomp: $sc"
check "as $USER_NAME without root: vfvm runs with its uid, no capability ($uid, $capeff)" \
	[ "$uid/$capeff" = "$USER_ID $USER_ID $USER_ID $USER_ID/0000000000000000" ]
wait_guest /tmp/plain.log
check "as $USER_NAME without root: the guest pinged 15/15, exit 0 ($(pings /tmp/plain.log e1000), exit $(cat /tmp/plain.log.rc))" \
	[ "$(pings /tmp/plain.log e1000)/$(cat /tmp/plain.log.rc)" = 15/15/0 ]
(ulimit -l 1024; as_user "$GUEST --cmdline quiet --vfio $E1000" </dev/null >/tmp/ml.out 2>&1)
rc=$?
check "as $USER_NAME with a 1 MiB memlock limit: refused before the guest starts, exit 1 ($rc)" \
	exited_saying $rc 1 "the memlock limit (1024 KiB) is below the guest RAM" /tmp/ml.out
sed 's/^/#   /' /tmp/ml.out
chown root /dev/kvm /dev/vfio/$GRP
chmod $kvm_mode /dev/kvm
chmod $grp_mode /dev/vfio/$GRP

# --- signals: SIGHUP; SIGINT with a SIGTERM right behind it (during the teardown); SIGKILL, after
# which the kernel releases the device and the next guest starts at once
sig_guest() { # sig_guest NAME SIGNAL [SECOND-SIGNAL]
	bg_guest /tmp/$1.log $GUEST --cmdline "$WORDS" --vfio $E1000
	sleep 2
	kill -$2 $vpid
	[ -n "$3" ] && kill -$3 $vpid 2>/dev/null
	wait_guest /tmp/$1.log
}
sig_guest hup HUP
check "SIGHUP ends vfvm with exit 1 and says so (exit $(cat /tmp/hup.log.rc))" \
	exited_saying "$(cat /tmp/hup.log.rc)" 1 "stopped by SIGHUP" /tmp/hup.log
sig_guest int INT TERM
check "SIGINT, then SIGTERM during the teardown: exit 1, the first signal named (exit $(cat /tmp/int.log.rc))" \
	exited_saying "$(cat /tmp/int.log.rc)" 1 "stopped by SIGINT" /tmp/int.log
check "no vfvm left after the signals" [ -z "$(pidof vfvm)" ]
sig_guest kill KILL
check "SIGKILL: vfvm is gone (exit $(cat /tmp/kill.log.rc))" [ "$(cat /tmp/kill.log.rc)" = 137 ]
bg_guest /tmp/afterkill.log $GUEST --cmdline "$WORDS" --vfio $E1000
wait_guest /tmp/afterkill.log
check "after SIGKILL the next guest starts at once and pings ($(pings /tmp/afterkill.log e1000), exit $(cat /tmp/afterkill.log.rc))" \
	[ "$(pings /tmp/afterkill.log e1000)/$(cat /tmp/afterkill.log.rc)" = 15/15/0 ]
check "the e1000 is back on vfio-pci" [ "$(driver_of $E1000)" = vfio-pci ]
done_testing
