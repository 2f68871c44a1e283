#!/bin/bash
# root2ram: boot a test kernel in QEMU with its root on NFS: versatilepb (armel, the
# default) or virt (arm64: 64-bit and 32-bit armhf roots, as on a Pi 3/4/5).
#
#   qemu/boot.sh --export DIR [options]
#
#   --arch armel|arm64  the machine: armel is versatilepb (ARM926, scripts/kernel.sh),
#                      arm64 is virt with a Cortex-A72 (scripts/kernel.sh --arch arm64; runs
#                      32-bit userland too) (default armel)
#   --export DIR       directory served by scripts/nfs-server.sh (required; the server
#                      must already run and serve exactly this path)
#   --init PATH        init= for the kernel (default /sbin/root2ram)
#   --append "ARGS"    extra kernel arguments (appended last, so they override)
#   --ssh-port N       host 127.0.0.1:N forwards to guest port 22 (default 10022; 0: none)
#   --nfs-port N       NFS port of the server (default $R2R_NFS_PORT or 12049)
#   --mnt-port N       MOUNT port (default NFS port - 1)
#   --nfs-opts OPTS    extra nfsroot options, e.g. rsize=65536
#   --cmdline-file FILE  the kernel command line is FILE's first line (a Pi's cmdline.txt,
#                      as root2ram cmdline makes it), with panic=1 added; --init,
#                      --nfs-opts and --nfs-vers are not used; --append still goes last
#   --nfs-vers V       NFS version of the root: 3 (default), 4, 4.1 or 4.2 (v4 needs no
#                      MOUNT protocol: the server's pseudo root is the export's path)
#   --nic virtio|smc91c111   guest NIC (default virtio: ~100x faster than smc91c111;
#                      virt has virtio only)
#   --mem MB           guest RAM (default 256)
#   --kernel DIR       directory with zImage and versatile-pb.dtb (default build/kernel,
#                      made by scripts/kernel.sh); arm64: with Image (default
#                      build/kernel-arm64, made by scripts/kernel.sh --arch arm64)
#   --console FILE     capture the serial console in FILE (also shown on stdout unless
#                      --background)
#   --timeout SECONDS  kill QEMU after that long (exit status 124)
#   --background       return at once; QEMU runs on, its pid in --pidfile (default
#                      build/qemu.pid), console in --console (default build/console.log)
#   --pidfile FILE
#   --qemu-arg ARG     one more argument for QEMU, e.g. --qemu-arg -rtc --qemu-arg base=2016-01-01
#                      (repeatable, passed in order after the others)
#
# QEMU exits when the guest reboots (-no-reboot): `reboot -f` in the guest ends the run.
# The kernel gets panic=1, so a panic (e.g. init exiting) also ends it after 1 s.
# Slirp networking: the host's 127.0.0.1 is 10.0.2.2 in the guest; the guest is 10.0.2.15.
set -eu

me="root2ram: boot"
synopsis="--export DIR [options] (see --help)"
. "$(dirname "$0")/../scripts/lib.sh"

export_dir="" init=/sbin/root2ram append="" ssh_port=10022
nfs_port=${R2R_NFS_PORT:-12049} mnt_port=${R2R_MNT_PORT:-} nfs_opts="" nfs_vers=3 cmdline_file="" nic=virtio mem=256
kernel="" arch=armel console="" timeout=0 background=0 pidfile=""
qemu_args=()

need() { [ $# -ge 2 ] || usage "$1 needs a value"; }
while [ $# -gt 0 ]; do
	case "$1" in
	--export) need "$@"; export_dir=$2; shift 2 ;;
	--arch) need "$@"; arch=$2; shift 2 ;;
	--init) need "$@"; init=$2; shift 2 ;;
	--append) need "$@"; append=$2; shift 2 ;;
	--ssh-port) need "$@"; ssh_port=$2; shift 2 ;;
	--nfs-port) need "$@"; nfs_port=$2; shift 2 ;;
	--mnt-port) need "$@"; mnt_port=$2; shift 2 ;;
	--nfs-opts) need "$@"; nfs_opts=$2; shift 2 ;;
	--nfs-vers) need "$@"; nfs_vers=$2; shift 2 ;;
	--cmdline-file) need "$@"; cmdline_file=$2; shift 2 ;;
	--nic) need "$@"; nic=$2; shift 2 ;;
	--mem) need "$@"; mem=$2; shift 2 ;;
	--kernel) need "$@"; kernel=$2; shift 2 ;;
	--console) need "$@"; console=$2; shift 2 ;;
	--timeout) need "$@"; timeout=$2; shift 2 ;;
	--pidfile) need "$@"; pidfile=$2; shift 2 ;;
	--background) background=1; shift ;;
	--qemu-arg) need "$@"; qemu_args+=("$2"); shift 2 ;;
	-h | --help) show_help ;;
	*) usage "unknown argument '$1'" ;;
	esac
done

[ -n "$export_dir" ] || usage "--export DIR is required"
[ -n "$mnt_port" ] || mnt_port=$((nfs_port - 1))
for v in ssh_port nfs_port mnt_port mem timeout; do
	x=${!v}
	case "$x" in '' | *[!0-9]*) usage "--${v//_/-} must be a number, got '$x'" ;; esac
done
case "$nic" in virtio | smc91c111) ;; *) usage "--nic must be virtio or smc91c111, got '$nic'" ;; esac
case "$arch" in
armel) [ -n "$kernel" ] || kernel="$top/build/kernel" ;;
arm64)
	[ -n "$kernel" ] || kernel="$top/build/kernel-arm64"
	[ "$nic" = virtio ] || usage "--nic $nic: virt has virtio only" ;;
