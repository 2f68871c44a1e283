#!/bin/sh
# root2ram: build a Raspberry-Pi-like root filesystem from real Debian bookworm packages.
#
#   scripts/testroot.sh ARCH [--print]      ARCH: armel | arm64
#   scripts/testroot.sh pios-arm64|pios-armhf [--print]   (scripts/testroot-pios.sh)
#
# Packages come from scripts/testroot.packages; they are fetched with
# `apt-get download PKG:ARCH` and unpacked with `dpkg-deb -x` (no maintainer scripts, no
# chroot). The root is then converted to merged /usr (/bin, /sbin, /lib -> usr/...) like a
# current Raspberry Pi OS, gets a minimal /etc, a few compiled musl test programs, and
# NO /etc/ld.so.cache.
#
# Result: ${R2R_CACHE:-/var/cache/root2ram}/testroot/ARCH-HASH (HASH covers the exact
# package versions, the package list, this script and the cross compiler versions), built
# in a temporary directory and renamed into place; the three newest roots of ARCH are kept
# (a checkout of another version may be using its own).
# build/testroot-ARCH is a symlink to it. --print prints the path. Quiet when cached.
#
# Needs: apt lists for ARCH (scripts/setup.sh adds the architectures), dpkg-deb,
# qemu-user (verification), the cross gcc + musl-dev:ARCH (musl test programs).
set -eu

me="root2ram: testroot"
synopsis="armel|arm64 [--print]"
. "$(dirname "$0")/lib.sh"

script="$top/scripts/testroot.sh"
pkgfile="$top/scripts/testroot.packages"
cache=${R2R_CACHE:-/var/cache/root2ram}

case "${1:-}" in pios-*) exec sh "$top/scripts/testroot-pios.sh" "$@" ;; esac
arch="" print=0
for a in "$@"; do
	case "$a" in
	--print) print=1 ;;
	armel | arm64) arch=$a ;;
	-h | --help) show_help ;;
	*) usage "unknown argument '$a'" ;;
	esac
done
[ -n "$arch" ] || usage

case "$arch" in
armel)
	triplet=arm-linux-gnueabi ldso=/lib/ld-linux.so.3 qemu=qemu-arm
	muslcc=arm-linux-musleabi-gcc
	gccpkg=gcc-arm-linux-gnueabi ;;
arm64)
	triplet=aarch64-linux-gnu ldso=/lib/ld-linux-aarch64.so.1 qemu=qemu-aarch64
	muslcc=aarch64-linux-musl-gcc
	gccpkg=gcc-aarch64-linux-gnu ;;
esac

for t in apt-get apt-cache dpkg-deb sha256sum "$qemu" "$muslcc" readelf; do
	command -v "$t" >/dev/null 2>&1 || die "'$t' is missing: run scripts/setup.sh all"
done
[ -r "$pkgfile" ] || die "$pkgfile is missing"

# --- parse the package list -------------------------------------------------------------
# pkgs: packages for this arch; drops: globs to remove afterwards
pkgs="" drops=""
lineno=0
set -f
while IFS= read -r line || [ -n "$line" ]; do
	lineno=$((lineno + 1))
	line=${line%%#*}
	# shellcheck disable=SC2086
	set -- $line
	[ $# -gt 0 ] || continue
	p=$1; shift
	want=1 pdrops=""
	for f in "$@"; do
		case "$f" in
		drop=*) pdrops="$pdrops ${f#drop=}" ;;
		*[!a-z0-9,!]*) die "$pkgfile:$lineno: bad field '$f'" ;;
		!*) case ",${f#!}," in *",$arch,"*) want=0 ;; esac ;;
		*) case ",$f," in *",$arch,"*) ;; *) want=0 ;; esac ;;
		esac
	done
	[ "$want" = 1 ] || continue
	pkgs="$pkgs $p"
	drops="$drops $pdrops"
done <"$pkgfile"
set +f
[ -n "$pkgs" ] || die "$pkgfile lists no package for $arch"

tools=$(dpkg-query -W "$gccpkg" "musl-dev:$arch" 2>/dev/null) ||
	die "$gccpkg or musl-dev:$arch is not installed: run scripts/setup.sh all"
