#!/bin/sh
# tests/bench/run.sh - `make bench`: every benchmark, each printing its
# figures and its ratios against the named peers.
# No set -e: every benchmark runs, whatever the one before it did; the
# status says whether one failed.
set -u
cd "$(dirname "$0")/../.." || exit 111
[ $# -eq 0 ] || { echo "usage: $0" >&2; exit 100; }
rc=0
for b in tests/bench/bench_*.sh; do
	[ -e "$b" ] || continue
	echo "== $(basename "$b" .sh)"
	if [ -x "$b" ]; then "$b"; else sh "$b"; fi || rc=1
done
exit $rc
