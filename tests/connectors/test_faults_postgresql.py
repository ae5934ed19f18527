"""PostgreSQL restarted while connectors are being provisioned.

The product runs in processes of its own, as it is deployed, on a PostgreSQL cluster of this
module's own (the machine's shared one on 5432 is never restarted): gunicorn, a Celery worker and
beat on a Redis of their own, production's persistent database connections (DATABASE_CONN_MAX_AGE
60), and the session's real Kafka Connect worker. The test speaks HTTP to the API like a user and
reads the database and Connect directly, independent of the code under test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from connectors.connect import ConnectEndpoint, connect_client
from tests.conftest import forget_on_connect, wait_for
from tests.loopback import LoopbackServer
from tests.product import DemoApi
from tests.system import PrivatePostgres, free_ports, frozen, process_group_start, process_groups_stop

pytestmark = pytest.mark.connect

CONNECTORS = 8
DOWN_SECONDS = 5  # longer than a sweep interval: the beat's sweeps meet the outage too
SWEEP_INTERVAL = 3
GUNICORN_WORKERS = 2
# Well before a claim goes stale (CELERY_TASK_TIME_LIMIT + 30 s, production's 180 + 30 here): what
# recovers must do so because the product copes with the restart, not because the reconciler took over
# a dead operation.
RECOVERY_TIMEOUT = 120


class Product(DemoApi):
    """The control plane in its own processes, on the private PostgreSQL."""

    def __init__(
        self, *, root: Path, env: dict[str, str], web_port: int, postgres: PrivatePostgres, connect_url: str
    ) -> None:
        super().__init__(var_dir=root / "var", web_port=web_port, timeout=30)
        self.root, self.env, self.postgres = root, env, postgres
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        self.connect = connect_client(
            ConnectEndpoint(flavour="self_managed", url=connect_url, timeout=10, max_retries=1)
        )
        self.created: list[str] = []  # names the API accepted, to be deleted from the shared Connect worker

    def start(self, name: str, *command: str) -> None:
        self.logs[name] = self.root / f"{name}.log"
        self.processes[name] = process_group_start(list(command), env=self.env, log_path=self.logs[name])

    def stop(self) -> None:
        process_groups_stop(self.processes.values())

    def log_tail(self, size: int = 3000) -> str:
        return "\n".join(f"--- {name}\n{path.read_text(errors='replace')[-size:]}" for name, path in self.logs.items())

    def sql(self, query: str, *params) -> list[tuple]:
        with psycopg.connect(self.postgres.url("controlplane"), connect_timeout=5) as connection:
            return connection.execute(query, params).fetchall()


def _manage(env: dict[str, str], *args: str) -> None:
    result = subprocess.run([sys.executable, "manage.py", *args], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def postgres():
    server = PrivatePostgres(port=free_ports(1)[0])
    try:
        server.init()
        server.start()
        with psycopg.connect(server.url("postgres"), autocommit=True) as admin:
            admin.execute("CREATE DATABASE controlplane")
        yield server
    finally:
        server.destroy()


@pytest.fixture(scope="module")
def platform_webhook():
    with LoopbackServer(lambda seen: (204, None, {})) as server:
        yield server


@pytest.fixture(scope="module")
def product(local_stack, postgres, platform_webhook, tmp_path_factory):
    redis_server = shutil.which("redis-server")
    assert redis_server, "redis-server is not installed: run scripts/setup.sh"
    root = tmp_path_factory.mktemp("postgres-restart")
    web_port, redis_port = free_ports(2)
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "controlplane.settings.test",
        "DATABASE_URL": postgres.url("controlplane"),
        "DATABASE_CONN_MAX_AGE": "60",  # production's default: connections outlive requests
        "CONTROLPLANE_VAR_DIR": str(root / "var"),
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "RECONCILE_INTERVAL_SECONDS": str(SWEEP_INTERVAL),
        "CELERY_TASK_TIME_LIMIT": "180",
        "CELERY_TASK_SOFT_TIME_LIMIT": "120",
        "ALERT_WEBHOOK_URL": f"{platform_webhook.url}/platform",
        "CONNECT_MAX_RETRIES": "1",
        "CONNECT_RETRY_BACKOFF_SECONDS": "0.2",
    }
    product = Product(
        root=root, env=env, web_port=web_port, postgres=postgres, connect_url=local_stack.config.connect_url
    )
    try:
        product.start("redis", redis_server, "--port", str(redis_port), "--save", "", "--appendonly", "no")
        _manage(env, "migrate", "--noinput")
        # Tenant sales, the shared cluster local on the session's stack, a developer API key.
        _manage(env, "demo_setup", "--host", f"127.0.0.1:{web_port}")
        product.use_demo_key()
        product.start(
            "web",
            *(sys.executable, "-m", "gunicorn", "controlplane.wsgi:application"),
            *("--bind", f"127.0.0.1:{web_port}", "--workers", str(GUNICORN_WORKERS)),
        )
        product.start(
            "worker",
            *(sys.executable, "-m", "celery", "-A", "controlplane", "worker", "--loglevel", "INFO"),
            *("--concurrency", "2", "--without-gossip", "--without-mingle"),
            *("-n", f"pgrestart-{uuid.uuid4().hex[:6]}@%h"),
        )
        product.start(
            "beat",
            *(sys.executable, "-m", "celery", "-A", "controlplane", "beat", "--loglevel", "INFO"),
            *("--schedule", str(root / "celerybeat-schedule")),
        )
        wait_for(lambda: b"ready" in product.logs["worker"].read_bytes(), timeout=60, message="the Celery worker")
        wait_for(product.answers, timeout=60, message="the web server")
        yield product
    finally:
        product.stop()
        forget_on_connect(product.connect, product.created)  # the session's Connect worker is shared


def _settled(product: Product, names: list[str]) -> bool:
    try:
        rows = product.sql("SELECT state, operation FROM connectors_connector WHERE name = ANY(%s)", names)
    except psycopg.OperationalError:
        return False
    return len(rows) == len(names) and all(row == ("RUNNING", "") for row in rows)


def _story(product: Product, names: list[str]) -> str:
    rows = product.sql(
        "SELECT c.name, c.state, c.operation, e.to_state, e.actor, e.reason, e.created_at "
        "FROM connectors_connector c LEFT JOIN connectors_connectorevent e ON e.connector_id = c.id "
        "WHERE c.name = ANY(%s) ORDER BY c.name, e.created_at, e.id",
        names,
    )
    return "\n".join(map(str, rows)) + "\n" + product.log_tail()


def test_a_postgresql_restart_during_provisioning_loses_nothing(product, postgres, platform_webhook):
    run = uuid.uuid4().hex[:6]
    with frozen(product.processes["worker"]):  # every create is queued before provisioning starts
        answers = [product.create_file_source(f"pg{run}{index}") for index in range(CONNECTORS)]
    assert [answer.status_code for answer in answers] == [202] * CONNECTORS, [answer.text for answer in answers]
    names = [answer.json()["name"] for answer in answers]
    product.created += names
    wait_for(
        lambda: product.sql("SELECT 1 FROM connectors_connector WHERE state <> 'REQUESTED'"),
        timeout=30,
        interval=0.05,
        message="the worker to start provisioning",
    )

    stopped_at = datetime.now(UTC)
    postgres.stop()  # every session of the web server and the worker is ended, mid-provisioning
    time.sleep(DOWN_SECONDS)
    postgres.start()

    # The API answers at once: no request fails on a connection the restart broke.
    after = [product.request("GET", "/connectors/?limit=50") for _ in range(3 * GUNICORN_WORKERS)]
    assert [answer.status_code for answer in after] == [200] * len(after), [answer.text[:200] for answer in after]

    try:
        wait_for(lambda: _settled(product, names), timeout=RECOVERY_TIMEOUT, message="every connector RUNNING")
    except pytest.fail.Exception:
        pytest.fail(f"not every connector recovered:\n{_story(product, names)}")

    # The restart came during provisioning: some connectors were still on their way when it stopped.
    reached = dict(
        product.sql(
            "SELECT c.name, e.created_at FROM connectors_connectorevent e JOIN connectors_connector c "
            "ON c.id = e.connector_id WHERE c.name = ANY(%s) AND e.to_state = 'RUNNING'",
            names,
        )
    )
    assert any(reached[name] > stopped_at for name in names), f"all ran before the restart:\n{_story(product, names)}"

    # None lost, none twice: in the database ...
    stored = Counter(name for (name,) in product.sql("SELECT name FROM connectors_connector"))
    assert stored == Counter(names)
    for name in names:
        events = product.sql(
            "SELECT e.to_state FROM connectors_connectorevent e JOIN connectors_connector c ON c.id = e.connector_id "
            "WHERE c.name = %s ORDER BY e.created_at, e.id",
            name,
        )
        assert [state for (state,) in events] == ["REQUESTED", "PROVISIONING", "RUNNING"], _story(product, [name])
    # ... and on Connect, each with its one task running.
    ours = sorted(
        name for name in product.connect.list_connectors() if name.startswith(f"edh-shared-sales-dev-pg{run}")
    )
    assert ours == sorted(names)
    for name in names:
        status = product.connect.status(name)
        assert status["connector"]["state"] == "RUNNING"
        assert [task["state"] for task in status["tasks"]] == ["RUNNING"]

    # At most one alert per connector and condition, in the database and at the platform's webhook.
    repeated = product.sql(
        "SELECT connector_id, cluster_id, condition, count(*) FROM monitoring_alert "
        "GROUP BY connector_id, cluster_id, condition HAVING count(*) > 1"
    )
    assert repeated == []
    notified = Counter(
        (seen.body["connector"], seen.body["cluster"], seen.body["condition"])
        for seen in platform_webhook.seen
        if seen.body and seen.body.get("kind") == "alert"
    )
    assert all(count == 1 for count in notified.values()), notified
