#!/usr/bin/env bash
# Builds stratus/prometheus (Debian's prometheus package on the local base image) for
# docker-compose.yml's monitoring profile. Needs stratus/base:bookworm
# (packages/runtime-images/build.sh); apt inside the build reaches Debian's mirror.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
printf '\033[1;34m[images]\033[0m docker build stratus/prometheus\n' >&2
if ! out="$(docker build -q --build-arg BASE=stratus/base:bookworm -t stratus/prometheus "$HERE" 2>&1)"; then
  echo "$out" >&2
  exit 1
fi
