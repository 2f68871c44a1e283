#!/bin/sh
# scripts/demo.sh - the main job on the embedded default.
set -eu
cd "$(dirname "$0")/.."
root=$(sh scripts/testroot.sh armel --print)
echo "\$ root2ram ldd --root $root /usr/sbin/dropbear"
build/host/root2ram ldd --root "$root" /usr/sbin/dropbear
