#!/bin/sh
# Differential test: for every dynamic ELF file of the armel and arm64 test
# roots and of the Raspberry Pi OS shaped pios-arm64 and pios-armhf ones
# (scripts/testroot.sh), `root2ram ldd --root ROOT FILE` must print
# what the root's own loader prints, run under qemu-user:
#   glibc:  LD_TRACE_LOADED_OBJECTS=1 qemu-arm -L ROOT ROOT/lib/ld-linux.so.3 FILE
#           (what ldd does; same output as --list, which however stops
#           at the first missing library instead of listing it)
#   musl:   qemu-arm -L ROOT ROOT/lib/ld-musl-arm.so.1 --list FILE
# Only the load addresses and the vDSO line are taken out.
# pios-armhf runs under qemu-arm -cpu max (QEMU_CPU; qemu-arm has no Cortex-A72), whose $PLATFORM
# is v8l as on a Pi 4/5 running 32-bit Raspberry Pi OS: its ld.so.preload
# names libarmmem-${PLATFORM}.so, and root2ram ldd gets --platform v8l.
#
# qemu -L looks a path up in ROOT first and falls back to the host's when
# ROOT lacks it, so the loaders run in a private mount namespace where the
# host's own armel/arm64 library directories are hidden (see qemu_side),
# with --inhibit-cache when ROOT has no ld.so.cache (else the host's would
# be read).  The loader runs with argv[0] set to its path in the root
# (qemu -0), which it prints for itself.
set -eu
cd "$(dirname "$0")/../.." || exit 111
. tests/ldd/lib.sh
ldd_setup ldd-roots

