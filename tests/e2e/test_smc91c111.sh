#!/bin/bash
# The seed's setup: versatilepb's own NIC (smc91c111, about 50 KB/s under
# QEMU) instead of virtio-net.  Slow, so one check only: the boot reaches
# RAM and SSH answers with / on tmpfs.
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/install.sh"
e2e_init
exp=$(r2r_export)
rm -f "$exp/etc/root2ram/start.d/50-ticker"
e2e_nfs_start "$exp"
e2e_boot --export "$exp" --nic smc91c111 --timeout 400
line=$(e2e_wait_console 'root2ram: switched to RAM|booting the NFS root' 300)
check "smc91c111: root2ram switched to RAM ($line)" grep -q 'switched to RAM' <<<"$line"
e2e_wait_ssh 120
mounts=$(e2e_ssh cat /proc/mounts)
check "smc91c111: SSH login, / is a tmpfs" grep -q '^root2ram / tmpfs' <<<"$mounts"
e2e_ssh 'reboot -f' </dev/null >/dev/null 2>&1 || true
e2e_wait_exit 60
e2e_pass
