"""What the control plane adds to provisioning: POST → RUNNING through the API against a direct PUT → RUNNING.

The same FileStreamSource config, on the same local Kafka Connect worker, in interleaved pairs (direct,
then through the control plane, then direct again...) so both see the same machine. Each side is
polled every POLL_SECONDS: the direct side asks Connect's status until the connector and its task are
RUNNING; the control-plane side asks `GET /api/v1/connectors/{name}/` (in-process DRF client, a real
Celery worker on Redis doing the work) until its state is RUNNING. Each connector is deleted after.

    .venv/bin/python bench/provisioning_overhead.py          # 10 pairs, 3 s of quiet before each run
    .venv/bin/python bench/provisioning_overhead.py --pairs 20
    .venv/bin/python bench/provisioning_overhead.py --quiet 0   # back to back: each PUT waits for a rebalance

The database (BENCH_DATABASE_URL, default postgres://postgres:postgres@127.0.0.1:5432/controlplane_bench)
is created for the run and dropped at its end; the local stack (`manage.py devstack up`) is started
if it is not running and left as it was found.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.connector_list import DEFAULT_DATABASE_URL, recreate_database  # noqa: E402

POLL_SECONDS = 0.05
# Deleting a connector makes the Connect group rebalance, about a second on this worker, and a PUT made
# meanwhile waits for the rebalance to end: without a pause each run would time the previous run's
# rebalance, whatever the control plane does before its PUT. 0 measures that back-to-back case.
QUIET_SECONDS = 3.0
TIMEOUT_SECONDS = 60
TOPIC = "sales.bench"


def setup(url: str):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "controlplane.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def start_worker(url: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"]}
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "controlplane", "worker", "--loglevel", "WARNING"]
        + ["--concurrency", "2", "--without-gossip", "--without-mingle", "-n", f"bench-{uuid.uuid4().hex[:6]}@%h"],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    time.sleep(3)  # the first task is timed too: give the worker time to connect to Redis
    return process


def create_world(stack):
    from django.conf import settings
    from rest_framework.test import APIClient

    from tenants.models import Cluster, LandingZone, Role, Tenant, TopicPrefix
    from tenants.services import api_key_create

    zone = LandingZone.objects.create(slug="edh-shared")
    tenant = Tenant.objects.create(slug="sales", name="sales")
    TopicPrefix.objects.create(tenant=tenant, prefix="sales.")
    cluster = Cluster.objects.create(
        name="local",
        kind=Cluster.Kind.SHARED,
        landing_zone=zone,
        bootstrap_servers=stack.config.bootstrap_servers,
        connect_url=stack.config.connect_url,
        dlq_replication_factor=1,
        worker_files_enabled=True,
    )
    cluster.allowed_tenants.add(tenant)
    _, raw_key = api_key_create(tenant=tenant, name="bench", role=Role.DEVELOPER)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    sandbox = Path(settings.CONNECTOR_FILE_SANDBOX_ROOT) / tenant.slug
    sandbox.mkdir(parents=True, exist_ok=True)
    source_file = sandbox / "bench.txt"
    source_file.write_text("one\ntwo\nthree\n")
    return client, cluster, source_file


def ensure_topic(bootstrap_servers: str) -> None:
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": bootstrap_servers})
    if TOPIC not in admin.list_topics(timeout=10).topics:
        admin.create_topics([NewTopic(TOPIC, num_partitions=1, replication_factor=1)])[TOPIC].result(timeout=10)


def wait(predicate, what: str) -> None:
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(POLL_SECONDS)


def direct_run(connect, source_file: Path) -> float:
    """PUT the config straight to Connect, until the connector and its task are RUNNING."""
    from connectors.connect import ConnectorNotFound

    name = f"direct-{uuid.uuid4().hex[:8]}-connector"
    config = {
        "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
        "file": str(source_file),
        "topic": TOPIC,
        "tasks.max": "1",
    }

    def running() -> bool:
        try:
            status = connect.status(name)
        except ConnectorNotFound:
            return False
        tasks = status.get("tasks") or []
        return status["connector"]["state"] == "RUNNING" and bool(tasks) and all(t["state"] == "RUNNING" for t in tasks)

    started = time.perf_counter()
    connect.put_config(name, config)
    wait(running, f"{name} RUNNING")
    elapsed = time.perf_counter() - started
    connect.delete(name)
    return elapsed


def control_plane_run(client, source_file: Path) -> tuple[float, float]:
    """POST through the API, until the API says RUNNING; (seconds to RUNNING, seconds to the 202)."""
    connector_id = f"bench-{uuid.uuid4().hex[:8]}"
    body = {
        "type": "file-source",
        "cluster": "local",
        "stage": "dev",
        "id": connector_id,
        "config": {"file": str(source_file)},
        "topics": [TOPIC],
    }
    started = time.perf_counter()
    response = client.post("/api/v1/connectors/", body, format="json")
    accepted = time.perf_counter() - started
    assert response.status_code == 202, response.content
    name = response.json()["name"]
    wait(lambda: client.get(f"/api/v1/connectors/{name}/").json()["state"] == "RUNNING", f"{name} RUNNING")
    elapsed = time.perf_counter() - started
    assert client.delete(f"/api/v1/connectors/{name}/").status_code == 202
    wait(lambda: client.get(f"/api/v1/connectors/{name}/").json()["state"] == "DELETED", f"{name} DELETED")
    return elapsed, accepted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=10)
    parser.add_argument(
        "--quiet",
        type=float,
        default=QUIET_SECONDS,
        help="seconds to wait before each run, for the previous run's delete and its rebalance to finish",
    )
    arguments = parser.parse_args()
    pairs, quiet = arguments.pairs, arguments.quiet
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)

    recreate_database(url)
    setup(url)
    from django.db import connections

    from connectors.clusters import cluster_connect_endpoint
    from connectors.connect import connect_client
    from devstack.stack import LocalStack, StackConfig

    stack = LocalStack(StackConfig.from_settings())
    was_running = stack.connect.is_running() and stack.broker.is_running()
    stack.up(timeout=240)
    worker = start_worker(url, Path(stack.config.run_dir) / "bench-worker.log")
    try:
        client, cluster, source_file = create_world(stack)
        ensure_topic(stack.config.bootstrap_servers)
        connect = connect_client(cluster_connect_endpoint(cluster=cluster))
        direct_run(connect, source_file)  # warm-up: class loading on the worker, first connections
        control_plane_run(client, source_file)
        direct, through, accepted = [], [], []
        for _ in range(pairs):
            time.sleep(quiet)
            direct.append(direct_run(connect, source_file))
            time.sleep(quiet)
            elapsed, accept = control_plane_run(client, source_file)
            through.append(elapsed)
            accepted.append(accept)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        connections.close_all()
        recreate_database(url, create=False)
        if not was_running:
            stack.down()

    d, c = statistics.median(direct), statistics.median(through)
    print(
        f"FileStreamSource to RUNNING, {pairs} interleaved pairs, polled every {POLL_SECONDS * 1000:.0f} ms, "
        f"{quiet:g} s of quiet before each run"
    )
    print(f"{'':>28} {'median s':>9} {'min s':>7} {'max s':>7}")
    print(f"{'direct PUT /connectors/../config':>28} {d:>9.3f} {min(direct):>7.3f} {max(direct):>7.3f}")
    print(f"{'POST /api/v1/connectors/':>28} {c:>9.3f} {min(through):>7.3f} {max(through):>7.3f}")
    print(f"{'  of which the 202':>28} {statistics.median(accepted):>9.3f}")
    print(f"ratio {c / d:.2f}x, added {c - d:.3f} s at the median")
    print("Reproduce with:")
    command = f".venv/bin/python bench/provisioning_overhead.py --pairs {pairs} --quiet {quiet:g}"
    print(f"  cd {shlex.quote(str(ROOT))} && {command}")


if __name__ == "__main__":
    main()
