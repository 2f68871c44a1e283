#!/bin/sh
# bench_learn.sh - RAM staged for a Python appliance (json, sqlite3, ssl, a
# subprocess) by the manifest `root2ram learn` writes, against a hand-made
# "whole stdlib" manifest (python3 and /usr/lib/python3.11/); goal: the
# learned one at most half.  Both staged from this host's root, and the
# appliance run in each with chroot.  Needs root (fanotify, chroot).
set -eu
cd "$(dirname "$0")/../.."
. tests/lib.sh
[ "$(id -u)" = 0 ] || { echo "bench_learn: needs root (fanotify)"; exit 0; }
py=/usr/bin/python3
t=$(mktemp -d /tmp/r2r-bench-learn.XXXXXX)
trap 'rm -rf "$t"' EXIT
mkdir -p "$t/m" "$t/state" "$t/learned" "$t/full"
# a tiny base for the host (it has no busybox or dropbear)
printf 'dir /proc 0555\ndir /dev 0755\ndir /tmp 1777\n/etc/passwd\n' >"$t/m/base.manifest"
cat >"$t/app.py" <<'PY'
import json, sqlite3, ssl, subprocess, sys
db = sqlite3.connect(":memory:")
db.execute("create table t (v)")
db.execute("insert into t values (?)", (json.dumps({"a": 1}),))
ctx = ssl.create_default_context()
subprocess.run(["/bin/true"], check=True)
print("app ok")
PY
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$R2R" learn --manifests "$t/m" -o "$t/m/app.manifest" -- "$py" "$t/app.py" >/dev/null 2>&1
printf 'include base\n%s\n/usr/lib/python3.11/\n/bin/true\n' "$py" >"$t/m/full.manifest"
for kind in learned full; do
	case $kind in learned) m=app ;; full) m=full ;; esac
	"$R2R" stage --root / --to "$t/$kind" --manifests "$t/m" "$m" >/dev/null 2>&1
	mkdir -p "$t/$kind/tmp"
	cp "$t/app.py" "$t/$kind/tmp/"
	if chroot "$t/$kind" "$py" /tmp/app.py 2>/dev/null | grep -q '^app ok'; then ok=works; else ok=FAILS; fi
	eval "size_$kind=\$(du -sb \"\$t/\$kind\" | cut -f1); ok_$kind=\$ok"
done
printf 'python appliance staged by the learned manifest: %12d bytes (the appliance %s)\n' "$size_learned" "$ok_learned"
printf 'python appliance staged by the whole stdlib:     %12d bytes (the appliance %s)\n' "$size_full" "$ok_full"
awk -v a="$size_learned" -v b="$size_full" 'BEGIN { printf "ratio learned / whole stdlib: %.2f  (goal <= 0.5)\n", a / b }'
