#!/bin/bash
# A bad manifest, a RAM root that does not fit, or root2ram=off never stop
# a boot: root2ram says what failed in one line and the NFS root's own init
# runs, as it did before root2ram.
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/install.sh"
e2e_init
exp=$(r2r_export)
# the NFS root's own init: says so and reboots
cat > "$exp/sbin/init" <<'INIT'
#!/bin/busybox sh
echo "NFS-ROOT-INIT-RAN as pid $$ with: $*"
/bin/busybox reboot -f
INIT
chmod 755 "$exp/sbin/init"
cat > "$exp/etc/root2ram/manifests/broken.manifest" <<'M'
include base
/usr/sbin/no-such-program
frobnicate /etc
M
e2e_nfs_start "$exp"

boot_expect() { # WHAT APPEND REGEX
	local what=$1 append=$2 re=$3 line
	rm -f "$E2E_CONSOLE"
	e2e_boot --export "$exp" --ssh-port 0 --append "$append" --timeout 120
	e2e_wait_exit 120
	line=$(grep -a -m1 -E "$re" "$E2E_CONSOLE" || true)
	check "$what: root2ram says why ($line)" test -n "$line"
	check "$what: the NFS root's init ran" grep -aq '^NFS-ROOT-INIT-RAN as pid 1' "$E2E_CONSOLE"
}

boot_expect "bad manifest" "root2ram.manifest=broken" \
	"root2ram: .*booting the NFS root's /sbin/init instead"
check "bad manifest: every error named with file and line" \
	bash -c "grep -aq 'broken.manifest:2:' '$E2E_CONSOLE' && grep -aq 'broken.manifest:3:' '$E2E_CONSOLE'"
boot_expect "missing manifest" "root2ram.manifest=nosuch" \
	"root2ram: .*booting the NFS root's /sbin/init instead"
boot_expect "too small for RAM" "root2ram.manifest=e2e root2ram.size=1M" \
	"root2ram: the plan needs .* but root2ram.size is 1.0 MiB"
boot_expect "root2ram=off" "root2ram=off" "root2ram: root2ram=off"
e2e_pass
