#!/bin/bash
# scripts/demo.sh [--interactive] [--arch armel|arm64|armhf] - `make demo` / `make qemu`
# (ARCH=arm64|armhf: make demo ARCH=arm64).
#
# Boots the demo appliance under QEMU (versatilepb, 256 MB) the way a Pi
# boots: kernel with root=/dev/nfs from a local NFS server (nfs-ganesha)
# serving the armel test root, root2ram installed into it by
# scripts/install.sh, init=/sbin/root2ram on the kernel command line, put
# there by `root2ram cmdline` from a cmdline.txt like a Pi's.
# Then logs in over SSH and shows that the system runs from RAM.
# --interactive (make qemu): leaves it running and prints the ssh command;
# the console is on this terminal (Ctrl-A X quits QEMU).
# --arch arm64 boots the 64-bit Raspberry Pi OS shaped root (pios-arm64) on QEMU
# virt, armhf the 32-bit one (pios-armhf) on the same arm64 kernel; armel (the
# default) the armel root on versatilepb.
set -eu
me="root2ram: demo"
synopsis="[--interactive] [--arch armel|arm64|armhf]"
. "$(dirname "$0")/lib.sh"
interactive=0 arch=armel
while [ $# -gt 0 ]; do
	case $1 in
	--interactive) interactive=1; shift ;;
	--arch) [ $# -ge 2 ] || usage "--arch needs a value"; arch=$2; shift 2 ;;
	-h | --help) show_help ;;
	*) usage "unknown argument '$1'" ;;
	esac
done
case $arch in
armel) ;;
arm64 | armhf) export R2R_E2E_ROOT=pios-$arch ;;
*) usage "--arch must be armel, arm64 or armhf, got '$arch'" ;;
esac
cd "$top"
E2E_NAME=demo
. tests/e2e/lib.sh
. tests/e2e/install.sh

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "building what is missing (kernel, test root: cached after the first time)"
e2e_init
exp=$(r2r_export)
e2e_nfs_start "$exp"

# the kernel command line: a Pi's cmdline.txt for this NFS root, edited by
# `root2ram cmdline` as on a real SD card
cmdtxt=$E2E_DIR/cmdline.txt
nfsroot="10.0.2.2:$(cd "$exp" && pwd -P),vers=3,tcp,port=$E2E_NFS_PORT,mountport=$E2E_MNT_PORT,mountproto=tcp,nolock"
echo "console=ttyAMA0 root=/dev/nfs nfsroot=$nfsroot ip=dhcp rw" >"$cmdtxt"
say "cmdline.txt, as on the Pi's SD card: root2ram cmdline $cmdtxt"
out=$("$R2R" cmdline "$cmdtxt" 2>&1) || e2e_fail "root2ram cmdline $cmdtxt: $out"
printf '%s\n' "$out" | sed 's/^/  /'
boot_args=(--cmdline-file "$cmdtxt")
ssh_cmd="ssh -i $E2E_KEY -p $E2E_SSH_PORT -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null root@127.0.0.1"

if [ $interactive = 1 ]; then
	say "booting; when root2ram has switched to RAM, log in with:"
	echo "  $ssh_cmd"
	echo "(QEMU: Ctrl-A X quits)"
	"$E2E_TOP/qemu/boot.sh" --export "$exp" --arch "$E2E_MACHINE" --ssh-port "$E2E_SSH_PORT" \
		--nfs-port "$E2E_NFS_PORT" --mnt-port "$E2E_MNT_PORT" --console "$E2E_CONSOLE" "${boot_args[@]}" || true
	exit 0
fi

machine=versatilepb
[ "$E2E_MACHINE" = armel ] || machine="virt (arm64), root $E2E_ROOT"
say "booting QEMU $machine: root=/dev/nfs init=/sbin/root2ram"
e2e_boot --export "$exp" --timeout 300 "${boot_args[@]}"
e2e_wait_console 'root2ram: switched to RAM|booting the NFS root' 120 >/dev/null
grep -a 'root2ram:' "$E2E_CONSOLE" | sed 's/^/  console: /'
e2e_wait_ssh 90

show() {
	printf '\n\033[1m$ %s\033[0m\n' "$1"
	e2e_ssh "$1" 2>&1 | sed 's/^/  /'
}
say "logged in over SSH ($ssh_cmd)"
show 'root2ram status'
show 'grep -E " / | nfs" /proc/mounts; df -h /'
show 'ps'
show 'free'
say "the NFS server is stopped: the appliance keeps answering"
e2e_nfs_stop
show 'uptime; ls /etc/dropbear'
say "shutting down"
e2e_ssh 'reboot -f' </dev/null >/dev/null 2>&1 || true
e2e_wait_exit 30
echo "demo done; the console is in $E2E_CONSOLE"
