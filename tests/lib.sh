# tests/lib.sh - the lines tests/run.sh counts, for the test scripts of every
# tier (sourced, not run; the scripts of tests/ldd and tests/e2e get it through
# their own lib.sh):
#
#   pass WHAT              "PASS: WHAT"
#   fail WHAT              "FAIL: WHAT", counted in R2R_FAILED
#   check WHAT COMMAND...  pass WHAT when COMMAND succeeds, else fail WHAT
#   test_root ARCH         sets root to the test root of ARCH (scripts/testroot.sh
#                          builds it when missing); else a FAIL line, status 1
# B: the build directory (make B=DIR), default build; R2R: the host root2ram
# in it, or the one R2R names.  Relative to the current directory: the scripts
# source this file from the top of the tree (tests/e2e/lib.sh sets R2R first).
# shellcheck shell=sh disable=SC2034 # root is for the sourcing script

B=${B:-build}
case $B in
/*) R2R=${R2R:-$B/host/root2ram} ;;
*) R2R=${R2R:-$PWD/$B/host/root2ram} ;;
esac

pass() { echo "PASS: $*"; }

fail() {
	echo "FAIL: $*"
	R2R_FAILED=$((${R2R_FAILED:-0} + 1))
}

check() {
	_check_what=$1
	shift
	if "$@"; then pass "$_check_what"; else fail "$_check_what"; fi
}

test_root() {
	_test_root_err=$(mktemp)
	_test_root_rc=0
	root=$(scripts/testroot.sh "$1" --print 2>"$_test_root_err") || _test_root_rc=$?
	cat "$_test_root_err" >&2
	if [ "$_test_root_rc" != 0 ]; then
		fail "$1: no test root (scripts/testroot.sh $1): $(tail -n 1 "$_test_root_err")"
	fi
	rm -f "$_test_root_err"
	return "$_test_root_rc"
}
