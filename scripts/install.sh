#!/bin/sh
# scripts/install.sh EXPORT [--authorized-key FILE] [--arch armel|arm64] [--platform NAME]
#                    [--dry-run] [--uninstall]
#
# Install root2ram into a Raspberry Pi's NFS root, on the NFS server, as root:
#   EXPORT/sbin/root2ram                  the init (static, stripped) for the export's
#                                         architecture, read from its /bin/sh
#   EXPORT/etc/root2ram/manifests/        the shipped manifests
#   EXPORT/etc/root2ram/overlay/          copied over the RAM root at boot
#   EXPORT/etc/root2ram/start.d/README    where the appliance's start scripts go
#   EXPORT/etc/root2ram/root2ram.conf     boot options, commented
#   EXPORT/usr/share/man/man8/root2ram.8  the manual (man root2ram), made from root2ram help
#   EXPORT/etc/dropbear/*_host_key        made once, here, never at boot: from the
#                                         export's OpenSSH host keys when it has them
#                                         (the same fingerprint in RAM and on NFS)
#   EXPORT/root/.ssh/authorized_keys      FILE's keys added, with --authorized-key
# What it installed is recorded, with a sha256 each, in EXPORT/etc/root2ram/.installed.
# A file you changed since is never overwritten: the new version goes beside it as
# FILE.new. Running it again updates what you did not change; with nothing new it
# changes nothing. Then it checks, with build/host/root2ram plan, that the manifests
# root2ram.conf names can be staged from the export (exit 1 when they cannot).
#
#   --arch armel|arm64  the init to install; refused when the export is the other one
#                       (armel: every 32-bit Pi OS, armhf too; arm64: 64-bit Pi OS)
#   --platform NAME     the $PLATFORM the check plans 32-bit programs for, as the Pi's
#                       uname -m says it: v6l (Pi 1/Zero), v7l (Pi 2/3, the default),
#                       v8l (a Pi 4/5 running 32-bit Pi OS); the boot uses the Pi's own
#   --dry-run           say what would be done, change nothing
#   --uninstall         remove what .installed lists and you did not change (and the
#                       .new files); your changed files and the host keys are kept
#
# The inits come from ${B:-build}/ARCH/root2ram.stripped, made with make when missing.
# Exit status: 0 done, 1 refused or failed (a plan error), 100 usage error.
set -eu
me="root2ram: install"
synopsis="EXPORT [--authorized-key FILE] [--arch armel|arm64] [--platform NAME] [--dry-run] [--uninstall]"
. "$(dirname "$0")/lib.sh"

export_dir="" arch="" key="" platform="" dry=0 uninstall=0
while [ $# -gt 0 ]; do
	case $1 in
	--arch) [ $# -ge 2 ] || usage "--arch needs a value"; arch=$2; shift 2 ;;
	--authorized-key) [ $# -ge 2 ] || usage "--authorized-key needs a value"; key=$2; shift 2 ;;
	--platform) [ $# -ge 2 ] || usage "--platform needs a value"; platform=$2; shift 2 ;;
	--dry-run) dry=1; shift ;;
	--uninstall) uninstall=1; shift ;;
	-h | --help) show_help ;;
	-*) usage "unknown argument '$1'" ;;
	*) [ -z "$export_dir" ] || usage "one EXPORT only, got '$export_dir' and '$1'"; export_dir=$1; shift ;;
	esac
done
[ -n "$export_dir" ] || usage "EXPORT is required"
case $arch in '' | armel | arm64) ;; *) usage "--arch must be armel or arm64, got '$arch'" ;; esac
case $platform in '' | v6l | v7l | v8l) ;; *) usage "--platform must be v6l, v7l or v8l (uname -m on the Pi), got '$platform'" ;; esac
[ $uninstall = 0 ] || [ -z "$key$arch$platform" ] || usage "--uninstall takes no --arch, --platform nor --authorized-key"
[ -d "$export_dir" ] || die "$export_dir is not a directory"
export_dir=$(cd "$export_dir" && pwd -P)
[ "$export_dir" != / ] || die "EXPORT is /: give the Pi's NFS root, not the server's"
[ -d "$export_dir/etc" ] || die "$export_dir does not look like a root filesystem (no etc/)"
if [ -n "$key" ]; then
	[ -f "$key" ] || die "--authorized-key $key: no such file"
	key=$(cd "$(dirname "$key")" && pwd -P)/$(basename "$key")
	! grep -q 'PRIVATE KEY' "$key" || die "$key is a private key: give the public one (.pub)"
	grep -Eq '(^|[[:space:]])(ssh-|ecdsa-|sk-)[^[:space:]]+[[:space:]]+[A-Za-z0-9+/]' "$key" ||
		die "$key holds no SSH public key"
