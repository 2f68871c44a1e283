#!/bin/bash
# Kernel modules in the RAM root, on versatilepb with the test kernel's
# modules in the export (/lib/modules/RELEASE, as Raspberry Pi OS has them):
#   - /etc/modules names i2c-dev; the device tree's I2C controller
#     ("arm,versatile-i2c") gets i2c-versatile by coldplug (modules.alias);
#   - rcS loads both before start.d: lsmod shows them, /dev/i2c-0 is there
#     and i2cdetect scans the bus (QEMU's DS1307 RTC at 0x68), all in RAM;
#   - after the detach, modprobe -r i2c-dev and modprobe i2c-dev work from
#     the staged modules and indexes;
#   - `root2ram plan --root EXPORT --kernel RELEASE` on the host names the
#     same module by name and says the device ones are decided at boot;
#   - root2ram.modules=no stages and loads none.
# Prints the RAM the staged modules take and the boot time they cost.
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/install.sh"
e2e_init
exp=$(r2r_export)
rel=6.1.192
[ -f "$exp/lib/modules/$rel/modules.dep" ] ||
	e2e_fail "no $exp/lib/modules/$rel/modules.dep: the test kernel's modules (scripts/kernel.sh) are missing"
printf '# /etc/modules: kernel modules to load at boot time.\n\n; a comment too\ni2c-dev\n' > "$exp/etc/modules"

# the plan on the server
plan=$("$R2R" plan --root "$exp" --kernel "$rel" default 2>&1) || e2e_fail "plan failed: $plan"
check "plan --kernel $rel stages i2c-dev.ko, named by /etc/modules" \
	grep -q "^file .*/modules/$rel/kernel/drivers/i2c/i2c-dev.ko [0-9]* (module i2c_dev (/etc/modules:4))" <<<"$plan"
check "plan --kernel $rel stages modules.dep.bin for modprobe" grep -q "/modules/$rel/modules.dep.bin " <<<"$plan"
check "plan: i2c_dev loaded at boot" grep -qx "i2c_dev" <<<"$plan"
check "plan: device modules are decided at boot" grep -q "matching the Pi's devices.*decided at boot" <<<"$plan"
plan0=$("$R2R" plan --root "$exp" default 2>&1) || true
check "plan without --kernel says none are planned" grep -q 'no --kernel: no kernel modules planned' <<<"$plan0"

boot() { # BOOT-OPTIONS: boot, wait for SSH (root2ram's lines are on the console by then,
	# unless the kernel's ratelimit dropped one: root2ram.debug has many)
	rm -f "$E2E_CONSOLE"
	e2e_boot --export "$exp" --append "$1"
	e2e_wait_ssh 120
}
secs() { sed -n "s/.*$1 in \([0-9.]*\) s.*/\1/p" "$E2E_CONSOLE" | head -n 1; }

e2e_nfs_start "$exp"
boot "root2ram.manifest=default"
lsmod=$(e2e_ssh lsmod)
check "i2c_dev loaded at boot (/etc/modules)" grep -q '^i2c_dev ' <<<"$lsmod"
check "i2c_versatile loaded at boot (coldplug)" grep -q '^i2c_versatile ' <<<"$lsmod"
alias=$(e2e_ssh 'cat /sys/bus/platform/drivers/versatile-i2c/*/modalias' 2>&1) || alias=
check "the controller's modalias is the DT's arm,versatile-i2c ($alias)" grep -q 'Carm,versatile-i2c' <<<"$alias"
check "/run/root2ram/modules lists both" \
	e2e_ssh 'grep -qx i2c_dev /run/root2ram/modules && grep -qx i2c_versatile /run/root2ram/modules'
