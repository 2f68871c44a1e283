# root2ram: helpers for end-to-end boot tests (QEMU versatilepb + NFS root).
# Source it from a bash test script:
#
#   #!/bin/bash
#   set -eu
#   . "$(dirname "$0")/lib.sh"
#   e2e_init                            # work dir, cleanup trap, kernel + test root built
#   exp=$(e2e_prepare_export)           # fresh copy of the armel test root
#   cp "$E2E_B/armel/root2ram" "$exp/sbin/root2ram"   # ...whatever the test needs
#   e2e_ssh_key_install "$exp"          # optional: key for root login
#   e2e_nfs_start "$exp"
#   e2e_boot --export "$exp" --init /sbin/root2ram
#   e2e_wait_console 'dropbear' 60
#   e2e_wait_ssh 60
#   e2e_ssh 'cat /proc/mounts'
#   e2e_ssh 'reboot -f' || true; e2e_wait_exit 20
#   e2e_pass                            # exit 1 instead when a check failed
#
# With tests/lib.sh: pass WHAT, fail WHAT, check WHAT COMMAND... (the PASS/FAIL
# lines tests/run.sh counts; fail counts into R2R_FAILED).
# Everything is torn down by the EXIT trap (QEMU killed, ganesha stopped), also on
# failure or Ctrl-C. Files of a run: $E2E_DIR (console.log, qemu.pid, ssh key).
# Settings (environment, defaults in brackets):
#   B [build]: the build directory (make B=DIR): its init is installed, E2E_DIR is in it
#   R2R_NFS_PORT [12049]  R2R_MNT_PORT [NFS port - 1]  R2R_SSH_PORT [10022]
#   R2R_E2E_ARCH [armel]  R2R_E2E_KEEP=1 keeps QEMU/ganesha running at exit (debugging)
#   R2R_E2E_ROOT [the arch's test root]: pios-arm64 or pios-armhf, the Raspberry Pi OS
#   shaped roots (scripts/testroot-pios.sh), booted on QEMU virt (arm64 kernel); the
#   init installed is then arm64's, or armel's for armhf (E2E_ARCH follows)
#   R2R_E2E_LOCK_WAIT [900]: e2e_init takes a lock per NFS port and per SSH port, so two
#   tests on the same ports run one after the other (use other ports to run in parallel)
# Functions return non-zero / call e2e_fail (exit 1, with the console tail) on error.
# shellcheck shell=bash

