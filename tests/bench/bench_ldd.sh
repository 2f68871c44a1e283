#!/bin/sh
# bench_ldd: resolve every dynamic x86-64 ELF file of the host's /usr/bin
# and /usr/sbin three ways, in the same run, on the same files:
#   root2ram ldd FILE...          one process for all files
#   for f in FILES; do ldd "$f"   glibc's ldd, one loader run per file
#   lddtree -l FILE...            pax-utils, one python process for all
# then compare the answers and print the times and the ratios.
# Goal (issue 3): root2ram at least 50x faster than the ldd loop, faster
# than lddtree, and the same answers as ldd.
set -eu
cd "$(dirname "$0")/../.." || exit 111
. tests/ldd/lib.sh
ldd_setup bench-ldd
now() { date +%s.%N; }

DYN_MACHINE=62 dyn_elf_list / usr/bin usr/sbin | awk '{ print $2 }' >"$tmp/files"
n=$(wc -l <"$tmp/files")
echo "files: $n dynamic x86-64 ELF files of /usr/bin and /usr/sbin"
# warm the page cache for all three alike; the answers, not the exit
# statuses, are compared below
# shellcheck disable=SC2046
"$R2R" ldd $(cat "$tmp/files") >/dev/null 2>&1 || true

t0=$(now)
# shellcheck disable=SC2046
"$R2R" ldd $(cat "$tmp/files") >"$tmp/r2r.out" 2>/dev/null || true
t1=$(now)
while read -r f; do
	echo "$f:"
	ldd "$f" 2>&1 || true
done <"$tmp/files" >"$tmp/ldd.out"
t2=$(now)
# the Debian python that has pyelftools, whatever python3 PATH finds
py=/usr/bin/python3
[ -x "$py" ] || py=python3
lddtree_ok=1
# shellcheck disable=SC2046
"$py" "$(command -v lddtree)" -l --skip-missing $(cat "$tmp/files") >"$tmp/lddtree.out" 2>"$tmp/lddtree.err" ||
	lddtree_ok=0
t3=$(now)

# Answers: per file, the set of resolved paths (and "NAME:missing").
paths() { # ldd-style output with FILE: headers -> "FILE PATH" lines
	normalise | awk '
		/^[^\t].*:$/ { f = substr($0, 1, length($0) - 1); next }
		/=> not found/ { sub(/^\t/, ""); sub(/ =>.*/, ""); print f, $0 ":missing"; next }
		/ => / { sub(/.* => /, ""); print f, $0; next }
		/^\t\// { sub(/^\t/, ""); print f, $0 }' | sort -u
}
paths <"$tmp/r2r.out" >"$tmp/r2r.p"
paths <"$tmp/ldd.out" >"$tmp/ldd.p"
# lddtree -l: each file's block starts with the file itself
awk 'NR == FNR { want[++n] = $0; next }
     k < n && $0 == want[k + 1] { f = want[++k]; next }
     { print f, $0 }' "$tmp/files" "$tmp/lddtree.out" | sort -u >"$tmp/lddtree.p"

differ() { # A B -> number of files whose path sets differ
	comm -3 "$1" "$2" | awk '{ print $1 }' | sort -u | wc -l
}
r_vs_l=$(differ "$tmp/r2r.p" "$tmp/ldd.p")
t_vs_l=$(differ "$tmp/lddtree.p" "$tmp/ldd.p")
exact=same
normalise <"$tmp/ldd.out" | cmp -s - "$tmp/r2r.out" || exact=different

awk -v n="$n" -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v ok="$lddtree_ok" \
    -v rl="$r_vs_l" -v tl="$t_vs_l" -v ex="$exact" 'BEGIN {
	r = b - a; l = c - b; t = d - c
	printf "root2ram ldd (1 process):  %8.3f s  %7.3f ms/file\n", r, 1000 * r / n
	printf "ldd loop:                  %8.3f s  %7.3f ms/file\n", l, 1000 * l / n
	printf "lddtree -l (1 process):    %8.3f s  %7.3f ms/file%s\n", t, 1000 * t / n, ok ? "" : "  (exited non-zero)"
	printf "ratio ldd / root2ram:      %8.0fx  (goal: >= 50x)\n", l / r
	printf "ratio lddtree / root2ram:  %8.1fx  (goal: > 1x)\n", t / r
	printf "answers: root2ram vs ldd: output %s, %d files with other paths; lddtree vs ldd: %d files with other paths\n", ex, rl, tl
}'
[ "$r_vs_l" -eq 0 ]
