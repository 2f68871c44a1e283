#!/bin/sh
# tests/learn/test_learn.sh - `root2ram learn` on the host, as root: learn
# what a Python script (json, sqlite3, ssl, a subprocess, a file written)
# opens, stage the learned manifest into a fresh directory, run the script
# there with chroot; compare the size with staging the whole stdlib.  Then
# a merge (a second run keeps every line of the first) and --seconds mode.
# The host has no /bin/busybox (which base.manifest names), so the test
# gives learn and stage a tiny base.manifest of its own.
set -u
cd "$(dirname "$0")/../.." || exit 111
. tests/lib.sh

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: learn needs root (fanotify)"
	exit 0
fi
py=/usr/bin/python3 # Debian's (scripts/setup.sh), not a pyenv one
if ! [ -x "$py" ]; then
	fail "no $py (scripts/setup.sh installs python3)"
	exit 1
fi
t=$(mktemp -d /tmp/r2r-learn.XXXXXX)
state=/var/lib/r2r-learn-test.$$
trap 'rm -rf "$t" "$state"' EXIT
mkdir -p "$t/m" "$state"
chmod 0750 "$state"
cat >"$t/m/base.manifest" <<'EOF'
# a tiny base for the host: the mount points, passwd
dir /proc 0555
dir /dev 0755
dir /tmp 1777
/etc/passwd
EOF
cat >"$t/app.py" <<'EOF'
import json, sqlite3, ssl, subprocess, sys
db = sqlite3.connect(":memory:")
db.execute("create table t (v)")
db.execute("insert into t values (?)", (json.dumps({"a": 1}),))
ctx = ssl.create_default_context()
subprocess.run(["/bin/true"], check=True)
with open(sys.argv[1] + "/out.txt", "w") as f:
	f.write(db.execute("select v from t").fetchone()[0])
print("app ok", ssl.OPENSSL_VERSION.split()[0])
EOF
run_env() { env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }

# --- learn a command --------------------------------------------------------
if run_env "$R2R" learn --manifests "$t/m" -o "$t/m/app.manifest" -- "$py" "$t/app.py" "$state" \
	>"$t/learn.out" 2>"$t/learn.err" && grep -q '^app ok' "$t/learn.out"; then
	pass "learn -- python3 app.py: exit 0, the script ran"
else
	fail "learn -- python3 app.py: $(cat "$t/learn.out" "$t/learn.err")"
fi
cat "$t/learn.out" "$t/learn.err"
mf=$t/m/app.manifest
has() { grep -qx -- "$1" "$mf"; }
check "the manifest includes base" has "include base"
check "the manifest has the command as named (/usr/bin/python3)" has /usr/bin/python3
check "the manifest has json, sqlite3, ssl" \
	sh -c "grep -q '^/usr/lib/python3.11/json/__init__.py\$' '$mf' &&
		grep -q '^/usr/lib/python3.11/sqlite3/__init__.py\$' '$mf' &&
		grep -q '^/usr/lib/python3.11/lib-dynload/_ssl\\..*so\$' '$mf'"
check "the manifest has the subprocess's program (/usr/bin/true)" has /usr/bin/true
check "grouped by program (# used by ... (pid N))" grep -q '^# used by /usr/bin/python3.11 (pid [0-9]*)$' "$mf"
check "the directory written to is a dir line, mode 0750" has "dir $state 0750"
check "the file the run created is left out" sh -c "! grep -q out.txt '$mf'"
check "API file systems and base's /etc/passwd left out" \
	sh -c "! grep -Eq '^(/proc|/sys|/dev|/run|/tmp|/etc/passwd)(/|\$)' '$mf'"
check "the summary line" grep -q '^root2ram: learn: [0-9]* files, 1 directories, .*; [0-9]* lines added to' "$t/learn.out"

