#!/bin/sh
# The arrows between the folders of init/ point one way (README: Layout):
# each folder includes only itself and the folders below it, so the PID 1
# path (boot/) never pulls in the commands (cmd/), and lib/ needs nothing.
set -eu
cd "$(dirname "$0")/../.." || exit 111
. tests/lib.sh

# folder: what its files may include besides themselves
allowed() {
	case $1 in
	lib) echo "" ;;
	ldso) echo "lib" ;;
	stage) echo "lib ldso" ;;
	boot) echo "lib ldso stage" ;;
	cmd) echo "lib ldso stage boot" ;;
	*) echo "?" ;;
	esac
}

bad=0
for dir in init/*/; do
	d=$(basename "$dir")
	ok="$d $(allowed "$d")"
	case $ok in *"?"*)
		fail "init/$d is not a known folder (say in README: Layout what it may include)"
		bad=1
		continue ;;
	esac
	n=0
	was=$bad
	bad=0
	for f in "$dir"*.[ch]; do
		[ -e "$f" ] || continue
		# '#include "folder/name.h"': the folder is the first component
		for inc in $(sed -n 's/^#include "\([a-z]*\)\/[^"]*".*/\1/p' "$f"); do
			case " $ok " in
			*" $inc "*) ;;
			*) fail "$f includes $inc/, which $d/ may not (allowed: $ok)"; bad=1 ;;
			esac
		done
		# an include without a folder (other than the generated version.h and help.h) hides the arrow
		if grep -n '^#include "[^/]*"' "$f" | grep -v '"version.h"\|"help.h"' >/dev/null; then
			fail "$f has an #include without its folder"
			bad=1
		fi
		n=$((n + 1))
	done
	[ "$bad" -ne 0 ] || pass "init/$d/ ($n files) includes only: $ok"
	[ "$was" -eq 0 ] || bad=1
done
[ "$bad" -eq 0 ]