fi
if [ "$(id -u)" != 0 ]; then
	[ $dry = 1 ] || die "run it as root (sudo sh scripts/install.sh ...): it installs files owned by root:root into the export"
	echo "$me: not root: --dry-run only reads"
fi
B=${B:-build}
case $B in /*) bdir=$B ;; *) bdir=$top/$B ;; esac
cd "$top"
umask 022
tmp=$(mktemp -d "${TMPDIR:-/tmp}/r2r-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

rec=etc/root2ram/.installed      # "sha256  path" a line, paths relative to EXPORT, sorted
recdirs=etc/root2ram/.installed-dirs   # the directories the installs created
test_manifests="e2e"             # manifests/ of the tests, not shipped

say() { printf '%s\n' "$*"; }
# w DONE DO: DONE, or with --dry-run "would DO"
w() { if [ $dry = 1 ]; then printf 'would %s' "$2"; else printf '%s' "$1"; fi; }

# resolve PATH: PATH (absolute, inside the export) with every symlink on the way
# followed inside the export (an absolute target is the export's, .. stops at its
# top), absolute inside it; the components from the first missing one on are kept
# as they are. Status 1 after 40 links. So nothing is ever written outside EXPORT,
# whatever links the Pi's root made.
resolve() {
	_done="" _rest=${1#/} _links=0
	while [ -n "$_rest" ]; do
		case $_rest in
		*/*) _c=${_rest%%/*}; _rest=${_rest#*/} ;;
		*) _c=$_rest; _rest="" ;;
		esac
		case $_c in '' | .) continue ;; ..) _done=${_done%/*}; continue ;; esac
		if [ -L "$export_dir$_done/$_c" ]; then
			_links=$((_links + 1))
			[ $_links -le 40 ] || return 1
			_t=$(readlink "$export_dir$_done/$_c") || return 1
			case $_t in /*) _done="" ;; esac
			_rest=${_t#/}${_rest:+/$_rest}
		elif [ -e "$export_dir$_done/$_c" ]; then
			_done=$_done/$_c
		else
			_done=$_done/$_c${_rest:+/$_rest}
			break
		fi
	done
	printf '%s\n' "${_done:-/}"
}

# real REL: the file REL of the export, its directory resolved (the last component
# is not followed: a symlink there is replaced, never written through)
real() {
	case $1 in
	*/*) _p=$(resolve "/${1%/*}") || die "too many symbolic links in $export_dir/${1%/*}"
		printf '%s\n' "$export_dir${_p%/}/${1##*/}" ;;
	*) printf '%s\n' "$export_dir/$1" ;;
	esac
}

hash() { sha256sum <"$1" | cut -d' ' -f1; }

# --- the export's architecture, from its binaries --------------------------------
# le FILE OFFSET N: the little-endian unsigned number of N bytes at OFFSET
le() {
	od -An -v -t u1 -j "$2" -N "$3" "$1" 2>/dev/null | awk -v n="$3" '
		{ for (i = 1; i <= NF; i++) b[k++] = $i }
		END { if (k != n) exit 1; v = 0; for (i = k - 1; i >= 0; i--) v = v * 256 + b[i]; printf "%.0f\n", v }'
}

