# tests/e2e/pios.sh - sourced by test_pios_arm64.sh and test_pios_armhf.sh after
# R2R_E2E_ROOT is set: a Raspberry Pi OS shaped root (systemd as /sbin/init, OpenSSH,
# dropbear and busybox-static installed, the pi user, ld.so.cache; armhf: the
# libarmmem-${PLATFORM}.so preload) on QEMU virt with the arm64 kernel.
# root2ram installed by scripts/install.sh boots the default manifest into RAM:
# SSH with the installed key, / a tmpfs, no NFS mount left, the server stopped for
# 60 s changes nothing, root2ram nfs mount/chroot work. Then a failing manifest
# falls back into systemd on the NFS root, which boots to multi-user.target on the
# console, then SSH through the root's own OpenSSH (R2R_E2E_PIOS_SSH=0 skips that).
# Prints the boot times: QEMU start -> SSH, and the init's own "switched in".
# shellcheck shell=bash
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/install.sh"
e2e_init
exp=$(r2r_export)
want_init=$E2E_ARCH
check "install.sh put the $want_init init into the $E2E_ROOT export" \
	cmp -s "$exp/sbin/root2ram" "$E2E_B/$want_init/root2ram.stripped"
e2e_nfs_start "$exp"

t0=$(date +%s.%N)
e2e_boot --export "$exp" --mem 512 --timeout 900
e2e_wait_console 'root2ram: switched to RAM|booting the NFS root' 240 >/dev/null
sw=$(grep -a -m1 -o 'switched to RAM in [0-9.]* s' "$E2E_CONSOLE" || true)
check "root2ram switched to RAM on $E2E_ROOT (${sw:-no such line})" test -n "$sw"
e2e_wait_ssh 120
tssh=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
echo "root2ram: e2e: $E2E_ROOT: QEMU start -> SSH ${tssh} s; init: ${sw:-?}" >&2
echo "BOOT-TIMES $E2E_ROOT ssh=$tssh ${sw:+switch=$(echo "$sw" | awk '{ print $(NF-1) }')}" >&2

out=$(e2e_ssh 'grep " / " /proc/mounts; grep -c " nfs" /proc/mounts; uname -m' 2>&1) || true
check "/ is a tmpfs ($(head -1 <<<"$out"))" grep -q '^[^ ]* / tmpfs ' <<<"$out"
check "no NFS mount is left" test "$(sed -n 2p <<<"$out")" = 0
check "the kernel is arm64 ($(sed -n 3p <<<"$out"))" test "$(sed -n 3p <<<"$out")" = aarch64
out=$(e2e_ssh 'id pi; /usr/sbin/dropbear -V 2>&1' 2>&1) || true
check "the pi user with its i2c and gpio groups in RAM" \
	bash -c 'grep -q "(i2c)" <<<"$1" && grep -q "(gpio)" <<<"$1"' _ "$out"
check "glibc programs run in RAM with nothing about the preload ($(tail -1 <<<"$out"))" \
	bash -c '! grep -qi "preload" <<<"$1" && grep -q "Dropbear" <<<"$1"' _ "$out"
if [ "$E2E_ROOT" = pios-armhf ]; then
	out=$(e2e_ssh 'cat /etc/ld.so.preload; ls /usr/lib/arm-linux-gnueabihf/libarmmem-*' 2>&1) || true
	check "the RAM root has the v8l libarmmem the preload names, and only it" \
		test "$(grep -c libarmmem- <<<"$out")" = 2 -a -n "$(grep 'libarmmem-v8l.so$' <<<"$out")"
fi

# the server away for 60 s
e2e_nfs_stop
mapfile -t opts < <(e2e_ssh_opts)
ok=0 tries=0
end=$(($(date +%s) + 60))
while [ "$(date +%s)" -lt "$end" ]; do
	tries=$((tries + 1))
	if timeout 20 ssh "${opts[@]}" root@127.0.0.1 'ls / >/dev/null && ps >/dev/null' </dev/null; then
		ok=$((ok + 1))
	fi
	sleep 5
done
check "SSH answered $ok of $tries times in 60 s without the NFS server" test "$ok" = "$tries" -a "$tries" -ge 8
e2e_nfs_start "$exp"
out=$(e2e_ssh '/sbin/root2ram nfs mount && /sbin/root2ram nfs status; /sbin/root2ram nfs umount' 2>&1) || true
check "root2ram nfs mount brings the old root back" grep -q '/old_root: mounted' <<<"$out"
out=$(e2e_ssh '/sbin/root2ram nfs chroot sh -c "readlink /sbin/init; cat /etc/debian_version"' 2>&1) || true
check "root2ram nfs chroot runs in the NFS root ($(tr '\n' ' ' <<<"$out"))" \
	test "$out" = "/lib/systemd/systemd
$(cat "$exp/etc/debian_version")"
e2e_ssh 'reboot -f' </dev/null >/dev/null 2>&1 || true
e2e_wait_exit 60

# a failing manifest: the NFS root's own systemd boots
rm -f "$E2E_CONSOLE"
e2e_boot --export "$exp" --mem 512 --append "root2ram.manifest=nosuch" --timeout 600
e2e_wait_console "root2ram: .*booting the NFS root's /sbin/init instead" 240 >/dev/null
line=$(e2e_wait_console 'Welcome to .*Debian|systemd\[1\]|systemd [0-9]+ running' 180)
check "the fallback is systemd, on the console ($line)" test -n "$line"
line=$(e2e_wait_console 'Reached target .*Multi-User System' 240)
check "systemd on the NFS root reaches multi-user.target (${line##*\] })" test -n "$line"
# then a login through the NFS root's own OpenSSH
if [ "${R2R_E2E_PIOS_SSH:-1}" = 1 ]; then
	e2e_wait_ssh 300
	out=$(e2e_ssh 'cat /proc/1/comm; grep -c " / nfs" /proc/mounts' 2>&1) || true
	check "SSH into the NFS root through its own OpenSSH, systemd as PID 1 ($(tr '\n' ' ' <<<"$out"))" \
		test "$out" = "systemd
1"
fi
e2e_stop_qemu
e2e_pass
