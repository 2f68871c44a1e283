#!/bin/bash
# Faults a Pi meets, injected under QEMU; each ends with a device that can
# still be reached, and says the truth:
#   - a start.d script that does not return: SSH is up all the same, and
#     `root2ram status` says the appliance is still starting;
#   - tmpfs sizes: root2ram.size=999999G is cut with a warning; /, /tmp,
#     /run and /dev/shm filled at once leave SSH answering and nothing killed;
#   - a manifest name that is a path (../../etc/shadow) is refused, and no
#     line of the file is shown;
#   - with root2ram.detach=no and the server gone, `nfs status` and
#     `nfs umount` answer at once and tell the truth;
#   - the rescue mount: with the server gone, a command touching /old_root
#     fails within the README's 30 s; a mount with the server stalled gives
#     up within 15 s;
#   - the server stalls while staging: the console says why the boot waits;
#   - no overlay in the NFS root: no switch into a RAM root nobody can
#     reach; the NFS root's own init runs.
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/install.sh"
e2e_init
exp=$(r2r_export)
# a shadow line with a recognisable hash: it must never reach the console
sed -i 's|^root:[^:]*:|root:$6$e2esalt$E2ESECRETHASHDONOTSHOW:|' "$exp/etc/shadow"
grep -q E2ESECRETHASH "$exp/etc/shadow" || e2e_fail "could not plant the test hash in $exp/etc/shadow"

secs() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
# timed GUEST-COMMAND: runs it over SSH (at most 120 s), sets $out and $s (seconds)
timed() {
	local t
	t=$(date +%s.%N)
	out=$(timeout 120 ssh $(e2e_ssh_opts) root@127.0.0.1 "$1" </dev/null 2>&1) || true
	s=$(secs "$t")
	echo "root2ram: e2e: $1: $s s: $(tr '\n' ' ' <<<"$out")" >&2
}
# io_bound WHAT: the ls in $out failed with an I/O error within 30 s
io_bound() {
	local ok=0
	le "$s" 30 && grep -q 'rc 1' <<<"$out" && grep -Eq 'Input/output error|timed out' <<<"$out" && ok=1
	check "with the server $1, ls /old_root fails within 30 s (${s} s: $(head -1 <<<"$out"))" test "$ok" = 1
}

# a start script that does not return (until told): SSH must not wait for it
cat > "$exp/etc/root2ram/start.d/40-hold" <<'HOLD'
#!/bin/sh
[ "$1" = start ] || exit 0
while [ ! -e /tmp/release ]; do sleep 0.2; done
HOLD
chmod 755 "$exp/etc/root2ram/start.d/40-hold"
e2e_nfs_start "$exp"
e2e_boot --export "$exp" --timeout 900 \
	--append "root2ram.manifest=../../etc/shadow root2ram.manifest=e2e root2ram.size=999999G root2ram.detach=no"
e2e_wait_console 'root2ram: switched to RAM|booting the NFS root' 120 >/dev/null
e2e_wait_login 90
out=$(e2e_ssh 'root2ram status; [ -e /tmp/ticker ] && echo TICKER-RUNNING' 2>&1 || true)
check "a start script that hangs does not keep SSH out; status says the appliance is starting" \
	grep -q '^appliance: starting' <<<"$out"
check "and the scripts after it wait (no ticker yet)" bash -c "! grep -q TICKER-RUNNING <<<'$out'"
e2e_ssh 'touch /tmp/release'
e2e_wait_ssh 60
out=$(e2e_ssh 'root2ram status' 2>&1 || true)
check "once it returns, the rest run and status says so ($(grep '^appliance' <<<"$out"))" \
	grep -Eq '^appliance: [0-9]+ start scripts run at [0-9.]+ s of uptime$' <<<"$out"
rm -f "$exp/etc/root2ram/start.d/40-hold"

check "the manifest path is refused with a reason" \
	grep -aq "manifest=../../etc/shadow: a manifest is a name in /etc/root2ram/manifests" "$E2E_CONSOLE"
