#!/bin/bash
# The SD card's boot partition (QEMU's PL181 with a 64 MiB image made on
# the host: an MBR with a disk signature, a FAT32 partition, cmdline.txt and
# config.txt put in with mtools): `root2ram boot-partition mount` finds it
# from the NFS root's /etc/fstab line (PARTUUID=, then LABEL=) without
# udev, cmdline.txt is read and changed from RAM, `umount` writes it back,
# and the host sees the change in the image.  Also: root2ram.watchdog
# without a watchdog device is one clear line, and the boot goes on.
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/install.sh"
for t in sfdisk mkfs.vfat mcopy mtype fdtput; do
	command -v $t >/dev/null || { fail "$t is missing: run scripts/setup.sh all"; exit 1; }
done
e2e_init
exp=$(r2r_export)
img=$E2E_DIR/sd.img
off=$((8192 * 512))
rm -f "$img"
truncate -s 64M "$img"
printf 'label: dos\nlabel-id: 0x1a2b3c4d\nstart=8192, type=c\n' | sfdisk -q "$img"
mkfs.vfat -F 32 --offset 8192 -n BOOTFS "$img" >/dev/null
echo "console=serial0,115200 console=tty1 root=/dev/nfs nfsroot=10.0.0.1:/srv/nfs/pi,vers=3 ip=dhcp rw rootwait init=/sbin/root2ram" > "$E2E_DIR/cmdline.txt"
printf '[all]\narm_64bit=0\n' > "$E2E_DIR/config.txt"
mcopy -i "$img@@$off" "$E2E_DIR/cmdline.txt" "$E2E_DIR/config.txt" ::
echo "proc /proc proc defaults 0 0
PARTUUID=1a2b3c4d-01 /boot/firmware vfat defaults 0 2
PARTUUID=1a2b3c4d-02 / ext4 defaults,noatime 0 1" > "$exp/etc/fstab"
# QEMU's versatilepb does not wire the card-detect line to the SYS_MCI
# register the kernel reads, so the card would look absent: the test's
# copy of the device tree says the slot is non-removable (as a Pi's SD
# slot is to its kernel: it boots from it)
kdir=$E2E_DIR/kernel
mkdir -p "$kdir"
ln -sf "$(readlink -f "$E2E_TOP/build/kernel/zImage")" "$kdir/zImage"
cp "$E2E_TOP/build/kernel/versatile-pb.dtb" "$kdir/versatile-pb.dtb"
fdtput -t s "$kdir/versatile-pb.dtb" /amba/fpga/mmc@5000 non-removable ""
# and QEMU wires the controller's second interrupt (the PIO one) to the SIC's
# line 1, where the device tree says 23
sic=$(fdtget "$kdir/versatile-pb.dtb" /amba/fpga/mmc@5000 interrupts-extended | awk '{ print $1 }')
fdtput -t u "$kdir/versatile-pb.dtb" /amba/fpga/mmc@5000 interrupts-extended "$sic" 22 "$sic" 1
e2e_nfs_start "$exp"
e2e_boot --export "$exp" --kernel "$kdir" --timeout 600 --append "root2ram.manifest=e2e root2ram.watchdog=10" \
	--qemu-arg -drive --qemu-arg "if=sd,format=raw,file=$img"
e2e_wait_console 'root2ram: switched to RAM|booting the NFS root' 120 >/dev/null
line=$(e2e_wait_console 'root2ram: (warning: )?watchdog: ' 60)
check "without a watchdog device: one line ($line)" \
	test "$(grep -ac 'root2ram: .*watchdog: ' "$E2E_CONSOLE")" = 1 -a -n "$(grep 'cannot open /dev/watchdog' <<<"$line")"
e2e_wait_ssh 90
pass "the boot went on to SSH"

out=$(e2e_ssh 'root2ram boot-partition mount' 2>&1) || true
check "mount found PARTUUID=1a2b3c4d-01 ($out)" \
	grep -q '^root2ram: boot-partition: /dev/mmcblk0p1 (PARTUUID=1a2b3c4d-01) mounted on /boot/firmware' <<<"$out"
check "cmdline.txt reads as on the card" test "$(e2e_ssh cat /boot/firmware/cmdline.txt)" = "$(cat "$E2E_DIR/cmdline.txt")"
e2e_ssh 'root2ram cmdline /boot/firmware/cmdline.txt --set root2ram.watchdog=15 >/dev/null && echo dtparam=watchdog=on >> /boot/firmware/config.txt'
out=$(e2e_ssh 'root2ram boot-partition umount' 2>&1) || true
check "umount ($out)" grep -q 'boot-partition: /boot/firmware written and unmounted' <<<"$out"
check "/boot/firmware is no longer mounted" e2e_ssh '! grep -q " /boot/firmware " /proc/mounts'
check "the host sees the new cmdline.txt in the image" \
	grep -q ' init=/sbin/root2ram root2ram.watchdog=15$' <<<"$(mtype -i "$img@@$off" ::cmdline.txt | tr -d '\r')"
check "and the new config.txt line" grep -q '^dtparam=watchdog=on' <<<"$(mtype -i "$img@@$off" ::config.txt)"
# the same by the FAT volume's label, then its serial number (UUID=)
e2e_ssh 'sed -i "s/^PARTUUID=1a2b3c4d-01 /LABEL=BOOTFS /" /etc/fstab'
out=$(e2e_ssh 'root2ram boot-partition mount && root2ram boot-partition umount' 2>&1) || true
check "LABEL=BOOTFS found too ($out)" grep -q 'mmcblk0p1 (LABEL=BOOTFS) mounted' <<<"$out"
uuid=$(e2e_ssh 'dd if=/dev/mmcblk0p1 bs=1 skip=67 count=4 2>/dev/null' | od -An -tx1 | awk '{ printf "%s%s-%s%s", toupper($4), toupper($3), toupper($2), toupper($1) }')
e2e_ssh "sed -i 's/^LABEL=BOOTFS /UUID=$uuid /' /etc/fstab"
out=$(e2e_ssh 'root2ram boot-partition mount && root2ram boot-partition umount' 2>&1) || true
check "UUID=$uuid found too ($out)" grep -q "mmcblk0p1 (UUID=$uuid) mounted" <<<"$out"
e2e_ssh "sed -i 's/^UUID=$uuid /PARTUUID=1a2b3c4d-07 /' /etc/fstab"
out=$(e2e_ssh 'root2ram boot-partition mount' 2>&1) && rc=0 || rc=$?
check "a partition that is not there: exit 1 and what to do ($out)" \
	test "$rc" = 1 -a -n "$(grep 'PARTUUID=1a2b3c4d-07: no such partition on any disk; use PARTUUID=' <<<"$out")"
e2e_pass
