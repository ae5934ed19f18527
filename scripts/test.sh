#!/usr/bin/env bash
# Set up and run the whole suite against real PostgreSQL, MariaDB, Redis, Celery and the local Kafka stack.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PGPASSWORD=${PGPASSWORD:-postgres}
export MARIADB_PORT=${MARIADB_PORT:-3307} MARIADB_USER=${MARIADB_USER:-controlplane_test}
export MARIADB_PASSWORD=${MARIADB_PASSWORD:-controlplane_test}
bash scripts/test-services.sh
export DATABASE_URL=${TEST_DATABASE_URL:-postgres://postgres:$PGPASSWORD@127.0.0.1:5432/controlplane}
export REDIS_URL=${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}
exec .venv/bin/pytest "$@"