# elf FILE: sets elf_class (32/64), elf_machine (e_machine) and elf_interp (PT_INTERP,
# or empty); status 1 when FILE is not an ELF file
elf() {
	elf_interp=""
	[ "$(od -An -t x1 -N 4 "$1" 2>/dev/null | tr -d ' \n')" = 7f454c46 ] || return 1
	_cl=$(le "$1" 4 1) && _da=$(le "$1" 5 1) || return 1
	elf_machine=$(le "$1" 18 2) || return 1
	if [ "$_da" = 2 ]; then # big-endian: only named, never run
		elf_machine=$(((elf_machine % 256) * 256 + elf_machine / 256))
		elf_class=$((_cl * 32))
		return 0
	fi
	case $_cl in
	1) elf_class=32 _phoff=$(le "$1" 28 4) _phent=$(le "$1" 42 2) _phnum=$(le "$1" 44 2) ;;
	2) elf_class=64 _phoff=$(le "$1" 32 8) _phent=$(le "$1" 54 2) _phnum=$(le "$1" 56 2) ;;
	*) return 1 ;;
	esac || return 1
	[ "$_phnum" -le 128 ] || return 0
	_i=0
	while [ "$_i" -lt "$_phnum" ]; do
		_o=$((_phoff + _i * _phent))
		if [ "$(le "$1" "$_o" 4)" = 3 ]; then # PT_INTERP
			if [ $elf_class = 32 ]; then
				_po=$(le "$1" $((_o + 4)) 4) _ps=$(le "$1" $((_o + 16)) 4)
			else
				_po=$(le "$1" $((_o + 8)) 8) _ps=$(le "$1" $((_o + 32)) 8)
			fi || return 1
			[ "$_ps" -le 4096 ] || return 1
			elf_interp=$(dd if="$1" bs=1 skip="$_po" count="$_ps" 2>/dev/null | tr -d '\000')
			return 0
		fi
		_i=$((_i + 1))
	done
}

machine_name() {
	case $1 in
	3) echo "x86 (i386)" ;; 62) echo x86-64 ;; 40) echo "ARM (32-bit)" ;; 183) echo "AArch64 (64-bit ARM)" ;;
	243) echo RISC-V ;; 8) echo MIPS ;; 20) echo PowerPC ;; 21) echo PowerPC64 ;; 22) echo S/390 ;;
	2) echo SPARC ;; 43) echo "SPARC v9" ;; 258) echo LoongArch ;; *) echo "machine $1" ;;
	esac
}

# sets detected (armel, arm64) and detected_how, or refuses the export
detect_arch() {
	_sh=$(resolve /bin/sh) || die "$export_dir/bin/sh: too many symbolic links"
	[ -f "$export_dir$_sh" ] ||
		die "$export_dir has no /bin/sh: it does not look like a Raspberry Pi OS root, and its architecture cannot be told"
	elf "$export_dir$_sh" || die "$export_dir/bin/sh ($_sh) is not an ELF program: cannot tell the export's architecture"
	detected_how="its /bin/sh"
	[ "$_sh" = /bin/sh ] || detected_how="its /bin/sh ($_sh)"
	if [ -n "$elf_interp" ]; then
		_in=$elf_interp
		_ld=$(resolve "$_in") || die "$export_dir$_in: too many symbolic links"
		[ -f "$export_dir$_ld" ] ||
			die "$export_dir/bin/sh names the loader $_in, which is not in the export"
		elf "$export_dir$_ld" || die "$export_dir$_in, the loader /bin/sh names, is not an ELF file"
		detected_how="the loader its /bin/sh names, $_in,"
	fi
	case $elf_class:$elf_machine in
	64:183) detected=arm64 ;;
	32:40) detected=armel ;;
	*) die "$export_dir: $detected_how is a $elf_class-bit program for $(machine_name "$elf_machine") (e_machine $elf_machine); root2ram's inits are for 32-bit ARM (armel) and AArch64 (arm64) Raspberry Pi OS roots" ;;
	esac
}

# --- the files, and what to do with each ------------------------------------------
# list: "MODE SOURCE PATH" a line, PATH relative to EXPORT
make_list() {
	echo "0755 $bin sbin/root2ram"
	for m in manifests/*.manifest; do
		n=${m##*/}
		case " $test_manifests " in *" ${n%.manifest} "*) continue ;; esac
		echo "0644 $m etc/root2ram/manifests/$n"
	done
	(cd rootfs-overlay && find . -type f | LC_ALL=C sort) | while read -r f; do
		f=${f#./}
		if [ -x "rootfs-overlay/$f" ]; then mo=0755; else mo=0644; fi
		echo "$mo rootfs-overlay/$f etc/root2ram/overlay/$f"
	done
	echo "0644 rootfs-overlay/etc/root2ram/start.d/README etc/root2ram/start.d/README"
	echo "0644 $tmp/root2ram.conf etc/root2ram/root2ram.conf"
	echo "0644 $man usr/share/man/man8/root2ram.8"
}

