#!/usr/bin/env bash
# Idempotent provisioning for a fresh Debian machine (root, any Node with npm, no
# container registry). Used by both README commands and by .ci/run. Each step checks first
# and only installs or builds what is missing, so running it twice is cheap.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log() { printf '\033[1;34m[provision]\033[0m %s\n' "$*"; }

APT_UPDATED=0
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$APT_UPDATED" = 0 ]; then apt-get update -qq; APT_UPDATED=1; fi
  log "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# 1. Docker engine, started in the background and awaited.
if ! command -v dockerd >/dev/null 2>&1; then apt_install docker.io; fi
if ! docker info >/dev/null 2>&1; then
  log "starting dockerd"
  mkdir -p /var/log
  nohup dockerd >/var/log/stratus-dockerd.log 2>&1 &
  for _ in $(seq 1 120); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { log "dockerd did not start; see /var/log/stratus-dockerd.log"; exit 1; }
fi

# The host's process table. Each function container may hold 1024 processes and
# threads; Debian booted without systemd keeps 32768 process ids, which a few dozen
# fork bombs fill, and then nothing on the host can start a process. systemd raises
# the limit to 4194304 at boot on 64-bit machines; so does this, where it is lower.
# (An invoker bounds its capacity by whatever limit it finds: docs/OPERATIONS.md.)
if [ "$(cat /proc/sys/kernel/pid_max 2>/dev/null || echo 0)" -lt 4194304 ]; then
  if sysctl -qw kernel.pid_max=4194304 2>/dev/null; then
    log "raised kernel.pid_max to 4194304"
    echo "kernel.pid_max = 4194304" >/etc/sysctl.d/60-stratus-pid-max.conf 2>/dev/null || true
  else
    log "could not raise kernel.pid_max; invokers here take fewer containers (docs/OPERATIONS.md)"
  fi
fi

# The AWS CLI: the README's session and the CLI tests use it. Debian's (v2, at
# /usr/bin/aws) is installed even beside another on PATH: `aws logs tail` is v2's only.
apt_install awscli
# RabbitMQ: the event source mapping tests run their own broker on loopback (tests/helpers/rabbitmq.ts).
apt_install rabbitmq-server
# Image functions: their tests run Debian's OCI registry on loopback (tests/helpers/registry.ts).
apt_install docker-registry
# kcat: the Kafka mapping tests run librdkafka's mock cluster through it (tests/helpers/kafka.ts).
apt_install kcat
# iproute2 (ip netns): the bucket-thumbnailer test puts its S3 store in a network namespace (tests/helpers/s3-store.ts).
apt_install iproute2

# 2. The platform's Node (the current LTS, from the npm registry), pnpm, and the
# workspace's dependencies, installed again when the Node they were built for changed
# (native addons are built for one Node ABI).
. "$ROOT/scripts/lib/node.sh"
use_platform_node
if ! command -v pnpm >/dev/null 2>&1; then
  log "installing pnpm"
  npm install -g pnpm@9 >/dev/null 2>&1
fi
STAMP="$ROOT/node_modules/.stratus-node"
if [ ! -f "$ROOT/node_modules/.modules.yaml" ] || [ "$ROOT/pnpm-lock.yaml" -nt "$ROOT/node_modules/.modules.yaml" ] \
  || [ "$(cat "$STAMP" 2>/dev/null)" != "$(node -v)" ]; then
  log "pnpm install (node $(node -v))"
  (cd "$ROOT" && pnpm install --frozen-lockfile --reporter=silent && pnpm rebuild --reporter=silent)
  node -v >"$STAMP"
fi

# 3. Images (base, runtimes, Postgres, Redis), built locally when none can be pulled.
bash "$ROOT/packages/runtime-images/build.sh"

# Chromium, headless: tests/console*.test.ts drive the web console in it (playwright-core).
apt_install chromium
