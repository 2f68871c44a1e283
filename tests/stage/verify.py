#!/usr/bin/env python3
"""verify.py SRC DEST PLANFILE - check a staged tree against its source root.

Every entry of `root2ram plan` output (PLANFILE) must be in DEST with the same
type, bytes, mode (setuid/setgid included), owner, group, mtime (symlinks too),
extended attributes, symlink text; a hardlink entry must share its target's
inode; DEST must hold nothing the plan does not name.  Prints PASS:/FAIL:
lines; exits 1 on any failure.
"""
import os, stat, sys

src, dest, planfile = sys.argv[1:4]
fails = []
entries = {}
for line in open(planfile):
    w = line.split()
    if not w or w[0] not in ("dir", "file", "symlink", "hardlink"):
        continue
    entries[w[1]] = (w[0], w[3] if w[0] in ("symlink", "hardlink") else None, line.strip())

def xattrs(p):
    try:
        return {n: os.getxattr(p, n, follow_symlinks=False) for n in os.listxattr(p, follow_symlinks=False)}
    except OSError:
        return {}

checked = 0
for path, (kind, target, line) in sorted(entries.items()):
    s, d = src + path, dest + path
    try:
        ds = os.lstat(d)
    except OSError as e:
        fails.append(f"{path}: not in DEST ({e.strerror})")
        continue
    want = {"dir": stat.S_ISDIR, "file": stat.S_ISREG, "hardlink": stat.S_ISREG, "symlink": stat.S_ISLNK}[kind]
    if not want(ds.st_mode):
        fails.append(f"{path}: DEST has the wrong type")
        continue
    checked += 1
    if kind == "symlink" and os.readlink(d) != target:
        fails.append(f"{path}: symlink text {os.readlink(d)!r}, planned {target!r}")
    if kind == "hardlink" and os.lstat(dest + target).st_ino != ds.st_ino:
        fails.append(f"{path}: not hard-linked to {target}")
    if kind == "dir" and "%04o" % stat.S_IMODE(ds.st_mode) != line.split()[2]:
        fails.append(f"{path}: mode {oct(ds.st_mode)}, planned {line.split()[2]}")
    try:
        ss = os.lstat(s)
    except OSError:
        continue  # created by the manifest
    if stat.S_IFMT(ss.st_mode) != stat.S_IFMT(ds.st_mode) or (
            kind == "symlink" and os.readlink(s) != target):
        continue  # created over something else the root has there
    if kind != "dir" and ss.st_mode != ds.st_mode:
        fails.append(f"{path}: mode {oct(ds.st_mode)} != {oct(ss.st_mode)}")
    if (ss.st_uid, ss.st_gid) != (ds.st_uid, ds.st_gid):
        fails.append(f"{path}: owner {ds.st_uid}:{ds.st_gid} != {ss.st_uid}:{ss.st_gid}")
    if ss.st_mtime_ns != ds.st_mtime_ns:
        fails.append(f"{path}: mtime {ds.st_mtime_ns} != {ss.st_mtime_ns}")
    if kind in ("file", "hardlink"):
        with open(s, "rb") as a, open(d, "rb") as b:
            if a.read() != b.read():
                fails.append(f"{path}: bytes differ")
    if kind != "symlink" and xattrs(s) != xattrs(d):
        fails.append(f"{path}: xattrs {sorted(xattrs(d))} != {sorted(xattrs(s))}")

extra = []
for dp, dns, fns in os.walk(dest):
    for n in dns + fns:
        rel = os.path.join(dp, n)[len(dest):]
        if rel not in entries:
            extra.append(rel)
if extra:
    fails.append(f"DEST has {len(extra)} paths the plan does not name: {extra[:5]}")

for f in fails[:30]:
    print("  " + f)
print(f"{'FAIL' if fails else 'PASS'}: staged tree matches the source for {checked} of {len(entries)} planned entries"
      + (f" ({len(fails)} problems)" if fails else ""))
sys.exit(1 if fails else 0)
