#!/bin/sh
# root2ram: build a QEMU kernel for the NFS-root boot tests from Debian's linux-source-6.1.
#
#   scripts/kernel.sh [--arch armel|arm64] [--print]
#
#   armel (default)  versatilepb: zImage + versatile-pb.dtb, with gcc-arm-linux-gnueabi;
#                    versatile_defconfig + qemu/kernel.config merged with
#                    scripts/kconfig/merge_config.sh. ~7 min from scratch on 2 cores.
#   arm64            QEMU virt: Image, with gcc-aarch64-linux-gnu; allnoconfig with
#                    qemu/kernel-arm64.config (KCONFIG_ALLCONFIG). QEMU virt makes its
#                    own device tree. ~7 min from scratch on 2 idle cores.
#
# Every option of the fragment is checked in the final .config.
# Output: ${R2R_CACHE:-/var/cache/root2ram}/kernel/PREFIXKEY/{zImage and versatile-pb.dtb
# | Image, config, release} and PREFIXKEY/modules/lib/modules/RELEASE (the modules, for a
# test root's /lib/modules), where PREFIX is "" for armel and "arm64-" for arm64 and KEY
# hashes the linux-source-6.1 version, the fragment, this script and the cross compiler
# version; nothing is built when KEY exists. build/kernel (armel) or build/kernel-arm64
# -> that directory. The unpacked source (shared by both) and each architecture's object
# tree stay in the cache for incremental rebuilds. R2R_JOBS sets make's -j (default 3);
# the log goes to CACHE/kernel/build[-arm64].log. --print prints the output directory.
# Quiet when cached.
set -eu

me="root2ram: kernel"
synopsis="[--arch armel|arm64] [--print]"
. "$(dirname "$0")/lib.sh"

script="$top/scripts/kernel.sh"
cache=${R2R_CACHE:-/var/cache/root2ram}
kdir="$cache/kernel"
tarball=/usr/src/linux-source-6.1.tar.xz
jobs=${R2R_JOBS:-3}

print=0
arch=armel
while [ $# -gt 0 ]; do
	case "$1" in
	--print) print=1 ;;
	--arch)
		[ $# -ge 2 ] || usage "--arch needs armel or arm64"
		arch=$2
		shift
		;;
	--arch=*) arch=${1#--arch=} ;;
	-h | --help) show_help ;;
	*) usage "unknown argument '$1'" ;;
	esac
	shift
done

case "$arch" in
armel)
	me="root2ram: kernel"
	karch=arm cross=arm-linux-gnueabi- gccpkg=gcc-arm-linux-gnueabi
	frag="$top/qemu/kernel.config"
	prefix="" tag=""
	images="arch/arm/boot/zImage arch/arm/boot/dts/versatile-pb.dtb"
	targets="zImage dtbs modules"
	;;
arm64)
	me="root2ram: kernel (arm64)"
	karch=arm64 cross=aarch64-linux-gnu- gccpkg=gcc-aarch64-linux-gnu
	frag="$top/qemu/kernel-arm64.config"
	prefix="arm64-" tag="-arm64"
	images="arch/arm64/boot/Image"
	targets="Image modules"
	;;
*) usage "--arch: '$arch' is not armel or arm64" ;;
esac

[ -r "$frag" ] || die "$frag is missing"
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) || srcver=""
if [ -z "$srcver" ] || [ ! -r "$tarball" ]; then die "linux-source-6.1 is not installed: run scripts/setup.sh all"; fi
for t in "${cross}gcc" make bc flex bison flock xz /sbin/depmod; do
	command -v "$t" >/dev/null 2>&1 || die "'$t' is missing: run scripts/setup.sh all"
done
gccver=$(dpkg-query -W -f='${Version}' "$gccpkg" 2>/dev/null || "${cross}gcc" -dumpfullversion)

key=$( {
	echo "linux-source-6.1 $srcver"
	echo "$gccpkg $gccver"
	echo "arch $arch"
	cat "$frag" "$script"
} | sha256sum | cut -c1-12)
dest="$kdir/$prefix$key"
link="$top/build/kernel$tag"

publish() {
	mkdir -p "$top/build"
	ln -sfn "$dest" "$link.tmp.$$"
	mv -T "$link.tmp.$$" "$link"
	[ "$print" = 0 ] || echo "$dest"
}

