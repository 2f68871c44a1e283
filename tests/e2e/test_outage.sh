#!/bin/bash
# The NFS server goes away after the boot: for 60 s SSH keeps answering,
# commands run and the appliance started by rcS keeps making progress.
# When the server is back, `root2ram nfs mount` brings the old root back
# and `root2ram nfs umount` releases it; `root2ram nfs chroot` runs commands
# inside it with /proc and /dev, and releases it after.
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/install.sh"
e2e_init
exp=$(r2r_export)
e2e_nfs_start "$exp"
e2e_boot --export "$exp" --append "root2ram.manifest=e2e" --timeout 900
e2e_wait_console 'root2ram: switched to RAM' 120 >/dev/null
e2e_wait_ssh 90

t0=$(e2e_ssh cat /tmp/ticker)
e2e_nfs_stop
echo "root2ram: e2e: NFS server stopped; ticker at $t0" >&2
mapfile -t opts < <(e2e_ssh_opts)
ok=0 tries=0
end=$(($(date +%s) + 60))
while [ "$(date +%s)" -lt "$end" ]; do
	tries=$((tries + 1))
	# a hang would show as a timeout here, not as a stuck test
	if out=$(timeout 20 ssh "${opts[@]}" root@127.0.0.1 'ls / >/dev/null && ps >/dev/null && cat /tmp/ticker' </dev/null); then
		ok=$((ok + 1))
		last=$out
	fi
	sleep 5
done
check "SSH answered and ran commands $ok of $tries times in 60 s without the NFS server" test "$ok" = "$tries" -a "$tries" -ge 8
check "the appliance kept counting (ticker $t0 -> ${last:-?})" test "${last:-0}" -ge $((t0 + 50))

e2e_nfs_start "$exp"
out=$(e2e_ssh '/sbin/root2ram nfs mount && cat /old_root/etc/root2ram/root2ram.conf >/dev/null && /sbin/root2ram nfs status' 2>&1) || true
check "root2ram nfs mount brings the old root back ($(tail -1 <<<"$out"))" grep -q '/old_root: mounted' <<<"$out"
out=$(e2e_ssh '/sbin/root2ram nfs umount; grep -c " nfs" /proc/mounts' 2>&1) || true
check "root2ram nfs umount releases it" test "$(tail -1 <<<"$out")" = 0

# nfs chroot: a command runs inside the NFS root with /proc and /dev, scratch in
# /tmp stays in RAM, the exit status comes back, and the root is released after
out=$(e2e_ssh '/sbin/root2ram nfs chroot sh -c "cat /etc/debian_version; test -r /proc/self/mounts && test -c /dev/null && echo proc-dev-ok; echo x > /tmp/r2r-scratch"' 2>&1) || true
check "root2ram nfs chroot runs a command in the NFS root ($(tr '\n' ' ' <<<"$out"))" \
	test "$out" = "$(cat "$exp/etc/debian_version")
proc-dev-ok"
check "nfs chroot: /tmp in the chroot is not the server's" test ! -e "$exp/tmp/r2r-scratch"
out=$(e2e_ssh '/sbin/root2ram nfs chroot sh -c "exit 7"; echo "status $?"; grep -c " nfs" /proc/mounts' 2>&1) || true
check "nfs chroot: the command's exit status, and the NFS root released after ($(tr '\n' ' ' <<<"$out"))" \
	test "$out" = "status 7
0"

e2e_ssh 'reboot -f' </dev/null >/dev/null 2>&1 || true
e2e_wait_exit 30
e2e_pass
