#!/bin/sh
# tests/fuzz/test_fuzz.sh - tier "fuzz": each libFuzzer target of
# $B/fuzz/ (B: the build directory, default build) for FUZZ_SECONDS
# (default 10) from a seed corpus of real inputs (ELF files of the armel
# test root, the host's ld.so.cache, the shipped manifests, kernel command
# lines, the test kernel's module indexes, records of what was staged).  A
# crash, leak, sanitizer report or timeout is a failure; its input is kept in
# $B/fuzz/.
set -eu
cd "$(dirname "$0")/../.." || exit 111
. tests/lib.sh
secs=${FUZZ_SECONDS:-10}
# without a test root the corpus has fewer real ELF files, no failure
root=$(scripts/testroot.sh armel --print 2>/dev/null) || root=""

seed() { # TARGET: fill $B/fuzz/corpus-TARGET
	c=$B/fuzz/corpus-$1
	mkdir -p "$c"
	case $1 in
	fuzz_elf)
		for f in /usr/sbin/dropbear /usr/bin/busybox /usr/lib/arm-linux-gnueabi/libz.so.1 \
			/usr/local/bin/hello-musl; do
			if [ -n "$root" ] && [ -f "$root$f" ]; then head -c 65536 "$root$f" > "$c/$(basename "$f")"; fi
		done
		head -c 65536 /bin/true > "$c/true" ;;
	fuzz_ldcache) if [ -f /etc/ld.so.cache ]; then head -c 65536 /etc/ld.so.cache > "$c/host.cache"; fi ;;
	fuzz_manifest)
		cp manifests/*.manifest "$c/"
		if [ -n "$root" ]; then cp "$root/etc/nsswitch.conf" "$c/nsswitch.conf"; fi ;;
	fuzz_cmdline)
		printf 'console=ttyAMA0 root=/dev/nfs "root2ram.init=/a b" root2ram.manifest=a,b -- x' > "$c/1"
		printf 'manifest=base\nsize=25%%\n# c\ndetach = no\n' > "$c/2" ;;
	fuzz_modules)
		k=$(sh scripts/kernel.sh --print 2>/dev/null)/modules/lib/modules/6.1.192 || k=
		for f in modules.dep modules.alias modules.softdep modules.builtin; do
			if [ -f "$k/$f" ]; then head -c 65536 "$k/$f" > "$c/$f"; fi
		done
		if [ -f "$k/kernel/drivers/i2c/i2c-dev.ko" ]; then head -c 65536 "$k/kernel/drivers/i2c/i2c-dev.ko" > "$c/i2c-dev.ko"; fi
		printf '# /etc/modules\ni2c-dev\n; c\nw1-gpio pullup=1\n' > "$c/etc-modules"
		printf 'alias of:N*T*Carm,versatile-i2c i2c_versatile\nsoftdep a pre: b post: c\n' > "$c/mixed" ;;
	fuzz_staged)
		printf '# root2ram staged 1 default,sensor\nd 41ed 0 0 1000 6553f100.75bcd15 1e240 6553f100.75bcd15 11d7 6553f100.0\t/etc\t=\t-\n' > "$c/1"
		printf '# root2ram staged 1 e2e\nf 81a4 0 0 4d2 1.2 3 4.5 6 7.8\t/etc/inittab\t/etc/root2ram/overlay/etc/inittab\t-\nl a1ff 0 0 0 0.0 0 0.0 9 1.0\t/bin/sh\t-\tbusybox\n' > "$c/2" ;;
	fuzz_clock)
		printf '2026-12-01 12:00:00\n' > "$c/1"
		printf 'PARTUUID=1a2b3c4d-01 /boot/firmware vfat defaults 0 2\n' > "$c/2"
		printf '10.0.2.2:12123,192.168.1.1' > "$c/3" ;;
	fuzz_match) printf 'lib*.so.[0-9]\0libc.so.6' > "$c/1"; printf '[!a-]*x\0.hidden' > "$c/2" ;;
	esac
}

for t in "$B"/fuzz/fuzz_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	seed "$name"
	log=$B/fuzz/$name.log
	if (cd "$B/fuzz" && "./$name" -max_total_time="$secs" -max_len=65536 -timeout=10 \
		-rss_limit_mb=1024 "corpus-$name" > "$name.log" 2>&1); then
		runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log")
		pass "$name: ${runs:-?} inputs in $secs s, no crash or sanitizer report"
	else
		fail "$name: see $log"
		grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -5
	fi
done
