#!/bin/sh
# Gives each invoker container a node id that is unique among scaled replicas and
# stable across restarts of the same container (its container id), so a restarted
# invoker finds and removes its own orphaned function containers.
set -eu
if [ -z "${STRATUS_NODE_ID:-}" ]; then
  cid="$(grep -o 'containers/[0-9a-f]\{64\}' /proc/self/mountinfo | head -n 1 | cut -c12-23 || true)"
  export STRATUS_NODE_ID="invoker-${cid:-$(hostname)}"
fi
export STRATUS_URL_FILE="${STRATUS_URL_FILE:-/tmp/stratus-invoker.url}"
exec /usr/local/bin/node /opt/stratus/invoker/dist/main.js