done_already() {
	[ -f "$dest/release" ] || return 1
	for f in $images; do [ -f "$dest/${f##*/}" ] || return 1; done
}

if done_already; then
	publish
	exit 0
fi

mkdir -p "$kdir"
# one build per architecture at a time (a second caller waits, then finds the result)
exec 9>"$kdir/.lock$tag"
flock 9
if done_already; then
	publish
	exit 0
fi

log="$kdir/build$tag.log"
: >"$log"
fail() { die "$* (log: $log)
$(tail -n 15 "$log")"; }

src="$kdir/src-$srcver"
obj="$kdir/obj$tag"
# the source is shared: unpacked once, under its own lock
exec 8>"$kdir/.lock-src"
flock 8
if [ ! -f "$src/Makefile" ]; then
	echo "$me: unpacking $tarball" >&2
	rm -rf "$kdir"/src-* "$kdir/.src-tmp" "$kdir/obj" "$kdir/obj-arm64"
	mkdir -p "$kdir/.src-tmp"
	tar -xJf "$tarball" -C "$kdir/.src-tmp" >>"$log" 2>&1 || fail "unpacking $tarball failed"
	mv -T "$kdir/.src-tmp/linux-source-6.1" "$src"
	rmdir "$kdir/.src-tmp"
fi
exec 8>&-
mkdir -p "$obj"

echo "$me: building $targets (key $key, ~7 min from scratch; log: $log)" >&2
start=$(date +%s)
kmake() { make -C "$src" O="$obj" ARCH="$karch" CROSS_COMPILE="$cross" "$@" >>"$log" 2>&1; }

if [ "$arch" = armel ]; then
	kmake versatile_defconfig || fail "make versatile_defconfig failed"
	(
		cd "$obj"
		ARCH=$karch CROSS_COMPILE="$cross" "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" \
			"$obj/.config" "$frag"
	) >>"$log" 2>&1 || fail "merge_config.sh failed"
	kmake olddefconfig || fail "make olddefconfig failed"
else
	kmake KCONFIG_ALLCONFIG="$frag" allnoconfig || fail "make allnoconfig failed"
fi

# every requested option must have survived (kconfig only warns)
bad=""
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*)
		grep -qxF -- "$line" "$obj/.config" || bad="$bad
  wanted $line, got: $(grep -E "^(# )?${line%%=*}[= ]" "$obj/.config" || echo 'absent')" ;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }; opt=${opt%% *}
		! grep -qE "^$opt=[ym]" "$obj/.config" || bad="$bad
  wanted $opt off, got: $(grep -E "^$opt=" "$obj/.config")" ;;
	esac
done <"$frag"
[ -z "$bad" ] || die "options of $frag were dropped by kconfig (missing dependency?):$bad"

# shellcheck disable=SC2086 # a list of make targets
kmake -j"$jobs" $targets || fail "kernel build failed"

tmp="$kdir/.out-$prefix$key-$$"
rm -rf "$tmp"
mkdir -p "$tmp"
for f in $images; do cp "$obj/$f" "$tmp/"; done
cp "$obj/.config" "$tmp/config"
# the modules, as a root's /lib/modules/VERSION (stripped, with depmod's indexes)
kmake INSTALL_MOD_PATH="$tmp/modules" INSTALL_MOD_STRIP=1 DEPMOD=/sbin/depmod modules_install ||
	fail "make modules_install failed"
rm -f "$tmp"/modules/lib/modules/*/build "$tmp"/modules/lib/modules/*/source
cat "$obj/include/config/kernel.release" >"$tmp/release"
echo "linux-source-6.1 $srcver, $gccpkg $gccver, built in $(($(date +%s) - start)) s" \
	>"$tmp/BUILDINFO"
rm -rf "$dest"
mv -T "$tmp" "$dest"
# keep the three newest results of this architecture (other branches may use other configs)
# shellcheck disable=SC2012
ls -1dt "$kdir/$prefix"* 2>/dev/null | sed -n "\\|/${prefix}[0-9a-f]\\{12\\}\$|p" | tail -n +4 |
	while read -r old; do rm -rf "$old"; done
publish
