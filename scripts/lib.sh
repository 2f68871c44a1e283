# scripts/lib.sh - helpers shared by the scripts of scripts/ and qemu/ (sourced,
# not run):
#
#   me="root2ram: NAME"                  # the prefix of every message
#   synopsis="ARG... [--opt N]"          # for usage: what follows the program name
#   . "$(dirname "$0")/lib.sh"           # from scripts/; "$(dirname "$0")/../scripts/lib.sh" from qemu/
#
# Sets top (the top of the tree: the sourcing scripts are one level below it).
# Exit statuses, skarnet's convention: 100 a usage error, 111 a system error,
# 1 a check failed.
# shellcheck shell=sh disable=SC2034 # top is for the sourcing script

top=$(cd "$(dirname "$0")/.." && pwd)

# die MESSAGE: MESSAGE on stderr, exit 1
die() {
	printf '%s: %s\n' "${me:-root2ram}" "$*" >&2
	exit 1
}

# usage [MESSAGE]: MESSAGE (if any) and the usage line on stderr, exit 100
usage() {
	[ $# -eq 0 ] || printf '%s: %s\n' "${me:-root2ram}" "$*" >&2
	printf 'usage: %s %s\n' "$0" "${synopsis:-}" >&2
	exit 100
}

# show_help: the comment block at the top of the script, without the "# ", exit 0
show_help() {
	sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"
	exit 0
}

# close_fds: close every descriptor above 2, so a daemon started from a script does not
# keep the caller's files (a test's port lock, a pipe someone reads to EOF) open for life.
# bash only: dash cannot name descriptors above 9, which bash's {var}> gives out.
close_fds() {
	for _fd in /proc/self/fd/*; do
		_fd=${_fd##*/}
		if [ "$_fd" -gt 2 ] 2>/dev/null; then
			eval "exec $_fd>&-" 2>/dev/null || true
		fi
	done
}