link="$top/build/testroot-$arch"
publish() { # DEST
	mkdir -p "$top/build"
	ln -sfn "$1" "$link.tmp.$$"
	mv -T "$link.tmp.$$" "$link"
	[ "$print" = 0 ] || echo "$1"
}

# --- fast path: apt lists, package list, tools and script unchanged since the last run --
# (apt-cache takes ~2 s here because the apt binary cache is disabled)
fastfile="$cache/testroot/.last-$arch"
fastkey=$( {
	echo "$arch $pkgs $drops"
	printf '%s\n' "$tools"
	# shellcheck disable=SC2012
	ls -l --time-style=+%s /var/lib/apt/lists/*"_binary-${arch}_Packages"* 2>/dev/null || true
	cat "$script" "$pkgfile"
} | sha256sum | cut -c1-16)
if [ -f "$fastfile" ]; then
	read -r k d <"$fastfile" || true
	if [ "${k:-}" = "$fastkey" ] && [ -f "${d:-/nonexistent}/.root2ram-testroot" ]; then
		publish "$d"
		exit 0
	fi
fi

# --- exact versions ---------------------------------------------------------------------
apt_pkgs=""
for p in $pkgs; do apt_pkgs="$apt_pkgs $p:$arch"; done
# shellcheck disable=SC2086
if ! show=$(apt-cache show --no-all-versions $apt_pkgs 2>&1); then
	die "apt-cache cannot find some packages for $arch:
$(printf '%s\n' "$show" | grep -E '^(E|W):' | head -5)
Run scripts/setup.sh all (adds the architecture and runs apt-get update)."
fi
# one line per package: name version sha256 pool-file-name
manifest=$(printf '%s\n' "$show" | awk '
	/^Package: /  { p = $2 }
	/^Version: /  { v = $2 }
	/^SHA256: /   { s = $2 }
	/^Filename: / { n = split($2, a, "/"); f = a[n] }
	/^$/ { if (p != "") print p, v, s, f; p = v = s = f = "" }
	END  { if (p != "") print p, v, s, f }')
nman=$(printf '%s\n' "$manifest" | grep -c .)
npkg=$(echo "$pkgs" | wc -w)
[ "$nman" = "$npkg" ] || die "apt-cache returned $nman package records for $npkg packages ($arch)"

hash=$( {
	echo "$arch"
	printf '%s\n' "$manifest"
	printf '%s\n' "$tools"
	cat "$script" "$pkgfile"
} | sha256sum | cut -c1-12)

dest="$cache/testroot/$arch-$hash"
remember() { echo "$fastkey $dest" >"$fastfile.$$" && mv "$fastfile.$$" "$fastfile"; }

if [ -f "$dest/.root2ram-testroot" ]; then
	remember
	publish "$dest"
	exit 0
fi

echo "$me: building the $arch root ($npkg packages) in $dest" >&2
mkdir -p "$cache/testroot" "$cache/debs/$arch"
tmp="$cache/testroot/.tmp-$arch-$$"
dl="$cache/debs/.dl-$arch-$$"
cleanup() { rm -rf "$tmp" "$dl"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
rm -rf "$tmp" "$dl"
mkdir -p "$tmp/root" "$dl"
root="$tmp/root"

# --- download what the deb cache lacks --------------------------------------------------
need=""
while read -r p v s f; do
	[ -f "$cache/debs/$arch/$f" ] || need="$need $p:$arch=$v"
done <<EOF
$manifest
EOF
if [ -n "$need" ]; then
	# shellcheck disable=SC2086
	if ! out=$(cd "$dl" && apt-get download -q -o APT::Sandbox::User=root $need 2>&1); then
		die "apt-get download failed:
$(printf '%s\n' "$out" | tail -5)
If a version is gone from the mirror, run 'apt-get update' (or scripts/setup.sh all)."
	fi
	for d in "$dl"/*.deb; do
		s=$(sha256sum "$d" | cut -d' ' -f1)
		f=$(printf '%s\n' "$manifest" | awk -v s="$s" '$3 == s { print $4 }')
		[ -n "$f" ] || die "downloaded $(basename "$d") matches no expected SHA256"
		mv "$d" "$cache/debs/$arch/$f"
	done
fi

# --- unpack -----------------------------------------------------------------------------
while read -r p v s f; do
	deb="$cache/debs/$arch/$f"
	[ "$(sha256sum "$deb" | cut -d' ' -f1)" = "$s" ] || die "$deb: wrong SHA256 (delete it and retry)"
	dpkg-deb -x "$deb" "$root" || die "dpkg-deb -x $deb failed"
done <<EOF
$manifest
EOF
chmod 755 "$root"

# documentation is not needed by anything and makes up a good part of the size
drops="$drops usr/share/doc usr/share/man usr/share/info usr/share/locale usr/share/lintian
usr/share/bug usr/share/doc-base"
(
	cd "$root"
	for g in $drops; do
		g=$(printf '%s' "$g" | sed "s/@TRIPLET@/$triplet/g; s/@ARCH@/$arch/g")
		case "$g" in /* | *..*) die "drop=$g: must be relative, without '..'" ;; esac
		# shellcheck disable=SC2086
		rm -rf -- $g
	done
)

# --- merged /usr, as on Raspberry Pi OS bookworm -----------------------------------------
for d in bin sbin lib; do
	if [ ! -d "$root/$d" ] || [ -L "$root/$d" ]; then continue; fi
	mkdir -p "$root/usr/$d"
	clash=$(cd "$root/$d" && find . ! -type d | while read -r f; do
		if [ -e "$root/usr/$d/$f" ] || [ -L "$root/usr/$d/$f" ]; then echo "$d/${f#./}"; fi
	done)
	[ -z "$clash" ] || die "merging /usr: both /$d and /usr/$d have: $clash"
	cp -a "$root/$d/." "$root/usr/$d/"
	rm -rf "${root:?}/$d"
	ln -s "usr/$d" "$root/$d"
done

# --- what maintainer scripts / the installer would have created --------------------------
for d in proc sys dev tmp run root etc/dropbear home mnt var/log var/tmp; do
	mkdir -p "$root/$d"
done
chmod 1777 "$root/tmp" "$root/var/tmp"
chmod 700 "$root/root"
[ -e "$root/bin/sh" ] || ln -s busybox "$root/usr/bin/sh"

cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
daemon:x:1:
tty:x:5:
nogroup:x:65534:
EOF
cat >"$root/etc/shadow" <<'EOF'
root:*:19000:0:99999:7:::
daemon:*:19000:0:99999:7:::
nobody:*:19000:0:99999:7:::
EOF
chmod 640 "$root/etc/shadow"
printf '/bin/sh\n' >"$root/etc/shells"
printf 'raspberrypi\n' >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\traspberrypi\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' \
	>"$root/etc/hosts"
# libc-bin's template, with the hosts line the libnss-mdns/libnss-myhostname postinsts write
[ -f "$root/usr/share/libc-bin/nsswitch.conf" ] || die "libc-bin has no nsswitch.conf template"
sed 's/^hosts:.*/hosts:          files mdns4_minimal [NOTFOUND=return] myhostname dns/' \
	"$root/usr/share/libc-bin/nsswitch.conf" >"$root/etc/nsswitch.conf"
grep -q 'mdns4_minimal' "$root/etc/nsswitch.conf" || die "nsswitch.conf has no hosts line"

# update-alternatives' chain for java: /usr/bin/java -> /etc/alternatives/java -> real file
jre="/usr/lib/jvm/java-17-openjdk-$arch"
if [ -x "$root$jre/bin/java" ]; then
	mkdir -p "$root/etc/alternatives"
	ln -sfn "$jre/bin/java" "$root/etc/alternatives/java"
	ln -sfn /etc/alternatives/java "$root/usr/bin/java"
fi

# --- musl test programs (no Debian package ships a dynamic musl executable) -------------
src="$tmp/src"
mkdir -p "$src" "$root/usr/local/bin" "$root/usr/local/lib/r2r"
cat >"$src/hello.c" <<'EOF'
#include <stdio.h>
int main(void) { puts("hello from musl"); return 0; }
EOF
cat >"$src/greet.c" <<'EOF'
#include <stdio.h>
const char *r2r_greeting(void) { return "greetings from libr2rgreet"; }
EOF
cat >"$src/greetmain.c" <<'EOF'
#include <stdio.h>
const char *r2r_greeting(void);
int main(void) { puts(r2r_greeting()); return 0; }
EOF
(
	cd "$src"
	cc="$muslcc -Os -s -fPIC"
	$cc -pie -o hello-musl hello.c
	$cc -shared -Wl,-soname,libr2rgreet.so.1 -o libr2rgreet.so.1.0.0 greet.c
	ln -s libr2rgreet.so.1.0.0 libr2rgreet.so.1
	# shellcheck disable=SC2016
	$cc -pie -o greet-musl greetmain.c -L. -l:libr2rgreet.so.1 \
		-Wl,--disable-new-dtags -Wl,-rpath,'$ORIGIN/../lib/r2r'
) >"$tmp/cc.log" 2>&1 || die "compiling the musl test programs with $muslcc failed: $(tail -3 "$tmp/cc.log")"
cp "$src/hello-musl" "$src/greet-musl" "$root/usr/local/bin/"
cp -P "$src/libr2rgreet.so.1.0.0" "$src/libr2rgreet.so.1" "$root/usr/local/lib/r2r/"

# --- record -----------------------------------------------------------------------------
{
	echo "# root2ram test root: Debian bookworm $arch, key $hash"
	echo "# package version sha256"
	printf '%s\n' "$manifest" | awk '{ print $1, $2, $3 }'
	echo "# compiled by testroot.sh with $(printf '%s' "$tools" | tr '\t\n' '= ')"
	echo "# /usr/local/bin/hello-musl /usr/local/bin/greet-musl /usr/local/lib/r2r/libr2rgreet.so.1.0.0"
} >"$root/.root2ram-testroot.tmp"

# --- verify with the real loaders -------------------------------------------------------
realldso="$root/usr/lib/$triplet/$(basename "$ldso")"
[ -f "$realldso" ] || die "the glibc loader $realldso is missing"
[ -e "$root$ldso" ] || die "$ldso does not resolve inside the root"
check_list() { # FILE WANTED-NAME...
	f=$1; shift
	out=$("$qemu" -L "$root" "$realldso" --list "$root$f" 2>&1) ||
		die "verify: glibc --list $f failed: $out"
	case "$out" in *"not found"*) die "verify: $f: $out" ;; esac
	for w in "$@"; do
		case "$out" in *"$w"*) ;; *) die "verify: $f: '$w' missing from: $out" ;; esac
	done
	n=$(printf '%s\n' "$out" | grep -c ' => ')
	echo "$n"
}
n=$(check_list /usr/sbin/dropbear libtomcrypt.so.1 libtommath.so.1 libz.so.1 libcrypt.so.1 \
	libc.so.6 "$ldso" libgmp.so.10)
