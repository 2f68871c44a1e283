#!/bin/bash
# Raspberry Pi OS shaped armhf root (pios-armhf) on QEMU virt: see pios.sh.
set -eu
R2R_E2E_ROOT=pios-armhf
. "$(dirname "$0")/pios.sh"