E2E_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
case ${B:-build} in
/*) E2E_B=$B ;;
*) E2E_B=$E2E_TOP/${B:-build} ;;
esac
R2R=${R2R:-$E2E_B/host/root2ram}
. "$E2E_TOP/tests/lib.sh"
E2E_NAME=${E2E_NAME:-$(basename "${0%.sh}")}
E2E_DIR=${E2E_DIR:-$E2E_B/e2e/$E2E_NAME}
E2E_NFS_PORT=${R2R_NFS_PORT:-12049}
E2E_MNT_PORT=${R2R_MNT_PORT:-$((E2E_NFS_PORT - 1))}
E2E_SSH_PORT=${R2R_SSH_PORT:-10022}
E2E_ARCH=${R2R_E2E_ARCH:-armel}
E2E_ROOT=${R2R_E2E_ROOT:-$E2E_ARCH}
E2E_MACHINE=armel
case "$E2E_ROOT" in
pios-arm64) E2E_ARCH=arm64 E2E_MACHINE=arm64 ;;
pios-armhf) E2E_ARCH=armel E2E_MACHINE=arm64 ;;
esac
E2E_CONSOLE="$E2E_DIR/console.log"
E2E_QEMU_PIDFILE="$E2E_DIR/qemu.pid"
E2E_KEY="$E2E_DIR/id_ed25519"
E2E_NFS_STARTED=0
E2E_T0=$(date +%s.%N)

e2e_log() { echo "root2ram: e2e: $E2E_NAME: $*" >&2; }

# seconds since e2e_init, e.g. "12.3"
e2e_elapsed() { awk -v a="$E2E_T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

e2e_fail() {
	e2e_log "FAIL after $(e2e_elapsed) s: $*"
	if [ -s "$E2E_CONSOLE" ]; then
		echo "---- last console lines ($E2E_CONSOLE) ----" >&2
		tail -n 25 "$E2E_CONSOLE" >&2
		echo "----" >&2
	fi
	exit 1
}

# e2e_pass: the end of a test: exit 1 when a check failed (R2R_FAILED)
e2e_pass() {
	if [ "${R2R_FAILED:-0}" != 0 ]; then
		e2e_log "$R2R_FAILED checks failed ($(e2e_elapsed) s)"
		exit 1
	fi
	e2e_log "PASS ($(e2e_elapsed) s)"
}

# e2e_lock_holder FILE -> "pid N (comm)" of every process with FILE open (the lock
# goes with the open file, so any of them may be the one keeping it)
e2e_lock_holder() {
	local fd pid who=""
	for fd in /proc/[0-9]*/fd/*; do
		[ "$(readlink "$fd" 2>/dev/null)" = "$1" ] || continue
		pid=${fd#/proc/}
		pid=${pid%%/*}
		[ "$pid" != "$$" ] && [ "$pid" != "$BASHPID" ] || continue
		who="$who${who:+, }pid $pid ($(cat "/proc/$pid/comm" 2>/dev/null))"
	done
	echo "${who:-no process (the lock is gone now)}"
}

# e2e_init: work dir, trap, kernel and test root (cached: quick when already built)
e2e_init() {
	mkdir -p "$E2E_DIR"
	# tests sharing a port wait for each other instead of killing each other's servers
	local lockdir=${R2R_RUN:-/run/root2ram-nfs} wait=${R2R_E2E_LOCK_WAIT:-900} p
	mkdir -p "$lockdir"
	for p in "nfs-$E2E_NFS_PORT" "ssh-$E2E_SSH_PORT"; do
		exec {E2E_LOCKFD}>"$lockdir/e2e-$p.lock"
		if ! flock -n "$E2E_LOCKFD"; then
			e2e_log "waiting for another test using port ${p#*-} (lock $lockdir/e2e-$p.lock)"
			flock -w "$wait" "$E2E_LOCKFD" ||
				e2e_fail "port ${p#*-} still busy after $wait s: $lockdir/e2e-$p.lock is held by $(e2e_lock_holder "$lockdir/e2e-$p.lock")"
		fi
	done
	rm -f "$E2E_CONSOLE" "$E2E_QEMU_PIDFILE"
	trap e2e_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	"$E2E_TOP/scripts/kernel.sh" --arch "$E2E_MACHINE" >/dev/null ||
		e2e_fail "scripts/kernel.sh --arch $E2E_MACHINE failed"
	E2E_TESTROOT=$("$E2E_TOP/scripts/testroot.sh" "$E2E_ROOT" --print) ||
		e2e_fail "scripts/testroot.sh $E2E_ROOT failed"
	E2E_T0=$(date +%s.%N)
}

# e2e_prepare_export [SRC] -> prints the export dir ($E2E_DIR/export), a fresh copy of
# SRC (default: the test root) with the test kernel's /lib/modules. Stops a server still serving an old copy (file handles
# of a re-created tree are stale, see scripts/nfs-server.sh).
e2e_prepare_export() {
	local src=${1:-$E2E_TESTROOT} dst="$E2E_DIR/export"
	[ -d "$src" ] || e2e_fail "e2e_prepare_export: $src is not a directory"
	local st
	st=$("$E2E_TOP/scripts/nfs-server.sh" status --port "$E2E_NFS_PORT" 2>/dev/null) || true
	case "$st" in
	*" $dst "*) "$E2E_TOP/scripts/nfs-server.sh" stop --port "$E2E_NFS_PORT" >&2 ;;
	esac
	rm -rf "$dst"
	cp -a "$src/." "$dst/" || e2e_fail "copying $src to $dst failed"
	# the test kernel's modules, where Raspberry Pi OS has its kernel's
	local kdir
	kdir=$(sh "$E2E_TOP/scripts/kernel.sh" --arch "$E2E_MACHINE" --print 2>/dev/null) || kdir=
	if [ -d "$kdir/modules/lib/modules" ]; then
		mkdir -p "$dst/lib/modules"
		cp -a "$kdir/modules/lib/modules/." "$dst/lib/modules/" ||
			e2e_fail "copying the kernel's modules to $dst failed"
	fi
	echo "$dst"
}

# e2e_ssh_key_install EXPORT: makes a key pair (once per run) and authorises it for root
e2e_ssh_key_install() {
	local exp=$1
	[ -f "$E2E_KEY" ] || ssh-keygen -q -t ed25519 -N '' -C root2ram-e2e -f "$E2E_KEY" ||
		e2e_fail "ssh-keygen failed"
	mkdir -p "$exp/root/.ssh"
	chmod 700 "$exp/root" "$exp/root/.ssh"
	cp "$E2E_KEY.pub" "$exp/root/.ssh/authorized_keys"
	chmod 600 "$exp/root/.ssh/authorized_keys"
}

# e2e_dropbear_host_keys EXPORT: puts an ed25519 host key into EXPORT/etc/dropbear, made
# once with the host's dropbearkey (the format does not depend on the architecture).
# Without it `dropbear -R` generates keys at the first login, which takes 10+ s under TCG.
e2e_dropbear_host_keys() {
	local exp=$1 cache=${R2R_CACHE:-/var/cache/root2ram}/e2e
	local key="$cache/dropbear_ed25519_host_key"
	if [ ! -f "$key" ]; then
		command -v dropbearkey >/dev/null || e2e_fail "dropbearkey is missing: run scripts/setup.sh all"
		mkdir -p "$cache"
		dropbearkey -t ed25519 -f "$key.tmp.$$" >/dev/null 2>&1 || e2e_fail "dropbearkey failed"
		mv "$key.tmp.$$" "$key"
	fi
	mkdir -p "$exp/etc/dropbear"
	cp "$key" "$exp/etc/dropbear/dropbear_ed25519_host_key"
	chmod 600 "$exp/etc/dropbear/dropbear_ed25519_host_key"
}

e2e_nfs_start() { # EXPORT [nfs-server.sh options]
	local exp=$1
	shift
	"$E2E_TOP/scripts/nfs-server.sh" start "$exp" --port "$E2E_NFS_PORT" \
		--mnt-port "$E2E_MNT_PORT" "$@" || e2e_fail "NFS server did not start"
	E2E_NFS_STARTED=1
}
e2e_nfs_stop() { "$E2E_TOP/scripts/nfs-server.sh" stop --port "$E2E_NFS_PORT"; }
e2e_nfs_pause() { "$E2E_TOP/scripts/nfs-server.sh" pause --port "$E2E_NFS_PORT"; }
e2e_nfs_resume() { "$E2E_TOP/scripts/nfs-server.sh" resume --port "$E2E_NFS_PORT"; }

# e2e_boot [qemu/boot.sh options]: boots in the background, console in $E2E_CONSOLE.
# Give at least --export; ports come from the settings above.
e2e_boot() {
	e2e_qemu_running && e2e_fail "e2e_boot: QEMU is already running"
	"$E2E_TOP/qemu/boot.sh" --background --console "$E2E_CONSOLE" --arch "$E2E_MACHINE" \
		--pidfile "$E2E_QEMU_PIDFILE" --ssh-port "$E2E_SSH_PORT" \
		--nfs-port "$E2E_NFS_PORT" --mnt-port "$E2E_MNT_PORT" "$@" ||
		e2e_fail "qemu/boot.sh failed"
}

e2e_qemu_pid() {
	local pid
	[ -f "$E2E_QEMU_PIDFILE" ] || return 1
	pid=$(cat "$E2E_QEMU_PIDFILE")
	case "$(cat "/proc/$pid/comm" 2>/dev/null)" in
	qemu-system-*) echo "$pid" ;;
	*) return 1 ;;
	esac
}
e2e_qemu_running() { e2e_qemu_pid >/dev/null; }

# e2e_wait_console REGEX [TIMEOUT=60]: waits for a console line matching the extended
# regex; fails at once if QEMU exits first. Prints the matching line.
e2e_wait_console() {
	local re=$1 t=${2:-60} end line
	end=$(($(date +%s) + t))
	while :; do
		if line=$(grep -a -m1 -E -- "$re" "$E2E_CONSOLE" 2>/dev/null); then
			printf '%s\n' "$line"
			return 0
		fi
		if ! e2e_qemu_running; then
			# one last look: the line may have come with the exit
			line=$(grep -a -m1 -E -- "$re" "$E2E_CONSOLE" 2>/dev/null) &&
				{ printf '%s\n' "$line"; return 0; }
			e2e_fail "QEMU exited before the console showed /$re/"
		fi
		[ "$(date +%s)" -lt "$end" ] || e2e_fail "no console line /$re/ within $t s"
		sleep 0.2
	done
}

# e2e_wait_exit [TIMEOUT=30]: waits until QEMU has exited (the guest rebooted)
e2e_wait_exit() {
	local t=${1:-30} end
	end=$(($(date +%s) + t))
	while e2e_qemu_running; do
		[ "$(date +%s)" -lt "$end" ] || e2e_fail "QEMU still running after $t s"
		sleep 0.2
	done
}

e2e_ssh_opts() {
	printf '%s\n' -i "$E2E_KEY" -p "$E2E_SSH_PORT" -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR \
		-o ConnectTimeout=5 -o ServerAliveInterval=5 -o ServerAliveCountMax=3
}

# e2e_ssh CMD...: runs CMD in the guest as root; stdout/stderr/exit status are the
# remote command's (255: ssh itself failed)
e2e_ssh() {
	local opts
	mapfile -t opts < <(e2e_ssh_opts)
	ssh "${opts[@]}" root@127.0.0.1 "$@"
}

# e2e_wait_login [TIMEOUT=60]: until `e2e_ssh true` succeeds (slirp accepts the TCP
# connection before the guest listens, so only a full login counts)
e2e_wait_login() {
	local t=${1:-60} end
	[ -f "$E2E_KEY" ] || e2e_fail "e2e_wait_login: no key; call e2e_ssh_key_install first"
	end=$(($(date +%s) + t))
	until e2e_ssh true </dev/null >/dev/null 2>&1; do
		e2e_qemu_running || e2e_fail "QEMU exited while waiting for SSH"
		[ "$(date +%s)" -lt "$end" ] || e2e_fail "no SSH login within $t s"
		sleep 0.5
	done
}

# e2e_wait_ssh [SECONDS]: e2e_wait_login, then, in a RAM root (PID 1 wrote its
# options), until rcS has run the start.d scripts: SSH comes up while rcS's
# background job is still setting the clock and starting the appliance
e2e_wait_ssh() {
	local t=${1:-60} end
	e2e_wait_login "$t"
	end=$(($(date +%s) + t))
	until e2e_ssh '[ ! -e /run/root2ram/options ] || [ -e /run/root2ram/started ]' </dev/null >/dev/null 2>&1; do
		e2e_qemu_running || e2e_fail "QEMU exited while waiting for the appliance to start"
		[ "$(date +%s)" -lt "$end" ] || e2e_fail "SSH is up, but the start.d scripts had not all run within $t s (no /run/root2ram/started)"
		sleep 0.3
	done
}

# e2e_stop_qemu: SIGTERM, then SIGKILL after 5 s
e2e_stop_qemu() {
	local pid i=0
	pid=$(e2e_qemu_pid) || return 0
	kill -TERM "$pid" 2>/dev/null || true
	while [ -d "/proc/$pid" ]; do
		i=$((i + 1))
		[ $i -ne 50 ] || kill -KILL "$pid" 2>/dev/null || true
		[ $i -lt 100 ] || break
		sleep 0.1
	done
	rm -f "$E2E_QEMU_PIDFILE"
}

# EXIT trap: always kill QEMU and stop the NFS server this test started
e2e_cleanup() {
	local rc=$?
	if [ "${R2R_E2E_KEEP:-0}" = 1 ]; then
		e2e_log "R2R_E2E_KEEP=1: leaving QEMU ($(cat "$E2E_QEMU_PIDFILE" 2>/dev/null)) and the NFS server running"
		return $rc
	fi
	e2e_stop_qemu
	if [ "$E2E_NFS_STARTED" = 1 ]; then
		"$E2E_TOP/scripts/nfs-server.sh" stop --port "$E2E_NFS_PORT" || true
	fi
	return $rc
}
