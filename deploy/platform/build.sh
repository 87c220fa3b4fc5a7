#!/usr/bin/env bash
# Builds stratus/platform from the compiled workspace. Needs `pnpm build` first and
# the base image and Node binary from packages/runtime-images/build.sh.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CTX="$ROOT/.cache/context/platform"
rm -rf "$CTX" && mkdir -p "$CTX"
cd "$ROOT"
pnpm --filter @stratus/control-plane deploy --prod "$CTX/control-plane" >/dev/null
pnpm --filter @stratus/invoker deploy --prod "$CTX/invoker" >/dev/null
# The web console's built files, where the control plane looks for them (../console/dist).
mkdir -p "$CTX/console" && cp -r "$ROOT/packages/console/dist" "$CTX/console/dist"
. "$ROOT/scripts/lib/node.sh"
cp "$(node_binary "$PLATFORM_NODE_VERSION")" "$HERE/invoker-entrypoint.sh" "$HERE/healthcheck.mjs" "$HERE/Dockerfile" "$CTX/"
printf '\033[1;34m[images]\033[0m docker build stratus/platform\n' >&2
# The legacy builder prints a deprecation notice on every build: show output only on failure.
if ! out="$(docker build -q --build-arg BASE=stratus/base:bookworm -t stratus/platform "$CTX" 2>&1)"; then
  echo "$out" >&2
  exit 1
fi
