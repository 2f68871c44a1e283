#!/bin/bash
# A Pi (QEMU versatilepb) boots from NFS with init=/sbin/root2ram and ends
# up running from RAM: SSH with the key, / on tmpfs, no NFS mount, the same
# host key as in the NFS root, no password logins, every staged file with
# its source's bytes, and nothing written to the NFS root.
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/install.sh"
e2e_init
exp=$(r2r_export)
# the Pi's own user, as Raspberry Pi OS has it: in RAM too, with its groups
echo 'pi:x:1000:1000:,,,:/home/pi:/bin/sh' >> "$exp/etc/passwd"
printf 'pi:x:1000:\ni2c:x:998:pi\ngpio:x:997:pi\n' >> "$exp/etc/group"
echo 'pi:$y$j9T$e2esalt$E2EPIHASH:19700:0:99999:7:::' >> "$exp/etc/shadow"
touch "$E2E_DIR/before-boot"
sleep 1
e2e_nfs_start "$exp"
# the Pi's cmdline.txt as Raspberry Pi OS (bullseye) ships it, an SD-card
# boot, with the serial console as QEMU names it and last (the last
# console= is /dev/console, where the test reads), made an NFS-root boot
# into RAM by `root2ram cmdline`, as the README tells a Pi owner to do
cmdtxt=$E2E_DIR/cmdline.txt
echo "console=tty1 console=ttyAMA0 root=PARTUUID=738a4d67-02 rootfstype=ext4 fsck.repair=yes rootwait" > "$cmdtxt"
# a syslog server on the host (slirp: the guest's 10.0.2.2 is the host's
# loopback), for root2ram.syslog; it ends by itself after 5 idle minutes
logport=$((E2E_SSH_PORT + 4000))
(
	for fd in /proc/$BASHPID/fd/*; do # not the test's port locks
		n=${fd##*/}
		[ "$n" -gt 2 ] 2>/dev/null && eval "exec $n>&-"
	done
	exec socat -T 300 -u "UDP4-RECV:$logport,bind=127.0.0.1" "OPEN:$E2E_DIR/remote.log,creat,append"
) </dev/null >/dev/null 2>&1 &
logger_pid=$!
out=$("$R2R" cmdline "$cmdtxt" --set root2ram.manifest=e2e --set root2ram.syslog=10.0.2.2:$logport \
	--nfsroot "10.0.2.2:$(cd "$exp" && pwd -P),vers=3,tcp,port=$E2E_NFS_PORT,mountport=$E2E_MNT_PORT,mountproto=tcp,nolock" 2>&1) ||
	e2e_fail "root2ram cmdline: $out"
check "root2ram cmdline made an NFS-root line with init=/sbin/root2ram ($(head -n 1 "$cmdtxt"))" \
	grep -Eq '^console=tty1 console=ttyAMA0 root=/dev/nfs nfsroot=10\.0\.2\.2:.* ip=dhcp rw fsck.repair=yes rootwait init=/sbin/root2ram root2ram.manifest=e2e root2ram.syslog=10\.0\.2\.2:[0-9]+$' "$cmdtxt"
e2e_boot --export "$exp" --cmdline-file "$cmdtxt" --timeout 600

line=$(e2e_wait_console 'root2ram: switched to RAM|booting the NFS root' 120)
check "root2ram switched to RAM ($line)" grep -q 'switched to RAM' <<<"$line"
e2e_wait_ssh 90
pass "SSH login as root with the test key"
# each line once: the kernel echoes /dev/kmsg on the console, so root2ram
# writes there only what the kernel does not echo
n=$(grep -ac 'root2ram: switched to RAM' "$E2E_CONSOLE" || true)
stamped=$(grep -acE '^\[ *[0-9.]+\] root2ram: switched to RAM' "$E2E_CONSOLE" || true)
check "root2ram's lines show once on the console, with the kernel's time stamp ($n, $stamped stamped)" \
	test "$n" = 1 -a "$stamped" = 1

mounts=$(e2e_ssh cat /proc/mounts)
check "/ is a tmpfs" awk '$2 == "/" && $3 == "tmpfs" { ok = 1 } END { exit !ok }' <<<"$mounts"
check "no NFS mount in /proc/mounts" awk '$3 ~ /^nfs/ { bad = 1 } END { exit bad }' <<<"$mounts"
check "/old_root is gone" e2e_ssh '! grep -q " /old_root " /proc/mounts'
# the copy's second mount of the NFS root (rsize=4096 here) went with the staging
check "the copy's NFS source is gone from the RAM root" e2e_ssh '! test -e /.root2ram-source'

