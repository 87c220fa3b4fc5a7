#!/usr/bin/env bash
# Runs the whole test suite (lint, typecheck, unit, integration against real Docker,
# Postgres and Redis) after installing whatever is missing. README command #2.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/provision.sh"
# Debian's Prometheus, which tests/prometheus-scrape.test.ts runs against the stack.
if ! command -v prometheus >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null
fi
. "$ROOT/scripts/lib/node.sh"
use_platform_node
# AWS's own runtime interface client, built once for the test that runs it unchanged.
bash "$ROOT/tests/fixtures/aws-lambda-ric/build.sh"
export TESTCONTAINERS_RYUK_DISABLED=true
cd "$ROOT"
pnpm test
