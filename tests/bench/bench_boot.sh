#!/bin/bash
# tests/bench/bench_boot.sh - the boot under QEMU (versatilepb, virtio-net,
# 256 MB, the armel test root on nfs-ganesha), same settings, same run:
#   root2ram   init=/sbin/root2ram root2ram.manifest=bench
#   seed       the seed's approach as a shell init (boot/seed-init.sh: tmpfs,
#              busybox cp, pivot_root, busybox init, rcS copying what
#              `ld.so --list` names, dropbear)
#   cat        the limit: an init that only reads the same files (cold cache):
#              those root2ram's first boot staged (its record, with the
#              kernel modules and the overlay)
# Guest times come from the kernel's timestamps on the console, counted
# from "Run ... as init process" (dropbear's start: its start time in
# /proc, which a probe prints); SSH from the host, from QEMU's start to
# dropbear's banner.  Medians of BENCH_BOOTS boots each (default 5).
set -eu
cd "$(dirname "$0")/../.."
E2E_NAME=bench_boot
. tests/e2e/lib.sh
. tests/e2e/install.sh
N=${BENCH_BOOTS:-5}
e2e_init
exp=$(r2r_export)
rm -f "$exp/etc/root2ram/start.d/50-ticker"
cp tests/bench/boot/bench.manifest "$exp/etc/root2ram/manifests/"
cp tests/bench/boot/50-dropbear-up "$exp/etc/root2ram/start.d/"
cp tests/bench/boot/seed-init.sh tests/bench/boot/cat-init.sh "$exp/"
"$R2R" plan --root "$exp" bench > "$E2E_DIR/plan" ||
	e2e_fail "root2ram plan bench failed"
# staged_list: the regular files of $E2E_DIR/staged (type f; the third
# tab-separated field is the NFS path, "=" when it is the RAM path) into
# bench-files, and their bytes (the size, hex, is the fifth word of the
# first); made after the first root2ram boot, before any cat boot
staged_list() {
	local meta path src w n=0
	: > "$exp/bench-files"
	while IFS=$'\t' read -r meta path src _; do
		[ "${meta%% *}" = f ] || continue
		read -ra w <<<"$meta"
		n=$((n + 16#${w[4]}))
		[ "$src" = "=" ] && src=$path
		echo "$src" >> "$exp/bench-files"
	done < "$E2E_DIR/staged"
	bytes=$n
	[ -s "$exp/bench-files" ] || e2e_fail "no file in the record of the staging"
}
e2e_nfs_start "$exp"

# seconds (host) until dropbear's banner, polling every 50 ms
wait_banner() {
	local t0=$1 b
	for _ in $(seq 1 1200); do
		b=$(timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$E2E_SSH_PORT && head -c 4 <&3" 2>/dev/null) || true
		if [ "$b" = SSH- ]; then
			awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }'
			return 0
		fi
		e2e_qemu_running || return 1
		sleep 0.05
	done
	return 1
}

# kernel timestamp of the first console line matching a regex
ts() { grep -a -m1 -E "$1" "$E2E_CONSOLE" | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p'; }
# the uptime a probe line carries ("bench: NAME SECONDS"), for events the probe
# saw after the fact (dropbear's start time from /proc)
val() { grep -a -m1 -E "$1" "$E2E_CONSOLE" | sed -n 's/.*bench: [a-z-]* \([0-9.]*\).*/\1/p'; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "") print "NA"; else printf "%.3f", a - b }'; }

: > "$E2E_DIR/results"
for i in $(seq 1 "$N"); do
	for kind in root2ram seed cat; do
		case $kind in
		root2ram) init=/sbin/root2ram append="root2ram.manifest=bench ${BENCH_APPEND:-}" ;;
		seed) init=/seed-init.sh append="" ;;
		cat) init=/cat-init.sh append="" ;;
		esac
		t0=$(date +%s.%N)
		e2e_boot --export "$exp" --init "$init" --append "$append" --timeout 120
		ssh_s=NA
		if [ $kind != cat ]; then
			ssh_s=$(wait_banner "$t0") || e2e_fail "$kind: no SSH banner"
			e2e_wait_console 'bench: dropbear-started' 30 >/dev/null
			if [ $kind = root2ram ] && [ "$i" = 1 ]; then
				# what the boot staged (the record of root2ram diff), with the
				# kernel modules and the overlay: the files cat reads from now on
				e2e_wait_ssh 60
				e2e_ssh 'cat /run/root2ram/staged' > "$E2E_DIR/staged" ||
					e2e_fail "cannot read /run/root2ram/staged"
				staged_list
			fi
			e2e_stop_qemu
		else
			e2e_wait_exit 60
		fi
		t_init=$(ts 'Run .* as init process')
		case $kind in
		root2ram)
			pivot=$(sub "$(ts 'root2ram: switched to RAM')" "$t_init")
			staged=$(sub "$(ts 'root2ram: staged')" "$t_init") ;;
		seed)
			pivot=$(sub "$(ts 'bench: pivot')" "$t_init")
			staged=$(sub "$(ts 'bench: staged')" "$t_init") ;;
		cat)
			pivot=NA
			staged=$(sub "$(ts 'bench: read-done')" "$t_init") ;;
		esac
		drop=NA
		[ $kind = cat ] || drop=$(sub "$(val 'bench: dropbear-started')" "$t_init")
		echo "$kind $pivot $staged $drop $ssh_s" | tee -a "$E2E_DIR/results"
	done
done

median() { # KIND FIELD
	awk -v k="$1" -v f="$2" '$1 == k && $f != "NA" { print $f }' "$E2E_DIR/results" | sort -n |
		awk '{ v[NR] = $1 } END { if (NR == 0) print "NA"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "NA" || b == "NA" || b == 0) print "NA"; else printf "%.2f", a / b }'; }

echo
echo "boot benchmark: $N boots each, $(wc -l < "$exp/bench-files") files, $bytes bytes (medians, seconds of guest uptime from init start)"
printf '%-34s %9s %9s %9s\n' "" root2ram seed cat
for row in "init start to pivot:2" "init start to staged/read:3" "init start to dropbear started:4" "QEMU start to SSH banner (host):5"; do
	printf '%-34s %9s %9s %9s\n' "${row%:*}" "$(median root2ram "${row#*:}")" "$(median seed "${row#*:}")" "$(median cat "${row#*:}")"
done
echo
echo "ratios (goal):"
echo "  init to pivot,          root2ram / seed: $(ratio "$(median root2ram 2)" "$(median seed 2)")"
echo "  init to dropbear,       root2ram / seed: $(ratio "$(median root2ram 4)" "$(median seed 4)")  (<= 0.85)"
echo "  QEMU start to SSH,      root2ram / seed: $(ratio "$(median root2ram 5)" "$(median seed 5)")"
echo "  staging / raw read,     root2ram / cat:  $(ratio "$(median root2ram 3)" "$(median cat 3)")  (<= 1.1)"
