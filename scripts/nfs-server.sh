#!/bin/bash
# root2ram: a user-space NFS server (nfs-ganesha, FSAL VFS) for the QEMU boot tests.
#
#   scripts/nfs-server.sh start  EXPORT_DIR [--port N] [--mnt-port N] [--debug] [--no-attr-cache]
#   scripts/nfs-server.sh stop|pause|resume|status [EXPORT_DIR] [--port N]
#
# Serves EXPORT_DIR read-write, no_root_squash, to 127.0.0.1 only (the QEMU guest reaches
# it as 10.0.2.2 through slirp), NFSv3 and v4 over TCP, NLM and RQUOTA off, no v4 grace
# period. Ports: NFS --port (default $R2R_NFS_PORT or 12049), MOUNT --mnt-port (default
# $R2R_MNT_PORT or NFS port - 1), so a system NFS server on 2049 is not disturbed.
# The guest mounts with: nfsroot=10.0.2.2:EXPORT_DIR,vers=3,tcp,port=N,mountport=M,
# mountproto=tcp,nolock
#
# IMPORTANT: ganesha hands out file handles for the export tree as it was at start.
# Create/populate EXPORT_DIR BEFORE start; if you delete and re-create the directory,
# stop and start the server again (clients otherwise get "Stale NFS file handle").
# Changing files inside the tree while it runs is fine.
#
#   start   starts rpcbind if needed, then ganesha.nfsd in the background; waits until the
#           NFS port listens. Idempotent for the same export; fails if another export is
#           served on that port (stop it first).
#   stop    SIGTERM (after SIGCONT, in case it is paused), waits, SIGKILL after 10 s.
#   pause   SIGSTOP: simulates a stalled server (clients with hard mounts block).
#   resume  SIGCONT.
#   status  prints "running|paused PID EXPORT_DIR nfs=PORT mnt=PORT" (exit 0) or
#           "stopped" (exit 3).
# State (config, log, pid) in ${R2R_RUN:-/run/root2ram-nfs}/PORT/. --debug logs
# NFS/MOUNT/FSAL at FULL_DEBUG. --no-attr-cache: ganesha keeps a file's attributes
# for 60 s (Attr_Expiration_Time), so a change made in EXPORT_DIR behind its back shows
# only after that; the kernel's nfsd has no such cache, and with this option neither
# has ganesha (for tests that change the export while a client reads it).
set -eu

me="root2ram: nfs-server"
synopsis="start|stop|pause|resume|status EXPORT_DIR [--port N] [--mnt-port N] [--debug] [--no-attr-cache]"
. "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] || usage
case $1 in -h | --help) show_help ;; esac
cmd=$1; shift
export_dir="" port=${R2R_NFS_PORT:-12049} mnt_port=${R2R_MNT_PORT:-} debug=0 attr_cache=""
while [ $# -gt 0 ]; do
	case "$1" in
	--port) [ $# -ge 2 ] || usage; port=$2; shift 2 ;;
	--port=*) port=${1#*=}; shift ;;
	--mnt-port) [ $# -ge 2 ] || usage; mnt_port=$2; shift 2 ;;
	--mnt-port=*) mnt_port=${1#*=}; shift ;;
	--debug) debug=1; shift ;;
	--no-attr-cache) attr_cache="Attr_Expiration_Time = 0;"; shift ;;
	-*) usage "unknown argument '$1'" ;;
	*) [ -z "$export_dir" ] || usage; export_dir=$1; shift ;;
	esac
done
case "$port" in '' | *[!0-9]*) usage "--port must be a number, got '$port'" ;; esac
[ -n "$mnt_port" ] || mnt_port=$((port - 1))
case "$mnt_port" in *[!0-9]*) usage "--mnt-port must be a number, got '$mnt_port'" ;; esac

state="${R2R_RUN:-/run/root2ram-nfs}/$port"
pidfile="$state/ganesha.pid"
conf="$state/ganesha.conf"
log="$state/ganesha.log"

# pid of our ganesha on this port, or nothing
server_pid() {
	[ -f "$pidfile" ] || return 0
	local pid
	pid=$(cat "$pidfile" 2>/dev/null) || return 0
	case "$pid" in '' | *[!0-9]*) return 0 ;; esac
	[ -d "/proc/$pid" ] || return 0
	# make sure the pid was not reused by something else
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = ganesha.nfsd ] || return 0
	echo "$pid"
}
is_paused() { [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = T ]; }
listening() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