write_conf() {
	cat >"$tmp/root2ram.conf" <<'CONF'
# /etc/root2ram/root2ram.conf - root2ram's boot options, NAME=VALUE a line.
# A root2ram.NAME=VALUE word on the kernel command line (cmdline.txt) wins.
# Yours to edit: scripts/install.sh never overwrites your changes (it puts its
# own version beside them as root2ram.conf.new).
#
# the manifests to stage, from /etc/root2ram/manifests/ (NAME.manifest), e.g. sensor
#manifest=default
# the tmpfs size: 64M, or 25% of RAM (default: the plan and some headroom, at most half of RAM)
#size=64M
# no: keep the NFS root mounted at /old_root after the switch
#detach=yes
# no: a RAM root without an SSH daemon (an appliance reached on its console)
#ssh=yes
# no: no kernel modules staged or loaded (yes: the running kernel's modules
# that manifests, /etc/modules and the devices present ask for, with firmware)
#modules=yes
# files copied at once while staging (default: 4 on NFS)
#jobs=4
# the RAM root's init, and the NFS root's init used on any failure before the switch
#init=/sbin/init
#fallback=/sbin/init
# NTP servers (IPv4[:PORT]) when DHCP names none (default: the NFS server);
# no: no NTP, the clock is only set to the time saved in /etc/fake-hwclock.data
#ntp=10.0.0.1,10.0.0.2:123
# feed /dev/watchdog with this timeout in seconds (0: off), while the
# appliance's health command (in the RAM root) succeeds
#watchdog=0
#health=/usr/local/bin/appliance-ok
# yes: more messages at boot
#debug=no
CONF
}

recorded() { awk -v p="$1" '$2 == p { print $1; exit }' "$tmp/old.rec"; }

n_written=0 n_same=0 n_kept=0
wrote() { n_written=$((n_written + 1)); }

