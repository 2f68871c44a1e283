#!/bin/sh
# tests/run.sh TIER... - run test tiers and end with "N passed, N failed".
#
# Unit tiers (host, asan, armel, arm64) run the cmocka binaries in
# $B/unit-TIER/ (B: the build directory, default build), cross-built ones
# under qemu-user.  Any other tier runs the scripts tests/TIER/test_*.sh,
# which print "PASS: what" / "FAIL: what" lines; a script that exits
# non-zero without printing a FAIL line counts as one.
# No set -e: every test runs, whatever the one before it did; the statuses
# are looked at one by one, and the last line says what failed.
set -u
cd "$(dirname "$0")/.." || exit 111
B=${B:-build}
usage() { echo "usage: $0 TIER... (host asan armel arm64, or a directory of tests/)" >&2; exit 100; }
[ $# -gt 0 ] || usage
for tier in "$@"; do
	case $tier in
	host | asan | armel | arm64) ;;
	*/* | .* | unit) usage ;;
	*) [ -d "tests/$tier" ] || usage ;;
	esac
done
passed=0
failed=0
failures=""

note_fail() { failed=$((failed + $1)); failures="$failures
  $2"; }

run_unit() { # tier binary...
	tier=$1; shift
	case $tier in
	armel) runner="qemu-arm" ;;
	arm64) runner="qemu-aarch64" ;;
	*) runner="" ;;
	esac
	for t in "$@"; do
		[ -x "$t" ] || continue
		out=$($runner "$t" 2>&1)
		rc=$?
		p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
		f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
		passed=$((passed + ${p:-0}))
		if [ -n "$f" ] && [ "$f" -gt 0 ]; then
			printf '%s\n' "$out" | grep -E '^\[  (FAILED|  ERROR)|^\[ +ERROR|Failure|error:' | head -20
			note_fail "$f" "$tier: $(basename "$t") ($f)"
		elif [ $rc -ne 0 ] || [ -z "$p" ]; then
			printf '%s\n' "$out" | tail -30
			note_fail 1 "$tier: $(basename "$t") crashed or exited $rc"
		fi
	done
	printf 'root2ram: tier %-6s done (%d passed, %d failed so far)\n' "$tier" "$passed" "$failed"
}

run_scripts() { # tier
	tier=$1
	for t in tests/"$tier"/test_*.sh; do
		[ -e "$t" ] || continue
		log="$B/test-logs/$tier-$(basename "$t" .sh).log"
		mkdir -p "$B/test-logs"
		t0=$(date +%s)
		if [ -x "$t" ]; then "$t"; else sh "$t"; fi >"$log" 2>&1
		rc=$?
		secs=$(($(date +%s) - t0))
		p=$(grep -c '^PASS: ' "$log")
		f=$(grep -c '^FAIL: ' "$log")
		grep -E '^(PASS|FAIL|SKIP): ' "$log"
		echo "root2ram: $t: $p passed, $f failed in $secs s"
		passed=$((passed + p))
		if [ "$f" -gt 0 ]; then
			note_fail "$f" "$tier: $(basename "$t") ($f; log: $log)"
		elif [ $rc -ne 0 ]; then
			tail -20 "$log"
			note_fail 1 "$tier: $(basename "$t") exited $rc (log: $log)"
		fi
	done
	printf 'root2ram: tier %-6s done (%d passed, %d failed so far)\n' "$tier" "$passed" "$failed"
}

for tier in "$@"; do
	case $tier in
	host|asan|armel|arm64) run_unit "$tier" "$B"/unit-"$tier"/test_* ;;
	*) run_scripts "$tier" ;;
	esac
done

[ "$failed" -eq 0 ] || printf 'failures:%s\n' "$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
