#!/bin/bash
# A running appliance changed without a reboot: the sensor appliance
# (manifests/sensor.manifest, its program /etc/sensor/sensord started by
# start.d/10-sensor) boots into RAM; a file changed on the NFS side and one
# in RAM show in `root2ram diff` with the right kinds; `refresh` copies the
# NFS change and keeps the RAM change, saying so; sensord changed on NFS is
# restarted by `refresh --restart` and runs the new version; `save` writes
# the RAM change to the export with its mode and a backup of the old file;
# a conflict is refused; a refresh that does not fit the RAM root copies
# nothing; with the server stopped all three fail within the mount's bound,
# saying so, and the RAM root is unchanged; with the server paused in the
# middle of a refresh every file is the old or the new version.  Then the
# default appliance booted with root2ram.detach=no: diff and refresh work
# there too.  The times of diff and refresh are printed.
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/install.sh"
e2e_init
exp=$(r2r_export)

# the sensor appliance: its program, its configuration, its start script
mkdir -p "$exp/etc/sensor"
sensord() { # VERSION: the appliance's program, as a package would install it
	cat > "$exp/etc/sensor/sensord" <<EOF
#!/bin/sh
# sensord: one reading a second; says which version runs
echo "$1 \$\$" > /tmp/sensor.version
while :; do echo "\$(date +%s) 21.5" > /tmp/sensor.reading; sleep 1; done
EOF
	chmod 755 "$exp/etc/sensor/sensord"
}
sensord v1
cat > "$exp/etc/root2ram/start.d/10-sensor" <<'EOF'
#!/bin/sh
# the sensor appliance: /etc/sensor/sensord in the background
case "$1" in
start) /etc/sensor/sensord </dev/null >/dev/null 2>&1 & echo $! > /run/sensord.pid ;;
stop) [ -r /run/sensord.pid ] && kill "$(cat /run/sensord.pid)"; rm -f /run/sensord.pid ;;
esac
EOF
chmod 755 "$exp/etc/root2ram/start.d/10-sensor"
for f in sensor both old a b c; do echo "$f=1" > "$exp/etc/sensor/$f.conf"; done
head -c $((20 << 20)) /dev/urandom > "$exp/etc/sensor/big.bin"
cp "$exp/etc/sensor/big.bin" "$E2E_DIR/big.old"

# outside a RAM root the commands refuse, saying why
for c in diff refresh "save /etc/motd"; do
	set +e
	out=$("$R2R" $c 2>&1)
	rc=$?
	set -e
	check "root2ram $c outside a RAM root refuses ($rc: $out)" \
		sh -c 'test "$1" = 111 && grep -q "not running from a RAM root" <<EOF
$2
EOF' - "$rc" "$out"
done

e2e_nfs_start "$exp" --no-attr-cache
e2e_boot --export "$exp" --append "root2ram.manifest=sensor" --timeout 1500
e2e_wait_console 'root2ram: switched to RAM' 120 >/dev/null
e2e_wait_ssh 90
r2r() { e2e_ssh "/sbin/root2ram $*" 2>&1; }
ok_within() { # SECONDS COMMAND...: the command's output; fails the check if it took longer
	local t0 t1 lim=$1
	shift
	t0=$(date +%s.%N)
	out=$("$@" 2>&1) && rc=0 || rc=$?
	t1=$(date +%s.%N)
	took=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	awk -v t="$took" -v l="$lim" 'BEGIN { exit !(t <= l) }'
}
for i in $(seq 20); do e2e_ssh test -s /tmp/sensor.version && break; sleep 1; done
v=$(e2e_ssh cat /tmp/sensor.version)
check "the sensor appliance runs from RAM ($v)" grep -q '^v1 [0-9]' <<<"$v"
rec=$(e2e_ssh 'wc -lc < /run/root2ram/staged' | awk '{ print $1, $2 }')
check "the boot recorded what it staged in /run/root2ram/staged ($rec: lines, bytes)" test "${rec%% *}" -gt 100
echo "root2ram: e2e: record: $rec (lines, bytes)" >&2

# a change on each side
touch "$E2E_DIR/before"
sleep 1
echo "sensor=2" > "$exp/etc/sensor/sensor.conf"
echo "both=nfs" > "$exp/etc/sensor/both.conf"
echo "new=1" > "$exp/etc/sensor/new.conf"
rm "$exp/etc/sensor/old.conf"
e2e_ssh 'echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2eRamAddedKeyForTheTestOnlyxxxxxxxxxxxxxx added-in-ram" >> /root/.ssh/authorized_keys;
	echo both=ram > /etc/sensor/both.conf; echo mine > /etc/sensor/mine.conf'
