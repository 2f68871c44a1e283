#!/bin/sh
# scripts/install.sh EXPORT [--arch armel|arm64] [--authorized-key FILE]
#
# Install root2ram into an NFS root, the way it is done on a real server:
#   EXPORT/sbin/root2ram                  the init (static, stripped)
#   EXPORT/etc/root2ram/manifests/        the manifests (yours are kept)
#   EXPORT/etc/root2ram/overlay/          copied over the RAM root at boot
#   EXPORT/etc/root2ram/root2ram.conf     boot options (created once)
#   EXPORT/etc/dropbear/*_host_key        generated once, here, never at boot:
#                                         the fingerprint stays the same
#   EXPORT/root/.ssh/authorized_keys      with --authorized-key
# Then add init=/sbin/root2ram to the Pi's cmdline.txt.
# The init comes from ${B:-build}/ARCH/ (made with make B=... when missing).
set -eu
me="root2ram: install"
synopsis="EXPORT [--arch armel|arm64] [--authorized-key FILE]"
. "$(dirname "$0")/lib.sh"
cd "$top"

[ $# -ge 1 ] || usage
case $1 in -h | --help) show_help ;; -*) usage "unknown argument '$1'" ;; esac
export_dir=$1; shift
arch=armel
key=""
while [ $# -gt 0 ]; do
	case $1 in
	--arch) [ $# -ge 2 ] || usage "--arch needs a value"; arch=$2; shift 2 ;;
	--authorized-key) [ $# -ge 2 ] || usage "--authorized-key needs a value"; key=$2; shift 2 ;;
	-h | --help) show_help ;;
	*) usage "unknown argument '$1'" ;;
	esac
done
case $arch in armel | arm64) ;; *) usage "--arch must be armel or arm64, got '$arch'" ;; esac
[ -d "$export_dir/etc" ] || die "$export_dir does not look like a root filesystem (no etc/)"
B=${B:-build}
bin=$B/$arch/root2ram.stripped
make -s B="$B" "$bin" || die "cannot build $bin"

install -D -m 0755 "$bin" "$export_dir/sbin/root2ram"
install -d -m 0755 "$export_dir/etc/root2ram/manifests" "$export_dir/etc/root2ram/start.d"
for m in manifests/*.manifest; do
	install -m 0644 "$m" "$export_dir/etc/root2ram/manifests/"
done
rm -rf "$export_dir/etc/root2ram/overlay"
cp -R rootfs-overlay "$export_dir/etc/root2ram/overlay"
chown -R 0:0 "$export_dir/etc/root2ram/overlay"
if [ ! -e "$export_dir/etc/root2ram/root2ram.conf" ]; then
	cat > "$export_dir/etc/root2ram/root2ram.conf" <<'CONF'
# root2ram boot options; root2ram.NAME=VALUE on the kernel command line wins.
# manifest=default
# size=64M
# detach=yes
CONF
fi

install -d -m 0755 "$export_dir/etc/dropbear"
for t in ed25519 ecdsa rsa; do
	f=$export_dir/etc/dropbear/dropbear_${t}_host_key
	[ -s "$f" ] || dropbearkey -t "$t" -f "$f" >/dev/null 2>&1 ||
		die "dropbearkey -t $t failed (is dropbear-bin installed?)"
done

if [ -n "$key" ]; then
	install -d -m 0700 "$export_dir/root/.ssh"
	ak=$export_dir/root/.ssh/authorized_keys
	touch "$ak"
	grep -qxF "$(cat "$key")" "$ak" || cat "$key" >> "$ak"
	chmod 0600 "$ak"
fi
echo "root2ram: installed into $export_dir; add init=/sbin/root2ram to cmdline.txt"
