#!/bin/sh
# shellcheck disable=SC2016 # the sh -c scripts take their arguments as $1...
# tests/install/test_install.sh - scripts/install.sh into fresh copies of the
# armel and arm64 test roots: the right init, modes and owners, the shipped
# manifests only, a second install that writes nothing, a file left by an older
# install updated, your edits kept (with FILE.new), --dry-run, and an uninstall
# that leaves the root as it was, file by file, but for what you changed.
set -u
cd "$(dirname "$0")/../.." || exit 111
. tests/lib.sh
. tests/install/lib.sh
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (scripts/install.sh installs files owned by root)"; exit 0; }

for a in armel arm64; do
	d=$(fresh $a $a) || continue
	e=$d/etc/root2ram
	content "$d" >"$work/$a.before"
	inst "$d" >"$work/$a.out1" 2>&1
	rc=$?
	check "$a: install exits 0" test $rc = 0
	[ $rc = 0 ] || { cat "$work/$a.out1"; continue; }

	case $a in
	armel) want="ELF 32-bit LSB executable, ARM, EABI5" ;;
	arm64) want="ELF 64-bit LSB executable, ARM aarch64" ;;
	esac
	check "$a: /sbin/root2ram is the $a init ($want)" \
		sh -c 'file -b "$1" | grep -q "^$2.*statically linked" && cmp -s "$1" "$3"' - \
		"$d/sbin/root2ram" "$want" "$B/$a/root2ram.stripped"
	check "$a: /sbin/root2ram 0755 root:root" test "$(stat -c '%a %u:%g' "$d/sbin/root2ram")" = "755 0:0"
	check "$a: the manual at /usr/share/man/man8/root2ram.8 (0644), made from root2ram help" sh -c \
		'[ "$(stat -c %a "$1")" = 644 ] && grep -q "^\.TH ROOT2RAM 8" "$1" && grep -q "cmdline" "$1"' - "$d/usr/share/man/man8/root2ram.8"
	bad=""
	for m in base default sensor; do
		[ "$(stat -c '%a %u:%g' "$e/manifests/$m.manifest" 2>&1)" = "644 0:0" ] || bad="$bad $m"
		cmp -s "manifests/$m.manifest" "$e/manifests/$m.manifest" || bad="$bad $m(content)"
	done
	check "$a: the shipped manifests, 0644 root:root${bad:+ (not:$bad)}" test -z "$bad"
	check "$a: no test manifest installed" test ! -e "$e/manifests/e2e.manifest"
	check "$a: overlay rcS 0755, inittab 0644, root:root" test \
		"$(stat -c '%a %u:%g' "$e/overlay/etc/init.d/rcS" "$e/overlay/etc/inittab" | tr '\n' ' ')" = "755 0:0 644 0:0 "
	check "$a: the whole overlay, as in rootfs-overlay/" diff -r rootfs-overlay "$e/overlay"
	check "$a: start.d/README" cmp -s rootfs-overlay/etc/root2ram/start.d/README "$e/start.d/README"
	check "$a: root2ram.conf, commented only" sh -c '[ -s "$1" ] && ! grep -qv "^#" "$1"' - "$e/root2ram.conf"
	check "$a: .installed: sorted 'sha256  path', every hash right" sh -c \
		'cd "$1" && sort -c -k2 etc/root2ram/.installed && sha256sum --quiet -c etc/root2ram/.installed' - "$d"
	n=$(grep -c '^  installed ' "$work/$a.out1")
	check "$a: says file by file what it installed ($n lines, $(wc -l <"$e/.installed") recorded)" \
		test "$n" = "$(wc -l <"$e/.installed")"
	bad=""
	for t in ed25519 ecdsa rsa; do
		k=$d/etc/dropbear/dropbear_${t}_host_key
		[ "$(stat -c '%a %u:%g' "$k" 2>&1)" = "600 0:0" ] && dropbearkey -y -f "$k" >/dev/null 2>&1 || bad="$bad $t"
	done
	check "$a: dropbear host keys made, 0600 root:root${bad:+ (not:$bad)}" test -z "$bad"
	check "$a: the plan of default checked" grep -q '^plan of default: .* files' "$work/$a.out1"
	check "$a: says what to do next (cmdline.txt)" grep -q 'init=/sbin/root2ram' "$work/$a.out1"
	if [ $a = armel ]; then
		check "$a: the plan says its platform, v7l by default" grep -q '^  planned for platform v7l for .*the default; a Pi 4/5 is v8l: --platform v8l' "$work/$a.out1"
		inst "$d" --platform v8l --dry-run >"$work/$a.v8l" 2>&1
		check "$a: --platform v8l: the plan is made for v8l" grep -q '^  planned for platform v8l for .*--platform$' "$work/$a.v8l"
	fi

	# a second install writes nothing
	stamps "$d" >"$work/$a.t1"
	inst "$d" >"$work/$a.out2" 2>&1
	rc=$?
	stamps "$d" >"$work/$a.t2"
	check "$a: a second install exits 0" test $rc = 0
	check "$a: a second install changes nothing (sizes, mtimes, modes)" cmp -s "$work/$a.t1" "$work/$a.t2"
	check "$a: and says so" grep -q 'nothing to do: .* files up to date; nothing written' "$work/$a.out2"

	# --dry-run changes nothing, and says what it would do
	rm "$e/manifests/sensor.manifest"
	stamps "$d" >"$work/$a.t1"
	inst "$d" --dry-run >"$work/$a.out3" 2>&1
	stamps "$d" >"$work/$a.t2"
	check "$a: --dry-run changes nothing" cmp -s "$work/$a.t1" "$work/$a.t2"
	check "$a: --dry-run says what it would install" has "$work/$a.out3" "  would install $e/manifests/sensor.manifest"
	inst "$d" >"$work/$a.out3" 2>&1
	check "$a: a removed file is installed again" sh -c 'grep -qxF -- "  installed $2" "$1" && cmp -s manifests/sensor.manifest "$2"' - \
		"$work/$a.out3" "$e/manifests/sensor.manifest"

	# a file an older install put there, not changed since: updated
	echo "# an older version" >"$e/manifests/base.manifest"
	h=$(sha256sum <"$e/manifests/base.manifest" | cut -d' ' -f1)
	sed -i "s|^[0-9a-f]*  etc/root2ram/manifests/base.manifest\$|$h  etc/root2ram/manifests/base.manifest|" "$e/.installed"
	inst "$d" >"$work/$a.out4" 2>&1
	check "$a: an older version you did not change is updated" sh -c \
		'grep -qxF -- "  updated   $2" "$1" && cmp -s manifests/base.manifest "$2" && [ ! -e "$2.new" ]' - "$work/$a.out4" "$e/manifests/base.manifest"
	check "$a: and its record too" sh -c 'cd "$1" && sha256sum --quiet -c etc/root2ram/.installed' - "$d"

	# your edits survive, the new version beside them
	echo "? /etc/motd # mine" >>"$e/manifests/default.manifest"
	echo "# mine" >>"$e/overlay/etc/inittab"
	inst "$d" >"$work/$a.out5" 2>&1
	rc=$?
	check "$a: an install over edited files exits 0" test $rc = 0
	for f in manifests/default.manifest overlay/etc/inittab; do
		case $f in manifests/*) src=$f ;; *) src=rootfs-overlay/${f#overlay/} ;; esac
		check "$a: your edited $f is kept" sh -c 'tail -n 1 "$1" | grep -q "# mine"' - "$e/$f"
		check "$a: the new version is $f.new" cmp -s "$src" "$e/$f.new"
		check "$a: and the message says so" has "$work/$a.out5" "  kept your $e/$f; the new version is $e/$f.new"
	done
	stamps "$d" >"$work/$a.t1"
	inst "$d" >"$work/$a.out6" 2>&1
	stamps "$d" >"$work/$a.t2"
	check "$a: with your edits kept, a re-install changes nothing" cmp -s "$work/$a.t1" "$work/$a.t2"
	check "$a: and still says what it kept" sh -c 'grep -q "nothing to do: .*, 2 of yours kept" "$1" && grep -q "^  kept your .*/inittab; " "$1"' - "$work/$a.out6"
	# taking the new version (mv FILE.new FILE) makes it installed again
	mv "$e/overlay/etc/inittab.new" "$e/overlay/etc/inittab"
	inst "$d" >"$work/$a.out7" 2>&1
	check "$a: FILE.new moved over FILE: installed, not yours any more" sh -c \
		'! grep -q "kept your .*inittab" "$1" && grep -q "1 of yours kept" "$1"' - "$work/$a.out7"
	echo "# mine again" >>"$e/overlay/etc/inittab"

	# uninstall: what you changed stays, the rest is as before the install
	inst "$d" --uninstall >"$work/$a.out8" 2>&1
	rc=$?
	check "$a: --uninstall exits 0" test $rc = 0
	for f in manifests/default.manifest overlay/etc/inittab; do
		check "$a: --uninstall keeps your $f" sh -c 'tail -n 1 "$1" | grep -q "# mine" && grep -q "^  kept your $1 " "$2"' - \
			"$e/$f" "$work/$a.out8"
	done
	check "$a: --uninstall says the host keys are kept" grep -q 'dropbear host keys .* are kept' "$work/$a.out8"
	check "$a: --uninstall removes the .new files and .installed" sh -c \
		'[ ! -e "$1/manifests/default.manifest.new" ] && [ ! -e "$1/.installed" ] && [ ! -e "$1/.installed-dirs" ]' - "$e"
	rm "$e/manifests/default.manifest" "$e/overlay/etc/inittab"
	find "$e" -depth -type d -empty -delete
	content "$d" | grep -v ' \./etc/dropbear/dropbear_[a-z0-9]*_host_key$' >"$work/$a.after"
	if diff "$work/$a.before" "$work/$a.after" >"$work/$a.diff"; then
		pass "$a: --uninstall leaves the root as it was, file by file (host keys and your files aside)"
	else
		head -20 "$work/$a.diff"
		fail "$a: the root after --uninstall differs from before the install ($work/$a.diff)"
	fi
	rc=0
	inst "$d" --uninstall >"$work/$a.out9" 2>&1 || rc=$?
	check "$a: --uninstall with nothing installed: exit 1, says so" sh -c \
		'[ "$1" = 1 ] && grep -q "nothing removed" "$2"' - $rc "$work/$a.out9"

	# an export an older install.sh installed into: no record; what is the same is
	# taken as installed, what differs (an older init) is kept, with a note
	inst "$d" >/dev/null 2>&1
	rm "$e/.installed" "$e/.installed-dirs"
	printf 'an older init\n' >"$d/sbin/root2ram"
	inst "$d" >"$work/$a.out10" 2>&1
	check "$a: no record (an older install): a differing file is kept, with a note" sh -c \
		'grep -qxF -- "  kept your $2/sbin/root2ram; the new version is $2/sbin/root2ram.new" "$1" &&
		grep -q "note: no /etc/root2ram/.installed yet" "$1" && [ "$(cat "$2/sbin/root2ram")" = "an older init" ]' - "$work/$a.out10" "$d"
	check "$a: no record: the files that are the same are recorded" sh -c \
		'[ "$(wc -l <"$1/etc/root2ram/.installed")" = 12 ] && ! grep -q " sbin/root2ram$" "$1/etc/root2ram/.installed"' - "$d"
	mv "$d/sbin/root2ram.new" "$d/sbin/root2ram"
	inst "$d" >"$work/$a.out11" 2>&1
	check "$a: FILE.new taken: recorded, nothing kept" sh -c \
		'grep -q "nothing to do: 13 files up to date; nothing written" "$1" && grep -q " sbin/root2ram$" "$2/etc/root2ram/.installed"' - "$work/$a.out11" "$d"
	rm -rf "$d"
done
[ "${R2R_FAILED:-0}" = 0 ]