start() {
	[ -n "$export_dir" ] || usage
	[ -d "$export_dir" ] || die "export directory $export_dir does not exist (create it before starting the server)"
	export_dir=$(cd "$export_dir" && pwd -P)
	command -v ganesha.nfsd >/dev/null || die "ganesha.nfsd is missing: run scripts/setup.sh all"
	command -v rpcbind >/dev/null || die "rpcbind is missing: run scripts/setup.sh all"
	[ "$(id -u)" = 0 ] || die "must run as root (ganesha serves files of all owners)"

	local pid
	pid=$(server_pid)
	if [ -n "$pid" ]; then
		if [ "$(cat "$state/export" 2>/dev/null)" = "$export_dir" ]; then
			is_paused "$pid" && kill -CONT "$pid"
			return 0
		fi
		die "port $port already serves $(cat "$state/export" 2>/dev/null); run '$0 stop --port $port' first"
	fi
	for p in "$port" "$mnt_port"; do
		listening "$p" && die "port $p is already in use (ss -ltnp 'sport = :$p'); choose another with --port/--mnt-port"
	done

	# ganesha registers with the portmapper and exits at start-up without one
	if ! rpcinfo -p 127.0.0.1 >/dev/null 2>&1; then
		mkdir -p /run/rpcbind
		(close_fds; rpcbind -w 2>/dev/null || rpcbind) </dev/null || die "cannot start rpcbind"
		local i=0
		until rpcinfo -p 127.0.0.1 >/dev/null 2>&1; do
			i=$((i + 1))
			[ $i -lt 50 ] || die "rpcbind did not come up"
			sleep 0.1
		done
	fi

	mkdir -p "$state/recovery"
	rm -f "$pidfile"
	local logblock=""
	if [ "$debug" = 1 ]; then
		logblock="LOG { COMPONENTS { NFS3 = FULL_DEBUG; NFS_V4 = FULL_DEBUG; NFSPROTO = FULL_DEBUG;
	EXPORT = FULL_DEBUG; FSAL = FULL_DEBUG; DISPATCH = FULL_DEBUG; } }"
	fi
	cat >"$conf" <<EOF
# generated by scripts/nfs-server.sh
NFS_CORE_PARAM {
	NFS_Port = $port;
	MNT_Port = $mnt_port;
	Bind_addr = 127.0.0.1;
	Protocols = 3, 4;
	Enable_NLM = false;
	Enable_RQUOTA = false;
	Enable_UDP = false;
}
NFSV4 {
	Graceless = true;
	# owners as numbers, as the kernel's nfsd sends them for sec=sys: names
	# (root@localdomain) need an idmapper the booting client does not have,
	# and every file would show as nobody
	Allow_Numeric_Owners = true;
	Only_Numeric_Owners = true;
	RecoveryRoot = "$state/recovery";
}
EXPORT_DEFAULTS {
	Access_Type = RW;
	Squash = No_Root_Squash;
}
EXPORT {
	Export_Id = 1;
	Path = "$export_dir";
	Pseudo = "$export_dir";
	Access_Type = RW;
	Squash = No_Root_Squash;
	Protocols = 3, 4;
	Transports = TCP;
	SecType = sys;
	CLIENT { Clients = 127.0.0.1; Access_Type = RW; }
	FSAL { Name = VFS; }
	$attr_cache
}
$logblock
EOF
	echo "$export_dir" >"$state/export"
	echo "$mnt_port" >"$state/mnt_port"
	: >"$log"
	(close_fds; exec setsid ganesha.nfsd -F -L "$log" -f "$conf" -p "$pidfile" -N NIV_EVENT) \
		</dev/null >>"$log" 2>&1 &
	local bgpid=$!
	local i=0
	while :; do
		if ! kill -0 "$bgpid" 2>/dev/null; then
			die "ganesha.nfsd exited during start-up; last lines of $log:
$(grep -v -e 'dbus' -e 'DBUS' -e 'gssd' -e 'krb5' -e 'KRB5' "$log" | tail -n 15)"
		fi
		if listening "$port" && listening "$mnt_port"; then break; fi
		i=$((i + 1))
		if [ $i -ge 300 ]; then
			kill -TERM "$bgpid" 2>/dev/null || true
			die "ganesha.nfsd does not listen on $port/$mnt_port after 30 s; last lines of $log:
$(tail -n 15 "$log")"
		fi
		sleep 0.1
	done
	# our own record in case ganesha is slow to write its pid file
	[ -s "$pidfile" ] || echo "$bgpid" >"$pidfile"
}

stop() {
	local pid i=0
	pid=$(server_pid)
	[ -n "$pid" ] || { rm -f "$pidfile"; return 0; }
	kill -TERM "$pid" 2>/dev/null || true
	kill -CONT "$pid" 2>/dev/null || true
	while [ -d "/proc/$pid" ]; do
		i=$((i + 1))
		if [ $i -eq 100 ]; then
			echo "$me: ganesha.nfsd ($pid) ignores SIGTERM, killing it" >&2
			kill -KILL "$pid" 2>/dev/null || true
		fi
		[ $i -lt 150 ] || die "cannot stop ganesha.nfsd ($pid)"
		sleep 0.1
	done
	rm -f "$pidfile"
}

signal() { # SIG
	local pid
	pid=$(server_pid)
	[ -n "$pid" ] || die "no server runs on port $port (start it first)"
	kill "-$1" "$pid"
}

status() {
	local pid
	pid=$(server_pid)
	if [ -z "$pid" ]; then
		echo stopped
		exit 3
	fi
	local st=running
	is_paused "$pid" && st=paused
	echo "$st $pid $(cat "$state/export" 2>/dev/null) nfs=$port mnt=$(cat "$state/mnt_port" 2>/dev/null)"
}

case "$cmd" in
start) start ;;
stop) stop ;;
pause) signal STOP ;;
resume) signal CONT ;;
status) status ;;
*) usage ;;
esac
