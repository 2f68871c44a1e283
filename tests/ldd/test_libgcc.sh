#!/bin/sh
# glibc loads libgcc_s.so.1 with dlopen() when a thread is cancelled or
# exits and for backtrace(); no DT_NEEDED names it.  For every dynamic glibc
# ELF file of the armel and arm64 test roots, `root2ram ldd --closure` must
# hold libgcc_s.so.1 exactly when an object of the closure imports
# pthread_cancel, pthread_exit, thrd_exit or backtrace, as binutils'
# readelf sees the symbol tables (or when the loader itself lists it, as a
# DT_NEEDED library).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/ldd/lib.sh
B=${B:-build}
R2R=$PWD/$B/host/root2ram
[ -x "$R2R" ] || { echo "FAIL: $R2R not built"; exit 1; }
command -v readelf >/dev/null || { echo "FAIL: readelf (binutils) is missing"; exit 1; }
tmp=$(mktemp -d /tmp/r2r-ldd-libgcc.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

for arch in armel arm64 host; do
	if [ "$arch" = host ]; then
		root=/
		dyn_elf_list / usr/bin usr/sbin | awk '$1 == "glibc" { print $2 }' >"$tmp/files"
	else
		root=$(scripts/testroot.sh "$arch" --print) || { echo "FAIL: scripts/testroot.sh $arch"; continue; }
		dyn_elf_list "$root" | awk '$1 == "glibc" { print $2 }' >"$tmp/files"
	fi
	: >"$tmp/importers"
	total=0 want=0 bad=0
	while read -r f; do
		total=$((total + 1))
		"$R2R" ldd --closure --root "$root" "$f" >"$tmp/closure" 2>/dev/null
		expect=no
		while read -r p; do
			[ -f "${root%/}$p" ] && [ ! -L "${root%/}$p" ] || continue
			# cached per file: "yes"/"no" imports one of the four
			key=$(printf '%s' "$p" | tr '/' '_')
			if [ ! -f "$tmp/imp$key" ]; then
				if readelf --dyn-syms -W "${root%/}$p" 2>/dev/null |
					awk '$7 == "UND" { sub(/@.*/, "", $8); print $8 }' |
					grep -qxE 'pthread_cancel|pthread_exit|thrd_exit|backtrace'; then
					echo yes >"$tmp/imp$key"
					echo "$p" >>"$tmp/importers"
				else
					echo no >"$tmp/imp$key"
				fi
			fi
			[ "$(cat "$tmp/imp$key")" = yes ] && expect=yes
		done <"$tmp/closure"
		got=no
		grep -vxF "$f" "$tmp/closure" | grep -q '/libgcc_s\.so\.1$' && got=yes
		[ "$expect" = yes ] && want=$((want + 1))
		if [ "$got" != "$expect" ]; then
			# a DT_NEEDED libgcc_s is in the loader's own list
			if [ "$got" = yes ] && "$R2R" ldd --root "$root" "$f" 2>/dev/null | grep -q 'libgcc_s\.so\.1 =>'; then
				continue
			fi
			bad=$((bad + 1))
			echo "  $arch $f: libgcc_s.so.1 in the closure: $got, importers in it: $expect"
		fi
	done <"$tmp/files"
	n_imp=$(sort -u "$tmp/importers" | wc -l)
	some=$(sort -u "$tmp/importers" | sed 's|.*/||' | head -3 | tr '\n' ' ')
	if [ "$total" -gt 100 ] && { [ "$want" -gt 0 ] || [ "$arch" = host ]; } && [ "$bad" = 0 ]; then
		echo "PASS: $arch: libgcc_s.so.1 in the closure of all $want of $total programs and libraries that import the unwinding symbols through it, and of no other ($n_imp importing files: ${some% })"
	else
		echo "FAIL: $arch: $bad of $total files disagree ($want should have libgcc_s.so.1)"
	fi
done
