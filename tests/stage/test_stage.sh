#!/bin/sh
# tests/stage/test_stage.sh - `root2ram stage` into a real tmpfs, in a private
# mount namespace, from a scratch copy of the armel test root given setuid
# bits, file capabilities, user xattrs, odd owners, hard links and symlinks
# that try to escape; every staged entry is checked against the source.
set -eu
cd "$(dirname "$0")/../.." || exit 111
. tests/lib.sh

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (unshare -m, mount -t tmpfs)"; exit 0; }
test_root armel || exit 1
src=$root
t=$(mktemp -d /tmp/r2r-stage.XXXXXX)
trap 'rm -rf "$t"' EXIT
root=$t/root
cp -a "$src" "$root"
mkdir -p "$t/outside/etc" "$t/dest" "$t/m"
echo "OUTSIDE-SECRET" >"$t/outside/etc/hostname"
echo "OUTSIDE-SECRET" >"$t/secret"

# what a real root has that the packages alone do not
chmod 4755 "$root/usr/bin/busybox"
chmod 2755 "$root/usr/bin/dropbearkey"
ln "$root/usr/bin/dropbearkey" "$root/usr/bin/dropbearkey.hard"
chown 1234:5678 "$root/etc/hosts"
touch -h -d '2001-02-03 04:05:06.789' "$root/lib"
mkdir -p "$root/etc/app/sub"
echo conf >"$root/etc/app/app.conf"
echo deep >"$root/etc/app/sub/deep"
ln "$root/etc/app/app.conf" "$root/etc/app/sub/app.hard"
ln -s ../../../../../../secret "$root/etc/app/dotdot"        # .. out of the root
ln -s /etc/hostname "$root/etc/app/abs"                        # absolute: the root's
ln -s "$t/outside" "$root/etc/app/outdir"                      # a directory outside
ln -s ../../../../../../../outside "$root/usr/share/escape"   # a directory outside, by ..
# inside the root, the same names hold the root's own files
mkdir -p "$root/outside/etc" "$root$t/outside/etc"
echo INSIDE >"$root/secret"
echo INSIDE >"$root/outside/etc/hostname"
echo INSIDE >"$root$t/outside/etc/hostname"
python3 - "$root" <<'PY'
import os, sys
r = sys.argv[1]
# cap_net_bind_service+ep, as setcap would write it (VFS_CAP_REVISION_2)
os.setxattr(r + "/usr/sbin/dropbear", "security.capability",
            bytes.fromhex("0100000200040000000000000000000000000000"))
os.setxattr(r + "/etc/app/app.conf", "user.root2ram", b"kept")
os.setxattr(r + "/etc/app", "user.dir", b"d")
PY

