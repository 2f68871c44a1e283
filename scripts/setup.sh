#!/bin/sh
# root2ram: install every Debian package the project needs, and only what is missing.
# Idempotent; run as root on Debian 12 / Ubuntu. Says what it installs.
set -eu
me="root2ram: setup"
synopsis="[unit|all]"
. "$(dirname "$0")/lib.sh"

PKGS_HOST="make gcc file binutils pkg-config libcmocka-dev
gcc-arm-linux-gnueabi gcc-aarch64-linux-gnu libc6-dev-armel-cross libc6-dev-arm64-cross qemu-user
musl-tools musl-dev:armel musl-dev:arm64
libcmocka-dev:armel libcmocka-dev:arm64 libc6:armel libc6:arm64
dpkg-dev ca-certificates clang libclang-rt-14-dev python3"
PKGS_E2E="qemu-system-arm linux-source-6.1 bc flex bison libssl-dev libelf-dev cpio kmod xz-utils
mount netbase nfs-ganesha nfs-ganesha-vfs rpcbind openssh-client dropbear-bin iproute2 procps socat
chrony fdisk dosfstools mtools device-tree-compiler mmdebstrap"
PKGS_BENCH="pax-utils python3-pyelftools dracut-core"

case "${1:-all}" in
	unit) want="$PKGS_HOST" ;;
	all) want="$PKGS_HOST $PKGS_E2E $PKGS_BENCH" ;;
	-h | --help) show_help ;;
	*) usage ;;
esac

[ "$(id -u)" = 0 ] || die "run as root (apt-get needs it)"

# nfs-ganesha finds the file system of an export in /etc/mtab, which a system
# without systemd (a container, a chroot) may lack: the link systemd-tmpfiles makes
if [ "${1:-all}" != unit ] && [ ! -e /etc/mtab ] && [ -r /proc/self/mounts ]; then
	echo "root2ram: setup: linking /etc/mtab to ../proc/self/mounts (nfs-ganesha reads it)"
	ln -s ../proc/self/mounts /etc/mtab
fi

for a in armel arm64; do
	if ! dpkg --print-foreign-architectures | grep -qx "$a"; then
		echo "root2ram: setup: adding architecture $a"
		dpkg --add-architecture "$a"
	fi
done

native=$(dpkg --print-architecture)
missing=""
for p in $want; do
	# A name without ":arch" means the native (or arch-independent) package.
	case "$p" in *:*) ok="installed ${p#*:}" ;; *) ok="installed $native|installed all" ;; esac
	dpkg-query -W -f='${db:Status-Status} ${Architecture}\n' "$p" 2>/dev/null |
		grep -Eqx "$ok" || missing="$missing $p"
done

if [ -z "$missing" ]; then
	echo "root2ram: setup: all packages present"
	exit 0
fi
echo "root2ram: setup: installing:$missing"
# One index failing ("Mirror sync in progress?") must not fail the setup by
# itself: only a package that cannot be had does, at the install below.
apt-get update -qq || echo "root2ram: setup: apt-get update reported errors; trying the install anyway" >&2
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "root2ram: setup: done"
