#!/bin/sh
# tests/stage/test_stage_pios.sh - the default manifest planned and staged from the
# Raspberry Pi OS shaped roots (pios-arm64, pios-armhf) into a real tmpfs, in a
# private mount namespace; the root's own glibc loader then runs the staged dropbear
# with the staged ld.so.cache. armhf as on a Pi 4/5 (qemu-arm -cpu max: $PLATFORM
# v8l): staged with --platform v8l, the preload finds its libarmmem; staged for the
# default v7l, the v8l loader says it cannot preload it.
set -eu
cd "$(dirname "$0")/../.." || exit 111
. tests/lib.sh

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (unshare -m, mount -t tmpfs)"; exit 0; }
t=$(mktemp -d /tmp/r2r-stage-pios.XXXXXX)
trap 'rm -rf "$t"' EXIT

# stage_run NAME ROOT QEMU LOADER [stage options]: stage default into a tmpfs, run the
# staged dropbear there; prints the plan's exit status, the loader's --list, dropbear -V
stage_run() {
	sn=$1 src=$2 qemu=$3 ld=$4
	shift 4
	mkdir -p "$t/$sn"
	unshare -m sh -c '
		d=$1 src=$2 qemu=$3 ld=$4 r2r=$5; shift 5
		mount -t tmpfs none "$d" || exit 111
		"$r2r" stage --root "$src" --to "$d" --manifests manifests "$@" default >/dev/null 2>"$d.err" ||
			{ echo "stage failed: $(cat "$d.err")"; exit 1; }
		echo "ld.so.cache: $(test -s "$d/etc/ld.so.cache" && echo yes)"
		"$qemu" -L "$d" "$d$ld" --list "$d/usr/sbin/dropbear" 2>&1
		"$qemu" -L "$d" "$d/usr/sbin/dropbear" -V 2>&1
	' _ "$t/$sn" "$src" "$qemu" "$ld" "$R2R" "$@" >"$t/$sn.out" 2>&1 || true
}

for name in pios-arm64 pios-armhf; do
	test_root "$name" || continue
	unset QEMU_CPU
	case $name in
	pios-arm64) qemu=qemu-aarch64 ld=/usr/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1 ;;
	pios-armhf) qemu=qemu-arm ld=/usr/lib/arm-linux-gnueabihf/ld-linux-armhf.so.3 ;;
	esac
	rc=0
	"$R2R" plan --strict --root "$root" --manifests manifests default >"$t/$name.plan" 2>&1 || rc=$?
	[ $rc = 0 ] && pass "$name: plan --strict default exits 0" || fail "$name: plan: rc=$rc: $(tail -3 "$t/$name.plan")"
	grep -q '^file     /etc/ld.so.cache ' "$t/$name.plan" && pass "$name: the root's ld.so.cache is planned" ||
		fail "$name: no ld.so.cache in the plan"
	if [ $name = pios-armhf ]; then
		QEMU_CPU=max
		export QEMU_CPU
		grep -q '^platform: v7l for arm-linux-gnueabihf' "$t/$name.plan" &&
			grep -q '^file     /usr/lib/arm-linux-gnueabihf/libarmmem-v7l.so .*(preloaded' "$t/$name.plan" &&
			pass "$name: the default plan preloads libarmmem-v7l.so and says v7l" ||
			fail "$name: default plan: $(grep -E 'armmem|^platform' "$t/$name.plan")"
		stage_run "$name-v8l" "$root" "$qemu" "$ld" --platform v8l
		out=$(cat "$t/$name-v8l.out")
		case $out in
		*"ld.so.cache: yes"*libarmmem-v8l.so*"Dropbear v"*)
			case $out in
			*"cannot be preloaded"* | *"not found"*) fail "$name: staged with --platform v8l: $out" ;;
			*) pass "$name: staged with --platform v8l, the v8l loader preloads libarmmem-v8l.so and dropbear runs" ;;
			esac ;;
		*) fail "$name: staged with --platform v8l: $out" ;;
		esac
		stage_run "$name-v7l" "$root" "$qemu" "$ld"
		grep -q "libarmmem-.* from /etc/ld.so.preload cannot be preloaded" "$t/$name-v7l.out" &&
			pass "$name: staged for v7l, a v8l machine cannot preload (what --platform is for)" ||
			fail "$name: staged for v7l under a v8l CPU: $(cat "$t/$name-v7l.out")"
	else
		stage_run "$name" "$root" "$qemu" "$ld"
		out=$(cat "$t/$name.out")
		case $out in
		*"not found"*) fail "$name: staged root: $out" ;;
		*"ld.so.cache: yes"*libtomcrypt*"Dropbear v"*) pass "$name: the loader finds dropbear's libraries in the staged root, by its ld.so.cache, and dropbear runs" ;;
		*) fail "$name: staged root: $out" ;;
		esac
	fi
done
exit 0
