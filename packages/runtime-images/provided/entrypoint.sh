#!/bin/bash
# Runs the function's bootstrap (/var/task/bootstrap, else a layer's /opt/bootstrap),
# as Lambda does for custom runtimes. Without an executable one it reports
# Runtime.InvalidEntrypoint to /runtime/init/error, as Lambda does, and exits.
set -u
for candidate in "${LAMBDA_TASK_ROOT:-/var/task}/bootstrap" /opt/bootstrap; do
  if [ -f "$candidate" ] && [ -x "$candidate" ]; then exec "$candidate" "$@"; fi
done
message="Couldn't find valid bootstrap(s): [${LAMBDA_TASK_ROOT:-/var/task}/bootstrap /opt/bootstrap]"
echo "$message" >&2
curl -sS -o /dev/null -X POST -H 'Lambda-Runtime-Function-Error-Type: Runtime.InvalidEntrypoint' \
  -H 'Content-Type: application/json' \
  -d "{\"errorType\":\"Runtime.InvalidEntrypoint\",\"errorMessage\":\"$message\",\"stackTrace\":[]}" \
  "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/init/error"
exit 1
