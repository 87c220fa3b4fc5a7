#!/usr/bin/env bash
# The benchmark command: provisions what is missing, builds, and runs the benchmark,
# which writes docs/BENCHMARKS.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/provision.sh"
. "$ROOT/scripts/lib/node.sh"
use_platform_node
export TESTCONTAINERS_RYUK_DISABLED=true
cd "$ROOT"
pnpm build >/dev/null
pnpm --filter @stratus/tests exec tsx bench/run.ts
