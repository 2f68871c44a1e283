#!/bin/sh
# root2ram: build a root shaped like Raspberry Pi OS Lite bookworm from Debian packages.
#
#   scripts/testroot-pios.sh pios-arm64|pios-armhf [--print]
#   (also as scripts/testroot.sh pios-arm64|pios-armhf [--print])
#
# pios-arm64 is 64-bit Raspberry Pi OS; pios-armhf the 32-bit one (on a Pi 4/5 its
# $PLATFORM is v8l). The packages of scripts/testroot-pios.packages and their
# dependencies are unpacked by mmdebstrap --variant=extract (no maintainer scripts: they
# would need binfmt_misc, which this host may not have); what those scripts and the Pi OS
# image add is done here: merged /usr, the PAM stacks, the accounts (base-passwd's, sshd, the pi user in
# the i2c and gpio groups), OpenSSH host keys, dropbear and ssh enabled for systemd's
# multi-user.target, for armhf /etc/ld.so.preload naming libarmmem-${PLATFORM}.so (built
# here for v6l, v7l and v8l), and last /etc/ld.so.cache made by the root's own ldconfig
# under qemu-user.
#
# Result: ${R2R_CACHE:-/var/cache/root2ram}/testroot/NAME-HASH, HASH of the package list,
# this script, mmdebstrap's version and the host's apt sources (a newer package on the
# mirror does not rebuild: remove the root to get it); the versions are listed in its
# /.root2ram-testroot. The three newest roots of NAME are kept. build/testroot-NAME links
# to it. --print prints the path. Quiet when cached. Takes 1 to 2 min per root here.
set -eu

me="root2ram: testroot"
synopsis="pios-arm64|pios-armhf [--print]"
. "$(dirname "$0")/lib.sh"

script="$top/scripts/testroot-pios.sh"
pkgfile="$top/scripts/testroot-pios.packages"
cache=${R2R_CACHE:-/var/cache/root2ram}

name="" print=0
for a in "$@"; do
	case "$a" in
	--print) print=1 ;;
	pios-arm64 | pios-armhf) name=$a ;;
	-h | --help) show_help ;;
	*) usage "unknown argument '$a'" ;;
	esac
done
[ -n "$name" ] || usage
case "$name" in
pios-arm64) arch=arm64 triplet=aarch64-linux-gnu qemu=qemu-aarch64 ldso=/lib/ld-linux-aarch64.so.1 ;;
pios-armhf) arch=armhf triplet=arm-linux-gnueabihf qemu=qemu-arm ldso=/lib/ld-linux-armhf.so.3 ;;
esac
for t in mmdebstrap sha256sum "$qemu" ssh-keygen arm-linux-gnueabi-gcc; do
	command -v "$t" >/dev/null 2>&1 || die "'$t' is missing: run scripts/setup.sh all"
