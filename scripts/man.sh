#!/bin/sh
# scripts/man.sh ROOT2RAM [VERSION] - the man page root2ram(8), on stdout,
# made from what `ROOT2RAM help` and `ROOT2RAM help COMMAND` print (`make
# man` writes it to build/root2ram.8), so the page and the help cannot
# disagree.  ROOT2RAM is a root2ram that runs here (build/host/root2ram).
#
# The help text follows a few rules (init/cmd/dispatch.c says them), turned
# into roff here: a line at the left margin ending in ':' heads a section;
# text is indented by two; "  TAG  TEXT" (two spaces or more between) and a
# "  TAG" line followed by lines indented by six are list items (.TP); an
# empty line ends a paragraph.
set -eu
[ $# -ge 1 ] || { echo "usage: scripts/man.sh ROOT2RAM [VERSION]" >&2; exit 100; }
r2r=$1
version=${2:-$("$r2r" version | sed 's/^root2ram //')}
help=$("$r2r" help)
cmds=$(printf '%s\n' "$help" | awk '/^Commands:/ { c = 1; next } /^[^ ]/ { c = 0 } c && /^  [a-z]/ { print $1 }')
[ -n "$cmds" ] || { echo "scripts/man.sh: '$r2r help' lists no commands" >&2; exit 1; }

{
	printf '%s\n' "$help"
	for c in $cmds; do
		echo "@command"
		"$r2r" help "$c"
	done
} | awk -v version="$version" '
function esc(s) {
	gsub(/\\/, "\\e", s)
	gsub(/-/, "\\-", s)
	sub(/^[.'\'']/, "\\\\\\&&", s)
	return s
}
# what follows "root2ram NAME" in a synopsis, as a line of its own if any
function args(s, w) {
	s = substr(s, length(w[1]) + length(w[2]) + 3)
	return s == "" ? "" : esc(s) "\n"
}
function indent(s) { match(s, /^ */); return RLENGTH }
function trim(s) { sub(/^ +/, "", s); sub(/ +$/, "", s); return s }
# the lines a[1..n] as roff
function roff(a, n,    i, l, out, inlist, g, tag) {
	out = ""
	inlist = 0
	for (i = 1; i <= n; i++) {
		l = a[i]
		if (trim(l) == "") {
			if (out != "" && i < n)
				out = out ".PP\n"
			inlist = 0
		} else if (indent(l) >= 6 && inlist) {
			out = out esc(trim(l)) "\n"
		} else if ((g = match(trim(l), /[^ ]  +[^ ]/)) > 0) {
			l = trim(l)
			tag = substr(l, 1, RSTART)
			out = out ".TP\n\\fB" esc(tag) "\\fR\n" esc(trim(substr(l, RSTART + 1))) "\n"
			inlist = 1
		} else if (i < n && indent(a[i + 1]) >= 6) {
			out = out ".TP\n\\fB" esc(trim(l)) "\\fR\n"
			inlist = 1
		} else {
			if (inlist)
				out = out ".PP\n"
			inlist = 0
			out = out esc(trim(l)) "\n"
		}
	}
	return out
}
BEGIN { sec = "desc"; ncmd = 0 }
NR == 1 { next }                        # usage: root2ram COMMAND [ARGS...]
/^@command$/ { sec = "cmd"; ncmd++; getline; syn[ncmd] = substr($0, 8); nc[ncmd] = 0; next }
sec == "cmd" { c[ncmd, ++nc[ncmd]] = $0; next }
/^'\''root2ram help/ { next }           # a hint for the terminal only
/^Commands:$/ { sec = "list"; next }
/^Boot options:$/ { sec = "boot"; next }
/^Exit status:$/ { sec = "exit"; next }
/^[^ ].*:$/ { print "scripts/man.sh: unknown section in the help: " $0 > "/dev/stderr"; bad = 1; exit 1 }
sec == "list" { next }                  # each command has its own entry
{ n[sec]++; t[sec, n[sec]] = $0 }
END {
	if (bad)
		exit 1
	print ".\\\" root2ram(8), made by scripts/man.sh from root2ram help: edit init/cmd/dispatch.c"
	printf ".TH ROOT2RAM 8 \"\" \"root2ram %s\" \"System Administration\"\n", version
	print ".nh\n.ad l"
	print ".SH NAME"
	print "root2ram \\- run a network\\-booted Raspberry Pi from RAM"
	print ".SH SYNOPSIS"
	for (k = 1; k <= ncmd; k++) {
		split(syn[k], w, " ")
		printf ".B %s %s\n%s.br\n", w[1], w[2], args(syn[k], w)
	}
	print ".SH DESCRIPTION"
	for (i = 1; i <= n["desc"]; i++) d[i] = t["desc", i]
	printf "%s", roff(d, n["desc"])
	print ".SH COMMANDS"
	for (k = 1; k <= ncmd; k++) {
		split(syn[k], w, " ")
		printf ".SS \"%s %s\"\n", w[1], w[2]
		printf ".B %s %s\n%s.PP\n", w[1], w[2], args(syn[k], w)
		delete d
		for (i = 1; i <= nc[k]; i++) d[i] = c[k, i]
		printf "%s", roff(d, nc[k])
	}
	print ".SH BOOT OPTIONS"
	delete d
	for (i = 1; i <= n["boot"]; i++) d[i] = t["boot", i]
	printf "%s", roff(d, n["boot"])
	print ".SH EXIT STATUS"
	delete d
	for (i = 1; i <= n["exit"]; i++) d[i] = t["exit", i]
	printf "%s", roff(d, n["exit"])
	print ".SH FILES"
	print ".TP\n/etc/root2ram/root2ram.conf\nthe boot options, on the NFS root"
	print ".TP\n/etc/root2ram/manifests/\nthe manifests, NAME.manifest"
	print ".TP\n/etc/root2ram/overlay/\ncopied over the RAM root"
	print ".TP\n/run/root2ram/\nwhat PID 1 recorded of the boot"
	print ".SH SEE ALSO"
	print ".BR busybox (1),"
	print ".BR dropbear (8),"
	print ".BR nfs (5),"
	print ".BR ld.so (8);"
	print "README.md and manifests/README.md of the source tree"
}
'
