#!/usr/bin/env bash
# Install (apt, as root) and start the real services the suite needs when they are absent or
# stopped: PostgreSQL (wal_level=logical for the CDC tests), Redis and a private MariaDB (binary log in
# ROW format for the MySQL CDC tests). Nothing here is assumed
# to be running already; a second run changes nothing.
set -euo pipefail
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
export PGPASSWORD=${PGPASSWORD:-postgres}
REDIS_PORT=${REDIS_PORT:-6379}

apt_install() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "test-services: please install: $*" >&2
    exit 1
  fi
  echo "test-services: installing $*"
  [ -n "${_apt_updated:-}" ] || { apt-get update -qq; _apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

as_postgres() { runuser -u postgres -- "$@"; }

pg_answers() { pg_isready -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null; }

wait_pg() {
  for _ in $(seq 1 60); do pg_answers && return 0; sleep 0.5; done
  echo "test-services: PostgreSQL is not reachable at $PGHOST:$PGPORT" >&2
  exit 1
}

# --- PostgreSQL --------------------------------------------------------------------------------
# The server's binaries are needed even when PostgreSQL runs elsewhere: a fault test runs a cluster of its own.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql
local_pg=false
case "$PGHOST" in 127.0.0.1 | localhost) local_pg=true ;; esac
if $local_pg && ! pg_answers; then
  ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || apt_install postgresql
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
  if [ -z "$version" ]; then
    version=$(ls /usr/lib/postgresql | sort -V | tail -1)
    pg_createcluster "$version" main >/dev/null
  fi
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_pg
fi
wait_pg

if $local_pg && [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1; then
  # Debian's postgres role has no password (peer authentication only); the suite connects over
  # loopback TCP, as Connect's JDBC and CDC connectors do, so give it the one in PGPASSWORD.
  # A role that already has a password is left as it is.
  has_password=$(as_postgres psql -p "$PGPORT" -tAc "SELECT rolpassword IS NOT NULL FROM pg_authid WHERE rolname = 'postgres'")
  if [ "$has_password" != "t" ]; then
    as_postgres psql -p "$PGPORT" -qc "ALTER ROLE postgres PASSWORD '$PGPASSWORD'"
  fi
fi

pg_setting() { psql -h "$PGHOST" -p "$PGPORT" -U postgres -tAc "SHOW $1"; }
pg_set() { psql -h "$PGHOST" -p "$PGPORT" -U postgres -qc "ALTER SYSTEM SET $1 = $2"; }
restart_pg=false
if [ "$(pg_setting wal_level)" != "logical" ]; then
  echo "test-services: enabling wal_level=logical on PostgreSQL (CDC tests need it)"
  pg_set wal_level logical
  pg_set max_replication_slots 20
  pg_set max_wal_senders 20
  restart_pg=true
fi
# The suite's real processes (Celery workers, live servers, Connect's JDBC and CDC tasks) hold many
# connections at once; Debian's default of 100 is too tight for 50 parallel creates.
if [ "$(pg_setting max_connections)" -lt 300 ]; then
  echo "test-services: raising PostgreSQL's max_connections to 300"
  pg_set max_connections 300
  restart_pg=true
fi
if $restart_pg; then
  version=$(ls /etc/postgresql | sort -V | tail -1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main restart
  wait_pg
fi

# --- Redis -------------------------------------------------------------------------------------
if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --logfile /tmp/controlplane-test-redis.log
  for _ in $(seq 1 40); do redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.25; done
fi
redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null || { echo "test-services: Redis is not answering on $REDIS_PORT" >&2; exit 1; }

# --- MariaDB (the MySQL CDC tests) -------------------------------------------------------------
# A private instance of this checkout under var/mariadb on its own port: it touches no system-wide
# service or data directory. Debezium reads its binary log, so it runs with log_bin, binlog_format=ROW,
# binlog_row_image=FULL and a server id. The suite logs in as MARIADB_USER over loopback TCP.
MARIADB_PORT=${MARIADB_PORT:-3307}
MARIADB_USER=${MARIADB_USER:-controlplane_test}
MARIADB_PASSWORD=${MARIADB_PASSWORD:-controlplane_test}
MARIADB_DIR=${MARIADB_DIR:-$PWD/var/mariadb}
mariadb_answers() {
  mariadb --no-defaults -h 127.0.0.1 -P "$MARIADB_PORT" -u "$MARIADB_USER" -p"$MARIADB_PASSWORD" -e 'SELECT 1' >/dev/null 2>&1
}
if ! mariadb_answers; then
  { [ -x /usr/sbin/mariadbd ] && command -v mariadb >/dev/null 2>&1; } || apt_install mariadb-server-core mariadb-client-core
  mkdir -p "$MARIADB_DIR"
  if [ ! -d "$MARIADB_DIR/data/mysql" ]; then
    mariadb-install-db --no-defaults --datadir="$MARIADB_DIR/data" --user="$(id -un)" \
      --auth-root-authentication-method=socket >"$MARIADB_DIR/install.log" 2>&1
  fi
  if [ -S "$MARIADB_DIR/mariadb.sock" ] && ! mariadb --no-defaults -S "$MARIADB_DIR/mariadb.sock" -u root -e 'SELECT 1' >/dev/null 2>&1; then
    rm -f "$MARIADB_DIR/mariadb.sock"  # left by an instance that is gone
  fi
  if [ ! -S "$MARIADB_DIR/mariadb.sock" ]; then
    setsid /usr/sbin/mariadbd --no-defaults --datadir="$MARIADB_DIR/data" --user="$(id -un)" \
      --port="$MARIADB_PORT" --bind-address=127.0.0.1 --socket="$MARIADB_DIR/mariadb.sock" \
      --pid-file="$MARIADB_DIR/mariadb.pid" --log-error="$MARIADB_DIR/mariadb.log" \
      --server-id=1 --log-bin=mysql-bin --binlog-format=ROW --binlog-row-image=FULL --log-bin-compress=0 \
      </dev/null >/dev/null 2>&1 &
  fi
  for _ in $(seq 1 60); do
    mariadb --no-defaults -S "$MARIADB_DIR/mariadb.sock" -u root -e 'SELECT 1' >/dev/null 2>&1 && break
    sleep 0.5
  done
  mariadb --no-defaults -S "$MARIADB_DIR/mariadb.sock" -u root <<SQL
CREATE USER IF NOT EXISTS '$MARIADB_USER'@'127.0.0.1' IDENTIFIED BY '$MARIADB_PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO '$MARIADB_USER'@'127.0.0.1' WITH GRANT OPTION;
SQL
fi
mariadb_answers || { echo "test-services: MariaDB is not answering on $MARIADB_PORT (see $MARIADB_DIR/mariadb.log)" >&2; exit 1; }