set +e
diff_out=$(r2r diff)
rc=$?
set -e
echo "$diff_out" | sed 's/^/    diff: /' >&2
check "diff exits 1 when something differs ($rc)" test "$rc" = 1
for want in "changed-nfs  /etc/sensor/sensor.conf" "changed-ram  /root/.ssh/authorized_keys" \
	"conflict     /etc/sensor/both.conf" "added-nfs    /etc/sensor/new.conf" \
	"added-ram    /etc/sensor/mine.conf" "removed-nfs  /etc/sensor/old.conf"; do
	check "diff: $want" grep -qxF "$want" <<<"$diff_out"
done
check "diff released the NFS root" e2e_ssh '! grep -q " nfs" /proc/mounts'
check "diff names no kernel module (diff plans them as the boot did)" bash -c '! grep -q /lib/modules/ <<<"$1"' - "$diff_out"

out=$(r2r refresh --dry-run) || true
check "refresh --dry-run says what it would copy, and copies nothing ($(grep -c . <<<"$out") lines)" \
	sh -c 'echo "$1" | grep -qxF "copy      /etc/sensor/sensor.conf" && test "$2" = sensor=1' - "$out" "$(e2e_ssh cat /etc/sensor/sensor.conf)"
out=$(r2r refresh) || true
echo "$out" | sed 's/^/    refresh: /' >&2
check "refresh copied the NFS change" grep -qxF "copied    /etc/sensor/sensor.conf" <<<"$out"
check "refresh kept the RAM change and says so" \
	grep -qxF "kept      /root/.ssh/authorized_keys (changed in RAM; --force replaces it)" <<<"$out"
check "refresh kept the conflict" grep -q "^kept      /etc/sensor/both.conf " <<<"$out"
check "refresh removed what the plan no longer names" grep -qxF "removed   /etc/sensor/old.conf" <<<"$out"
got=$(e2e_ssh 'cat /etc/sensor/sensor.conf /etc/sensor/new.conf /etc/sensor/both.conf /etc/sensor/mine.conf; grep -c added-in-ram /root/.ssh/authorized_keys; test -e /etc/sensor/old.conf || echo gone')
check "the RAM root has the NFS change, the new file, and the RAM changes ($(tr '\n' ' ' <<<"$got"))" \
	test "$got" = "sensor=2
new=1
both=ram
mine
1
gone"
check "after refresh, the kernel modules are still in RAM" e2e_ssh 'test -f /lib/modules/$(uname -r)/modules.dep'
set +e
out=$(r2r diff)
rc=$?
set -e
check "after refresh, diff shows only what RAM changed ($(tr '\n' ' ' <<<"$out"))" \
	test "$(grep -v -e /root/.ssh/authorized_keys -e /etc/sensor/both.conf -e /etc/sensor/mine.conf -e /etc/resolv.conf <<<"$out")" = "" -a "$rc" = 1
changed=$(find "$exp" -newer "$E2E_DIR/before" ! -path "$exp/etc/sensor*" | head -3)
check "diff and refresh did not write the NFS root (${changed:-nothing})" test -z "$changed"

# the appliance's program changed on NFS: restarted, the new version runs
pid1=$(e2e_ssh cat /run/sensord.pid)
sensord v2
out=$(r2r refresh --restart) || true
echo "$out" | sed 's/^/    refresh --restart: /' >&2
check "refresh --restart restarted the sensor's start script" \
	grep -qxF "restarted /etc/root2ram/start.d/10-sensor" <<<"$out"
check "only the sensor's script was restarted" test "$(grep -c '^restarted' <<<"$out")" = 1
sleep 2
v=$(e2e_ssh 'cat /tmp/sensor.version; kill -0 '"$pid1"' 2>/dev/null && echo old-still-runs') || true
check "the new version runs, the old is gone ($(tr '\n' ' ' <<<"$v"))" grep -qx "v2 [0-9]*" <<<"$v"

