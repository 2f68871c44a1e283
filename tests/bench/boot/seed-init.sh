#!/bin/busybox sh
# The seed's approach as a shell init (its root2ram.sh + rcS + fs_prepare):
# tmpfs, busybox copied with cp, pivot_root, busybox init; rcS copies
# dropbear, dropbearkey and every library `ld.so --list` names, then starts
# dropbear.  Logs guest uptimes to /dev/kmsg for the benchmark.
# No set -e: it is PID 1 (as the seed's was), whose exit panics the kernel.
B=/bin/busybox
$B mount -t proc proc /proc
$B mount -t devtmpfs devtmpfs /dev 2>/dev/null
up() { read -r u _ < /proc/uptime; echo "<5>bench: $1 $u" > /dev/kmsg; }
up init-start
$B mount -t tmpfs -o size=64m tmpfs /mnt
cd /mnt
$B mkdir -p bin sbin etc/init.d proc sys dev old_root tmp run root usr/sbin usr/bin lib
$B cp /bin/busybox bin/busybox
for a in sh cat echo grep ln mkdir mount rm sleep usleep awk cp; do $B ln -s busybox bin/$a; done
for a in init reboot; do $B ln -s ../bin/busybox sbin/$a; done
$B cp /etc/passwd /etc/group etc/
$B cp -a /etc/dropbear etc/
[ -d /root/.ssh ] && $B cp -a /root/.ssh root/
printf '::sysinit:/etc/init.d/rcS\n' > etc/inittab
cat > etc/init.d/rcS <<'RCS'
#!/bin/sh
up() { read -r u _ < /proc/uptime; echo "<5>bench: $1 $u" > /dev/kmsg; }
# fs_prepare: the binaries and what the loader says they need
ld=/old_root/lib/ld-linux.so.3
lp=/old_root/lib/arm-linux-gnueabi:/old_root/usr/lib/arm-linux-gnueabi
for b in /usr/sbin/dropbear /usr/bin/dropbearkey; do
	cp /old_root$b $b
	for l in $($ld --library-path $lp --list /old_root$b | awk '$2 == "=>" { print $3 } $1 ~ /^\// { print $1 }'); do
		d=${l#/old_root}
		src=/old_root$d
		[ -e "$d" ] && continue
		mkdir -p "${d%/*}"
		cp "$src" "$d"
	done
done
mount -t devpts devpts /dev/pts 2>/dev/null || { mkdir -p /dev/pts; mount -t devpts devpts /dev/pts; }
up staged
# in the foreground, in the background of rcS: its pid is the process the
# shell started, as busybox init starts root2ram's (the same start to time)
/usr/sbin/dropbear -F -E -s -P /run/dropbear.pid &
# the probe root2ram's boot runs from start.d (the same measure)
sh /old_root/etc/root2ram/start.d/50-dropbear-up start
RCS
$B chmod 755 etc/init.d/rcS
$B mount --move /dev dev
$B mount --move /proc proc
$B pivot_root . old_root
up pivot
exec $B chroot . /sbin/init
