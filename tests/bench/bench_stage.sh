#!/bin/sh
# tests/bench/bench_stage.sh - staging speed and tmpfs use on the host:
# the closure of N programs from /usr/bin (default 300, the largest dynamic
# ELF files: about 600 MB with their libraries) staged into a tmpfs by
#   root2ram stage                       (this project)
#   dracut-install -l -a                 (dracut-core; forks cp per file)
#   a shell loop of ldd + cp             (what the seed's scripts do)
#   tar of root2ram's final file list    (the limit: same files, same page cache)
# Prints the times and the ratios against the goals: >= 5x faster than
# dracut-install, within 1.3x of tar, tmpfs bytes used <= 1.02x the plan's.
set -eu
cd "$(dirname "$0")/../.." || exit 111
. tests/lib.sh
N=${BENCH_PROGRAMS:-300}
[ "$(id -u)" = 0 ] || { echo "bench_stage: needs root (mount -t tmpfs)"; exit 1; }
DI=$(dpkg -L dracut-core 2>/dev/null | grep '/dracut-install$' | head -1)
t=$(mktemp -d /tmp/r2r-bench.XXXXXX)
trap 'rm -rf "$t"' EXIT

# the N largest dynamic ELF executables of /usr/bin (not symlinks)
for f in /usr/bin/*; do
	[ -f "$f" ] && [ ! -L "$f" ] || continue
	[ "$(head -c4 "$f" | tr -d '\0')" = "$(printf '\177ELF')" ] || continue
	printf '%s %s\n' "$(stat -c %s "$f")" "$f"
done | sort -rn | head -n "$N" | cut -d' ' -f2 >"$t/progs"
n=$(wc -l <"$t/progs")
cp "$t/progs" "$t/bench.manifest"

"$R2R" plan --root / "$t/bench.manifest" >"$t/plan" 2>"$t/plan.err" ||
	{ echo "bench_stage: plan failed:"; tail -5 "$t/plan.err"; }
pbytes=$(sed -n 's/^total: [0-9]* files, \([0-9]*\) bytes.*/\1/p' "$t/plan")
echo "bench_stage: $n programs from /usr/bin; $(grep '^total:' "$t/plan")"

# in the namespace, without set -e: a tool that fails still gets its time
unshare -m sh -s "$R2R" "$DI" "$t" "$pbytes" <<'IN'
set -u
R2R=$1 DI=$2 t=$3 pbytes=$4
mount --make-rprivate / 2>/dev/null
now() { date +%s.%N; }
fresh() { umount "$t/d" 2>/dev/null; mkdir -p "$t/d"; mount -t tmpfs -o size=4G bench "$t/d"; }
used() { df -B1 --output=used "$t/d" | tail -1; }
# warm the page cache with every file of the plan, so all runs read from RAM
awk '$1 == "file" { print $2 }' "$t/plan" | xargs cat >/dev/null 2>&1

rounds=${BENCH_ROUNDS:-3}
# median of the rounds' times of one tool (file: one time per line)
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
run_r2r() { "$R2R" stage --root / --to "$t/d" "$t/bench.manifest" 2>"$t/stage.err"; }
run_r2r1() { "$R2R" stage --root / --to "$t/d" --jobs 1 "$t/bench.manifest" 2>/dev/null; }
run_tar() { tar -C / -cf - -T "$t/list" 2>/dev/null | tar -C "$t/d" -xpf -; }
run_di() { xargs "$DI" -D "$t/d" -l -a <"$t/progs" >/dev/null 2>&1; }

# warm-up, not timed: the page cache, and the memory the tmpfs takes (the
# first touch of a page is slow in a VM and would fall on whoever runs first)
fresh; run_r2r
r2rused=$(used)
tail -1 "$t/stage.err"
(cd "$t/d" && find . ! -type d | sed 's|^\./||') >"$t/list"
fresh; run_tar
: >"$t/r2r"; : >"$t/r2r1"; : >"$t/tar"; : >"$t/di"
i=0
while [ $i -lt "$rounds" ]; do
	for k in r2r r2r1 tar di; do
		[ $k != di ] || [ -x "$DI" ] || continue
		fresh; a=$(now); "run_$k"; b=$(now)
		echo "$b - $a" | bc >>"$t/$k"
	done
	i=$((i + 1))
done
r2r=$(median "$t/r2r"); r2r1=$(median "$t/r2r1"); tar=$(median "$t/tar")
di="n/a"
[ -x "$DI" ] && di=$(median "$t/di")

fresh; a=$(now)
while read -r p; do
	for f in "$p" $(ldd "$p" 2>/dev/null | awk '/=> \// { print $3 } /^\t\/[^ ]* \(/ { print $1 }'); do
		cp -pL --parents "$f" "$t/d" 2>/dev/null
	done
done <"$t/progs"
b=$(now); loop=$(echo "$b - $a" | bc)
umount "$t/d"

ratio() { echo "scale=2; $1 / $2" | bc; }
echo "medians of $rounds rounds after a warm-up:"
printf 'root2ram stage       %6.2f s   (--jobs 1: %.2f s)\n' "$r2r" "$r2r1"
printf 'tar (the limit)      %6.2f s   root2ram/tar = %s   (goal <= 1.3)\n' "$tar" "$(ratio "$r2r" "$tar")"
if [ "$di" != n/a ]; then
	printf 'dracut-install -l -a %6.2f s   dracut/root2ram = %s   (goal >= 5)\n' "$di" "$(ratio "$di" "$r2r")"
else
	echo "dracut-install       not installed (dracut-core)"
fi
printf 'ldd + cp loop        %6.2f s   loop/root2ram = %s\n' "$loop" "$(ratio "$loop" "$r2r")"
printf 'tmpfs used           %d bytes for %d planned: %s   (goal <= 1.02)\n' "$r2rused" "$pbytes" "$(ratio "$r2rused" "$pbytes")"
IN