check "no line of /etc/shadow on the console" bash -c "! grep -aq E2ESECRETHASH '$E2E_CONSOLE'"
line=$(grep -a -m1 'root2ram.size asks for' "$E2E_CONSOLE" || true)
check "root2ram.size=999999G is cut, and said (${line#*root2ram: })" test -n "$line"

# what the four tmpfs may take together, against the RAM the guest has
sizes=$(e2e_ssh 'df -k / /tmp /run /dev/shm | awk "NR > 1 { s += \$2 } END { print s }"; awk "/^MemTotal/ { print \$2 }" /proc/meminfo')
total=$(head -1 <<<"$sizes") ram=$(tail -1 <<<"$sizes")
check "the tmpfs mounts together are at most 80% of RAM (${total} of ${ram} KiB)" \
	test "$total" -le $((ram * 8 / 10))

before=$(e2e_ssh 'cat /run/dropbear.pid; cat /proc/$(cat /run/dropbear.pid)/oom_score_adj; cat /tmp/ticker')
check "dropbear is out of the OOM killer's reach ($(sed -n 2p <<<"$before"))" test "$(sed -n 2p <<<"$before")" = -1000
t=$(date +%s.%N)
e2e_ssh 'for d in / /tmp /run /dev/shm; do dd if=/dev/zero of=$d/fill bs=64k 2>/dev/null & done; wait; df -k / /tmp /run /dev/shm' \
	> "$E2E_DIR/fill.txt" 2>&1 || true
echo "root2ram: e2e: filled the four tmpfs in $(secs "$t") s" >&2
sleep 3
after=$(timeout 30 ssh $(e2e_ssh_opts) root@127.0.0.1 'cat /run/dropbear.pid; cat /tmp/ticker; dmesg | grep -c -E "Out of memory|Killed process" || true' </dev/null 2>&1) || after=""
check "with /, /tmp, /run and /dev/shm full, SSH still answers" test -n "$after"
check "dropbear was not restarted" test "$(sed -n 1p <<<"$after")" = "$(sed -n 1p <<<"$before")"
check "the appliance kept counting ($(sed -n 3p <<<"$before") -> $(sed -n 2p <<<"$after"))" \
	test "$(sed -n 2p <<<"$after")" -gt "$(sed -n 3p <<<"$before")"
check "nothing was killed for memory" test "$(sed -n 3p <<<"$after")" = 0
check "the filled tmpfs are full (df shows 100%)" test "$(grep -c ' 100% ' "$E2E_DIR/fill.txt")" = 4
e2e_ssh 'rm -f /fill /tmp/fill /run/fill /dev/shm/fill'

# detach=no: the NFS root stays at /old_root, hard-mounted; the server goes
e2e_nfs_stop
timed '/sbin/root2ram nfs status'
ok=0
le "$s" 5 && grep -q '/old_root: mounted' <<<"$out" && ok=1
check "nfs status with the server gone answers in ${s} s (at most 5): ${out##*$'\n'}" test "$ok" = 1
timed '/sbin/root2ram nfs umount; echo "rc $?"; grep -c " /old_root " /proc/mounts'
check "nfs umount with the server gone answers in ${s} s (at most 5)" le "$s" 5
check "nfs umount released it, and says so ($(head -1 <<<"$out"))" \
	test "$(tr '\n' ' ' <<<"$out")" = "root2ram: nfs: /old_root released rc 0 0 "