cat >"$t/m/stagetest.manifest" <<'EOF2'
include e2e
/usr/bin/dropbearkey.hard
/etc/app/
# escapes: all resolved inside the root
/etc/app/dotdot
/etc/app/outdir/etc/hostname
/usr/share/escape/etc/hostname
/../../../etc/passwd
EOF2
cp manifests/*.manifest "$t/m/"

if "$R2R" plan --root "$root" --manifests "$t/m" stagetest >"$t/plan" 2>"$t/plan.err"; then
	pass "plan of the scratch root"
else
	fail "plan of the scratch root: $(cat "$t/plan.err")"
fi

# the whole check runs inside the namespace, where the tmpfs exists; without
# set -e there: every check runs, whatever the one before it found (its FAIL
# lines are what counts, not its status)
unshare -m sh -s "$R2R" "$root" "$t" <<'IN' || true
set -u
R2R=$1 root=$2 t=$3
. tests/lib.sh
mount --make-rprivate / 2>/dev/null
mount -t tmpfs -o mode=0755 r2rtest "$t/dest" || { fail "mount tmpfs"; exit 1; }
if "$R2R" stage --root "$root" --to "$t/dest" --manifests "$t/m" stagetest 2>"$t/stage.err"; then
	pass "stage into a tmpfs: $(tail -1 "$t/stage.err")"
else
	fail "stage: $(cat "$t/stage.err")"
fi
grep -q '^root2ram: staged [0-9]* files, .* in [0-9.]* s' "$t/stage.err" &&
	pass "one-line summary" || fail "no summary line in: $(cat "$t/stage.err")"
python3 tests/stage/verify.py "$root" "$t/dest" "$t/plan"
d=$t/dest
[ "$(stat -c %a "$d/usr/bin/busybox")" = 4755 ] && pass "setuid kept" || fail "setuid lost"
[ "$(stat -c %a "$d/usr/bin/dropbearkey")" = 2755 ] && pass "setgid kept" || fail "setgid lost"
python3 -c "import os,sys; sys.exit(os.getxattr('$d/usr/sbin/dropbear','security.capability').hex()!='0100000200040000000000000000000000000000')" &&
	pass "security.capability kept" || fail "security.capability lost"
same_inode() { a=$(stat -c %i "$1") && b=$(stat -c %i "$2") && [ "$a" = "$b" ]; }
same_inode "$d/usr/bin/dropbearkey" "$d/usr/bin/dropbearkey.hard" &&
	pass "hard link kept" || fail "hard link not kept"
same_inode "$d/etc/app/app.conf" "$d/etc/app/sub/app.hard" &&
	pass "hard link inside a tree kept" || fail "hard link inside a tree not kept"
[ "$(stat -c %u:%g "$d/etc/hosts")" = "1234:5678" ] && pass "owner kept" || fail "owner: $(stat -c %u:%g "$d/etc/hosts")"
[ -L "$d/lib" ] && [ "$(stat -c %Y "$d/lib")" = "$(stat -c %Y "$root/lib")" ] &&
	pass "symlink mtime kept" || fail "symlink mtime"
# escapes stayed inside: links are links with their text, nothing from outside
[ "$(readlink "$d/etc/app/dotdot")" = ../../../../../../secret ] && [ "$(readlink "$d/etc/app/outdir")" = "$t/outside" ] &&
	pass "symlinks that point out are copied as symlinks, not followed" || fail "escape symlinks changed"
if grep -rqs OUTSIDE-SECRET "$d"; then fail "a file from outside the root was copied"; else pass "nothing outside the root was read"; fi
[ "$(cat "$d/secret" "$d/outside/etc/hostname" "$d$t/outside/etc/hostname")" = "INSIDE
INSIDE
INSIDE" ] && pass "'..', absolute symlinks and symlinked directories resolve inside the root" ||
	fail "escapes did not resolve inside the root"
[ ! -e "$t/outside/etc/passwd" ] && [ "$(ls "$t/outside/etc")" = hostname ] &&
	pass "nothing outside DEST was written" || fail "something was written outside DEST"
# the real loader of the staged root runs the staged dropbear
ld=$d/usr/lib/arm-linux-gnueabi/ld-linux.so.3
if out=$(qemu-arm -L "$d" "$ld" --list "$d/usr/sbin/dropbear" 2>&1) && ! printf '%s' "$out" | grep -q 'not found'; then
	pass "glibc's loader finds every library of dropbear in the staged root"
else
	fail "loader in the staged root: $out"
fi
if qemu-arm -L "$d" "$d/usr/sbin/dropbear" -V 2>&1 | grep -q Dropbear; then
	pass "staged dropbear runs (qemu-arm)"
else
	fail "staged dropbear does not run"
fi
"$R2R" stage --root "$root" --to "$d" --manifests "$t/m" stagetest 2>"$t/again.err"
rc=$?
[ $rc = 100 ] && grep -q 'is not empty; empty it, or give --force' "$t/again.err" &&
	pass "a non-empty DEST is refused" || fail "non-empty DEST: rc=$rc $(cat "$t/again.err")"
# --force stages over the tree: every path written beside and renamed over,
# the same bytes and metadata, nothing left beside
echo changed > "$d/etc/hosts"
ino=$(stat -c %i "$d/usr/sbin/dropbear")
if "$R2R" stage --force --root "$root" --to "$d" --manifests "$t/m" stagetest 2>"$t/force.err"; then
	pass "stage --force over the staged tree: $(tail -1 "$t/force.err")"
else
	fail "stage --force: $(cat "$t/force.err")"
fi
python3 tests/stage/verify.py "$root" "$t/dest" "$t/plan"
cmp -s "$root/etc/hosts" "$d/etc/hosts" && [ "$(stat -c %i "$d/usr/sbin/dropbear")" != "$ino" ] &&
	pass "--force replaced the files (new inodes, the root's bytes)" || fail "--force did not replace the files"
same_inode "$d/usr/bin/dropbearkey" "$d/usr/bin/dropbearkey.hard" &&
	pass "--force: hard link kept" || fail "--force: hard link not kept"
[ -z "$(find "$d" -name '.*.root2ram-new')" ] && pass "--force: nothing left beside" || fail "--force left $(find "$d" -name '.*.root2ram-new' | head -1)"
# --to DEST is created when its parent exists, not when the parent is missing
if "$R2R" stage --root "$root" --to "$d/new-dest" --manifests "$t/m" stagetest 2>"$t/new.err" &&
	[ -x "$d/new-dest/usr/sbin/dropbear" ]; then
	pass "stage --to creates DEST when its parent exists"
else
	fail "stage --to a new DEST: $(cat "$t/new.err")"
fi
"$R2R" stage --root "$root" --to "$d/no/such/dest" --manifests "$t/m" stagetest 2>"$t/none.err"
rc=$?
[ $rc = 111 ] && grep -q "cannot open DEST $d/no/such/dest: No such file or directory" "$t/none.err" &&
	pass "stage --to DEST whose parent is missing is refused" || fail "missing parent: rc=$rc $(cat "$t/none.err")"
umount "$t/dest"
IN
[ -z "$(ls -A "$t/dest")" ] && pass "the tmpfs was private to the namespace" || fail "DEST on disk is not empty"
find "$root" -newer "$t/plan" ! -type d | grep -q . && fail "the source root was written to" || pass "the source root is untouched"
