# tests/install/lib.sh - sourced by the tests of tests/install/ (from the top of
# the tree, after tests/lib.sh):
#
#   fresh ARCH NAME        prints $B/install-test/NAME, a fresh copy of ARCH's test root
#   inst ARGS...           scripts/install.sh ARGS... with this B
#   stamps DIR              every entry with size, mtime and mode (a re-install
#                          that writes nothing leaves it the same)
#   content DIR            every entry with type, mode and owner, and every file's
#                          sha256 (what an uninstall must leave as it was)
#   has FILE TEXT          FILE holds the line TEXT (fixed string)
# shellcheck shell=sh

work=$B/install-test
mkdir -p "$work"

fresh() {
	test_root "$1" >&2 || return 1
	rm -rf "${work:?}/$2"
	cp -a "$root" "$work/$2" || return 1
	(cd "$work/$2" && pwd -P)
}

inst() { B=$B sh scripts/install.sh "$@"; }

stamps() { (cd "$1" && find . -printf '%p %s %T@ %m\n' | LC_ALL=C sort); }

content() {
	(cd "$1" && find . -printf '%y %m %U:%G %p\n' | LC_ALL=C sort &&
		find . -type f -exec sha256sum {} + | LC_ALL=C sort -k2)
}

has() { grep -qxF -- "$2" "$1"; }
