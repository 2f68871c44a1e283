#!/bin/bash
# Raspberry Pi OS shaped arm64 root (pios-arm64) on QEMU virt: see pios.sh.
set -eu
R2R_E2E_ROOT=pios-arm64
. "$(dirname "$0")/pios.sh"