want=$(dropbearkey -y -f "$exp/etc/dropbear/dropbear_ed25519_host_key" | grep '^ssh-ed25519' | ssh-keygen -lf - | awk '{print $2}')
got=$(ssh-keyscan -t ed25519 -p "$E2E_SSH_PORT" 127.0.0.1 2>/dev/null | ssh-keygen -lf - | awk '{print $2}')
check "host key fingerprint is the NFS root's ($want)" test -n "$want" -a "$want" = "$got"

methods=$(ssh -v -p "$E2E_SSH_PORT" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
	-o BatchMode=yes -o PubkeyAuthentication=no -o PreferredAuthentications=password,keyboard-interactive \
	root@127.0.0.1 true 2>&1 | tr -d '\r' | sed -n 's/.*Authentications that can continue: //p' | head -1) || true
check "password login refused (server offers: ${methods:-nothing})" test "$methods" = publickey

piped=$(e2e_ssh 'echo through-stdin | cat /dev/stdin; ls /dev/fd/ >/dev/null && echo fd-ok') || true
check "/dev/stdin and /dev/fd work in the RAM root" test "$piped" = "through-stdin
fd-ok"

ids=$(e2e_ssh 'id pi' 2>&1) || true
check "the NFS root's users are there in RAM ($ids)" \
	test "$ids" = "uid=1000(pi) gid=1000(pi) groups=1000(pi),998(i2c),997(gpio)"
check "no password hash on the console" bash -c "! grep -aq E2EPIHASH '$E2E_CONSOLE'"
# the log: syslogd's ring buffer (logread) with dropbear's logins and the
# kernel's lines (klogd), and the same sent to root2ram.syslog
log=$(e2e_ssh 'logread' 2>&1) || true
check "logread shows the SSH login ($(grep -m1 'auth succeeded' <<<"$log" | cut -c1-90))" \
	grep -q "dropbear\[[0-9]*\]: Pubkey auth succeeded for 'root'" <<<"$log"
check "logread shows the kernel's lines (klogd)" grep -q 'kern\.[a-z]* kernel:' <<<"$log"
sleep 1
check "the log reached the syslog server of root2ram.syslog" grep -aq "Pubkey auth succeeded for 'root'" "$E2E_DIR/remote.log"
kill "$logger_pid" 2>/dev/null || true
names=$(e2e_ssh 'hostname; ip -o addr show lo' 2>&1) || true
check "host name from the NFS root's /etc/hostname ($(head -1 <<<"$names"))" \
	test "$(head -1 <<<"$names")" = "$(cat "$exp/etc/hostname")"
check "the loopback is up with 127.0.0.1" grep -q 'inet 127\.0\.0\.1/8' <<<"$names"

status=$(e2e_ssh /sbin/root2ram status)
check "root2ram status reports the RAM boot" grep -q 'running from RAM' <<<"$status"
check "root2ram status records the NFS root" grep -q "source=10.0.2.2:$exp" <<<"$status"
check "root2ram status shows the RAM in use ($(grep '^RAM root' <<<"$status"))" grep -q '^RAM root: .* used of a .* tmpfs; memory: .* free of ' <<<"$status"

# every regular file of the RAM root against its source: the overlay's copy
# if there is one, else the NFS root's
e2e_ssh 'find / -xdev -type f ! -path "/root/*" | xargs sha256sum' > "$E2E_DIR/guest.sha256"
n=0 bad=0
while read -r sum path; do
	src=$exp/etc/root2ram/overlay$path
	[ -f "$src" ] || src=$exp$path
	n=$((n + 1))
	if [ "$(sha256sum < "$src" | cut -d' ' -f1)" != "$sum" ]; then
		echo "  differs: $path" >&2
		bad=$((bad + 1))
	fi
done < "$E2E_DIR/guest.sha256"
check "$n staged files have their source's bytes ($bad differ)" test "$n" -gt 30 -a "$bad" = 0

changed=$(find "$exp" -newer "$E2E_DIR/before-boot" -o -cnewer "$E2E_DIR/before-boot" | grep -v "^$exp$" | head -5)
check "the NFS root was not written (${changed:-nothing changed})" test -z "$changed"

e2e_ssh 'reboot -f' </dev/null >/dev/null 2>&1 || true
e2e_wait_exit 30
e2e_pass