check "/dev/i2c-0 is there" e2e_ssh 'test -c /dev/i2c-0'
scan=$(e2e_ssh 'i2cdetect -y 0' 2>&1) || true
check "i2cdetect -y 0 scans the bus in RAM (DS1307 at 0x68)" grep -Eq '^60:.*(68|UU)' <<<"$scan"
check "the NFS root is detached" e2e_ssh 'if grep -q " nfs" /proc/mounts; then exit 1; fi'
check "/ is the tmpfs holding the modules" e2e_ssh "test -f /lib/modules/$rel/kernel/drivers/i2c/i2c-dev.ko && test -f /lib/modules/$rel/modules.dep"
check "modprobe -r i2c-dev after the detach" e2e_ssh 'modprobe -r i2c-dev && ! lsmod | grep -q "^i2c_dev "'
check "modprobe i2c-dev after the detach" e2e_ssh 'modprobe i2c-dev && lsmod | grep -q "^i2c_dev " && test -c /dev/i2c-0'
check "the hotplug helper listens (uevent)" e2e_ssh 'ps | grep -q "[u]event /etc/root2ram/hotplug"'
# hotplug: a module removed, then its device announced again: the helper loads it
check "hotplug: i2c-versatile loaded again for its device's add event" \
	e2e_ssh 'modprobe -r i2c-dev i2c-versatile && ! lsmod | grep -q "^i2c_versatile " &&
		for u in /sys/bus/platform/devices/*/uevent; do
			grep -q "OF_COMPATIBLE_0=arm,versatile-i2c" "$u" && echo add > "$u"; done;
		i=0; until lsmod | grep -q "^i2c_versatile "; do i=$((i + 1)); [ $i -lt 50 ] || exit 1; sleep 0.1; done'
ram=$(e2e_ssh "du -sk /lib/modules/$rel | cut -f1")
# what rcS's modprobe -a costs, again by hand
load=$(e2e_ssh 'modprobe -r i2c-dev i2c-versatile; s=$(cut -d" " -f1 /proc/uptime); modprobe -a i2c_dev i2c_versatile; e=$(cut -d" " -f1 /proc/uptime); echo "$s $e" | awk "{ printf \"%.2f\", \$2 - \$1 }"')
check "modprobe -a loads both again" e2e_ssh 'lsmod | grep -q "^i2c_dev " && lsmod | grep -q "^i2c_versatile "'
t_on=$(secs 'switched to RAM'); p_on=$(secs 'for a [0-9.]* [KMG]iB tmpfs')
e2e_ssh 'reboot -f' </dev/null >/dev/null 2>&1 || true
e2e_wait_exit 30

boot "root2ram.manifest=default root2ram.modules=no"
check "root2ram.modules=no: no module loaded" e2e_ssh 'if lsmod | grep -q "^i2c_"; then exit 1; fi'
check "root2ram.modules=no: no /lib/modules in RAM" e2e_ssh "test ! -e /lib/modules/$rel"
t_off=$(secs 'switched to RAM'); p_off=$(secs 'for a [0-9.]* [KMG]iB tmpfs')
e2e_ssh 'reboot -f' </dev/null >/dev/null 2>&1 || true
e2e_wait_exit 30
# the boot time again, each way; root2ram.debug says what planning the modules took
boot "root2ram.manifest=default root2ram.debug"
t_on2=$(secs 'switched to RAM'); p_on2=$(secs 'for a [0-9.]* [KMG]iB tmpfs'); m_on2=$(secs 'kernel modules planned')
cp "$E2E_CONSOLE" "$E2E_DIR/console-modules.log"
e2e_ssh 'reboot -f' </dev/null >/dev/null 2>&1 || true
e2e_wait_exit 30
boot "root2ram.manifest=default root2ram.modules=no"
t_off2=$(secs 'switched to RAM'); p_off2=$(secs 'for a [0-9.]* [KMG]iB tmpfs')
e2e_ssh 'reboot -f' </dev/null >/dev/null 2>&1 || true
e2e_wait_exit 30
e2e_log "boot 2: the modules planned in ${m_on2} s; planning ${p_on2} s with modules, ${p_off2} s without; switched to RAM in ${t_on2} s with modules, ${t_off2} s without"
e2e_log "the staged modules take ${ram} KiB of the RAM root (du -sk /lib/modules/$rel); modprobe -a of both ${load} s; planning ${p_on} s with modules, ${p_off} s without; switched to RAM in ${t_on} s with modules, ${t_off} s without"
e2e_pass