# The loader side for a list of "IDX KIND PATH" lines on stdin: one output
# file per IDX.  Runs inside the mount namespace.
qemu_side() { # ROOT QEMU GLIBC_LDSO MUSL_LDSO INHIBIT OUTDIR
	cat >"$tmp/worker.sh" <<'EOF'
root=$1 qemu=$2 gl=$3 ml=$4 inhibit=$5 out=$6
shift 6
while [ $# -ge 3 ]; do
	idx=$1 kind=$2 f=$3
	shift 3
	if [ "$kind" = musl ]; then
		"$qemu" -0 "$ml" -L "$root" "$root$ml" --list "$f" >"$out/$idx" 2>"$out/$idx.err"
	else
		# as ldd runs it: LD_TRACE_LOADED_OBJECTS lists a missing
		# library as "not found" (--list alone stops at it)
		# shellcheck disable=SC2086
		"$qemu" -E LD_TRACE_LOADED_OBJECTS=1 -0 "$gl" -L "$root" "$root$gl" $inhibit "$f" \
			>"$out/$idx" 2>"$out/$idx.err"
	fi
done
EOF
	# In the namespace: /usr becomes an overlay, the host's own armel and
	# arm64 library directories are emptied, and every directory of
	# ROOT/usr exists: qemu-arm maps open() into ROOT but not the statx()
	# by which glibc checks whether a search directory exists, so a
	# directory only ROOT has would be dropped from an RPATH list.
	mkdir -p "$tmp/ovl/up" "$tmp/ovl/work"
	ns="mount -t overlay overlay -o lowerdir=/usr,upperdir=$tmp/ovl/up,workdir=$tmp/ovl/work /usr &&"
	for d in /usr/lib/arm-linux-gnueabi /usr/lib/arm-linux-gnueabihf /usr/lib/aarch64-linux-gnu \
		/usr/arm-linux-gnueabi /usr/aarch64-linux-gnu /usr/lib/arm-linux-musleabi /usr/lib/aarch64-linux-musl; do
		if [ -d "$d" ]; then ns="$ns mount -t tmpfs none $d &&"; fi
	done
	ns="$ns (cd '$1' && find usr -type d) | (cd / && xargs mkdir -p) &&"
	run="xargs -n 60 -P 2 sh $tmp/worker.sh $1 $2 $3 '$4' '$5' $6"
	# a loader's own exit status is not the point (a missing library is
	# an answer too): only its output is compared
	if unshare -m sh -c "$ns true" 2>/dev/null; then
		rm -rf "$tmp/ovl"
		mkdir -p "$tmp/ovl/up" "$tmp/ovl/work"
		unshare -m sh -c "$ns $run" || true
	else
		echo "note: no private mount namespace with an overlay: the host's libraries are visible to the loader" >&2
		sh -c "$run" || true
	fi
	rm -rf "$tmp/ovl"
}

for arch in armel arm64 pios-arm64 pios-armhf; do
	plat="" first=""
	unset QEMU_CPU
	case $arch in
	armel) qemu=qemu-arm gl=/lib/ld-linux.so.3 ;;
	arm64 | pios-arm64) qemu=qemu-aarch64 gl=/lib/ld-linux-aarch64.so.1 ;;
	pios-armhf)
		qemu=qemu-arm gl=/lib/ld-linux-armhf.so.3 plat="--platform v8l" first="/usr/lib/arm-linux-gnueabihf/libarmmem-\${PLATFORM}.so "
		QEMU_CPU=max
		export QEMU_CPU ;;
	esac
	test_root "$arch" || continue
	ml=$(cd "$root" && ls lib/ld-musl-*.so.1 2>/dev/null | head -1)
	ml=${ml:+/$ml}
	inhibit=--inhibit-cache
	if [ -f "$root/etc/ld.so.cache" ]; then inhibit=; fi
	mkdir -p "$tmp/$arch/q" "$tmp/$arch/r"
	dyn_elf_list "$root" | awk '{ print NR, $1, $2 }' >"$tmp/$arch/list"
	n=$(wc -l <"$tmp/$arch/list")
	[ "$n" -gt 0 ] || { fail "$arch: no dynamic ELF file in $root"; continue; }

	t0=$(date +%s.%N)
	qemu_side "$root" "$qemu" "$gl" "$ml" "$inhibit" "$tmp/$arch/q" <"$tmp/$arch/list"
	t1=$(date +%s.%N)
	# root2ram: one process for all files; headers split the output
	# shellcheck disable=SC2046,SC2086
	"$R2R" ldd --root "$root" $plat $(awk '{ print $3 }' "$tmp/$arch/list") 2>"$tmp/$arch/r2r.err" |
		split_blocks "$tmp/$arch/r"
	t2=$(date +%s.%N)

	bad=0
	while read -r idx kind f; do
		normalise <"$tmp/$arch/q/$idx" >"$tmp/$arch/q/$idx.n"
		if ! cmp -s "$tmp/$arch/q/$idx.n" "$tmp/$arch/r/$idx"; then
			bad=$((bad + 1))
			fail "$arch: $f ($kind): root2ram ldd differs from the loader:"
			diff "$tmp/$arch/q/$idx.n" "$tmp/$arch/r/$idx" | sed 's/^/    /' | head -20
			if [ -s "$tmp/$arch/q/$idx.err" ]; then
				sed 's/^/    loader stderr: /' "$tmp/$arch/q/$idx.err" | head -3
			fi
		fi
	done <"$tmp/$arch/list"
	nm=$(grep -c ' musl ' "$tmp/$arch/list" || true)
	printf '%s: %d files compared (%d glibc, %d musl), %d differ; loader under qemu %.1f s, root2ram %.2f s\n' \
		"$arch" "$n" $((n - nm)) "$nm" "$bad" "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)"
	if [ "$bad" -eq 0 ]; then
		pass "$arch: root2ram ldd equals the loader for all $n dynamic ELF files of the test root"
	fi

	# the seven entries of the issue, in the loader's order
	# shellcheck disable=SC2086
	out=$("$R2R" ldd --root "$root" $plat /usr/sbin/dropbear | sed 's/ =>.*//; s/^\t//' | tr '\n' ' ')
	exp="${first}libtomcrypt.so.1 libtommath.so.1 libz.so.1 libcrypt.so.1 libc.so.6 $gl libgmp.so.10 "
	if [ "$out" = "$exp" ]; then
		pass "$arch: root2ram ldd /usr/sbin/dropbear lists the loader's entries in its order"
	else
		fail "$arch: root2ram ldd /usr/sbin/dropbear: got '$out', want '$exp'"
	fi
done
exit 0
