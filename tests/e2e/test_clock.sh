#!/bin/bash
# The clock of a Pi without RTC (QEMU's PL031 set to 2016): with an NTP
# server on the host (chronyd, slirp's 10.0.2.2:PORT), the guest's clock is
# within a few seconds of the host's once the appliance starts, the log
# says NTP set it, and `clock keep` steps it back when it drifts; with the
# server gone, the boot waits no longer than the bound and the clock is at
# least the time saved in /etc/fake-hwclock.data, and the log says so;
# with root2ram.ntp=no and no saved time, the newest NFS-root file's time.
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/install.sh"
command -v chronyd >/dev/null || { fail "chronyd is missing: run scripts/setup.sh all"; exit 1; }
e2e_init
exp=$(r2r_export)
ntp_port=$((E2E_SSH_PORT + 100))
# the time fake-hwclock saved at the last shutdown: a day ago
saved=$(date -u -d '-1 day' '+%Y-%m-%d %H:%M:%S')
echo "$saved" > "$exp/etc/fake-hwclock.data"
saved_s=$(date -u -d "$saved" +%s)
# the second floor, the newest time of a few NFS-root files, is older here
# (the install has just made them)
touch -h -d '-2 days' "$exp/sbin/root2ram" "$exp/etc/passwd" "$exp/etc/group" "$exp/etc/shadow" \
	"$exp/etc/dropbear" "$exp/root/.ssh/authorized_keys"
e2e_nfs_start "$exp"

conf=$E2E_DIR/chrony.conf
cat > "$conf" <<CONF
port $ntp_port
bindaddress 127.0.0.1
local stratum 8
allow
cmdport 0
pidfile $E2E_DIR/chronyd.pid
driftfile $E2E_DIR/chrony.drift
CONF
chrony_pid=""
chrony_stop() {
	[ -z "$chrony_pid" ] || kill "$chrony_pid" 2>/dev/null || true
	[ -z "$chrony_pid" ] || wait "$chrony_pid" 2>/dev/null || true
	chrony_pid=""
}
trap 'chrony_stop; e2e_cleanup' EXIT
(close_fds() { for fd in /proc/$BASHPID/fd/*; do n=${fd##*/}; [ "$n" -gt 2 ] 2>/dev/null && eval "exec $n>&-"; done; }
	close_fds; exec chronyd -x -d -u root -f "$conf") </dev/null >"$E2E_DIR/chronyd.log" 2>&1 &
chrony_pid=$!
for _ in $(seq 50); do
	ss -Hlun "sport = :$ntp_port" | grep -q . && break
	sleep 0.1
done
check "chronyd serves NTP on 127.0.0.1:$ntp_port" ss -Hlun "sport = :$ntp_port"

boot() { # [root2ram.ntp=...]
	rm -f "$E2E_CONSOLE"
	e2e_boot --export "$exp" --timeout 600 --append "root2ram.manifest=e2e ${1:-root2ram.ntp=10.0.2.2:$ntp_port}" \
		--qemu-arg -rtc --qemu-arg base=2016-01-01
	e2e_wait_console 'root2ram: switched to RAM|booting the NFS root' 120 >/dev/null
	line=$(e2e_wait_console 'root2ram: (warning: )?clock: ' 60)
	e2e_wait_ssh 90
}
# kernel time stamps: from the switch to the clock line, the part of the
# boot the clock takes (its own figure is in the line)
gap() {
	awk '/root2ram: switched to RAM/ { s = $0 } /root2ram: (warning: )?clock: / { c = $0; exit }
	END { gsub(/^\[ *|\].*/, "", s); gsub(/^\[ *|\].*/, "", c); printf "%.2f", c - s }' "$E2E_CONSOLE"
}

# 1. the NTP server answers
boot
check "the console says NTP set the clock ($line)" \
	grep -Eq "clock: set from NTP server 10\.0\.2\.2:$ntp_port \(root2ram\.ntp\) in [0-9.]+ s: stepped by \+" <<<"$line"
took=$(sed -n 's/.* in \([0-9.]*\) s: .*/\1/p' <<<"$line")
check "the NTP answer took at most 1 s ($took s)" awk -v t="$took" 'BEGIN { exit !(t <= 1) }'
gap_ntp=$(gap)
now=$(date +%s)
guest=$(e2e_ssh 'date +%s')
check "the guest's clock is within 3 s of the host's (guest $guest, host $now)" \
	test $((guest - now)) -le 3 -a $((now - guest)) -le 3
check "the console had shown the RTC's 2016 before (rtc-pl031 set the clock)" \
	grep -aq 'setting system clock to 2016-01-01' "$E2E_CONSOLE"