*) usage "--arch must be armel or arm64, got '$arch'" ;;
esac
[ -d "$export_dir" ] || die "export directory $export_dir does not exist"
export_dir=$(cd "$export_dir" && pwd -P)
if [ "$arch" = arm64 ]; then
	[ -f "$kernel/Image" ] || die "no kernel in $kernel: run scripts/kernel.sh --arch arm64"
	command -v qemu-system-aarch64 >/dev/null || die "qemu-system-aarch64 is missing: run scripts/setup.sh all"
else
	if [ ! -f "$kernel/zImage" ] || [ ! -f "$kernel/versatile-pb.dtb" ]; then
		die "no kernel in $kernel: run scripts/kernel.sh"
	fi
	command -v qemu-system-arm >/dev/null || die "qemu-system-arm is missing: run scripts/setup.sh all"
fi
ss -Hltn "sport = :$nfs_port" | grep -q . ||
	die "nothing listens on NFS port $nfs_port: run scripts/nfs-server.sh start $export_dir --port $nfs_port"
if [ "$ssh_port" != 0 ] && ss -Hltn "sport = :$ssh_port" | grep -q .; then
	die "SSH forward port $ssh_port is in use (another QEMU still running?); choose one with --ssh-port"
fi

case "$nfs_vers" in
3) nfsroot="10.0.2.2:$export_dir,vers=3,tcp,port=$nfs_port,mountport=$mnt_port,mountproto=tcp,nolock" ;;
4 | 4.[012]) nfsroot="10.0.2.2:$export_dir,vers=$nfs_vers,tcp,port=$nfs_port" ;;
*) usage "--nfs-vers must be 3, 4, 4.1 or 4.2, got '$nfs_vers'" ;;
esac
[ -z "$nfs_opts" ] || nfsroot="$nfsroot,$nfs_opts"
cmdline="console=ttyAMA0 root=/dev/nfs rw nfsroot=$nfsroot ip=dhcp init=$init panic=1"
if [ -n "$cmdline_file" ]; then
	[ -r "$cmdline_file" ] || usage "--cmdline-file: cannot read $cmdline_file"
	cmdline="$(head -n 1 "$cmdline_file") panic=1"
fi
[ -z "$append" ] || cmdline="$cmdline $append"

fwd=""
[ "$ssh_port" = 0 ] || fwd=",hostfwd=tcp:127.0.0.1:$ssh_port-:22"
# shellcheck disable=SC2054 # commas are QEMU's
case "$nic" in
virtio) net=(-net none -netdev "user,id=n0$fwd" -device virtio-net-pci,netdev=n0,romfile=) ;;
smc91c111) net=(-nic "user,model=smc91c111$fwd") ;;
esac

if [ "$background" = 1 ]; then
	[ -n "$console" ] || console="$top/build/console.log"
	[ -n "$pidfile" ] || pidfile="$top/build/qemu.pid"
fi
if [ -n "$console" ]; then
	mkdir -p "$(dirname "$console")"
	: >"$console"
fi
if [ "$background" = 1 ]; then
	serial=(-chardev "file,id=con,path=$console")
elif [ -n "$console" ]; then
	serial=(-chardev "stdio,id=con,logfile=$console,signal=on")
else
	serial=(-chardev "stdio,id=con,signal=on")
fi

# shellcheck disable=SC2054
if [ "$arch" = arm64 ]; then
	qemu=(qemu-system-aarch64 -M virt -cpu cortex-a72 -m "$mem"
		-kernel "$kernel/Image"
		-append "$cmdline"
		-display none -monitor none -serial chardev:con "${serial[@]}"
		-no-reboot -device virtio-rng-pci "${net[@]}" "${qemu_args[@]}")
else
	qemu=(qemu-system-arm -M versatilepb -m "$mem"
		-kernel "$kernel/zImage" -dtb "$kernel/versatile-pb.dtb"
		-append "$cmdline"
		-display none -monitor none -serial chardev:con "${serial[@]}"
		-no-reboot -audiodev none,id=snd0 -global pl041.audiodev=snd0
		-device virtio-rng-pci "${net[@]}" "${qemu_args[@]}")
fi

if [ "$background" = 1 ]; then
	mkdir -p "$(dirname "$pidfile")"
	errlog="$pidfile.err"
	(close_fds; exec setsid "${qemu[@]}") </dev/null >"$errlog" 2>&1 &
	qpid=$!
	echo "$qpid" >"$pidfile"
	sleep 0.2
	if ! kill -0 "$qpid" 2>/dev/null; then
		die "QEMU exited at once: $(tail -n 5 "$errlog")"
	fi
	if [ "$timeout" != 0 ]; then
		# watchdog: ends with QEMU; kills it only while the pid is still that QEMU
		(
			exec </dev/null >/dev/null 2>&1
			close_fds
			end=$(($(date +%s) + timeout))
			while [ -d "/proc/$qpid" ]; do
				if [ "$(date +%s)" -ge "$end" ]; then
					case "$(cat "/proc/$qpid/comm" 2>/dev/null)" in
					qemu-system-*) kill -TERM "$qpid" ;;
					esac
					break
				fi
				sleep 1
			done
		) &
	fi
	exit 0
fi

# foreground
if [ "$timeout" != 0 ]; then
	rc=0
	fg=""
	[ ! -t 0 ] || fg=--foreground # let QEMU use the terminal
	timeout $fg -k 5 "$timeout" "${qemu[@]}" || rc=$?
	[ "$rc" != 124 ] || echo "$me: timed out after $timeout s" >&2
	exit "$rc"
fi
exec "${qemu[@]}"