# the rescue mount, bounded
e2e_nfs_start "$exp"
out=$(e2e_ssh '/sbin/root2ram nfs mount' 2>&1) || true
check "nfs mount brings the old root back ($out)" grep -q 'mounted on /old_root' <<<"$out"
e2e_nfs_stop
timed 'ls /old_root/etc >/dev/null; echo "rc $?"'
io_bound gone
e2e_ssh '/sbin/root2ram nfs umount' >/dev/null 2>&1 || true
# the same with the server stalled (SIGSTOP: connected, never answering)
e2e_nfs_start "$exp"
e2e_ssh '/sbin/root2ram nfs mount' >/dev/null 2>&1 || true
e2e_nfs_pause
timed 'ls /old_root/usr >/dev/null; echo "rc $?"'
e2e_nfs_resume
io_bound stalled
e2e_ssh '/sbin/root2ram nfs umount' >/dev/null 2>&1 || true
e2e_nfs_pause
timed '/sbin/root2ram nfs mount; echo "rc $?"; grep -c " /old_root " /proc/mounts'
e2e_nfs_resume
ok=0
le "$s" 20 && grep -q 'the server did not answer in 15 s' <<<"$out" && grep -q 'rc 111' <<<"$out" && ok=1
check "with the server stalled, nfs mount gives up within 20 s (${s} s) and says why" test "$ok" = 1
e2e_ssh 'reboot -f' </dev/null >/dev/null 2>&1 || true
e2e_wait_exit 30

# the server stalls while staging copies a large file: the console says why
# the boot waits, and that it goes on; the file arrives whole
head -c 24M /dev/urandom > "$exp/var/big.bin"
printf 'include e2e\n/var/big.bin\n' > "$exp/etc/root2ram/manifests/stall.manifest"
rm -f "$E2E_CONSOLE"
e2e_boot --export "$exp" --append "root2ram.manifest=stall" --timeout 400
e2e_wait_console 'root2ram: planned' 120 >/dev/null
e2e_nfs_pause
sleep 12
e2e_nfs_resume
line=$(e2e_wait_console 'root2ram: switched to RAM|booting the NFS root' 200)
w=$(grep -a -m1 'staging waits for the NFS server' "$E2E_CONSOLE" || true)
g=$(grep -a -m1 'staging goes on after' "$E2E_CONSOLE" || true)
check "a stalled server during staging is said on the console (${w#*root2ram: })" \
	grep -Eq 'no progress for 5 s while copying /[^ ]+ \([0-9]+ of [0-9]+ files done\)' <<<"$w"
check "and that staging goes on (${g#*root2ram: })" test -n "$g"
check "after the stall the boot switches to RAM" grep -q 'switched to RAM' <<<"$line"
e2e_wait_ssh 90
check "the file copied through the stall is whole" \
	test "$(e2e_ssh sha256sum /var/big.bin | cut -d' ' -f1)" = "$(sha256sum < "$exp/var/big.bin" | cut -d' ' -f1)"
e2e_ssh 'reboot -f' </dev/null >/dev/null 2>&1 || true
e2e_wait_exit 30
rm -f "$exp/var/big.bin"

# no overlay: the RAM root would have no inittab, no rcS, no SSH
rm -rf "$exp/etc/root2ram/overlay"
# (the NFS root's init is another file than /sbin/init, which the RAM root
# has too, as busybox)
cat > "$exp/sbin/nfs-init" <<'INIT'
#!/bin/busybox sh
echo "NFS-ROOT-INIT-RAN as pid $$"
/bin/busybox reboot -f
INIT
chmod 755 "$exp/sbin/nfs-init"
# ganesha caches directories: a tree changed under it is served anew after a restart
e2e_nfs_stop
e2e_nfs_start "$exp"
rm -f "$E2E_CONSOLE"
e2e_boot --export "$exp" --ssh-port 0 --append "root2ram.manifest=e2e root2ram.fallback=/sbin/nfs-init" --timeout 120
e2e_wait_exit 120
line=$(grep -a -m1 "booting the NFS root's /sbin/nfs-init instead" "$E2E_CONSOLE" || true)
check "no overlay: root2ram says what the RAM root lacks (${line#*root2ram: })" \
	grep -Eq 'no /etc/inittab|inittab' <<<"$line"
check "no overlay: the NFS root's own init ran" grep -aq '^NFS-ROOT-INIT-RAN as pid 1' "$E2E_CONSOLE"

e2e_pass
