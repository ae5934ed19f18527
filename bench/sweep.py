"""Control-plane time of one health sweep of a cluster with N connectors, and the Connect calls it makes.

For each size N the script fills a throwaway database with N file-source connectors on one cluster
whose Connect REST API is a loopback HTTP server answering the bulk
`GET /connectors?expand=status&expand=info` with N entries (all RUNNING, live config equal to the
desired one: the steady state), then times the sweep (`monitoring.services.sweep.sweep_cluster`):
the bulk call, the reconciler's pass (state, drift against the rendered desired config), Connect's
task states, the auto-restart policy; wall time and this process's CPU time (the loopback server's
thread only writes a prepared answer). It counts the requests the server received and the SQL
queries. The first sweep also creates the per-connector health rows; the steady figure is the
median of the next ones. Sink lag (Kafka, not Connect) is not part of it.

    .venv/bin/python bench/sweep.py              # sizes 100 1000 10000
    .venv/bin/python bench/sweep.py 500

The database (BENCH_DATABASE_URL, default postgres://postgres:postgres@127.0.0.1:5432/controlplane_bench) is
created for the run and dropped at its end; its name must end in "_bench".
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from connector_list import DEFAULT_DATABASE_URL, recreate_database, setup_django

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SIZES = (100, 1000, 10000)
STEADY_SWEEPS = 5


class BulkStatusServer:
    """Kafka Connect's bulk status endpoint on loopback, counting every request by path."""

    def __init__(self) -> None:
        self.body = b"{}"
        self.requests: Counter = Counter()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                server.requests[self.path] += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(server.body)))
                self.end_headers()
                self.wfile.write(server.body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}"

    def calls(self) -> int:
        return sum(self.requests.values())


def create_world(connect_url: str):
    from tenants.models import Cluster, LandingZone, Tenant, TopicPrefix

    zone = LandingZone.objects.create(slug="edh-shared")
    tenant = Tenant.objects.create(slug="sales", name="sales")
    TopicPrefix.objects.create(tenant=tenant, prefix="sales.")
    cluster = Cluster.objects.create(
        name="bench",
        kind=Cluster.Kind.SHARED,
        landing_zone=zone,
        bootstrap_servers="127.0.0.1:9",
        connect_url=connect_url,
    )
    cluster.allowed_tenants.add(tenant)
    return tenant, cluster


def fill(size: int, *, tenant, cluster, server: BulkStatusServer) -> None:
    """`size` RUNNING connectors, provisioned, and Connect's bulk answer for them."""
    from django.db import connection

    from connectors.models import Connector
    from connectors.selectors import connector_desired_config
    from monitoring.models import ConnectorHealth

    ConnectorHealth.objects.all().delete()
    Connector.objects.all().delete()
    Connector.objects.bulk_create(
        (
            Connector(
                tenant=tenant,
                cluster=cluster,
                type_key="file-source",
                stage=("dev", "qas", "run")[i % 3],
                connector_id=f"c{i}",
                name=f"edh-shared-sales-{('dev', 'qas', 'run')[i % 3]}-c{i}-connector",
                config={"file": f"/data/sales/c{i}.txt"},
                topics=[f"sales.c{i}"],
                state="RUNNING",
                applied_generation=1,
                created_by="bench",
            )
            for i in range(size)
        ),
        batch_size=2000,
    )
    live = {}
    for connector in Connector.objects.select_related("tenant", "cluster"):
        status = {
            "name": connector.name,
            "connector": {"state": "RUNNING", "worker_id": "127.0.0.1:8083"},
            "tasks": [{"id": 0, "state": "RUNNING", "worker_id": "127.0.0.1:8083"}],
            "type": "source",
        }
        info = {
            "name": connector.name,
            "config": connector_desired_config(connector=connector),
            "tasks": [],
            "type": "source",
        }
        live[connector.name] = {"status": status, "info": info}
    server.body = json.dumps(live).encode()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE connectors_connector")


def measure(cluster, server: BulkStatusServer) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from connectors.models import Connector, ConnectorEvent
    from monitoring.services.sweep import sweep_cluster

    events_before = ConnectorEvent.objects.count()
    timings, cpu, calls, queries = [], [], [], []
    for _ in range(1 + STEADY_SWEEPS):
        before = server.calls()
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            sweep_cluster(cluster=cluster)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        calls.append(server.calls() - before)
        queries.append(len(captured))
    assert ConnectorEvent.objects.count() == events_before, "the steady state must not transition anything"
    assert not Connector.objects.exclude(state="RUNNING").exists()
    return {
        "first_ms": timings[0],
        "steady_ms": statistics.median(timings[1:]),
        "max_ms": max(timings[1:]),
        "steady_cpu_ms": statistics.median(cpu[1:]),
        "max_cpu_ms": max(cpu[1:]),
        "calls": sorted(set(calls)),
        "first_queries": queries[0],
        "steady_queries": statistics.median(queries[1:]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=list(DEFAULT_SIZES), help="connectors per run")
    sizes = parser.parse_args().sizes
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)

    started = time.perf_counter()
    server = BulkStatusServer()
    recreate_database(url)
    setup_django(url)

    tenant, cluster = create_world(server.url)

    print(
        f"health sweep of one cluster: first sweep, then median and max of {STEADY_SWEEPS} steady sweeps "
        "(wall time; CPU: this process's, the control plane's, not PostgreSQL's)"
    )
    header = f"{'connectors':>10} {'first ms':>9} {'steady ms':>10} {'max ms':>8} {'steady CPU ms':>14}"
    print(f"{header} {'max CPU ms':>11} {'Connect calls/sweep':>20} {'SQL first':>10} {'SQL steady':>11}")
    for size in sizes:
        fill(size, tenant=tenant, cluster=cluster, server=server)
        result = measure(cluster, server)
        calls = ",".join(map(str, result["calls"]))
        print(
            f"{size:>10} {result['first_ms']:>9.0f} {result['steady_ms']:>10.0f} {result['max_ms']:>8.0f} "
            f"{result['steady_cpu_ms']:>14.0f} {result['max_cpu_ms']:>11.0f} {calls:>20} "
            f"{result['first_queries']:>10} {result['steady_queries']:>11.0f}"
        )
    print(f"Connect requests received: {dict(server.requests)}")

    from django.db import connections

    connections.close_all()
    recreate_database(url, create=False)
    print(f"\n{time.perf_counter() - started:.1f}s in all. Reproduce with:")
    env = f"BENCH_DATABASE_URL={shlex.quote(url)} " if url != DEFAULT_DATABASE_URL else ""
    print(f"  cd {shlex.quote(str(ROOT))} && {env}.venv/bin/python bench/sweep.py {' '.join(map(str, sizes))}")


if __name__ == "__main__":
    main()
