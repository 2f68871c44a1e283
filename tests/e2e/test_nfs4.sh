#!/bin/bash
# An NFSv4.1 root (many NAS boxes serve only v4; the kernel mounts
# nfsroot=...,vers=4.1 without the MOUNT protocol): the whole chain works
# as on v3: plan, stage, switch, detach, `root2ram status`, and the old root
# back on demand with what the boot recorded (`nfs mount`, `nfs chroot`);
# a root booted `ro` comes back read-only unless --rw.
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/install.sh"
e2e_init
exp=$(r2r_export)
e2e_nfs_start "$exp"
e2e_boot --export "$exp" --nfs-vers 4.1 --append "root2ram.manifest=e2e" --timeout 600
line=$(e2e_wait_console 'root2ram: switched to RAM|booting the NFS root' 120)
check "an NFSv4.1 root: root2ram switched to RAM ($line)" grep -q 'switched to RAM' <<<"$line"
check "the kernel mounted the root as v4.1" grep -aq 'root2ram: staged' "$E2E_CONSOLE"
e2e_wait_ssh 90

mounts=$(e2e_ssh cat /proc/mounts)
check "/ is a tmpfs" awk '$2 == "/" && $3 == "tmpfs" { ok = 1 } END { exit !ok }' <<<"$mounts"
check "no NFS mount is left" awk '$3 ~ /^nfs/ { bad = 1 } END { exit bad }' <<<"$mounts"
status=$(e2e_ssh /sbin/root2ram status)
check "root2ram status records an nfs4 root" grep -q '^  fstype=nfs4$' <<<"$status"
check "... mounted with vers=4.1" grep -q '^  super_options=.*vers=4\.1' <<<"$status"

out=$(e2e_ssh '/sbin/root2ram nfs mount && cat /old_root/etc/debian_version && grep " /old_root " /proc/mounts' 2>&1) || true
check "nfs mount brings the v4 root back ($(head -1 <<<"$out"))" grep -q "^$(cat "$exp/etc/debian_version")\$" <<<"$out"
check "... as nfs4 with the soft options" grep -Eq ' /old_root nfs4 .*vers=4\.1.*soft' <<<"$out"
out=$(e2e_ssh '/sbin/root2ram nfs umount; /sbin/root2ram nfs chroot sh -c "cat /etc/debian_version"; echo "status $?"; grep -c " nfs" /proc/mounts' 2>&1) || true
check "nfs chroot runs a command in the v4 root and releases it ($(tr '\n' ' ' <<<"$out"))" \
	test "$(tail -3 <<<"$out" | tr '\n' ' ')" = "$(cat "$exp/etc/debian_version") status 0 0 "

e2e_ssh 'reboot -f' </dev/null >/dev/null 2>&1 || true
e2e_wait_exit 30

# booted read-only (`ro` on the command line): staging only reads, and the old
# root comes back read-only unless --rw is asked for
rm -f "$E2E_CONSOLE"
e2e_boot --export "$exp" --nfs-vers 4.1 --append "ro root2ram.manifest=e2e" --timeout 600
line=$(e2e_wait_console 'root2ram: switched to RAM|booting the NFS root' 120)
check "a read-only NFSv4.1 root: root2ram switched to RAM ($line)" grep -q 'switched to RAM' <<<"$line"
e2e_wait_ssh 90
out=$(e2e_ssh '/sbin/root2ram nfs mount; touch /old_root/r2r-probe; echo "touch $?"' 2>&1) || true
check "nfs mount keeps the boot's ro ($(head -1 <<<"$out"))" \
	bash -c "grep -q 'read-only' <<<\"\$1\" && grep -q 'touch 1' <<<\"\$1\"" _ "$out"
out=$(e2e_ssh '/sbin/root2ram nfs umount >/dev/null; /sbin/root2ram nfs mount --rw; touch /old_root/r2r-probe; echo "touch $?"; rm -f /old_root/r2r-probe' 2>&1) || true
check "nfs mount --rw writes ($(head -1 <<<"$out"))" \
	bash -c "grep -q 'read-write' <<<\"\$1\" && grep -q 'touch 0' <<<\"\$1\"" _ "$out"
check "... and only where asked (the probe is gone)" test ! -e "$exp/r2r-probe"
e2e_ssh 'reboot -f' </dev/null >/dev/null 2>&1 || true
e2e_wait_exit 30
e2e_pass
