#!/bin/sh
# tests/stage/test_plan_armel.sh - `root2ram plan` of the shipped manifests on
# the armel test root: exit status, a golden plan (sizes left out: they follow
# Debian's package versions), and a differential check against glibc's own
# loader (`ld.so --list` under qemu-arm): every library it loads is planned.
# R2R_GOLDEN_UPDATE=1 rewrites the golden file.
set -eu
cd "$(dirname "$0")/../.." || exit 111
. tests/lib.sh
test_root armel || exit 1
t=$(mktemp -d /tmp/r2r-plan.XXXXXX)
trap 'rm -rf "$t"' EXIT

for m in default sensor e2e; do
	if "$R2R" plan --root "$root" --manifests manifests "$m" >"$t/$m.plan" 2>"$t/$m.err"; then
		pass "plan $m on the armel root exits 0"
	else
		fail "plan $m: $(cat "$t/$m.err")"
	fi
done
plan=$t/e2e.plan
grep -q '^tmpfs: [0-9]* bytes' "$plan" && pass "plan prints the tmpfs size" || fail "no tmpfs line"
grep -qx 'platform: v7l for arm-linux-gnueabi (/bin/sh), the default; a Pi 4/5 is v8l: --platform v8l' "$plan" &&
	pass "plan says the \$PLATFORM it assumed for the root's ABI" || fail "platform line: $(grep '^platform' "$plan")"
"$R2R" plan --platform v8l --root "$root" --manifests manifests default >"$t/v8l.plan" 2>&1 || true
grep -qx 'platform: v8l for arm-linux-gnueabi (/bin/sh), --platform' "$t/v8l.plan" &&
	pass "plan --platform v8l plans for v8l" || fail "plan --platform v8l: $(tail -1 "$t/v8l.plan")"
rc=0
"$R2R" plan --platform 'v8l/..' --root "$root" default >"$t/bad.out" 2>&1 || rc=$?
[ $rc = 100 ] && grep -q "^root2ram: plan: --platform 'v8l/..': a machine name" "$t/bad.out" &&
	pass "plan --platform with a path in it is a usage error" || fail "bad --platform: rc=$rc: $(cat "$t/bad.out")"

# golden, without sizes
sed 's/^\(file     [^ ]*\) [0-9]* /\1 /; /^total:/d; /^tmpfs:/d; /^platform:/d' "$plan" >"$t/e2e.golden"
g=tests/stage/golden/e2e-armel.plan
if [ "${R2R_GOLDEN_UPDATE:-}" = 1 ]; then
	cp "$t/e2e.golden" "$g" && echo "SKIP: golden rewritten: $g"
elif [ -f "$g" ]; then
	if diff -u "$g" "$t/e2e.golden" >"$t/golden.diff"; then
		pass "plan e2e matches the golden plan ($(wc -l <"$g") entries)"
	else
		head -40 "$t/golden.diff"
		fail "plan e2e differs from $g (R2R_GOLDEN_UPDATE=1 rewrites it after checking)"
	fi
else
	echo "SKIP: no $g yet (R2R_GOLDEN_UPDATE=1 writes it)"
fi

