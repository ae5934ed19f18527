"""Failure-detection latency: from a task failing on Kafka Connect to the alert arriving at a webhook.

A File Sink on the local stack (auto-restart off, so the first failure alerts) has its output file
replaced by a directory and its task restarted on Connect: the task fails at once. The script polls
Connect every 50 ms to date the failure, and a webhook receiver on loopback dates the alert. The
product runs as in production: a Celery worker and Celery beat (its health sweep every
HEALTH_SWEEP_INTERVAL_SECONDS, default 10) with ALERT_WEBHOOK_URL pointing at the receiver.

    .venv/bin/python bench/failure_detection.py            # 5 failures
    .venv/bin/python bench/failure_detection.py --rounds 10

Target: under two sweep intervals. The database (BENCH_DATABASE_URL, default …/controlplane_bench) is
created for the run and dropped at its end; the local stack is started if it is not running.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.connector_list import DEFAULT_DATABASE_URL, recreate_database  # noqa: E402
from bench.provisioning_overhead import create_world, setup, wait  # noqa: E402


class Receiver(ThreadingHTTPServer):
    def __init__(self):
        self.arrivals: list[tuple[float, dict]] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(handler):  # noqa: N802 - http.server's name
                body = json.loads(handler.rfile.read(int(handler.headers["Content-Length"])) or b"{}")
                self.arrivals.append((time.perf_counter(), body))
                handler.send_response(204)
                handler.end_headers()

            def log_message(handler, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/alerts"


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)


def one_failure(client, connect, receiver: Receiver, sandbox: Path, index: int, interval: float) -> float:
    """Seconds from the sink's task failing on Connect to its alert at the receiver."""
    output = sandbox / f"detect-{index}.txt"
    body = {
        "type": "file-sink",
        "cluster": "local",
        "stage": "dev",
        "id": f"detect-{uuid.uuid4().hex[:6]}",
        "config": {"file": str(output)},
        "topics": [f"sales.detect{index}"],
        "create_topics": True,
    }
    created = client.post("/api/v1/connectors/", body, format="json")
    assert created.status_code == 202, created.content
    name = created.json()["name"]
    wait(lambda: client.get(f"/api/v1/connectors/{name}/").json()["state"] == "RUNNING", f"{name} RUNNING")
    changed = client.patch(f"/api/v1/connectors/{name}/monitoring", {"auto_restart": False}, format="json")
    assert changed.status_code == 200, changed.content
    seen = len(receiver.arrivals)
    if output.exists():
        output.unlink()
    output.mkdir()  # nobody, root included, can open a directory for writing
    connect.restart_task(name, 0)
    wait(lambda: connect.status(name)["tasks"][0]["state"] == "FAILED", f"{name}'s task FAILED on Connect")
    failed_at = time.perf_counter()
    deadline = time.monotonic() + 6 * interval
    while True:
        arrivals = [at for at, alert in receiver.arrivals[seen:] if alert.get("connector") == name]
        if arrivals:
            break
        if time.monotonic() > deadline:
            raise SystemExit(f"no alert for {name} within {6 * interval:.0f} s")
        time.sleep(0.05)
    shutil.rmtree(output)
    client.delete(f"/api/v1/connectors/{name}/")
    return arrivals[0] - failed_at


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    receiver = Receiver()
    os.environ["ALERT_WEBHOOK_URL"] = receiver.url

    recreate_database(url)
    setup(url)
    from django.conf import settings
    from django.db import connections

    from connectors.clusters import cluster_connect_endpoint
    from connectors.connect import connect_client
    from devstack.stack import LocalStack, StackConfig

    stack = LocalStack(StackConfig.from_settings())
    was_running = stack.connect.is_running() and stack.broker.is_running()
    stack.up(timeout=240)
    client, cluster, source_file = create_world(stack)
    connect = connect_client(cluster_connect_endpoint(cluster=cluster))
    interval = settings.HEALTH_SWEEP_INTERVAL_SECONDS
    env = {**os.environ, "DATABASE_URL": url}
    run_dir = Path(stack.config.run_dir)
    celery = [sys.executable, "-m", "celery", "-A", "controlplane"]
    worker = start(
        [*celery, "worker", "--concurrency", "2", "-n", f"detect-{uuid.uuid4().hex[:6]}@%h"],
        env,
        run_dir / "bench-detect-worker.log",
    )
    beat = start(
        [*celery, "beat", "--schedule", str(run_dir / "bench-detect-beat")], env, run_dir / "bench-detect-beat.log"
    )
    latencies = []
    try:
        time.sleep(3)
        for index in range(rounds):
            latencies.append(one_failure(client, connect, receiver, source_file.parent, index, interval))
    finally:
        for process in (beat, worker):
            process.terminate()
            process.wait(timeout=30)
        connections.close_all()
        recreate_database(url, create=False)
        if not was_running:
            stack.down()
        receiver.shutdown()

    print(f"task FAILED on Connect -> alert at a loopback webhook, {rounds} failures, sweep every {interval:.0f} s")
    print(f"median {statistics.median(latencies):.2f} s, min {min(latencies):.2f} s, max {max(latencies):.2f} s")
    verdict = "met" if max(latencies) < 2 * interval else "NOT met"
    print(f"target: under two sweep intervals ({2 * interval:.0f} s): {verdict}")
    print("Reproduce with:")
    print(f"  cd {shlex.quote(str(ROOT))} && .venv/bin/python bench/failure_detection.py --rounds {rounds}")


if __name__ == "__main__":
    main()
