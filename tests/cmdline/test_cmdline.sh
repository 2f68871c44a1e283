#!/bin/sh
# tests/cmdline/test_cmdline.sh - tier "cmdline": `root2ram cmdline` on the
# lines Raspberry Pi OS ships, and the man page made from `root2ram help`.
#
# Each directory of golden/ is a case: `in` is the cmdline.txt before,
# `args` the arguments after FILE (one a line), `out` the file's bytes
# after, `status` the exit status, `stdout` and `stderr` what it prints
# (FILE is named cmdline.txt).  Every case is run on a copy of mode 0640;
# then, when it wrote, the backup must hold `in` with that mode, the mode
# be kept, no temporary file be left, and a second run leave the same bytes
# and say "unchanged"; when it did not write, the file is untouched and no
# backup made.
set -u
cd "$(dirname "$0")/../.." || exit 111
. tests/lib.sh
[ -x "$R2R" ] || { fail "$R2R not built"; exit 1; }
tmp=$(mktemp -d /tmp/r2r-cmdline.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

mode() { stat -c %a "$1"; }

run() { # DIR ARGS-FILE: run in DIR on cmdline.txt; status in $rc
	_dir=$1
	_args=$2
	set --
	while IFS= read -r _a; do set -- "$@" "$_a"; done < "$_args"
	rc=0
	(cd "$_dir" && "$R2R" cmdline cmdline.txt "$@" > stdout 2> stderr) || rc=$?
}

for case in tests/cmdline/golden/*/; do
	g=${case%/}
	name=$(basename "$g")
	w=$tmp/$name
	mkdir -p "$w"
	cp "$g/in" "$w/cmdline.txt"
	chmod 0640 "$w/cmdline.txt"
	run "$w" "$g/args"
	want=$(cat "$g/status")
	bad=""
	[ "$rc" = "$want" ] || bad="$bad; exit status $rc, not $want"
	cmp -s "$w/cmdline.txt" "$g/out" || bad="$bad; file differs from $g/out"
	cmp -s "$w/stdout" "$g/stdout" || bad="$bad; stdout differs from $g/stdout"
	cmp -s "$w/stderr" "$g/stderr" || bad="$bad; stderr differs from $g/stderr"
	[ "$(mode "$w/cmdline.txt")" = 640 ] || bad="$bad; mode $(mode "$w/cmdline.txt"), not 640"
	ls "$w" | grep -q '\.tmp\.' && bad="$bad; a temporary file is left"
	if cmp -s "$g/in" "$g/out"; then
		[ ! -e "$w/cmdline.txt.root2ram-orig" ] || bad="$bad; a backup of a file not written"
	else
		cmp -s "$w/cmdline.txt.root2ram-orig" "$g/in" || bad="$bad; the backup is not the original"
		[ "$(mode "$w/cmdline.txt.root2ram-orig" 2>/dev/null)" = 640 ] ||
			bad="$bad; the backup's mode is not 640"
		run "$w" "$g/args"
		[ "$rc" = 0 ] || bad="$bad; second run: exit status $rc"
		cmp -s "$w/cmdline.txt" "$g/out" || bad="$bad; second run changed the file"
		grep -q '^cmdline.txt: unchanged$' "$w/stdout" || bad="$bad; second run does not say unchanged"
	fi
	if [ -z "$bad" ]; then
		pass "cmdline $name: $(tr '\n' ' ' < "$g/args")-> exit $want, $(wc -c < "$g/out") bytes as $g/out"
	else
		fail "cmdline $name:${bad#;}"
		diff "$g/out" "$w/cmdline.txt" | head -5
		diff "$g/stdout" "$w/stdout" | head -10
		diff "$g/stderr" "$w/stderr" | head -5
	fi
done

# The backup is the first original, whatever runs after.
w=$tmp/backup
mkdir -p "$w"
g=tests/cmdline/golden
cp "$g/bookworm-nfs/in" "$w/cmdline.txt"
printf '%s\n' --nfsroot 10.0.0.1:/srv/nfs/pi > "$w/args1"
printf '%s\n' --set root2ram.debug > "$w/args2"
run "$w" "$w/args1"
r1=$rc
cp "$w/cmdline.txt" "$w/after1"
run "$w" "$w/args2"
r2=$rc
check "cmdline: the backup is written once, never overwritten by a later run" \
	sh -c '[ "$0$1" = 00 ] && cmp -s "$2" "$3" && grep -q "first original is still in" "$4"' \
	"$r1" "$r2" "$w/cmdline.txt.root2ram-orig" "$g/bookworm-nfs/in" "$w/stdout"
run "$w" "$g/off/args"
# (the init= it replaced does not come back: --off is not an undo)
check "cmdline: --off takes back init=/sbin/root2ram and root2ram.*, and leaves the NFS root" \
	sh -c '[ "$0" = 0 ] && [ "$(cat "$1")" = "$(sed "s| init=/sbin/root2ram||" "$2")" ] && grep -q root=/dev/nfs "$1"' \
	"$rc" "$w/cmdline.txt" "$w/after1"

# Refused runs leave the file as it was, whatever refused them.
w=$tmp/refused
mkdir -p "$w"
ok=1
for args in "--nfsroot /srv/pi" "--off --set root2ram.debug" "--set quiet" "--bogus" ""; do
	cp "$g/bullseye-nfs/in" "$w/cmdline.txt"
	printf '%s\n' $args > "$w/args"
	[ -n "$args" ] || : > "$w/args"
	run "$w" "$w/args"
	case $rc in 1 | 100) ;; *) ok=0; echo "cmdline $args: exit $rc" ;; esac
	cmp -s "$w/cmdline.txt" "$g/bullseye-nfs/in" && [ ! -e "$w/cmdline.txt.root2ram-orig" ] ||
		{ ok=0; echo "cmdline $args: the file was touched"; }
done
check "cmdline: refused runs (bad --nfsroot, --off with --set, a word not root2ram's, an unknown option, an SD-card line) leave the file untouched" \
	[ "$ok" = 1 ]

# No file, or a symbolic link (replacing the path would turn it into a file).
ln -s cmdline.txt "$w/link.txt"
rc=0
(cd "$w" && "$R2R" cmdline link.txt > /dev/null 2>&1) || rc=$?
check "cmdline: a symbolic link is refused (exit 1), not replaced" sh -c '[ "$0" = 1 ] && [ -L "$1" ]' "$rc" "$w/link.txt"
rc=0
"$R2R" cmdline > /dev/null 2>&1 || rc=$?
check "cmdline: no FILE is a usage error (exit 100)" [ "$rc" = 100 ]

# The man page: made from the help, it names every command of the table.
man=$tmp/root2ram.8
if sh scripts/man.sh "$R2R" > "$man" 2> "$tmp/man.err"; then
	cmds=$("$R2R" help | awk '/^Commands:/ { c = 1; next } /^[^ ]/ { c = 0 } c && /^  [a-z]/ { print $1 }')
	if command -v mandoc > /dev/null 2>&1; then
		text=$(mandoc -Tutf8 "$man" | col -b)
		lint=$(mandoc -Tlint -Wwarning "$man" 2>&1)
	elif command -v groff > /dev/null 2>&1; then
		text=$(groff -man -Tutf8 -wall "$man" 2> "$tmp/groff.err" | sed 's/.\x08//g')
		lint=$(cat "$tmp/groff.err")
	else
		echo "SKIP: no mandoc or groff: the man page is not rendered, only read"
		text=$(cat "$man")
		lint=""
	fi
	missing=""
	for c in $cmds; do
		printf '%s\n' "$text" | grep -q "root2ram $c" || missing="$missing $c"
	done
	for s in NAME SYNOPSIS DESCRIPTION COMMANDS "BOOT OPTIONS" "EXIT STATUS" "SEE ALSO"; do
		grep -q "^\.SH $s\$" "$man" || missing="$missing section:$s"
	done
	check "man: root2ram.8 renders without warnings and has every command ($(echo $cmds)) and section" \
		[ -z "$missing$lint" ]
	[ -z "$missing$lint" ] || echo "missing:$missing; warnings: $lint"
else
	fail "man: scripts/man.sh failed: $(cat "$tmp/man.err")"
fi
exit "${R2R_FAILED:-0}"