# save: the RAM change to the export, with its mode, and a backup
keys=$exp/root/.ssh/authorized_keys
cp "$keys" "$E2E_DIR/keys.old"
out=$(r2r save /root/.ssh/authorized_keys) || true
echo "$out" | sed 's/^/    save: /' >&2
check "save wrote the RAM change to the export" grep -q added-in-ram "$keys"
check "the saved file keeps its mode and owner ($(stat -c '%a %u:%g' "$keys"))" test "$(stat -c '%a %u:%g' "$keys")" = "600 0:0"
ram_mtime=$(e2e_ssh 'date -r /root/.ssh/authorized_keys +%s')
check "the saved file keeps its mtime" test "$(stat -c %Y "$keys")" = "$ram_mtime"
check "the previous version is kept as authorized_keys.root2ram-old" cmp -s "$E2E_DIR/keys.old" "$keys.root2ram-old"
check "no file left beside it" test ! -e "$exp/root/.ssh/.authorized_keys.root2ram-new"
out=$(r2r diff) || true
check "after save, diff no longer shows it ($(grep authorized_keys <<<"$out"))" bash -c '! grep -q authorized_keys <<<"$1"' - "$out"
set +e
out=$(r2r save /etc/sensor/both.conf)
rc=$?
set -e
check "a conflict is refused ($rc: $(head -1 <<<"$out"))" sh -c 'test "$1" = 1 && echo "$2" | grep -q "changed on the NFS root since the boot (a conflict)"' - "$rc" "$out"
check "the NFS copy of the conflict is untouched" test "$(cat "$exp/etc/sensor/both.conf")" = both=nfs
out=$(r2r refresh --force) || true
got=$(e2e_ssh 'cat /etc/sensor/both.conf /etc/sensor/mine.conf')
check "refresh --force replaces what RAM changed, leaves what RAM made ($(tr '\n' ' ' <<<"$got"))" \
	sh -c 'echo "$1" | grep -qxF "copied    /etc/sensor/both.conf" && test "$2" = "both=nfs
mine"' - "$out" "$got"

# a refresh that does not fit the RAM root copies nothing
truncate -s 400M "$exp/etc/sensor/huge.bin"
echo "sensor=3" > "$exp/etc/sensor/sensor.conf"
set +e
out=$(r2r refresh)
rc=$?
set -e
check "a refresh that does not fit is refused before copying ($rc: $out)" \
	sh -c 'test "$1" = 1 && echo "$2" | grep -q ", the RAM root has .* free: nothing copied"' - "$rc" "$out"
check "nothing was copied" test "$(e2e_ssh cat /etc/sensor/sensor.conf)" = sensor=2
rm "$exp/etc/sensor/huge.bin"

# timings (sensor appliance, nothing to copy but sensor.conf)
ok_within 60 e2e_ssh /sbin/root2ram diff || true
t_diff=$took
ok_within 60 e2e_ssh /sbin/root2ram refresh || true
t_refresh=$took
ok_within 60 e2e_ssh /sbin/root2ram refresh || true
t_refresh0=$took
echo "root2ram: e2e: sensor appliance: diff $t_diff s, refresh $t_refresh s (one file), refresh $t_refresh0 s (nothing to do), over ssh" >&2

# the server stopped: each command fails within the mount's 15 s, says so,
# and the RAM root stays as it was
sum() { e2e_ssh 'cat /run/root2ram/staged; find /etc /root -xdev | sort | xargs stat -c "%n %i %s %Y %Z"' | md5sum; }
before=$(sum)
echo "sensor=4" > "$exp/etc/sensor/sensor.conf"
e2e_nfs_stop
for c in diff refresh "save /etc/sensor/mine.conf"; do
	if ok_within 25 e2e_ssh "/sbin/root2ram $c"; then fast=yes; else fast=no; fi
	check "server stopped: $c fails in ${took} s, saying so ($rc: $(tail -1 <<<"$out" | cut -c1-120))" \
		sh -c 'test "$1" = yes -a "$2" != 0 && echo "$3" | grep -q "try again when it is back"' - "$fast" "$rc" "$out"
done
check "server stopped: the RAM root is unchanged" test "$(sum)" = "$before"
e2e_nfs_start "$exp" --no-attr-cache
# a server that takes the connection and never answers: the mount's 15 s
e2e_nfs_pause
if ok_within 25 e2e_ssh /sbin/root2ram diff; then fast=yes; else fast=no; fi
e2e_nfs_resume
check "server paused: diff fails in ${took} s, saying so ($rc: $(tail -1 <<<"$out" | cut -c1-120))" \
	sh -c 'test "$1" = yes -a "$2" = 111 && echo "$3" | grep -q "the server did not answer in 15 s"' - "$fast" "$rc" "$out"

