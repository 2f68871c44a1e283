#!/bin/sh
# shellcheck disable=SC2016 # the sh -c scripts take their arguments as $1...
# tests/install/test_keys.sh - dropbear's host keys made from the export's
# OpenSSH host keys (the same fingerprint in RAM as on NFS), never made again,
# never printed, kept by --uninstall; an authorised key added once.
set -u
cd "$(dirname "$0")/../.." || exit 111
. tests/lib.sh
. tests/install/lib.sh
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (scripts/install.sh installs files owned by root)"; exit 0; }

for a in armel arm64; do
	d=$(fresh $a keys-$a) || continue
	mkdir -p "$d/etc/ssh"
	ssh-keygen -q -A -f "$d" || { fail "$a: ssh-keygen -A"; continue; }
	rm -f "$work/keys-user" "$work/keys-user.pub"
	ssh-keygen -q -t ed25519 -N '' -C r2r-install-test -f "$work/keys-user" || { fail "ssh-keygen"; continue; }
	inst "$d" --authorized-key "$work/keys-user.pub" >"$work/keys-$a.out1" 2>&1
	check "$a: install with OpenSSH host keys exits 0" test $? = 0
	for t in ed25519 ecdsa rsa; do
		k=$d/etc/dropbear/dropbear_${t}_host_key
		want=$(ssh-keygen -lf "$d/etc/ssh/ssh_host_${t}_key.pub" | awk '{ print $2 }')
		got=$(dropbearkey -y -f "$k" 2>/dev/null | grep -E '^(ssh-|ecdsa-)' | ssh-keygen -lf - | awk '{ print $2 }')
		check "$a: dropbear's $t host key is the OpenSSH one ($want)" test -n "$want" -a "$want" = "$got"
		check "$a: and the output says where it came from" grep -q "^  made .*dropbear_${t}_host_key from /etc/ssh/ssh_host_${t}_key" "$work/keys-$a.out1"
		# no key material in the output: not even the public key's base64
		b64=$(cut -d' ' -f2 "$d/etc/ssh/ssh_host_${t}_key.pub")
		check "$a: no $t key material printed" sh -c '! grep -qF -- "$(echo "$1" | cut -c1-24)" "$2"' - "$b64" "$work/keys-$a.out1"
	done
	ak=$d/root/.ssh/authorized_keys
	check "$a: --authorized-key: the key in /root/.ssh/authorized_keys, 0600 root:root" sh -c \
		'grep -qxF -- "$(cat "$1")" "$2" && [ "$(stat -c "%a %u:%g" "$2")" = "600 0:0" ]' - "$work/keys-user.pub" "$ak"
	sum=$(cat "$d"/etc/dropbear/* "$ak" | sha256sum)
	inst "$d" --authorized-key "$work/keys-user.pub" >"$work/keys-$a.out2" 2>&1
	check "$a: a re-install makes no key again, adds the authorised key once" \
		test "$(cat "$d"/etc/dropbear/* "$ak" | sha256sum)" = "$sum"
	check "$a: and says nothing to do" grep -q 'nothing to do' "$work/keys-$a.out2"
	rc=0
	inst "$d" --authorized-key "$work/keys-user" >"$work/keys-$a.out3" 2>&1 || rc=$?
	check "$a: a private key given to --authorized-key is refused, not printed" sh -c \
		'[ "$1" = 1 ] && grep -q "is a private key" "$2" && ! grep -q "PRIVATE" "$2"' - $rc "$work/keys-$a.out3"
	# a key the installer made earlier is never replaced, but one that is not
	# OpenSSH's is pointed out
	rm "$d/etc/dropbear/dropbear_rsa_host_key"
	dropbearkey -t rsa -f "$d/etc/dropbear/dropbear_rsa_host_key" >/dev/null 2>&1
	sum=$(sha256sum <"$d/etc/dropbear/dropbear_rsa_host_key")
	inst "$d" >"$work/keys-$a.out4" 2>&1
	check "$a: an existing dropbear key is kept, and said not to be OpenSSH's" sh -c \
		'[ "$(sha256sum <"$1")" = "$2" ] && grep -q "note: .*dropbear_rsa_host_key is not the export.s /etc/ssh/ssh_host_rsa_key" "$3"' - \
		"$d/etc/dropbear/dropbear_rsa_host_key" "$sum" "$work/keys-$a.out4"
	inst "$d" --uninstall >"$work/keys-$a.out5" 2>&1
	check "$a: --uninstall keeps the host keys and authorized_keys" sh -c \
		'[ -s "$1/dropbear_ed25519_host_key" ] && [ -s "$1/dropbear_ecdsa_host_key" ] && [ -s "$1/dropbear_rsa_host_key" ] && [ -s "$2" ]' - \
		"$d/etc/dropbear" "$ak"
	rm -rf "$d" "$work/keys-user" "$work/keys-user.pub"
done
[ "${R2R_FAILED:-0}" = 0 ]
