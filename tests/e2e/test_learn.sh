#!/bin/bash
# Learning an appliance on the device itself, then running it from RAM:
#   - root2ram=off: the NFS root boots its own init (root2ram.fallback);
#   - `root2ram learn --seconds 8` watches while the appliance starts (a
#     "sensor" that reads its configuration, runs mosquitto_pub, a program
#     base does not bring, and writes a reading every second); the manifest
#     it writes names what the appliance used and the directory it wrote to;
#   - the next boot with root2ram.manifest=learned runs the appliance from
#     the RAM root, NFS detached, the program and its libraries in RAM.
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/install.sh"
e2e_init
exp=$(r2r_export)
learned="$exp/etc/root2ram/manifests/learned.manifest"

# The NFS root's own init: what a Pi's init does, small.  Debian's
# busybox-static makes no applet links: the shell sessions get them in
# /run/bin (a tmpfs, which learn does not watch).
cat > "$exp/sbin/nfs-init" <<'INIT'
#!/bin/busybox sh
# e2e: the NFS root's init when root2ram is off
bb=/bin/busybox
mounted() {
	while read -r _ m _; do
		[ "$m" = "$1" ] && return 0
	done < /proc/mounts
	return 1
}
[ -r /proc/mounts ] || $bb mount -t proc proc /proc
mounted /sys || $bb mount -t sysfs sysfs /sys
mounted /dev || $bb mount -t devtmpfs devtmpfs /dev
$bb mkdir -p /dev/pts
mounted /dev/pts || $bb mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mounted /tmp || $bb mount -t tmpfs -o mode=1777,nosuid,nodev tmp /tmp
mounted /run || $bb mount -t tmpfs -o mode=755,nosuid,nodev run /run
$bb mkdir -p /run/bin
$bb --install -s /run/bin
$bb ip link set lo up
keys=""
for k in /etc/dropbear/dropbear_*_host_key; do keys="$keys -r $k"; done
# shellcheck disable=SC2086
/usr/sbin/dropbear -F -E -s -P /run/dropbear.pid $keys &
echo "NFS-ROOT-INIT: dropbear started"
exec $bb sh -c 'while :; do /bin/busybox sleep 3600; done'
INIT
chmod 755 "$exp/sbin/nfs-init"

# The appliance: reads its configuration, publishes a reading (there is no
# broker: mosquitto_pub runs and fails to connect) and keeps "N STATUS" in
# /var/lib/sensor/value, STATUS being mosquitto_pub's exit status.
mkdir -p "$exp/etc/sensor" "$exp/var/lib/sensor"
cat > "$exp/etc/sensor/sensor.conf" <<'CONF'
# e2e sensor: where readings go
broker=127.0.0.1
port=1
topic=sensor/value
CONF
cat > "$exp/etc/root2ram/start.d/60-sensor" <<'SENSOR'
#!/bin/sh
# e2e appliance: a reading every second, published and kept in /var/lib/sensor/value
case "$1" in
start)
	(
		n=0
		while :; do
			n=$((n + 1))
			. /etc/sensor/sensor.conf
			/usr/bin/mosquitto_pub -h "$broker" -p "$port" -t "$topic" -m "$n" 2>/dev/null
			echo "$n $?" > /var/lib/sensor/value
			sleep 1
		done
	) </dev/null >/dev/null 2>&1 &
	;;
stop) ;;
esac
SENSOR
chmod 755 "$exp/etc/root2ram/start.d/60-sensor"
rm -f "$learned"

# what base already brings: none of the appliance's files
plan=$("$R2R" plan --root "$exp" default 2>&1) || e2e_fail "root2ram plan --root $exp default failed: $plan"
check "base does not bring the appliance's program" bash -c "! grep -q /usr/bin/mosquitto_pub <<<\"\$1\"" _ "$plan"
check "base does not bring the appliance's configuration" bash -c "! grep -q /etc/sensor <<<\"\$1\"" _ "$plan"

e2e_nfs_start "$exp"
e2e_boot --export "$exp" --timeout 600 --append "root2ram=off root2ram.fallback=/sbin/nfs-init"
e2e_wait_console 'NFS-ROOT-INIT: dropbear started' 120 >/dev/null
e2e_wait_ssh 90
check "root2ram=off: the NFS root's own init runs" \
	grep -aq "root2ram=off on the kernel command line" "$E2E_CONSOLE"