# mkdirs DIR: DIR (resolved, absolute inside the export) and its missing parents,
# 0755 root:root, noted in the directory record
mkdirs() {
	[ -d "$export_dir$1" ] && return 0
	case $1 in */*/*) mkdirs "${1%/*}" ;; esac
	if [ $dry = 0 ]; then
		mkdir -m 0755 "$export_dir$1" || die "cannot make $export_dir$1"
		chown 0:0 "$export_dir$1"
	fi
	echo "${1#/}" >>"$tmp/new.dirs"
}

# put MODE SRC DEST: DEST (a real path) replaced by a copy of SRC, atomically
put() {
	[ $dry = 0 ] || return 0
	_d=${3%/*}
	_d=${_d#"$export_dir"}
	mkdirs "${_d:-/}"
	rm -f "$3.r2r-tmp"
	install -m "$1" -o 0 -g 0 "$2" "$3.r2r-tmp" && mv -f "$3.r2r-tmp" "$3" || die "cannot write $3"
}

# drop_new DEST SHOWN: a FILE.new of an earlier run goes once FILE is the new version
drop_new() {
	if [ -f "$1.new" ] && [ ! -L "$1.new" ]; then
		[ $dry = 1 ] || rm -f "$1.new"
		say "  $(w removed remove)   $2.new (the file is the new version)"
		wrote
	fi
}

install_one() { # MODE SRC REL
	_new=$(hash "$2")
	_old=$(recorded "$3")
	_r=$(real "$3")
	_s=$export_dir/$3
	if [ ! -e "$_r" ] && [ ! -L "$_r" ]; then
		put "$1" "$2" "$_r"
		say "  $(w installed install) $_s"
		wrote
		echo "$_new  $3" >>"$tmp/new.rec"
		drop_new "$_r" "$_s"
		return
	fi
	if [ -f "$_r" ] && [ ! -L "$_r" ]; then
		_cur=$(hash "$_r")
		if [ "$_cur" = "$_new" ]; then
			n_same=$((n_same + 1))
			echo "$_new  $3" >>"$tmp/new.rec"
			drop_new "$_r" "$_s"
			return
		fi
		if [ -n "$_old" ] && [ "$_cur" = "$_old" ]; then
			put "$1" "$2" "$_r"
			say "  $(w updated update)   $_s"
			wrote
			echo "$_new  $3" >>"$tmp/new.rec"
			drop_new "$_r" "$_s"
			return
		fi
	fi
	# changed by you (or never installed from here, or not a plain file): kept
	[ -z "$_old" ] || echo "$_old  $3" >>"$tmp/new.rec"
	if [ -f "$_r.new" ] && [ ! -L "$_r.new" ] && [ "$(hash "$_r.new")" = "$_new" ]; then
		:
	else
		put "$1" "$2" "$_r.new"
		wrote
	fi
	n_kept=$((n_kept + 1))
	if [ $dry = 1 ]; then
		say "  would keep your $_s; the new version would be $_s.new"
	else
		say "  kept your $_s; the new version is $_s.new"
	fi
}

# files an earlier install put there that this one does not ship
forget_old() {
	awk 'NR == FNR { want[$3] = 1; next } !($2 in want)' "$tmp/list" "$tmp/old.rec" |
		while read -r h p; do
			_r=$(real "$p")
			if [ -f "$_r" ] && [ ! -L "$_r" ] && [ "$(hash "$_r")" = "$h" ]; then
				[ $dry = 1 ] || rm -f "$_r" "$_r.new"
				say "  $(w removed remove)   $export_dir/$p (no longer part of root2ram)"
			elif [ -e "$_r" ]; then
				say "  kept your $export_dir/$p (no longer part of root2ram, changed since it was installed)"
			fi
			echo x >>"$tmp/forgot"
		done
	[ ! -f "$tmp/forgot" ] || n_written=$((n_written + $(wc -l <"$tmp/forgot")))
}

# put_text TEXTFILE REL: the record REL rewritten when its content changes
put_text() {
	_r=$(real "$2")
	if [ -f "$_r" ] && cmp -s "$1" "$_r"; then return 0; fi
	[ -s "$1" ] || [ -e "$_r" ] || return 0
	put 0644 "$1" "$_r"
}

# --- host keys ----------------------------------------------------------------------
# pub KEYFILE: the public key line of a dropbear key
pub() { dropbearkey -y -f "$1" 2>/dev/null | grep -E '^(ssh-|ecdsa-)' | cut -d' ' -f1,2; }

host_keys() {
	command -v dropbearkey >/dev/null && command -v dropbearconvert >/dev/null ||
		die "dropbearkey and dropbearconvert are missing: install dropbear-bin (scripts/setup.sh does)"
	_kd=$(resolve /etc/dropbear) || die "$export_dir/etc/dropbear: too many symbolic links"
	_kt=$tmp/keys
	(umask 077 && mkdir "$_kt")
	for t in ed25519 ecdsa rsa; do
		_f=$export_dir$_kd/dropbear_${t}_host_key
		_s=$(resolve "/etc/ssh/ssh_host_${t}_key") || _s=/nonexistent
		_ssh=""
		[ ! -f "$export_dir$_s" ] || _ssh=$export_dir$_s
		if [ -e "$_f" ] || [ -L "$_f" ]; then
			# kept; say when it is not the NFS root's OpenSSH key
			if [ -n "$_ssh" ] && dropbearconvert openssh dropbear "$_ssh" "$_kt/$t" >/dev/null 2>&1 &&
				[ "$(pub "$_kt/$t")" != "$(pub "$_f")" ]; then
				say "  note: $_f is not the export's /etc/ssh/ssh_host_${t}_key: in RAM the Pi shows another $t fingerprint (remove it and run this again to make it from OpenSSH's)"
			fi
			rm -f "$_kt/$t"
			continue
		fi
		if [ $dry = 1 ]; then
			if [ -n "$_ssh" ]; then say "  would make $_f from /etc/ssh/ssh_host_${t}_key"
			else say "  would make $_f (a new $t key)"; fi
			wrote
			continue
		fi
		mkdirs "$_kd"
		if [ -n "$_ssh" ]; then
			dropbearconvert openssh dropbear "$_ssh" "$_kt/$t" >/dev/null 2>&1 ||
				die "dropbearconvert could not read $_ssh (an OpenSSH $t host key)"
			_how="from /etc/ssh/ssh_host_${t}_key (the same fingerprint as the NFS root's sshd)"
		else
			dropbearkey -t "$t" -f "$_kt/$t" >/dev/null 2>&1 || die "dropbearkey -t $t failed"
			_how="(a new $t key: the export has no /etc/ssh/ssh_host_${t}_key)"
		fi
		chown 0:0 "$_kt/$t" && chmod 0600 "$_kt/$t" && mv "$_kt/$t" "$_f" || die "cannot write $_f"
		say "  made      $_f $_how"
		wrote
	done
}

authorized_key() {
	_sd=$(resolve /root/.ssh) || die "$export_dir/root/.ssh: too many symbolic links"
	_ak=$export_dir$_sd/authorized_keys
	_n=0
	while IFS= read -r _l || [ -n "$_l" ]; do
		case $_l in '' | '#'*) continue ;; esac
		[ -f "$_ak" ] && grep -qxF -- "$_l" "$_ak" && continue
		_n=$((_n + 1))
		[ $dry = 1 ] && continue
		if [ ! -d "$export_dir$_sd" ]; then
			mkdir -p "$(dirname "$export_dir$_sd")" && mkdir -m 0700 "$export_dir$_sd" &&
				chown 0:0 "$export_dir$_sd" || die "cannot make $export_dir$_sd"
		fi
		[ -f "$_ak" ] || { : >"$_ak"; chown 0:0 "$_ak"; chmod 0600 "$_ak"; }
		printf '%s\n' "$_l" >>"$_ak"
	done <"$key"
	if [ $_n -gt 0 ]; then
		say "  $(w added add)     $_n key(s) of $key to $_ak"
		wrote
	fi
}

# --- the plan of the manifests root2ram.conf names ----------------------------------
conf_manifests() {
	_c=$(real etc/root2ram/root2ram.conf)
	[ -f "$_c" ] || _c=$tmp/root2ram.conf
	_m=$(sed -n 's/^[[:space:]]*manifest[[:space:]]*=[[:space:]]*//p' "$_c" | tr -d '\r"' | tr ',' ' ')
	echo "${_m:-default}"
}

