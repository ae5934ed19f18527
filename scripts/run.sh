#!/usr/bin/env bash
# Set up and run the control plane on the embedded defaults: SQLite under var/, the local stack
# (Kafka broker + Kafka Connect + Redis if none runs), a Celery worker and beat, and the web server
# on 127.0.0.1:8000. Ctrl-C stops the web server, the worker and beat; `make stack-down` stops the stack.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-controlplane.settings.local}
PY=.venv/bin/python
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}

$PY manage.py migrate --noinput
$PY manage.py devstack up
$PY manage.py demo_setup --host "$HOST:$PORT"

mkdir -p var/log
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
.venv/bin/celery -A controlplane worker --loglevel INFO --concurrency 2 >var/log/celery-worker.log 2>&1 &
pids+=($!)
.venv/bin/celery -A controlplane beat --loglevel INFO --schedule var/celerybeat-schedule >var/log/celery-beat.log 2>&1 &
pids+=($!)
echo "Celery worker and beat running (logs in var/log/). Web server on http://$HOST:$PORT/ (Ctrl-C to stop)."
$PY manage.py runserver --noreload "$HOST:$PORT"
