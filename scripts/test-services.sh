#!/usr/bin/env bash
# Make sure the real services the suite needs answer: PostgreSQL (with logical replication for the
# CDC tests) and Redis. On the project's machines they are installed and usually running; this
# starts them if they are not, and switches PostgreSQL to wal_level=logical once.
set -euo pipefail
PGHOST=${PGHOST:-127.0.0.1}

if ! pg_isready -q -h "$PGHOST" -p 5432 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
  fi
fi
for _ in $(seq 1 30); do pg_isready -q -h "$PGHOST" -p 5432 && break; sleep 1; done
pg_isready -h "$PGHOST" -p 5432 >/dev/null || { echo "PostgreSQL is not reachable at $PGHOST:5432" >&2; exit 1; }

wal_level=$(psql -h "$PGHOST" -U postgres -tAc "SHOW wal_level")
if [ "$wal_level" != "logical" ]; then
  echo "test-services: enabling wal_level=logical on PostgreSQL (CDC tests need it)"
  psql -h "$PGHOST" -U postgres -qc "ALTER SYSTEM SET wal_level = logical"
  psql -h "$PGHOST" -U postgres -qc "ALTER SYSTEM SET max_replication_slots = 20"
  psql -h "$PGHOST" -U postgres -qc "ALTER SYSTEM SET max_wal_senders = 20"
  version=$(ls /etc/postgresql | head -1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main restart
  for _ in $(seq 1 30); do pg_isready -q -h "$PGHOST" -p 5432 && break; sleep 1; done
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  if command -v redis-server >/dev/null 2>&1; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  fi
fi
