"""The embedded default (SQLite) holds a small team's concurrent use.

Everything runs as `make run` runs it, in processes of its own: a fresh SQLite file migrated and set
up by `demo_setup`, Django's threaded web server, a Celery worker (and beat, whose reconcile passes
write too) on a Redis of their own, and the real local Kafka Connect worker. Parallel writers all
succeed or get a clean JSON 409; no request or task fails with "database is locked".
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.conftest import wait_for
from tests.product import DemoApi
from tests.system import free_ports, frozen

pytestmark = pytest.mark.connect

WRITERS = 8
LOCK_ERRORS = ("database is locked", "database table is locked", "OperationalError")


class EmbeddedDefault(DemoApi):
    """The product on SQLite, reached over HTTP like a team would."""

    def __init__(self, root: Path, env: dict[str, str], web_port: int) -> None:
        super().__init__(var_dir=root / "var", web_port=web_port)
        self.root = root
        self.env = env
        self.use_demo_key()
        self.logs: dict[str, Path] = {}

    def wait_until(self, name: str, state: str, timeout: float = 90) -> dict:
        def settled():
            body = self.request("GET", f"/connectors/{name}/").json()
            return body if body["state"] == state and not body["operation_in_flight"] else None

        return wait_for(settled, timeout=timeout, interval=0.5, message=f"{name} to be {state}")

    def log_text(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in self.logs.values())


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], env=env, check=True, capture_output=True, timeout=180)


def _start(env, log: Path, *command: str) -> subprocess.Popen:
    return subprocess.Popen(
        list(command), env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )


@pytest.fixture(scope="module")
def embedded(local_stack, tmp_path_factory):
    # Debian's redis-server (scripts/setup.sh installs it), as the local stack itself uses where none runs.
    redis_server = shutil.which("redis-server")
    assert redis_server, "redis-server is not installed: run scripts/setup.sh"
    root = tmp_path_factory.mktemp("embedded")
    web_port, redis_port = free_ports(2)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "controlplane.settings.test",
        "DATABASE_URL": f"sqlite:///{root / 'controlplane.sqlite3'}",
        "CONTROLPLANE_VAR_DIR": str(root / "var"),
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "RECONCILE_INTERVAL_SECONDS": "2",
        "CONNECT_MAX_RETRIES": "1",
        "CONNECT_RETRY_BACKOFF_SECONDS": "0.2",
    }
    processes: list[subprocess.Popen] = []
    logs = {name: root / f"{name}.log" for name in ("redis", "web", "worker", "beat")}
    try:
        processes.append(
            _start(
                env,
                logs["redis"],
                redis_server,
                "--port",
                str(redis_port),
                "--save",
                "",
                "--appendonly",
                "no",
            )
        )
        _manage(env, "migrate", "--noinput")
        _manage(env, "demo_setup", "--host", f"127.0.0.1:{web_port}")
        processes.append(
            _start(env, logs["web"], sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{web_port}")
        )
        processes.append(
            _start(
                env,
                logs["worker"],
                *(sys.executable, "-m", "celery", "-A", "controlplane", "worker", "--loglevel", "INFO"),
                *(
                    "--concurrency",
                    "2",
                    "--without-gossip",
                    "--without-mingle",
                    "-n",
                    f"sqlite-{uuid.uuid4().hex[:6]}@%h",
                ),
            )
        )
        processes.append(
            _start(
                env,
                logs["beat"],
                *(sys.executable, "-m", "celery", "-A", "controlplane", "beat", "--loglevel", "INFO"),
                *("--schedule", str(root / "celerybeat-schedule")),
            )
        )
        wait_for(lambda: b"ready" in logs["worker"].read_bytes(), timeout=60, message="the Celery worker")
        product = EmbeddedDefault(root, env, web_port)
        product.worker = processes[2]
        product.logs = {name: path for name, path in logs.items() if name != "redis"}
        wait_for(product.answers, timeout=60, message="the web server")
        yield product
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _in_parallel(calls) -> list[requests.Response]:
    """Start every call at the same instant (a barrier), return their responses in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_eight_parallel_writers_on_different_connectors_all_succeed(embedded):
    ids = [f"w{index}-{uuid.uuid4().hex[:6]}" for index in range(WRITERS)]

    created = _in_parallel(
        [lambda connector_id=connector_id: embedded.create_file_source(connector_id) for connector_id in ids]
    )
    assert [response.status_code for response in created] == [202] * WRITERS, [r.text for r in created]
    names = [response.json()["name"] for response in created]
    for name in names:
        embedded.wait_until(name, "RUNNING")

    patched = _in_parallel(
        [lambda name=name: embedded.request("PATCH", f"/connectors/{name}/", json={"tasks_max": 1}) for name in names]
    )
    assert [response.status_code for response in patched] == [202] * WRITERS, [r.text for r in patched]
    for name in names:
        embedded.wait_until(name, "RUNNING")

    deleted = _in_parallel([lambda name=name: embedded.request("DELETE", f"/connectors/{name}/") for name in names])
    assert [response.status_code for response in deleted] == [202] * WRITERS, [r.text for r in deleted]
    for name in names:
        embedded.wait_until(name, "DELETED")
    assert not [error for error in LOCK_ERRORS if error in embedded.log_text()]


def test_pause_and_delete_of_one_connector_at_once_have_exactly_one_winner(embedded):
    for _ in range(3):
        created = embedded.create_file_source(f"race-{uuid.uuid4().hex[:6]}")
        assert created.status_code == 202, created.text
        name = created.json()["name"]
        embedded.wait_until(name, "RUNNING")

        # The worker is frozen while both requests are answered, so the winner's operation is still in
        # flight however slowly the loaded machine schedules the two: the race is between the requests.
        with frozen(embedded.worker):
            pause, delete = _in_parallel(
                [
                    lambda name=name: embedded.request("POST", f"/connectors/{name}/pause"),
                    lambda name=name: embedded.request("DELETE", f"/connectors/{name}/"),
                ]
            )

        assert sorted([pause.status_code, delete.status_code]) == [202, 409], (pause.text, delete.text)
        loser = pause if pause.status_code == 409 else delete
        assert loser.headers["Content-Type"].startswith("application/json")
        assert loser.json()["code"] in {"operation_in_flight", "illegal_transition"}
        if delete.status_code == 202:
            embedded.wait_until(name, "DELETED")
        else:
            embedded.wait_until(name, "PAUSED")
    assert not [error for error in LOCK_ERRORS if error in embedded.log_text()]
