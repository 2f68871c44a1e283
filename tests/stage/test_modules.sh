#!/bin/sh
# tests/stage/test_modules.sh - the kernel modules of a root, planned and
# staged into a real tmpfs (in a private mount namespace) from a /lib/modules
# tree made of the test kernel's modules, one of them given firmware and a
# softdep in its .modinfo (as MODULE_FIRMWARE and MODULE_SOFTDEP write them)
# and the indexes made again by the real depmod: module lines, /etc/modules,
# modules-load.d, their dependencies, softdeps and firmware, the indexes;
# snd-aaci compressed (.ko.xz) with firmware too, read by modinfo;
# every staged file has its source's bytes, and kmod's modprobe resolves the
# staged modules from the staged indexes alone.  What is missing is one
# warning each, with its file and line.
set -eu
cd "$(dirname "$0")/../.." || exit 111
. tests/lib.sh

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (unshare -m, mount -t tmpfs)"; exit 0; }
rel=6.1.192
k=$(sh scripts/kernel.sh --print 2>/dev/null)/modules/lib/modules/$rel || k=
if [ ! -f "$k/modules.dep" ]; then
	fail "no test kernel modules ($k): run scripts/kernel.sh"
	exit 1
fi
for tool in depmod modprobe arm-linux-gnueabi-objcopy; do
	command -v "$tool" >/dev/null || { fail "no $tool: run scripts/setup.sh"; exit 1; }