[ "$n" = 7 ] || die "verify: glibc --list dropbear gave $n entries, expected 7"
check_list /usr/bin/man libmandb-2.11.2.so libman-2.11.2.so libseccomp.so.2 >/dev/null
[ ! -e "$root$jre/bin/java" ] || check_list "$jre/bin/java" "$jre/bin/../lib/libjli.so" >/dev/null
for p in hello-musl greet-musl; do
	out=$("$qemu" -L "$root" "$root/usr/local/bin/$p" 2>&1) || die "verify: $p does not run: $out"
done
[ "$out" = "greetings from libr2rgreet" ] || die "verify: greet-musl printed '$out'"
[ ! -e "$root/etc/ld.so.cache" ] || die "verify: the root has an ld.so.cache"

# --- publish atomically -----------------------------------------------------------------
mv "$root/.root2ram-testroot.tmp" "$root/.root2ram-testroot"
if ! mv -T "$root" "$dest" 2>/dev/null; then
	# someone else finished the same build first
	[ -f "$dest/.root2ram-testroot" ] || die "cannot rename $root to $dest"
fi
# shellcheck disable=SC2012
ls -1dt "$cache/testroot/$arch"-* | tail -n +4 | while read -r old; do
	[ "$old" = "$dest" ] || rm -rf "$old"
done
keep=$(printf '%s\n' "$manifest" | awk '{ print $4 }')
for d in "$cache/debs/$arch"/*.deb; do
	printf '%s\n' "$keep" | grep -qxF "$(basename "$d")" || rm -f "$d"
done
remember
publish "$dest"
