#!/bin/sh
# tests/bench/run.sh - `make bench`: every benchmark, each printing its
# figures and its ratios against the named peers.
set -u
cd "$(dirname "$0")/../.." || exit 111
rc=0
for b in tests/bench/bench_*.sh; do
	[ -e "$b" ] || continue
	echo "== $(basename "$b" .sh)"
	if [ -x "$b" ]; then "$b"; else sh "$b"; fi || rc=1
done
exit $rc