done
[ -r "$pkgfile" ] || die "$pkgfile is missing"
pkgs=$(sed 's/#.*//' "$pkgfile" | tr -s ' \t\n' ' ')
pkgs=${pkgs# }
[ -n "$pkgs" ] || die "$pkgfile lists no package"

sources=""
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
	[ -f "$f" ] || continue
	if grep -qE '^[^#]*(bookworm|Suites:.*bookworm)' "$f"; then sources="$sources $f"; fi
done
[ -n "$sources" ] || die "no apt source for bookworm in /etc/apt/sources.list{,.d}"

link="$top/build/testroot-$name"
publish() {
	mkdir -p "$top/build"
	ln -sfn "$1" "$link.tmp.$$"
	mv -T "$link.tmp.$$" "$link"
	[ "$print" = 0 ] || echo "$1" >&3
}
# stdout is the path --print gives, nothing else: what the build's tools
# print (ssh-keygen -A says which keys it made) goes to stderr
exec 3>&1 1>&2
hash=$( {
	echo "$name $pkgs"
	dpkg-query -W mmdebstrap arm-linux-gnueabi-gcc 2>/dev/null || true
	# shellcheck disable=SC2086
	cat "$script" "$pkgfile" $sources
} | sha256sum | cut -c1-12)
dest="$cache/testroot/$name-$hash"
if [ -f "$dest/.root2ram-testroot" ]; then
	publish "$dest"
	exit 0
fi

mkdir -p "$cache/testroot"
exec 9>"$cache/testroot/.lock-$name"
flock 9
if [ -f "$dest/.root2ram-testroot" ]; then
	publish "$dest"
	exit 0
fi
echo "$me: building the $name root in $dest" >&2
start=$(date +%s)
tmp="$cache/testroot/.tmp-$name-$$"
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
rm -rf "$tmp"
mkdir -p "$tmp"
root="$tmp/root"
log="$tmp/mmdebstrap.log"

# --- the packages, with their dependencies ----------------------------------------------
set --
for s in $sources; do set -- "$@" "$s"; done
# shellcheck disable=SC2046
if ! mmdebstrap --variant=extract --arch="$arch" --include="$(echo "$pkgs" | tr ' ' ',')" --skip=cleanup/apt \
	--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
	bookworm "$root" "$@" >"$log" 2>&1; then
	die "mmdebstrap failed: $(tail -5 "$log")"
fi
# the exact versions, from the file names (PKG_VERSION_ARCH.deb, ':' as %3a)
versions=$(cd "$root/var/cache/apt/archives" && ls -1 -- *.deb | sed 's/%3a/:/; s/_[^_]*\.deb$//; s/_/ /')
[ -n "$versions" ] || die "mmdebstrap left no .deb to tell the versions"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc \
	"$root"/usr/share/man "$root"/usr/share/locale "$root"/usr/share/info
chmod 755 "$root"

# --- merged /usr, as on Raspberry Pi OS bookworm (usrmerge at install time) -------------
for d in bin sbin lib; do
	if [ ! -d "$root/$d" ] || [ -L "$root/$d" ]; then continue; fi
	mkdir -p "$root/usr/$d"
	(cd "$root/$d" && find . ! -type d) | while read -r f; do
		if [ -e "$root/usr/$d/$f" ] || [ -L "$root/usr/$d/$f" ]; then rm -f "$root/$d/$f"; fi
	done
	cp -a "$root/$d/." "$root/usr/$d/"
	rm -rf "${root:?}/$d"
	ln -s "usr/$d" "$root/$d"
done

# --- what the maintainer scripts and the Pi OS image would have made ----------------------
for d in proc sys dev tmp run root home/pi mnt var/log var/tmp boot/firmware etc/dropbear; do
	mkdir -p "$root/$d"
done
chmod 1777 "$root/tmp" "$root/var/tmp"
chmod 700 "$root/root"
bp="$root/usr/share/base-passwd"
[ -f "$bp/passwd.master" ] && [ -f "$bp/group.master" ] || die "base-passwd's passwd.master/group.master are missing"
{
	cat "$bp/passwd.master"
	echo "sshd:x:100:65534::/run/sshd:/usr/sbin/nologin"
	echo "pi:x:1000:1000:,,,:/home/pi:/bin/bash"
} | sed 's|^root:.*|root:x:0:0:root:/root:/bin/bash|' >"$root/etc/passwd"
{
	cat "$bp/group.master"
	echo "ssh:x:101:"
	echo "input:x:102:pi"
	echo "netdev:x:103:pi"
	echo "spi:x:996:pi"
	echo "i2c:x:997:pi"
	echo "gpio:x:998:pi"
	echo "pi:x:1000:"
} | sed 's/^\(adm\|dialout\|cdrom\|sudo\|audio\|video\|plugdev\|games\|users\):x:\([0-9]*\):$/\1:x:\2:pi/' >"$root/etc/group"
# no password anywhere (a locked account: login by key only)
cut -d: -f1 "$root/etc/passwd" | sed 's/$/:*:19700:0:99999:7:::/' >"$root/etc/shadow"
cut -d: -f1 "$root/etc/group" | sed 's/$/:*::/' >"$root/etc/gshadow"
chmod 640 "$root/etc/shadow" "$root/etc/gshadow"
chown 1000:1000 "$root/home/pi"
printf '/bin/sh\n/usr/bin/sh\n/bin/bash\n/usr/bin/bash\n/bin/dash\n/usr/bin/dash\n' >"$root/etc/shells"
printf 'raspberrypi\n' >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\traspberrypi\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' \
	>"$root/etc/hosts"
printf 'proc /proc proc defaults 0 0\n' >"$root/etc/fstab"
: >"$root/etc/machine-id"
[ -f "$root/usr/share/libc-bin/nsswitch.conf" ] && cp "$root/usr/share/libc-bin/nsswitch.conf" "$root/etc/nsswitch.conf"
# libpam-runtime's postinst (pam-auth-update with its unix profile): the common-* PAM
# stacks that sshd, login and su include
pam="$root/etc/pam.d"
printf 'auth\t[success=1 default=ignore]\tpam_unix.so nullok\nauth\trequisite\tpam_deny.so\nauth\trequired\tpam_permit.so\n' \
	>"$pam/common-auth"
printf 'account\t[success=1 new_authtok_reqd=done default=ignore]\tpam_unix.so\naccount\trequisite\tpam_deny.so\naccount\trequired\tpam_permit.so\n' \
	>"$pam/common-account"
printf 'password\t[success=1 default=ignore]\tpam_unix.so obscure yescrypt\npassword\trequisite\tpam_deny.so\npassword\trequired\tpam_permit.so\n' \
	>"$pam/common-password"
printf 'session\t[default=1]\tpam_permit.so\nsession\trequisite\tpam_deny.so\nsession\trequired\tpam_permit.so\nsession\trequired\tpam_unix.so\n' \
	>"$pam/common-session"
cp "$pam/common-session" "$pam/common-session-noninteractive"
# openssh-server's postinst: sshd_config from its template, host keys; systemctl enable
# of ssh and dropbear
cp "$root/usr/share/openssh/sshd_config" "$root/etc/ssh/sshd_config" || die "openssh-server has no sshd_config template"
ssh-keygen -q -A -f "$root" || die "ssh-keygen -A failed"
w="$root/etc/systemd/system/multi-user.target.wants"
mkdir -p "$w" "$root/etc/systemd/system/sockets.target.wants"
for u in ssh.service dropbear.service; do
	[ -f "$root/usr/lib/systemd/system/$u" ] || die "$u is missing from the root"
	ln -sfn "/lib/systemd/system/$u" "$w/$u"
done
ln -sfn /lib/systemd/system/ssh.service "$root/etc/systemd/system/sshd.service"
# OpenSSH listens on 22; the owner's dropbear on 2222 (both come up on the NFS root)
printf 'DROPBEAR_PORT=2222\n' >>"$root/etc/default/dropbear"

# --- armhf: raspi-copies-and-fills' preload (the memcpy/memset of a Pi, by $PLATFORM) ---
if [ "$arch" = armhf ]; then
	printf 'void *r2r_armmem(void);\nvoid *r2r_armmem(void) { return 0; }\n' >"$tmp/armmem.c"
	for p in v6l v7l v8l; do
		arm-linux-gnueabi-gcc -mfloat-abi=hard -mfpu=vfp -march=armv6 -marm -Os -s -shared -nostdlib -fPIC \
			-Wl,-soname,libarmmem-$p.so -o "$root/usr/lib/$triplet/libarmmem-$p.so" "$tmp/armmem.c" ||
			die "building libarmmem-$p.so failed"
	done
	printf '/usr/lib/%s/libarmmem-${PLATFORM}.so\n' "$triplet" >"$root/etc/ld.so.preload"
fi

# --- ld.so.cache by the root's own ldconfig (as the image's postinsts run it) -----------
"$qemu" "$root/usr/sbin/ldconfig" -r "$root" >"$tmp/ldconfig.log" 2>&1 ||
	die "ldconfig -r $root under $qemu failed: $(tail -3 "$tmp/ldconfig.log")"
[ -s "$root/etc/ld.so.cache" ] || die "ldconfig made no /etc/ld.so.cache"

# --- verify with the real loader --------------------------------------------------------
out=$("$qemu" -cpu max -L "$root" "$root$ldso" --list "$root/usr/sbin/dropbear" 2>&1) ||
	die "verify: $ldso --list dropbear failed: $out"
case "$out" in *"not found"*) die "verify: dropbear: $out" ;; esac
[ "$arch" = arm64 ] || case "$out" in *libarmmem-v8l.so*) ;; *) die "verify: libarmmem-v8l.so not preloaded: $out" ;; esac
[ "$(readlink "$root/usr/sbin/init")" = /lib/systemd/systemd ] || die "verify: /sbin/init is not systemd"

{
	echo "# root2ram test root: Raspberry Pi OS shaped, Debian bookworm $arch, key $hash"
	printf '%s\n' "$versions"
} >"$root/.root2ram-testroot"
rm -rf "$dest"
mv -T "$root" "$dest"
echo "$me: $name built in $(($(date +%s) - start)) s" >&2
# shellcheck disable=SC2012
ls -1dt "$cache/testroot/$name"-* | tail -n +4 | while read -r old; do
	[ "$old" = "$dest" ] || rm -rf "$old"
done
publish "$dest"