# every library glibc's loader loads is in the plan, under its real path
ldso=$root/usr/lib/arm-linux-gnueabi/ld-linux.so.3
for prog in /usr/sbin/dropbear /usr/bin/man; do
	missing=""
	for lib in $(qemu-arm -L "$root" "$ldso" --list "$root$prog" 2>/dev/null | awk '/=> \// { print $3 } /^\t\/[^ ]* \(/ { print $1 }'); do
		lib=${lib#"$root"}
		real=$(readlink -f "$root$lib") || true
		real=${real#"$root"}
		grep -q "^file     $real " "$plan" || missing="$missing $real"
	done
	[ -z "$missing" ] && pass "every library glibc loads for $prog is planned" ||
		fail "$prog: planned without:$missing"
done
# ELF modules found in a tree or by a glob get their libraries, as glibc's
# loader loads them for the module (its loader comes with the program)
d=/usr/lib/arm-linux-gnueabi
printf '%s\n' "$d/engines-3/" "$d/ossl-modules/*.so" >"$t/mods.manifest"
rc=0
"$R2R" plan --strict --root "$root" "$t/mods.manifest" >"$t/mods.plan" 2>"$t/mods.err" || rc=$?
[ $rc = 0 ] && pass "plan --strict of a tree and a glob of modules exits 0" ||
	fail "plan of modules: rc=$rc: $(cat "$t/mods.err")"
for mod in "$root$d"/engines-3/*.so "$root$d"/ossl-modules/*.so; do
	missing=""
	for lib in $(qemu-arm -L "$root" "$ldso" --list "$mod" 2>/dev/null | awk '/=> \// { print $3 }'); do
		real=$(readlink -f "$root${lib#"$root"}") || true
		real=${real#"$root"}
		grep -q "^file     $real " "$t/mods.plan" || missing="$missing $real"
	done
	[ -z "$missing" ] && pass "every library glibc loads for ${mod#"$root"} is planned" ||
		fail "${mod#"$root"}: planned without:$missing"
done
grep -q "^file     [^ ]*/libcrypto.so.3 [0-9]* (needed by $d/engines-3/" "$t/mods.plan" &&
	pass "a module's library shows the module as its reason" ||
	fail "no 'needed by $d/engines-3/...' reason: $(grep libcrypto "$t/mods.plan")"

# default.manifest names no NSS module: nsswitch.conf's hosts line brings them
dplan=$(mktemp)
# (the exit statuses of these plans are checked above)
"$R2R" plan --root "$root" --manifests manifests default > "$dplan" 2>&1 || true
for nss in libnss_files.so.2 libnss_mdns4_minimal.so.2 libnss_myhostname.so.2 libnss_dns.so.2; do
	grep -q "/$nss .*(named by /etc/nsswitch.conf" "$dplan" && pass "$nss added from nsswitch.conf" ||
		fail "$nss not added from nsswitch.conf"
done
rm -f "$dplan"
# sensor.manifest: libmosquitto cancels its network thread (pthread_cancel),
# for which glibc loads libgcc_s.so.1; no DT_NEEDED names it
splan=$(mktemp)
"$R2R" plan --root "$root" --manifests manifests sensor > "$splan" 2>&1 || true
grep -q '^file     /usr/lib/arm-linux-gnueabi/libgcc_s.so.1 [0-9]* (loaded by libc for pthread_cancel in /lib/arm-linux-gnueabi/libmosquitto.so.1)$' "$splan" &&
	pass "sensor: libgcc_s.so.1 planned for libmosquitto's pthread_cancel" ||
	fail "sensor: no libgcc_s.so.1 for pthread_cancel: $(grep -i 'gcc\|mosq' "$splan")"
rm -f "$splan"
grep -q '^symlink  /usr/sbin/init -> /bin/busybox (base.manifest:' "$plan" &&
	grep -q '^symlink  /bin -> usr/bin ' "$plan" && pass "applet links placed through the merged /usr" ||
	fail "applet links"

# all problems of a broken manifest at once, status 1
printf 'include base\n/usr/bin/nosuch\nfrob\ndir /x 9\n/nomatch/*\n' >"$t/broken.manifest"
rc=0
"$R2R" plan --root "$root" --manifests manifests "$t/broken.manifest" >/dev/null 2>"$t/broken.err" || rc=$?
n=$(grep -c 'broken.manifest:[0-9]*: ' "$t/broken.err" || true)
[ $rc = 1 ] && [ "$n" = 4 ] && grep -q '4 problems (above); staging would fail' "$t/broken.err" &&
	pass "a broken manifest: all 4 problems with file:line, exit 1" ||
	fail "broken manifest: rc=$rc, $n problems: $(cat "$t/broken.err")"
# warnings: counted on the totals line, exit 0; --strict makes them fail
printf 'include base\ndir /x 0755\ndir /x 0700\n' >"$t/warn.manifest"
rc=0
"$R2R" plan --root "$root" --manifests manifests "$t/warn.manifest" >"$t/warn.plan" 2>"$t/warn.err" || rc=$?
[ $rc = 0 ] && grep -q "^root2ram: warning: $t/warn.manifest:3: /x is planned as dir 0755" "$t/warn.err" &&
	grep -q '^total: .*, 1 warning$' "$t/warn.plan" && pass "a warning with file:line, counted, exit 0" ||
	fail "warning: rc=$rc: $(cat "$t/warn.err") $(grep total: "$t/warn.plan")"
rc=0
"$R2R" plan --strict --root "$root" --manifests manifests "$t/warn.manifest" >/dev/null 2>&1 || rc=$?
[ $rc = 1 ] && pass "plan --strict: a warning fails it, exit 1" || fail "plan --strict: rc=$rc"
rc=0
"$R2R" plan --strict --root "$root" --manifests manifests default >/dev/null 2>"$t/strict.err" || rc=$?
[ $rc = 0 ] && pass "the default manifests plan without warnings (--strict)" ||
	fail "default --strict: $(cat "$t/strict.err")"
rc=0
"$R2R" plan --root "$root" --manifests manifests nosuch >/dev/null 2>&1 || rc=$?
[ $rc = 1 ] && pass "an unknown manifest name: exit 1" || fail "unknown manifest name"
