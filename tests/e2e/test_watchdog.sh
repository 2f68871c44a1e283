#!/bin/bash
# root2ram.watchdog=SECONDS with QEMU's i6300esb: fed from RAM, the guest
# runs 60 s without a reset; when the health command starts failing, and
# separately when the feeder is killed with SIGKILL (no magic close), the
# watchdog resets the guest (QEMU runs with -no-reboot: it exits) within
# the timeout and a little slack.
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/install.sh"
e2e_init
exp=$(r2r_export)
secs=10 slack=8
# the appliance's health command, in the RAM root by the test's manifest
install -d "$exp/usr/local/sbin"
printf '#!/bin/sh\n# healthy until /run/unhealthy exists\n[ ! -e /run/unhealthy ]\n' > "$exp/usr/local/sbin/e2e-health"
chmod 755 "$exp/usr/local/sbin/e2e-health"
printf 'include e2e\n/usr/local/sbin/e2e-health\n' > "$exp/etc/root2ram/manifests/wd.manifest"
e2e_nfs_start "$exp"

boot() { # root2ram options
	rm -f "$E2E_CONSOLE"
	e2e_boot --export "$exp" --timeout 600 --append "root2ram.manifest=wd root2ram.watchdog=$secs $*" \
		--qemu-arg -device --qemu-arg i6300esb
	e2e_wait_console 'root2ram: switched to RAM|booting the NFS root' 120 >/dev/null
	line=$(e2e_wait_console 'root2ram: (warning: )?watchdog: ' 60 | tr -d '\r')
	e2e_wait_ssh 90
}
# seconds until QEMU exits, at most $1
until_exit() {
	local t0=$1 lim=$2
	while e2e_qemu_running && [ $(($(date +%s) - t0)) -le "$lim" ]; do sleep 0.2; done
	echo $(($(date +%s) - t0))
}

# 1. fed while healthy; reset when the health command fails
boot root2ram.health=/usr/local/sbin/e2e-health
check "the feeder started ($line)" grep -q \
	"watchdog: /dev/watchdog fed every $((secs / 3)) s, timeout $secs s, while this succeeds: /usr/local/sbin/e2e-health" <<<"$line"
rss=$(e2e_ssh 'for p in $(pidof root2ram); do tr "\0" " " < /proc/$p/cmdline; grep VmRSS /proc/$p/status; done')
pass "RAM of the feeder: $(tr '\n' ' ' <<<"$rss" | tr -s ' \t' ' ')"
sleep 60
check "60 s later the guest still runs, without a new boot" \
	test "$(grep -ac 'root2ram: starting' "$E2E_CONSOLE")" = 1 -a -n "$(e2e_qemu_pid)"
check "and answers SSH" e2e_ssh true
e2e_ssh 'touch /run/unhealthy'
t0=$(date +%s)
took=$(until_exit "$t0" $((secs + slack + 20)))
check "the health command failed: the watchdog reset the guest in $took s (timeout $secs s, at most $((secs + slack)))" \
	test "$took" -le $((secs + slack)) -a ! -e "/proc/$(cat "$E2E_QEMU_PIDFILE")/comm"
check "the console said why the feeding stopped" \
	grep -aq "root2ram: watchdog: /usr/local/sbin/e2e-health failed (exit status 1): /dev/watchdog is no longer fed" "$E2E_CONSOLE"
e2e_stop_qemu

# 2. the feeder killed: no magic close, so the timer runs on
boot
check "the feeder started without a health command ($line)" \
	grep -q "watchdog: /dev/watchdog fed every $((secs / 3)) s, timeout $secs s$" <<<"$line"
e2e_ssh 'for p in $(pidof root2ram); do grep -q watchdog /proc/$p/cmdline && kill -9 $p; done; true'
t0=$(date +%s)
took=$(until_exit "$t0" $((secs + slack + 20)))
check "the feeder killed with SIGKILL: the watchdog reset the guest in $took s (at most $((secs + slack)))" \
	test "$took" -le $((secs + slack)) -a -z "$(e2e_qemu_pid)"
e2e_pass
