#!/usr/bin/env bash
# Checks that PostgreSQL and Redis answer at the addresses the tests use and creates the
# database. A missing service fails here with a clear message (CI starts stopped ones first).
set -euo pipefail
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
REDIS_HOST=${REDIS_HOST:-127.0.0.1}
REDIS_PORT=${REDIS_PORT:-6379}

for _ in $(seq 1 30); do
  pg_isready -q -h "$PGHOST" -p "$PGPORT" && break
  sleep 1
done
if ! pg_isready -q -h "$PGHOST" -p "$PGPORT"; then
  echo "PostgreSQL does not answer at $PGHOST:$PGPORT. Start it, e.g.:" >&2
  echo "  pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start" >&2
  exit 1
fi
if ! psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'mcportal'" | grep -q 1; then
  createdb -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" mcportal
fi
for _ in $(seq 1 30); do
  [ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ] && break
  sleep 1
done
if [ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" != "PONG" ]; then
  echo "Redis does not answer at $REDIS_HOST:$REDIS_PORT. Start it, e.g.:" >&2
  echo '  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no' >&2
  exit 1
fi
echo "PostgreSQL at $PGHOST:$PGPORT and Redis at $REDIS_HOST:$REDIS_PORT answer."
