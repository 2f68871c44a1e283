#!/bin/bash
# tests/bench/bench_machines.sh - the boot of the default manifest on the three QEMU
# machines: versatilepb with the armel root, virt (arm64 kernel) with the Raspberry
# Pi OS shaped pios-arm64 and pios-armhf roots; 256 MB, virtio-net, nfs-ganesha.
# Per machine, medians of BENCH_BOOTS boots (default 3): QEMU start -> SSH login
# (host clock), and init -> switch (kernel timestamps from "Run /sbin/root2ram as
# init process" to "root2ram: switched to RAM").
set -eu
cd "$(dirname "$0")/../.."
if [ -z "${BENCH_ONE:-}" ]; then
	rc=0
	: >"${B:-build}/bench_machines.txt"
	for r in armel pios-arm64 pios-armhf; do
		BENCH_ONE=$r R2R_E2E_ROOT=$r bash "$0" || rc=1
	done
	echo
	echo "boot on the three machines (medians, seconds):"
	cat "${B:-build}/bench_machines.txt"
	exit $rc
fi
E2E_NAME=bench_machines_$BENCH_ONE
. tests/e2e/lib.sh
. tests/e2e/install.sh
N=${BENCH_BOOTS:-3}
e2e_init
exp=$(r2r_export)
e2e_nfs_start "$exp"
ts() { grep -a -m1 -E "$1" "$E2E_CONSOLE" | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p'; }
: >"$E2E_DIR/results"
for i in $(seq 1 "$N"); do
	rm -f "$E2E_CONSOLE"
	t0=$(date +%s.%N)
	e2e_boot --export "$exp" --timeout 300
	e2e_wait_login 180
	ssh_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
	e2e_wait_console 'root2ram: switched to RAM' 10 >/dev/null
	sw=$(awk -v a="$(ts 'Run /sbin/root2ram as init process')" -v b="$(ts 'root2ram: switched to RAM')" \
		'BEGIN { printf "%.2f", b - a }')
	echo "$BENCH_ONE boot $i: QEMU start -> SSH $ssh_s s, init -> switch $sw s"
	echo "$ssh_s $sw" >>"$E2E_DIR/results"
	e2e_ssh 'reboot -f' </dev/null >/dev/null 2>&1 || true
	e2e_wait_exit 60
done
med() { cut -d' ' -f"$1" "$E2E_DIR/results" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
machine="versatilepb (ARM926), armel root"
[ "$E2E_MACHINE" = armel ] || machine="virt (Cortex-A72), $E2E_ROOT root"
printf '  %-40s QEMU start -> SSH %6s   init -> switch %5s\n' "$machine" "$(med 1)" "$(med 2)" |
	tee -a "$E2E_B/bench_machines.txt"