# learn watches every process for 8 s; the appliance starts once the marks are set
t=$(date +%s.%N)
mapfile -t opts < <(e2e_ssh_opts)
# shellcheck disable=SC2016 # expanded in the guest
out=$(timeout 120 ssh "${opts[@]}" root@127.0.0.1 '
PATH=/run/bin:$PATH
/sbin/root2ram learn -o /etc/root2ram/manifests/learned.manifest --seconds 8 > /tmp/learn.log 2>&1 &
l=$!
i=0
until grep -q "watching every process" /tmp/learn.log; do
	i=$((i + 1)); [ $i -lt 150 ] || break; sleep 0.2
done
/etc/root2ram/start.d/60-sensor start
wait $l
echo "learn exited $?"
cat /tmp/learn.log' </dev/null 2>&1) || true
e2e_log "learning took $(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s:"
printf '%s\n' "$out" >&2
check "root2ram learn exits 0" grep -q '^learn exited 0$' <<<"$out"
check "root2ram learn says what it wrote ($(grep -m1 'lines added' <<<"$out" || true))" \
	grep -q 'lines added to /etc/root2ram/manifests/learned.manifest' <<<"$out"
echo "---- $learned ----" >&2
cat "$learned" >&2 || true
echo "----" >&2
check "the learned manifest starts with a comment" test "$(head -c 1 "$learned" 2>/dev/null)" = "#"
check "the learned manifest includes base" grep -qx 'include base' "$learned"
check "the learned manifest names the appliance's configuration" grep -qx '/etc/sensor/sensor.conf' "$learned"
check "the learned manifest names the program the appliance ran" grep -qx '/usr/bin/mosquitto_pub' "$learned"
check "the learned manifest has the directory the appliance wrote to" grep -Eqx 'dir /var/lib/sensor [0-7]+' "$learned"
check "the learned manifest leaves out what the run wrote" bash -c "! grep -q '^/var/lib/sensor/value' '$learned'"
# shellcheck disable=SC2016 # the arguments after _
check "the learned manifest plans on the host without a warning (plan --strict)" \
	bash -c '"$1" plan --root "$2" --strict learned >"$3" 2>&1' _ "$R2R" "$exp" "$E2E_DIR/plan-learned.txt"
e2e_ssh 'reboot -f' </dev/null >/dev/null 2>&1 || true
e2e_wait_exit 30

# into RAM with what was learned
rm -f "$E2E_CONSOLE"
e2e_boot --export "$exp" --timeout 600 --append "root2ram.manifest=learned"
line=$(e2e_wait_console 'root2ram: switched to RAM|booting the NFS root' 180)
check "root2ram.manifest=learned switches to RAM (${line#*root2ram: })" grep -q 'switched to RAM' <<<"$line"
e2e_wait_ssh 90
mounts=$(e2e_ssh 'cat /proc/mounts')
check "/ is a tmpfs" grep -Eq '^[^ ]+ / tmpfs ' <<<"$mounts"
check "no NFS mount is left" bash -c "! grep -Eq ' nfs4? ' <<<\"\$1\"" _ "$mounts"
v1=$(e2e_ssh 'cat /var/lib/sensor/value' 2>&1) || true
sleep 3
v2=$(e2e_ssh 'cat /var/lib/sensor/value' 2>&1) || true
check "the appliance started by rcS runs from RAM ($v1 -> $v2)" \
	test "${v2%% *}" -gt "${v1%% *}" 2>/dev/null
check "the appliance's program runs in RAM (mosquitto_pub exit status ${v2#* }: 1 is no broker, 127 would be missing)" \
	test "${v2#* }" = 1
pub=$(e2e_ssh '/usr/bin/mosquitto_pub -h 127.0.0.1 -p 1 -t t -m 1; echo "rc $?"' 2>&1) || true
check "mosquitto_pub and its libraries are in RAM ($(tr '\n' ' ' <<<"$pub"))" \
	grep -q 'Connection refused' <<<"$pub"
check "its configuration is in RAM" \
	test "$(e2e_ssh 'cat /etc/sensor/sensor.conf' 2>/dev/null)" = "$(cat "$exp/etc/sensor/sensor.conf")"
e2e_ssh 'reboot -f' </dev/null >/dev/null 2>&1 || true
e2e_wait_exit 30

e2e_pass
