#!/bin/sh
# root2ram: build the QEMU virt arm64 kernel (Image) for the NFS-root boot tests of
# 64-bit and 32-bit (armhf) roots, from Debian's linux-source-6.1 with gcc-aarch64-linux-gnu.
#
#   scripts/kernel-arm64.sh [--print]
#
# allnoconfig with qemu/kernel-arm64.config (KCONFIG_ALLCONFIG); every option of the
# fragment is checked in the final .config. QEMU virt makes its own device tree.
# Output: ${R2R_CACHE:-/var/cache/root2ram}/kernel/arm64-KEY/{Image,config,release}
# and arm64-KEY/modules/lib/modules/RELEASE, where KEY hashes the linux-source-6.1
# version, the fragment, this script and the cross compiler version; nothing is built
# when KEY exists. build/kernel-arm64 -> that directory. The source unpacked by
# scripts/kernel.sh is shared; the object tree is CACHE/kernel/obj-arm64.
# A full build takes ~12 min on 2 cores (R2R_JOBS, default 3); the log goes to
# CACHE/kernel/build-arm64.log. --print prints the output directory. Quiet when cached.
set -eu

me="root2ram: kernel-arm64"
synopsis="[--print]"
. "$(dirname "$0")/lib.sh"

script="$top/scripts/kernel-arm64.sh"
frag="$top/qemu/kernel-arm64.config"
cache=${R2R_CACHE:-/var/cache/root2ram}
kdir="$cache/kernel"
tarball=/usr/src/linux-source-6.1.tar.xz
jobs=${R2R_JOBS:-3}
cross=aarch64-linux-gnu-

print=0
for a in "$@"; do
	case "$a" in
	--print) print=1 ;;
	-h | --help) show_help ;;
	*) usage "unknown argument '$a'" ;;
	esac
done

[ -r "$frag" ] || die "$frag is missing"
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) || srcver=""
if [ -z "$srcver" ] || [ ! -r "$tarball" ]; then die "linux-source-6.1 is not installed: run scripts/setup.sh all"; fi
for t in "${cross}gcc" make bc flex bison flock xz /sbin/depmod; do
	command -v "$t" >/dev/null 2>&1 || die "'$t' is missing: run scripts/setup.sh all"
done
gccver=$(dpkg-query -W -f='${Version}' gcc-aarch64-linux-gnu 2>/dev/null || "${cross}gcc" -dumpfullversion)

key=$( {
	echo "linux-source-6.1 $srcver"
	echo "gcc-aarch64-linux-gnu $gccver"
	cat "$frag" "$script"
} | sha256sum | cut -c1-12)
dest="$kdir/arm64-$key"
link="$top/build/kernel-arm64"

publish() {
	mkdir -p "$top/build"
	ln -sfn "$dest" "$link.tmp.$$"
	mv -T "$link.tmp.$$" "$link"
	[ "$print" = 0 ] || echo "$dest"
}

done_already() { [ -f "$dest/Image" ] && [ -f "$dest/release" ]; }

if done_already; then
	publish
	exit 0
fi

mkdir -p "$kdir"
# one build at a time (a second caller waits, then finds the result)
exec 9>"$kdir/.lock-arm64"
flock 9
if done_already; then
	publish
	exit 0
fi

log="$kdir/build-arm64.log"
: >"$log"
fail() { die "$* (log: $log)
$(tail -n 15 "$log")"; }

src="$kdir/src-$srcver"
obj="$kdir/obj-arm64"
exec 8>"$kdir/.lock"
[ -f "$src/Makefile" ] || flock 8
if [ ! -f "$src/Makefile" ]; then
	echo "$me: unpacking $tarball" >&2
	rm -rf "$kdir"/src-* "$kdir/.src-tmp" "$kdir/obj" "$obj"
	mkdir -p "$kdir/.src-tmp"
	tar -xJf "$tarball" -C "$kdir/.src-tmp" >>"$log" 2>&1 || fail "unpacking $tarball failed"
	mv -T "$kdir/.src-tmp/linux-source-6.1" "$src"
	rmdir "$kdir/.src-tmp"
fi
exec 8>&-
mkdir -p "$obj"

echo "$me: building Image (key $key, ~12 min from scratch; log: $log)" >&2
start=$(date +%s)
kmake() { make -C "$src" O="$obj" ARCH=arm64 CROSS_COMPILE="$cross" "$@" >>"$log" 2>&1; }

kmake KCONFIG_ALLCONFIG="$frag" allnoconfig || fail "make allnoconfig failed"
kmake olddefconfig || fail "make olddefconfig failed"

# every requested option must have survived (merge_config only warns)
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

kmake -j"$jobs" Image modules || fail "kernel build failed"

tmp="$kdir/.out-$key-$$"
rm -rf "$tmp"
mkdir -p "$tmp"
cp "$obj/arch/arm64/boot/Image" "$tmp/Image"
cp "$obj/.config" "$tmp/config"
# the modules, as a root's /lib/modules/VERSION (stripped, with depmod's indexes)
kmake INSTALL_MOD_PATH="$tmp/modules" INSTALL_MOD_STRIP=1 DEPMOD=/sbin/depmod modules_install ||
	fail "make modules_install failed"
rm -f "$tmp"/modules/lib/modules/*/build "$tmp"/modules/lib/modules/*/source
cat "$obj/include/config/kernel.release" >"$tmp/release"
echo "linux-source-6.1 $srcver, gcc-aarch64-linux-gnu $gccver, built in $(($(date +%s) - start)) s" \
	>"$tmp/BUILDINFO"
rm -rf "$dest"
mv -T "$tmp" "$dest"
# keep the three newest results (other branches may use other configs)
# shellcheck disable=SC2012
ls -1dt "$kdir"/arm64-* | sed -n '/\/arm64-[0-9a-f]\{12\}$/p' | tail -n +4 | while read -r old; do rm -rf "$old"; done
publish