check_plan() {
	names="" bad=""
	for n in $(conf_manifests); do
		case $n in
		*/* | .. | *.manifest | *[!A-Za-z0-9._+-]*) bad="$bad $n" ;;
		*) names="$names $n" ;;
		esac
	done
	[ -z "$bad" ] || say "  note: root2ram.conf names$bad: not manifest names (NAME of /etc/root2ram/manifests/NAME.manifest); the boot ignores them"
	[ -n "$names" ] || names=default
	md=$(resolve /etc/root2ram/manifests)
	set -- --root "$export_dir"
	[ -z "$platform" ] || set -- "$@" --platform "$platform"
	if [ ! -d "$export_dir$md" ]; then
		set -- "$@" --manifests "$top/manifests" # --dry-run of a first install
	fi
	# shellcheck disable=SC2086 # names: one word each
	if (cd "$tmp" && "$r2r" plan "$@" $names) >"$tmp/plan.out" 2>"$tmp/plan.err"; then
		say "plan of${names}: $(sed -n 's/^total: //p' "$tmp/plan.out"); $(sed -n 's/^\(tmpfs: [^:]*\):.*/\1/p' "$tmp/plan.out")"
		pl=$(sed -n 's/^platform: //p' "$tmp/plan.out")
		[ -z "$pl" ] || say "  planned for platform $pl"
	else
		cat "$tmp/plan.err" >&2
		die "the manifests cannot be staged from this export; fix them before booting ($r2r plan --root $export_dir$names)"
	fi
}

cmdline_help() {
	if "$r2r" help cmdline >/dev/null 2>&1; then
		say "  $B/host/root2ram cmdline /path/to/cmdline.txt $1"
	else
		say "  $2"
	fi
}

# --- uninstall ------------------------------------------------------------------------
do_uninstall() {
	_rr=$(real "$rec")
	[ -f "$_rr" ] || die "$export_dir has no /$rec: nothing was installed there by this script (an older one recorded nothing); nothing removed"
	say "root2ram: $(w uninstalling uninstall) from $export_dir"
	_kept=0
	grep -E '^[0-9a-f]{64}  [^ ]+$' "$_rr" >"$tmp/old.rec" || true
	while read -r h p; do
		_r=$(real "$p")
		if [ -f "$_r.new" ] && [ ! -L "$_r.new" ]; then
			[ $dry = 1 ] || rm -f "$_r.new"
			say "  $(w removed remove)   $export_dir/$p.new"
		fi
		if [ ! -e "$_r" ] && [ ! -L "$_r" ]; then
			continue
		elif [ -f "$_r" ] && [ ! -L "$_r" ] && [ "$(hash "$_r")" = "$h" ]; then
			[ $dry = 1 ] || rm -f "$_r"
			say "  $(w removed remove)   $export_dir/$p"
		else
			say "  kept your $export_dir/$p (changed since it was installed)"
			_kept=$((_kept + 1))
		fi
	done <"$tmp/old.rec"
	_rd=$(real "$recdirs")
	[ -f "$_rd" ] && LC_ALL=C sort -r "$_rd" >"$tmp/dirs" || : >"$tmp/dirs"
	if [ $dry = 0 ]; then
		rm -f "$_rd" "$_rr"
	fi
	say "  $(w removed remove)   $_rr"
	while read -r d; do
		case $d in '' | *..*) continue ;; esac
		_r=$export_dir$(resolve "/$d")
		[ -d "$_r" ] && [ ! -L "$_r" ] || continue
		if [ $dry = 1 ]; then
			say "  would remove $_r/ if empty"
		elif rmdir "$_r" 2>/dev/null; then
			say "  removed   $_r/"
		else
			say "  kept      $_r/ (not empty)"
		fi
	done <"$tmp/dirs"
	say "the dropbear host keys in $export_dir/etc/dropbear are kept; so are root's authorized_keys"
	[ $_kept = 0 ] || say "$_kept file(s) you changed are kept"
	say "before the Pi boots again, take init=/sbin/root2ram out of its cmdline.txt (without /sbin/root2ram the kernel panics):"
	r2r=$bdir/host/root2ram
	cmdline_help "--off" "remove the word init=/sbin/root2ram (and any root2ram.* word) from the line"
}

