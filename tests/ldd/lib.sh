# tests/ldd/lib.sh - shared by the differential tests of tests/ldd and by
# tests/bench/bench_ldd.sh (sourced, not run, from the top of the tree):
#
#   cd "$(dirname "$0")/../.." || exit 111
#   . tests/ldd/lib.sh
#   ldd_setup NAME     # a FAIL line and exit 1 when $R2R is not built; tmp: a
#                      # scratch directory /tmp/r2r-NAME.XXXXXX, removed at exit
#                      # unless KEEP is set
#
# With tests/lib.sh: B, R2R (the host root2ram of ${B:-build}), pass, fail,
# check, test_root ARCH.
# shellcheck shell=sh
. tests/lib.sh

ldd_setup() {
	[ -x "$R2R" ] || { fail "$R2R not built"; exit 1; }
	tmp=$(mktemp -d "/tmp/r2r-$1.XXXXXX")
	if [ -n "${KEEP:-}" ]; then
		echo "keeping $tmp"
	else
		trap 'rm -rf "$tmp"' EXIT
	fi
}

# dyn_elf_list ROOT [DIR...]: every regular file of ROOT (under DIR...,
# default all) that a dynamic loader runs (ELF with PT_DYNAMIC), one
# "KIND /path" line each, KIND "musl" when PT_INTERP names ld-musl-*,
# else "glibc"; with DYN_MACHINE=N only files of that e_machine.  Read
# with python3 (no tool under test decides what is tested).
dyn_elf_list() {
	_root=$1
	shift
	(cd "$_root" && find "${@:-.}" -type f -size +63c) | python3 -c '
import os, struct, sys
want = int(os.environ.get("DYN_MACHINE", "0"))
for line in sys.stdin:
    rel = line.rstrip("\n")
    rel = rel[1:] if rel.startswith("./") else "/" + rel
    try:
        with open(sys.argv[1] + rel, "rb") as f:
            h = f.read(64)
            if len(h) < 52 or h[:4] != b"\x7fELF" or h[4] not in (1, 2) or h[5] not in (1, 2):
                continue
            e = "<" if h[5] == 1 else ">"
            if want and struct.unpack(e + "H", h[18:20])[0] != want:
                continue
            if h[4] == 2:
                phoff, = struct.unpack(e + "Q", h[32:40]); phent, phnum = struct.unpack(e + "HH", h[54:58])
            else:
                phoff, = struct.unpack(e + "I", h[28:32]); phent, phnum = struct.unpack(e + "HH", h[42:46])
            f.seek(phoff)
            ph = f.read(phent * phnum)
            kind, dyn = "glibc", False
            for i in range(phnum):
                p = ph[i * phent:(i + 1) * phent]
                if len(p) < 32:
                    break
                t, = struct.unpack(e + "I", p[:4])
                if t == 2:
                    dyn = True
                elif t == 3:
                    off, sz = (struct.unpack(e + "QQ", p[8:16] + p[32:40]) if h[4] == 2
                               else struct.unpack(e + "II", p[4:8] + p[16:20]))
                    f.seek(off)
                    if b"ld-musl-" in f.read(sz):
                        kind = "musl"
            if dyn:
                print(kind, rel)
    except OSError:
        pass
' "${_root%/}" | sort -k2
}

# split_blocks DIR: read "PATH:" headed blocks (root2ram ldd, several
# files) on stdin into DIR/N files, N the block number from 1.
split_blocks() {
	awk -v d="$1" '
		/^[^\t].*:$/ { n++; f = d "/" n; printf "" > f; next }
		{ print >> f }
	'
}

# normalise: what ld.so --list prints, without the load addresses and the
# kernel's vDSO (qemu-aarch64 gives it an empty name).
normalise() {
	sed -e 's/ (0x[0-9a-f]*)$//' -e '/^\t$/d' -e '/^\tlinux-vdso\.so\.1$/d' -e '/^\tlinux-gate\.so\.1$/d'
}
