#!/bin/sh
# shellcheck disable=SC2016 # the sh -c scripts take their arguments as $1...
# tests/install/test_refuse.sh - the export's architecture read from its own
# /bin/sh (or the loader it names); exports root2ram cannot boot refused and
# left as they were: an x86-64 one, one without /bin/sh, --arch against the
# export's; a manifest that cannot be staged from the export: exit 1 with the
# plan's error; usage errors exit 100; not root: refused.
set -u
cd "$(dirname "$0")/../.." || exit 111
. tests/lib.sh
. tests/install/lib.sh
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (scripts/install.sh installs files owned by root)"; exit 0; }

# refused RC WHAT DIR PATTERN ARGS...: install ARGS exits RC, says PATTERN, DIR unchanged
refused() {
	_rc=$1 _what=$2 _dir=$3 _pat=$4
	shift 4
	content "$_dir" >"$work/refuse.before"
	_got=0
	inst "$@" >"$work/refuse.out" 2>&1 || _got=$?
	content "$_dir" >"$work/refuse.after"
	if [ $_got = "$_rc" ] && grep -q -- "$_pat" "$work/refuse.out" && cmp -s "$work/refuse.before" "$work/refuse.after"; then
		pass "$_what"
	else
		sed 's/^/  /' "$work/refuse.out"
		fail "$_what (exit $_got, want $_rc and '$_pat', export unchanged)"
	fi
}

# an x86-64 "export": the host's /bin/sh and its loader
x=$work/x86_64
rm -rf "$x"
mkdir -p "$x/etc" "$x/bin"
cp -L /bin/sh "$x/bin/sh"
ld=$(readelf -l /bin/sh 2>/dev/null | sed -n 's/.*interpreter: \(.*\)]$/\1/p')
if [ -n "$ld" ]; then
	mkdir -p "$x$(dirname "$ld")" && cp -L "$ld" "$x$ld"
	refused 1 "an x86-64 export is refused, naming what its loader is" "$x" \
		"the loader its /bin/sh names, $ld, is a 64-bit program for x86-64 (e_machine 62)" "$x"
	rm "$x$ld"
	refused 1 "a /bin/sh naming a loader the export lacks is refused" "$x" "names the loader $ld, which is not in the export" "$x"
else
	refused 1 "an x86-64 export is refused, naming what its /bin/sh is" "$x" "is a 64-bit program for x86-64 (e_machine 62)" "$x"
fi
refused 1 "an x86-64 export is refused with --arch arm64 too" "$x" "x86-64\|loader" "$x" --arch arm64
printf 'not an ELF file\n' >"$x/bin/sh"
refused 1 "a /bin/sh that is not ELF is refused" "$x" "is not an ELF program" "$x"
rm "$x/bin/sh"
refused 1 "an export without /bin/sh is refused" "$x" "has no /bin/sh" "$x"
rm -rf "$x"

el=$(fresh armel refuse-armel) || exit 1
a64=$(fresh arm64 refuse-arm64) || exit 1
refused 1 "--arch arm64 on an armel export is refused" "$el" "--arch arm64, but $el is armel" "$el" --arch arm64
refused 1 "--arch armel on an arm64 export is refused (COMPAT)" "$a64" "--arch armel, but $a64 is arm64 .*COMPAT" "$a64" --arch armel
refused 100 "usage: an unknown --arch" "$el" "--arch must be armel or arm64" "$el" --arch x86
refused 100 "usage: an unknown --platform" "$el" "--platform must be v6l, v7l or v8l" "$el" --platform v9
refused 100 "usage: an unknown option" "$el" "unknown argument" "$el" --frob
refused 100 "usage: two exports" "$el" "one EXPORT only" "$el" "$a64"
refused 1 "a directory that is not a root is refused" "$el" "does not look like a root" "$el/usr/share"
if command -v setpriv >/dev/null; then
	# as nobody, from a copy nobody can read (the tree and the test roots may
	# be in a directory only root enters, such as /root)
	nr=$(mktemp -d /tmp/r2r-refuse.XXXXXX)
	mkdir -p "$nr/scripts" "$nr/export"
	cp scripts/install.sh scripts/lib.sh "$nr/scripts/"
	cp -a "$el/etc" "$el/bin" "$nr/export/" 2>/dev/null || mkdir -p "$nr/export/etc"
	chmod -R a+rX "$nr"
	content "$nr/export" >"$work/refuse.before"
	rc=0
	setpriv --reuid=65534 --regid=65534 --clear-groups env B="$B" sh "$nr/scripts/install.sh" "$nr/export" >"$work/refuse.out" 2>&1 || rc=$?
	content "$nr/export" >"$work/refuse.after"
	check "not root: refused, saying so" sh -c '[ "$1" = 1 ] && grep -q "run it as root" "$2" && cmp -s "$3" "$4"' - \
		$rc "$work/refuse.out" "$work/refuse.before" "$work/refuse.after"
	[ "$rc" = 1 ] || cat "$work/refuse.out"
	rm -rf "$nr"
fi

# the architecture through the loader a dynamic /bin/sh names (PT_INTERP)
for a in armel arm64; do
	case $a in armel) d=$el want=/lib/ld-linux.so.3 ;; arm64) d=$a64 want=/lib/ld-linux-aarch64.so.1 ;; esac
	ln -sf ../sbin/dropbear "$d/usr/bin/sh"
	inst "$d" --dry-run >"$work/refuse.out" 2>&1
	check "$a: a dynamic /bin/sh: the arch from its loader $want" \
		grep -q "would install the $a init .*the loader its /bin/sh names, $want," "$work/refuse.out"
	ln -sf busybox "$d/usr/bin/sh"
	check "$a: --arch $a, the export's own, is taken" sh -c 'B="$1" sh scripts/install.sh "$2" --arch "$3" --dry-run >/dev/null 2>&1' - "$B" "$d" $a
done

# a manifest that cannot be staged from the export: exit 1, the plan's error
inst "$el" >/dev/null 2>&1 || fail "install into $el"
echo "/no/such/file" >>"$el/etc/root2ram/manifests/default.manifest"
rc=0
inst "$el" >"$work/refuse.out" 2>&1 || rc=$?
check "a manifest error: exit 1" test $rc = 1
check "a manifest error: the plan's error, file and line" \
	grep -q "^root2ram: /etc/root2ram/manifests/default.manifest:[0-9]*: /no/such/file: No such file" "$work/refuse.out"
check "a manifest error: fix them before booting" \
	grep -q "the manifests cannot be staged from this export; fix them before booting" "$work/refuse.out"
check "a manifest error: the edited manifest is kept" has "$el/etc/root2ram/manifests/default.manifest" /no/such/file
# the manifests root2ram.conf names are the ones checked
sed -i '$d' "$el/etc/root2ram/manifests/default.manifest"
echo "/no/such/file" >>"$el/etc/root2ram/manifests/sensor.manifest"
inst "$el" >"$work/refuse.out" 2>&1
check "a broken manifest root2ram.conf does not name: exit 0" test $? = 0
echo "manifest=sensor" >>"$el/etc/root2ram/root2ram.conf"
rc=0
inst "$el" >"$work/refuse.out" 2>&1 || rc=$?
check "named in root2ram.conf (manifest=sensor): exit 1 with its error" sh -c \
	'[ "$1" = 1 ] && grep -q "sensor.manifest:[0-9]*: /no/such/file" "$2"' - $rc "$work/refuse.out"
rm -rf "$el" "$a64"
[ "${R2R_FAILED:-0}" = 0 ]