done
t=$(mktemp -d /tmp/r2r-modules.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$t"' EXIT
root=$t/root md=$t/root/lib/modules/$rel
mkdir -p "$root/lib/modules" "$root/lib/firmware/test" "$root/etc/modules-load.d" "$t/m" "$t/dest"
cp -a "$k" "$root/lib/modules/"
ko=$md/kernel/drivers/misc/eeprom/eeprom.ko
arm-linux-gnueabi-objcopy -O binary --only-section=.modinfo "$ko" "$t/modinfo"
printf 'firmware=test/fw.bin\0firmware=test/missing.bin\0softdep=pre: i2c-dev\0' >> "$t/modinfo"
arm-linux-gnueabi-objcopy --update-section .modinfo="$t/modinfo" "$ko"
# snd-aaci compressed, as Raspberry Pi OS ships its modules, naming firmware too
ko=$md/kernel/sound/arm/snd-aaci.ko
arm-linux-gnueabi-objcopy -O binary --only-section=.modinfo "$ko" "$t/modinfo"
printf 'firmware=test/aaci.bin\0firmware=test/aaci-missing.bin\0' >> "$t/modinfo"
arm-linux-gnueabi-objcopy --update-section .modinfo="$t/modinfo" "$ko"
xz "$ko"
depmod -b "$root" "$rel"
echo firmware > "$root/lib/firmware/test/fw.bin"
echo aaci > "$root/lib/firmware/test/aaci.bin"
printf '# /etc/modules\n\nsnd-aaci\n' > "$root/etc/modules"
printf '; sound\n8250_pci\n' > "$root/etc/modules-load.d/serial.conf"
printf 'module eeprom\nmodule no-such-module\n? module absent-is-fine\n' > "$t/m/t.manifest"

plan=$("$R2R" plan --root "$root" --manifests "$t/m" --kernel "$rel" t 2>"$t/err") || {
	fail "plan --kernel failed: $(cat "$t/err")"
	exit 1
}
has() { printf '%s\n' "$plan" | grep -q -- "$1"; }
check "module line: eeprom.ko, with its reason" has "^file  */lib/modules/$rel/kernel/drivers/misc/eeprom/eeprom.ko [0-9]* (module eeprom (t.manifest:1))"
check "softdep pre: i2c-dev.ko for eeprom" has "^file  */lib/modules/$rel/kernel/drivers/i2c/i2c-dev.ko [0-9]* (module eeprom (t.manifest:1))"
check "firmware= of eeprom.ko: /lib/firmware/test/fw.bin" has "^file  */lib/firmware/test/fw.bin 9 (module eeprom (t.manifest:1))"
check "/etc/modules: snd-aaci.ko.xz" has "^file  */lib/modules/$rel/kernel/sound/arm/snd-aaci.ko.xz [0-9]* (module snd_aaci (/etc/modules:3))"
check "the firmware of a compressed module, read by modinfo" has "^file  */lib/firmware/test/aaci.bin 5 (module snd_aaci (/etc/modules:3))"
check "missing firmware of a compressed module: one warning with its file and line" \
	grep -q "warning: /etc/modules:3: kernel/sound/arm/snd-aaci.ko.xz: 1 of its 2 firmware files (test/aaci-missing.bin) are not in /lib/firmware" "$t/err"
for m in sound/pci/ac97/snd-ac97-codec sound/ac97_bus sound/core/snd-pcm sound/core/snd-timer sound/core/snd; do
	check "/etc/modules: snd-aaci brings $m.ko" has "^file  */lib/modules/$rel/kernel/$m.ko [0-9]* (module snd_aaci (/etc/modules:3))"
done
for m in 8250_pci 8250 8250_base; do
	check "modules-load.d: 8250_pci brings $m.ko" has "/kernel/drivers/tty/serial/8250/$m.ko [0-9]* (module 8250_pci (/etc/modules-load.d/serial.conf:2))"
done
check "modules.dep.bin staged for modprobe" has "^file  */lib/modules/$rel/modules.dep.bin "
check "a module nobody asked for is not staged" sh -c "! printf '%s' \"\$1\" | grep -q nls_cp850" _ "$plan"
check "the load list: eeprom, snd_aaci, 8250_pci" has "^eeprom\$"
check "a missing module: one warning with its file and line" \
	grep -q "warning: $t/m/t.manifest:2: module no-such-module is not in /lib/modules/$rel (modules.dep) nor built in" "$t/err"
check "missing firmware: one warning with the module and its line" \
	grep -q "warning: $t/m/t.manifest:1: kernel/drivers/misc/eeprom/eeprom.ko: 1 of its 2 firmware files (test/missing.bin) are not in /lib/firmware" "$t/err"
check "an optional module line that is absent says nothing" sh -c "! grep -q absent-is-fine '$t/err'"
check "the plan counts the three warnings" has "^total: .*, 3 warnings$"

# staged into a tmpfs: the same bytes, nothing else; modprobe resolves them
# from the staged indexes
if unshare -m sh -c '
	set -eu
	mount -t tmpfs r2r-modules "$2"
	"$1" stage --root "$3" --to "$2" --manifests "$4" --kernel "$5" t 2>/dev/null
	cd "$3"
	find lib/modules lib/firmware -type f | while read -r f; do
		[ ! -e "$2/$f" ] || cmp -s "$f" "$2/$f" || { echo "differs: $f"; exit 1; }
	done
	test -f "$2/lib/modules/$5/kernel/drivers/misc/eeprom/eeprom.ko"
	test -f "$2/lib/firmware/test/fw.bin"
	modprobe -d "$2" -S "$5" --show-depends eeprom > "$6/eeprom.dep"
	modprobe -d "$2" -S "$5" --show-depends snd-aaci > "$6/aaci.dep"
	test ! -e "$2/lib/modules/$5/kernel/fs/nls/nls_cp850.ko"
	' _ "$R2R" "$t/dest" "$root" "$t/m" "$rel" "$t" > "$t/stage.out" 2>&1; then
	pass "staged into a tmpfs, every module and firmware file with its source's bytes"
else
	fail "staging modules into a tmpfs: $(cat "$t/stage.out")"
fi
check "modprobe on the staged tree: eeprom after its softdep i2c-dev" \
	sh -c "grep -n 'i2c-dev.ko' '$t/eeprom.dep' && grep -q 'eeprom.ko' '$t/eeprom.dep'"
check "modprobe on the staged tree: snd-aaci with its five dependencies" \
	sh -c "[ \$(grep -c '^insmod ' '$t/aaci.dep') = 6 ]"