# the server paused in the middle of a refresh: every file old or new
for f in a b c; do echo "$f=2" > "$exp/etc/sensor/$f.conf"; done
head -c $((20 << 20)) /dev/urandom > "$exp/etc/sensor/big.bin"
cp "$exp/etc/sensor/big.bin" "$E2E_DIR/big.new"
rm -f "$E2E_DIR/paused.rc"
(
	rc=0
	e2e_ssh /sbin/root2ram refresh > "$E2E_DIR/paused.out" 2>&1 || rc=$?
	echo "$rc" > "$E2E_DIR/paused.rc"
) &
bg=$!
# watched from inside the guest, every 20 ms or so: the copy of big.bin takes
# about a second now that the NFS root is read in large requests, less than
# a poll over SSH each time
e2e_ssh 'i=0; while [ ! -e /etc/sensor/.big.bin.root2ram-new ] && [ $i -lt 1500 ]; do sleep 0.02; i=$((i + 1)); done' || true
e2e_nfs_pause
t0=$(date +%s)
echo "root2ram: e2e: server paused while big.bin is copied" >&2
while [ ! -s "$E2E_DIR/paused.rc" ] && [ $(($(date +%s) - t0)) -lt 240 ]; do sleep 1; done
waited=$(($(date +%s) - t0))
e2e_nfs_resume
wait "$bg" || true
sed 's/^/    paused refresh: /' "$E2E_DIR/paused.out" >&2
echo "root2ram: e2e: paused: refresh ended after $waited s of the pause" >&2
check "paused: refresh stopped within ${waited} s, the server still paused, and said what remains" \
	sh -c 'test "$1" -le 30 && test "$(cat "$2/paused.rc")" = 111 && grep -q "stopped at /etc/sensor/big.bin: the NFS server does not answer" "$2/paused.out"' - "$waited" "$E2E_DIR"
e2e_ssh 'for f in a b c; do cat /etc/sensor/$f.conf; done; md5sum < /etc/sensor/big.bin; ls -a /etc/sensor' > "$E2E_DIR/paused.ram"
bad=0
for f in a b c; do
	grep -qxE "$f=(1|2)" "$E2E_DIR/paused.ram" || bad=$((bad + 1))
done
big=$(sed -n 4p "$E2E_DIR/paused.ram" | cut -d' ' -f1)
case $big in
"$(md5sum < "$E2E_DIR/big.old" | cut -d' ' -f1)") big=old ;;
"$(md5sum < "$E2E_DIR/big.new" | cut -d' ' -f1)") big=new ;;
*) bad=$((bad + 1)) ;;
esac
check "paused: every file is the old or the new version (big.bin $big, $bad torn)" test "$bad" = 0
check "paused: nothing left beside" bash -c '! grep -q root2ram-new "$1"' - "$E2E_DIR/paused.ram"
out=$(r2r refresh) || true
got=$(e2e_ssh 'cat /etc/sensor/a.conf /etc/sensor/c.conf; md5sum < /etc/sensor/big.bin' | tr '\n' ' ')
check "the server back, refresh finishes ($got)" \
	test "$got" = "a=2 c=2 $(md5sum < "$E2E_DIR/big.new" | cut -d' ' -f1)  - "
e2e_ssh 'reboot -f' </dev/null >/dev/null 2>&1 || true
e2e_wait_exit 30

# the default appliance, the NFS root kept mounted (root2ram.detach=no)
rm -f "$E2E_CONSOLE"
e2e_boot --export "$exp" --append "root2ram.manifest=default root2ram.detach=no" --timeout 600
e2e_wait_console 'root2ram: switched to RAM' 120 >/dev/null
e2e_wait_ssh 90
echo "10.0.2.2 nfs-server" >> "$exp/etc/hosts"
ok_within 60 e2e_ssh /sbin/root2ram diff || true
t_diff=$took
check "detach=no: diff shows the NFS change ($(tr '\n' ' ' <<<"$out"))" grep -qxF "changed-nfs  /etc/hosts" <<<"$out"
ok_within 60 e2e_ssh /sbin/root2ram refresh || true
t_refresh=$took
check "detach=no: refresh copies it" e2e_ssh grep -q nfs-server /etc/hosts
ok_within 60 e2e_ssh /sbin/root2ram refresh || true
t_refresh0=$took
# rcS's own link (no nameserver in the staged resolv.conf) gone: nothing differs
out=$(e2e_ssh 'rm -f /etc/resolv.conf; /sbin/root2ram diff; echo "exit $?"' 2>&1) || true
check "detach=no: diff says nothing and exits 0 when nothing differs ($(tr '\n' ' ' <<<"$out"))" test "$out" = "exit 0"
echo "root2ram: e2e: default appliance: diff $t_diff s, refresh $t_refresh s (one file), refresh $t_refresh0 s (nothing to do), over ssh" >&2
e2e_ssh 'reboot -f' </dev/null >/dev/null 2>&1 || true
e2e_wait_exit 30
e2e_pass