if [ $uninstall = 1 ]; then
	do_uninstall
	exit 0
fi

# --- install ----------------------------------------------------------------------------
detect_arch
if [ -n "$arch" ] && [ "$arch" != "$detected" ]; then
	if [ "$detected" = arm64 ]; then
		why="a 32-bit init on a 64-bit kernel without 32-bit support (COMPAT) panics before root2ram can fall back"
	else
		why="a 64-bit init cannot run on the 32-bit kernels this export's Pis may boot"
	fi
	die "--arch $arch, but $export_dir is $detected ($detected_how is for $(machine_name "$elf_machine")): $why; leave --arch out"
fi
arch=$detected
bin=$B/$arch/root2ram.stripped
r2r=$bdir/host/root2ram
man=$B/root2ram.8
# made again when the sources changed (quick when they did not): an init
# older than the tree would be installed without a word otherwise
for f in "$bin" "$r2r" "$man"; do
	if ! command -v make >/dev/null || [ ! -f Makefile ]; then
		[ -f "$f" ] || die "$f is missing, and make is not installed to build it"
		continue
	fi
	make -s B="$B" "$f" >&2 || die "cannot build $f"
done
say "root2ram: $(w installing install) the $arch init into $export_dir ($detected_how is for $(machine_name "$elf_machine"))"

write_conf
make_list >"$tmp/list"
_rr=$(real "$rec")
if [ -f "$_rr" ]; then grep -E '^[0-9a-f]{64}  [^ ]+$' "$_rr" >"$tmp/old.rec" || true; else : >"$tmp/old.rec"; fi
: >"$tmp/new.rec"
_rd=$(real "$recdirs")
if [ -f "$_rd" ]; then cat "$_rd" >"$tmp/new.dirs"; else : >"$tmp/new.dirs"; fi
while read -r mode src rel; do
	install_one "$mode" "$src" "$rel"
done <"$tmp/list"
forget_old
host_keys
[ -z "$key" ] || authorized_key
LC_ALL=C sort -k2 -u "$tmp/new.rec" >"$tmp/rec"
put_text "$tmp/rec" "$rec"
LC_ALL=C sort -u "$tmp/new.dirs" >"$tmp/dirs"
put_text "$tmp/dirs" "$recdirs"
kept=""
[ $n_kept = 0 ] || kept=", $n_kept of yours kept"
if [ $n_kept != 0 ] && [ ! -s "$tmp/old.rec" ]; then
	say "  note: no /$rec yet (an older install.sh recorded nothing), so a file that differs is taken for yours: compare it with its .new, and mv FILE.new FILE to take the new version"
fi
if [ $n_written = 0 ]; then
	say "  nothing to do: $n_same files up to date$kept; nothing written"
else
	[ $n_same = 0 ] || say "  $n_same files unchanged"
fi
check_plan
say "next: boot the Pi with init=/sbin/root2ram: on its SD card, make cmdline.txt say so with"
cmdline_help "--nfsroot SERVER:$export_dir" \
	"console=serial0,115200 root=/dev/nfs nfsroot=SERVER:$export_dir,vers=3,tcp ip=dhcp rw init=/sbin/root2ram"
