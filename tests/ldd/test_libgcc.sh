#!/bin/sh
# glibc loads libgcc_s.so.1 with dlopen() when a thread is cancelled or
# exits and for backtrace(); no DT_NEEDED names it.  For every dynamic glibc
# ELF file of the armel and arm64 test roots, `root2ram ldd --closure` must
# hold libgcc_s.so.1 exactly when an object of the closure imports
# pthread_cancel, pthread_exit, thrd_exit or backtrace, as binutils'
# readelf sees the symbol tables (or when the loader itself lists it, as a
# DT_NEEDED library).
set -eu
cd "$(dirname "$0")/../.." || exit 111
. tests/ldd/lib.sh
ldd_setup ldd-libgcc
command -v readelf >/dev/null || { fail "readelf (binutils) is missing"; exit 1; }

for arch in armel arm64 host; do
	if [ "$arch" = host ]; then
		root=/
		dyn_elf_list / usr/bin usr/sbin | awk '$1 == "glibc" { print $2 }' >"$tmp/files"
	else
		test_root "$arch" || continue
		dyn_elf_list "$root" | awk '$1 == "glibc" { print $2 }' >"$tmp/files"
	fi
	: >"$tmp/importers"
	total=0 want=0 bad=0
	while read -r f; do
		total=$((total + 1))
		# a file with a missing library still has a closure: the status is not the point
		"$R2R" ldd --closure --root "$root" "$f" >"$tmp/closure" 2>/dev/null || true
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
			if [ "$(cat "$tmp/imp$key")" = yes ]; then expect=yes; fi
		done <"$tmp/closure"
		got=no
		if grep -vxF "$f" "$tmp/closure" | grep -q '/libgcc_s\.so\.1$'; then got=yes; fi
		if [ "$expect" = yes ]; then want=$((want + 1)); fi
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
		pass "$arch: libgcc_s.so.1 in the closure of all $want of $total programs and libraries that import the unwinding symbols through it, and of no other ($n_imp importing files: ${some% })"
	else
		fail "$arch: $bad of $total files disagree ($want should have libgcc_s.so.1)"
	fi
done
