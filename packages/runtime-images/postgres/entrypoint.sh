#!/bin/sh
# First start: initdb with the given superuser and password, create the database in
# single-user mode (no network), then run the server on all interfaces.
set -eu
: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}"
USER_NAME="${POSTGRES_USER:-postgres}"
DB_NAME="${POSTGRES_DB:-$USER_NAME}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  PWFILE="$(mktemp)"; printf '%s' "$POSTGRES_PASSWORD" > "$PWFILE"
  initdb -D "$PGDATA" -U "$USER_NAME" --pwfile="$PWFILE" --auth-local=trust --auth-host=scram-sha-256 -E UTF8 >/dev/null
  rm -f "$PWFILE"
  echo "host all all 0.0.0.0/0 scram-sha-256" >> "$PGDATA/pg_hba.conf"
  if [ "$DB_NAME" != "postgres" ]; then
    echo "CREATE DATABASE \"$DB_NAME\"" | postgres --single -D "$PGDATA" postgres >/dev/null
  fi
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' -c fsync="${POSTGRES_FSYNC:-on}" "$@"