log=$(e2e_ssh logread)
check "logread says NTP set the clock" grep -q "root2ram: clock: set from NTP server 10.0.2.2:$ntp_port" <<<"$log"
check "logread has the keeper" grep -q "root2ram: clock: keeping in step with 10.0.2.2:$ntp_port" <<<"$log"
check "the syslog's times are of today, not of 2016 or 1970" \
	grep -q "^$(date -u '+%b %e')" <<<"$(e2e_ssh 'logread | tail -n 1')"
rss=$(e2e_ssh 'for p in $(pidof root2ram); do tr "\0" " " < /proc/$p/cmdline; grep VmRSS /proc/$p/status; done')
pass "RAM of the clock keeper: $(tr '\n' ' ' <<<"$rss" | tr -s ' \t' ' ')"
# the clock drifts 30 s behind: the keeper steps it back at its next question (32 s)
e2e_ssh 'date -s "@$(($(date +%s) - 30))" >/dev/null'
t0=$(date +%s)
until e2e_ssh 'logread | grep -q "clock: keep: stepped by +"' 2>/dev/null; do
	[ $(($(date +%s) - t0)) -lt 60 ] || break
	sleep 2
done
check "clock keep stepped the clock back within 60 s ($(e2e_ssh 'logread | grep "clock: keep:" | tail -n 1' | sed 's/.*root2ram: //'))" \
	e2e_ssh 'logread | grep -q "clock: keep: stepped by +"'
now=$(date +%s)
guest=$(e2e_ssh 'date +%s')
check "after the step, the guest's clock is within 3 s of the host's (guest $guest, host $now)" \
	test $((guest - now)) -le 3 -a $((now - guest)) -le 3
e2e_ssh 'reboot -f' >/dev/null 2>&1 || true
e2e_wait_exit 30

# 2. no NTP answer: a listener that never answers (packets lost on the way
# look the same), so the whole bound is waited.  (A port nothing listens on
# is refused at once on a LAN, unit test refused_at_once; slirp sends the
# guest no "port unreachable", so here it would look the same as this.)
chrony_stop
(close_fds() { for fd in /proc/$BASHPID/fd/*; do n=${fd##*/}; [ "$n" -gt 2 ] 2>/dev/null && eval "exec $n>&-"; done; }
	close_fds; exec socat -u "UDP4-RECV:$ntp_port,bind=127.0.0.1" /dev/null) </dev/null >/dev/null 2>&1 &
hole=$!
boot
check "the console says there was no NTP answer and the saved time set the clock ($line)" \
	grep -Eq "clock: no NTP answer from 10\.0\.2\.2:$ntp_port \(root2ram\.ntp\) in [0-9.]+ s; set to ${saved% *} .*, the time of /etc/fake-hwclock.data \(it was 2016-01-01 " <<<"$line"
waited=$(sed -n 's/.* in \([0-9.]*\) s; .*/\1/p' <<<"$line")
gap_none=$(gap)
check "the clock waited at most 3.5 s for NTP ($waited s; from the switch to the clock line: $gap_none s, with NTP answering $gap_ntp s)" \
	awk -v w="$waited" -v g="$gap_none" -v n="$gap_ntp" 'BEGIN { exit !(w <= 3.5 && g - n <= 4) }'
guest=$(e2e_ssh 'date +%s')
check "the guest's clock is at least the saved time (guest $guest, saved $saved_s)" \
	test "$guest" -ge "$saved_s" -a "$guest" -lt $((saved_s + 600))
check "logread says the saved time set the clock" \
	e2e_ssh 'logread | grep -q "clock: no NTP answer from .*the time of /etc/fake-hwclock.data"'
kill "$hole" 2>/dev/null || true
wait "$hole" 2>/dev/null || true
e2e_ssh 'reboot -f' >/dev/null 2>&1 || true
e2e_wait_exit 30

# 3. root2ram.ntp=no, and no saved time: the second floor, the newest of a
# few NFS-root files (here /etc/passwd, changed three hours ago)
rm "$exp/etc/fake-hwclock.data"
touch -d '-3 hours' "$exp/etc/passwd"
floor_s=$(stat -c %Y "$exp/etc/passwd")
# ganesha caches what it served: it starts again to see the changes
e2e_nfs_stop >/dev/null
e2e_nfs_start "$exp"
boot root2ram.ntp=no
check "without NTP nor a saved time, the newest NFS-root file set the clock ($line)" \
	grep -q "clock: no NTP server (root2ram.ntp=no); set to $(date -u -d "@$floor_s" '+%Y-%m-%d %H:%M:%S') UTC, the time of /etc/passwd" <<<"$line"
guest=$(e2e_ssh 'date +%s')
check "the guest's clock is at least that time (guest $guest, /etc/passwd $floor_s)" \
	test "$guest" -ge "$floor_s" -a "$guest" -lt $((floor_s + 600))
check "root2ram.ntp=no: no keeper runs" e2e_ssh '! logread | grep -q "clock: keep"'
e2e_pass
