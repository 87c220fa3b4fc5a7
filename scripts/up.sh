#!/usr/bin/env bash
# Brings Stratus up on this machine (Postgres, Redis, control plane, one invoker via
# docker-compose), creates an account and access key, writes .stratus/env for the
# AWS CLI, deploys examples/hello and invokes it. README command #1. Idempotent.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="$ROOT/.stratus"
log() { printf '\033[1;32m[up]\033[0m %s\n' "$*"; }

bash "$ROOT/scripts/provision.sh"
. "$ROOT/scripts/lib/node.sh"
use_platform_node
need=()
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
command -v aws >/dev/null 2>&1 || need+=(awscli)
command -v zip >/dev/null 2>&1 || need+=(zip)
command -v curl >/dev/null 2>&1 || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  log "apt-get install ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

log "building the platform"
(cd "$ROOT" && pnpm build >/dev/null)
bash "$ROOT/deploy/platform/build.sh"

mkdir -p "$STATE/bootstrap" /var/lib/stratus/code && chmod 700 "$STATE"
# The control plane runs as nobody and stores the administrator key here on first start.
chown 65534:65534 "$STATE/bootstrap" && chmod 700 "$STATE/bootstrap"
if [ ! -f "$STATE/compose.env" ]; then
  # New secrets cannot open a database made with other ones (another clone's stack).
  if docker volume inspect stratus_pgdata >/dev/null 2>&1; then
    echo "up: a Stratus database (docker volume stratus_pgdata) exists, made by another checkout whose" >&2
    echo "    .stratus/compose.env is not here. Copy that file here, or remove the old stack and its data:" >&2
    echo "    docker-compose -p stratus --env-file <that checkout>/.stratus/compose.env down -v" >&2
    exit 1
  fi
  umask 077
  {
    echo "STRATUS_POSTGRES_PASSWORD=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    echo "STRATUS_INTERNAL_TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  } >"$STATE/compose.env"
fi
# The key that seals secrets (docs/SECRETS.md): made once and kept, also for a
# compose.env from before the secrets store. Losing it loses every stored secret.
if ! grep -q '^STRATUS_SECRETS_KEY=' "$STATE/compose.env"; then
  (umask 077 && echo "STRATUS_SECRETS_KEY=$(head -c 32 /dev/urandom | base64 | tr -d '\n')" >>"$STATE/compose.env")
fi
# The metrics token (Prometheus service discovery), added to a compose.env made before it.
if ! grep -q '^STRATUS_METRICS_TOKEN=' "$STATE/compose.env"; then
  (umask 077 && echo "STRATUS_METRICS_TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" >>"$STATE/compose.env")
fi
compose() { docker-compose -p stratus -f "$ROOT/docker-compose.yml" --env-file "$STATE/compose.env" "$@"; }

log "docker-compose up"
compose up -d --remove-orphans >/dev/null 2>&1 || compose up -d --remove-orphans
# Recreate the platform containers when the image changed (compose 1.29 does so itself).
for _ in $(seq 1 120); do
  curl -fsS http://127.0.0.1:9000/healthz >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS http://127.0.0.1:9000/healthz >/dev/null || { compose logs --tail=50 control-plane; exit 1; }
# STRATUS_MONITORING=1: the monitoring profile too (Prometheus, docs/METRICS.md).
if [ "${STRATUS_MONITORING:-0}" = 1 ]; then
  bash "$ROOT/deploy/prometheus/build.sh"
  log "docker-compose --profile monitoring up (Prometheus on http://127.0.0.1:${STRATUS_PROMETHEUS_PORT:-9090})"
  compose --profile monitoring up -d prometheus
fi

admin() { compose exec -T control-plane /usr/local/bin/node /opt/stratus/control-plane/dist/admin.js "$@"; }
key_works() {
  [ -f "$STATE/env" ] || return 1
  (. "$STATE/env" && aws lambda list-functions --max-items 1 >/dev/null 2>&1)
}
if key_works; then
  akid="$(. "$STATE/env" && echo "$AWS_ACCESS_KEY_ID")"
  secret="$(. "$STATE/env" && echo "$AWS_SECRET_ACCESS_KEY")"
else
  log "creating account 'default' and an access key"
  creds="$(admin create-account default 2>/dev/null || admin create-key default)"
  akid="$(node -e 'console.log(JSON.parse(process.argv[1]).accessKeyId)' "$creds")"
  secret="$(node -e 'console.log(JSON.parse(process.argv[1]).secretAccessKey)' "$creds")"
fi
# Only the services Stratus serves point at it (never the global AWS_ENDPOINT_URL,
# which would send `aws sts`, `aws s3` and every other service there too).
umask 077
cat >"$STATE/env" <<ENV
unset AWS_ENDPOINT_URL
export AWS_ENDPOINT_URL_LAMBDA=http://127.0.0.1:9000
export AWS_ENDPOINT_URL_SCHEDULER=http://127.0.0.1:9000
export AWS_ENDPOINT_URL_EVENTBRIDGE=http://127.0.0.1:9000
export AWS_ENDPOINT_URL_SECRETS_MANAGER=http://127.0.0.1:9000
export AWS_ENDPOINT_URL_CLOUDWATCH=http://127.0.0.1:9000
export AWS_ENDPOINT_URL_CLOUDWATCH_LOGS=http://127.0.0.1:9000
export AWS_ENDPOINT_URL_SFN=http://127.0.0.1:9000
export AWS_ENDPOINT_URL_SQS=http://127.0.0.1:9000
export AWS_ENDPOINT_URL_SNS=http://127.0.0.1:9000
export AWS_ENDPOINT_URL_IAM=http://127.0.0.1:9000
export AWS_ACCESS_KEY_ID=$akid
export AWS_SECRET_ACCESS_KEY=$secret
export AWS_REGION=us-east-1
export AWS_DEFAULT_REGION=us-east-1
ENV
. "$STATE/env"
# Invokers announce themselves every 2 s; wait until one is there.
for _ in $(seq 1 60); do
  [ "$(compose exec -T redis redis-cli zcard stratus:nodes:heartbeats 2>/dev/null | tr -d '\r')" -ge 1 ] 2>/dev/null && break
  sleep 0.5
done

log "deploying examples/hello"
tmp="$(mktemp -d)"
(cd "$ROOT/examples/hello" && zip -q -r "$tmp/hello.zip" .)
aws lambda delete-function --function-name hello >/dev/null 2>&1 || true
aws lambda create-function --function-name hello --runtime nodejs24.x --handler index.handler \
  --role arn:aws:iam::000000000000:role/stratus-example --zip-file "fileb://$tmp/hello.zip" >/dev/null
binary_flag=()
aws --version 2>&1 | grep -q '^aws-cli/2' && binary_flag=(--cli-binary-format raw-in-base64-out)
aws lambda invoke --function-name hello "${binary_flag[@]}" --payload '{"name":"Stratus"}' "$tmp/out.json" >/dev/null
log "result of invoking hello:"
cat "$tmp/out.json"; echo
rm -rf "$tmp"
log "Stratus is running. Try: . .stratus/env && aws lambda invoke --function-name hello out.json"
# FunctionUrl is written from the URL listener's base (docker-compose.yml): by default
# http://127.0.0.1:9002/<id>/, which curl on this machine reaches as it is.
log "Function URLs: aws lambda create-function-url-config --function-name hello --auth-type NONE, open it with aws lambda add-permission --function-name hello --statement-id public-url --action lambda:InvokeFunctionUrl --principal '*' --function-url-auth-type NONE, then curl its FunctionUrl"
