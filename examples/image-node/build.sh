#!/usr/bin/env bash
# Builds the example image as TAG (default stratus-example/image-node:latest) with
# IMAGE_VERSION (default 1): stages this folder and the aws-lambda-ric built by
# tests/fixtures/aws-lambda-ric/build.sh (built first when missing) as the context.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TAG="${1:-stratus-example/image-node:latest}"
VERSION="${2:-1}"
RIC="$ROOT/.cache/aws-lambda-ric/4.0.2/node_modules/aws-lambda-ric"
[ -f "$RIC/rapid-client.node" ] || bash "$ROOT/tests/fixtures/aws-lambda-ric/build.sh"
CTX="$(mktemp -d)"
trap 'rm -rf "$CTX"' EXIT
cp "$HERE/Dockerfile" "$HERE/app.mjs" "$CTX/"
mkdir "$CTX/ric"
cp "$RIC/index.mjs" "$RIC/package.json" "$RIC/rapid-client.node" "$CTX/ric/"
docker build -q --build-arg "IMAGE_VERSION=$VERSION" -t "$TAG" "$CTX" >/dev/null
echo "$TAG"