# --- stage it and run the script in it ----------------------------------------
mkdir "$t/dest" "$t/full"
if "$R2R" stage --root / --to "$t/dest" --manifests "$t/m" app >"$t/stage.out" 2>&1; then
	pass "stage the learned manifest"
else
	fail "stage the learned manifest: $(tail -5 "$t/stage.out")"
fi
mkdir -p "$t/dest/tmp"
cp "$t/app.py" "$t/dest/tmp/app.py"
# (python3 warns on stderr that it finds no os.py: 3.11 has os frozen in,
# so no run opens it, and the prefix it falls back to is the right one)
if out=$(run_env chroot "$t/dest" "$py" /tmp/app.py "$state" 2>"$t/chroot.err") &&
	[ "${out#app ok}" != "$out" ]; then
	pass "python3 app.py runs in the staged root ($out)"
else
	fail "python3 app.py in the staged root: $out $(cat "$t/chroot.err")"
fi
cat "$t/chroot.err"
rm -f "$t/dest/tmp/app.py"
learned=$(du -sb "$t/dest" | cut -f1)
cat >"$t/m/full.manifest" <<'EOF'
include base
/usr/bin/python3
/usr/lib/python3.11/
/usr/lib/python3.11/lib-dynload/*.so
EOF
if "$R2R" stage --root / --to "$t/full" --manifests "$t/m" full >"$t/full.out" 2>&1; then
	full=$(du -sb "$t/full" | cut -f1)
	pass "sizes: learned $learned bytes, whole stdlib $full bytes ($((learned * 100 / full))%)"
else
	fail "stage the whole stdlib: $(tail -5 "$t/full.out")"
fi

# --- a second run merges: every line of the first stays, the first at the top
cp "$mf" "$t/first"
if run_env "$R2R" learn --manifests "$t/m" -o "$mf" -- "$py" "$t/app.py" "$state" >"$t/learn2.out" 2>&1 &&
	[ "$(head -c "$(wc -c <"$t/first")" "$mf")" = "$(cat "$t/first")" ]; then
	pass "learn again: the first run's text kept as it is ($(grep -c . "$t/first") lines, now $(grep -c . "$mf"))"
else
	fail "learn again: $(cat "$t/learn2.out"; diff "$t/first" "$mf" | head)"
fi
cp "$mf" "$t/second"
run_env "$R2R" learn --manifests "$t/m" -o "$mf" -- "$py" "$t/app.py" "$state" >/dev/null 2>&1
check "learn a third time: unchanged" cmp -s "$t/second" "$mf"

# --- --seconds: every process -------------------------------------------------
"$R2R" learn --manifests "$t/m" --seconds 3 -o "$t/s.manifest" >"$t/s.out" 2>&1 &
lp=$!
sleep 1
cat /etc/hostname /etc/os-release >/dev/null
wait "$lp"
rc=$?
cat "$t/s.out"
check "learn --seconds 3 exits 0" [ "$rc" = 0 ]
check "--seconds: cat's /etc/hostname recorded" grep -qx /etc/hostname "$t/s.manifest"
check "--seconds: /etc/os-release recorded as its real path ($(readlink -f /etc/os-release))" \
	grep -qx "$(readlink -f /etc/os-release)" "$t/s.manifest"
check "--seconds: cat recorded" grep -qx "$(readlink -f /bin/cat)" "$t/s.manifest"
check "--seconds: says what it cannot see" grep -q 'files opened before learn started are not seen' "$t/s.out"

# --- errors -------------------------------------------------------------------
"$R2R" learn -- true >/dev/null 2>&1
check "no -o: usage error (100)" [ $? = 100 ]
if command -v setpriv >/dev/null; then
	err=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$R2R" learn -o "$t/u.manifest" -- true 2>&1)
	rc=$?
	check "not root: exit 111 and says so ($err)" sh -c "[ $rc = 111 ] && echo '$err' | grep -q 'needs root'"
fi
[ "${R2R_FAILED:-0}" = 0 ]
