#!/bin/sh
# Differential test on the host: for every dynamic x86-64 ELF file of
# /usr/bin, /usr/sbin and /usr/lib/x86_64-linux-gnu (recursively),
# `root2ram ldd FILE` (root /) must print what `ldd FILE` prints, without
# the load addresses and the linux-vdso line (the kernel's, not a file).
# Files of other machines are counted and skipped (ldd runs only the
# host's loaders; root2ram resolves them as their own loader would).
set -eu
cd "$(dirname "$0")/../.." || exit 111
. tests/ldd/lib.sh
[ "$(uname -m)" = x86_64 ] || { echo "SKIP: host: not an x86-64 host"; exit 0; }
ldd_setup ldd-host
mkdir -p "$tmp/q" "$tmp/r"

DYN_MACHINE=62 dyn_elf_list / usr/bin usr/sbin usr/lib/x86_64-linux-gnu | awk '{ print NR, $2 }' >"$tmp/list"
all=$(dyn_elf_list / usr/bin usr/sbin usr/lib/x86_64-linux-gnu | wc -l)
n=$(wc -l <"$tmp/list")
[ "$n" -gt 0 ] || { fail "host: no dynamic ELF file found"; exit 0; }

cat >"$tmp/worker.sh" <<'EOF'
out=$1
shift
while [ $# -ge 2 ]; do
	ldd "$2" >"$out/$1" 2>&1
	shift 2
done
EOF
t0=$(date +%s.%N)
xargs -n 80 -P 2 sh "$tmp/worker.sh" "$tmp/q" <"$tmp/list"
t1=$(date +%s.%N)
# shellcheck disable=SC2046
"$R2R" ldd $(awk '{ print $2 }' "$tmp/list") 2>"$tmp/r2r.err" | split_blocks "$tmp/r"
t2=$(date +%s.%N)

bad=0
while read -r idx f; do
	# ldd says "not a dynamic executable" of a static-pie... never: that
	# is "statically linked" for both; nothing else is normalised.
	normalise <"$tmp/q/$idx" >"$tmp/q/$idx.n"
	if ! cmp -s "$tmp/q/$idx.n" "$tmp/r/$idx"; then
		bad=$((bad + 1))
		fail "host: $f: root2ram ldd differs from ldd:"
		diff "$tmp/q/$idx.n" "$tmp/r/$idx" | sed 's/^/    /' | head -12
	fi
done <"$tmp/list"
printf 'host: %d files compared (%d dynamic ELF files of other machines skipped), %d differ; ldd %.1f s (2 in parallel), root2ram %.2f s\n' \
	"$n" $((all - n)) "$bad" "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)"
if [ "$bad" -eq 0 ]; then
	pass "host: root2ram ldd equals ldd for all $n dynamic ELF files of /usr/bin, /usr/sbin, /usr/lib/x86_64-linux-gnu"
fi
exit 0
