# tests/e2e/install.sh - sourced after lib.sh: an export with root2ram
# installed the way a user installs it (scripts/install.sh), the test key
# authorised, the tests' manifest (e2e.manifest) beside the shipped ones, and
# a small appliance started by rcS.
#
#   exp=$(r2r_export)          # fresh copy of the test root, root2ram installed
# shellcheck shell=bash

r2r_export() {
	local exp
	exp=$(e2e_prepare_export)
	[ -f "$E2E_KEY" ] || ssh-keygen -q -t ed25519 -N '' -C root2ram-e2e -f "$E2E_KEY" ||
		e2e_fail "ssh-keygen failed"
	"$E2E_TOP/scripts/install.sh" "$exp" --arch "$E2E_ARCH" --authorized-key "$E2E_KEY.pub" >&2 ||
		e2e_fail "scripts/install.sh failed"
	# the tests boot root2ram.manifest=e2e, a test manifest scripts/install.sh does not ship
	install -m 0644 "$E2E_TOP/manifests/e2e.manifest" "$exp/etc/root2ram/manifests/" ||
		e2e_fail "cannot copy e2e.manifest into $exp"
	# the appliance: a process started by rcS that makes progress every second
	cat > "$exp/etc/root2ram/start.d/50-ticker" <<'TICK'
#!/bin/sh
# e2e appliance: counts seconds into /tmp/ticker
case "$1" in
start) ( n=0; while :; do n=$((n + 1)); echo "$n" > /tmp/ticker; sleep 1; done ) & ;;
stop) ;;
esac
TICK
	chmod 755 "$exp/etc/root2ram/start.d/50-ticker"
	echo "$exp"
}
