#!/bin/sh
# Writes Prometheus's configuration from the stack's settings (the control plane's port,
# the metrics token, kept in a file only this user reads) and runs it on loopback.
set -eu
: "${STRATUS_METRICS_TOKEN:?STRATUS_METRICS_TOKEN is not set: run scripts/up.sh to generate .stratus/compose.env}"
dir="$(mktemp -d)"
umask 077
printf '%s' "$STRATUS_METRICS_TOKEN" >"$dir/token"
sed -e "s#@PORT@#${STRATUS_PORT:-9000}#" -e "s#@TOKEN_FILE@#$dir/token#" \
  /etc/stratus-prometheus/prometheus.yml.in >"$dir/prometheus.yml"
exec /usr/bin/prometheus \
  --config.file="$dir/prometheus.yml" \
  --storage.tsdb.path=/var/lib/stratus-prometheus \
  --storage.tsdb.retention.time="${STRATUS_PROMETHEUS_RETENTION:-15d}" \
  --web.listen-address="127.0.0.1:${STRATUS_PROMETHEUS_PORT:-9090}" \
  "$@"
