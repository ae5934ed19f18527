"""The API under load: gunicorn on PostgreSQL, 10,000 connectors across 50 tenants, wrk on loopback.

For each request kind (a list page of 50, one connector's detail, a create answered with its 202, a
validate) wrk runs CONNECTIONS connections for SECONDS seconds against gunicorn with the production
settings (the docker-compose.yml command: 3 sync workers), and reports requests/s and p50/p99 latency.
Create and validate ask the real local Kafka Connect worker to validate (layer e), as in production;
the creates' Celery work stays queued (no worker runs), so only the request path is measured.

    .venv/bin/python bench/api_load.py                        # 10,000 connectors, 50 tenants, 10 s each
    .venv/bin/python bench/api_load.py --connectors 1000 --seconds 5

Needs wrk (`apt-get install wrk`), the local stack (started if it is not running), PostgreSQL and Redis
as `make test` sets them up. The database (BENCH_DATABASE_URL, default …/controlplane_bench) is created
for the run and dropped at its end.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.connector_list import DEFAULT_DATABASE_URL, recreate_database  # noqa: E402

TENANTS = 50
CONNECTIONS = 8
THREADS = 2
GUNICORN_WORKERS = 3
TEST_KEYS = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="

# wrk scripts: a create needs a fresh id per request; validate may repeat one.
POST_SCRIPT = """
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {key}"
counter = 0
request = function()
  counter = counter + 1
  local id = string.format("{prefix}-%d-%d", tid, counter)
  return wrk.format(nil, nil, nil, string.format('{body}', id))
end
"""


def production_env(url: str, redis_url: str) -> dict[str, str]:
    # Not this process's settings: the test settings it set up with put DATABASE_CONN_MAX_AGE=0 (a new
    # PostgreSQL connection per request) in its environment; production keeps connections (60 s).
    inherited = {key: value for key, value in os.environ.items() if key != "DATABASE_CONN_MAX_AGE"}
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "controlplane.settings.production",
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "bench-" + "k" * 60,
        "CONNECTOR_ENCRYPTION_KEYS": TEST_KEYS,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
    }


def fill(connectors: int, stack) -> tuple[str, str, str]:
    """The tenants, one shared cluster on the local stack, the connectors; (API key, a connector name, sandbox file)."""
    from django.conf import settings
    from django.db import connection

    from connectors.models import Connector
    from tenants.models import Cluster, LandingZone, Role, Tenant, TopicPrefix
    from tenants.services import api_key_create

    zone = LandingZone.objects.create(slug="edh-shared")
    tenants = Tenant.objects.bulk_create(Tenant(slug=f"bu{i:02d}", name=f"bu{i:02d}") for i in range(TENANTS))
    TopicPrefix.objects.bulk_create(TopicPrefix(tenant=tenant, prefix=f"{tenant.slug}.") for tenant in tenants)
    cluster = Cluster.objects.create(
        name="local",
        kind=Cluster.Kind.SHARED,
        landing_zone=zone,
        bootstrap_servers=stack.config.bootstrap_servers,
        connect_url=stack.config.connect_url,
        dlq_replication_factor=1,
        worker_files_enabled=True,
    )
    cluster.allowed_tenants.add(*tenants)
    sandbox_root = Path(settings.CONNECTOR_FILE_SANDBOX_ROOT)
    stages = ("dev", "qas", "run")
    Connector.objects.bulk_create(
        (
            Connector(
                tenant=tenants[i % TENANTS],
                cluster=cluster,
                type_key="file-source",
                stage=stages[i % 3],
                connector_id=f"c{i}",
                name=f"edh-shared-{tenants[i % TENANTS].slug}-{stages[i % 3]}-c{i}-connector",
                config={"file": str(sandbox_root / tenants[i % TENANTS].slug / f"c{i}.txt")},
                topics=[f"{tenants[i % TENANTS].slug}.c{i}"],
                state=("RUNNING", "RUNNING", "PAUSED", "FAILED")[i % 4],
                created_by="bench",
            )
            for i in range(connectors)
        ),
        batch_size=2000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    caller = tenants[0]
    _, raw_key = api_key_create(tenant=caller, name="bench", role=Role.DEVELOPER)
    source = sandbox_root / caller.slug / "load.txt"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text("one\n")
    name = Connector.objects.filter(tenant=caller).order_by("pk").first().name
    return raw_key, name, str(source)


def wrk(url: str, *, seconds: int, headers: dict[str, str] | None = None, script: str | None = None) -> dict:
    command = ["wrk", "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", f"{seconds}s", "--latency", "--timeout", "5s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        if script:
            file.write(script)
    if script:
        command += ["-s", file.name]
    output = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 60).stdout
    os.unlink(file.name)

    def latency(percentile: str) -> float:
        match = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": latency("50"),
        "p99": latency("99"),
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connectors", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")

    recreate_database(url)
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "controlplane.settings.test"})
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from devstack.stack import LocalStack, StackConfig

    call_command("migrate", verbosity=0)
    stack = LocalStack(StackConfig.from_settings())
    was_running = stack.connect.is_running() and stack.broker.is_running()
    stack.up(timeout=240)
    key, name, source = fill(args.connectors, stack)
    connections.close_all()

    from tests.system import free_ports

    port = free_ports(1)[0]
    base = f"http://127.0.0.1:{port}"
    gunicorn = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "controlplane.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", str(GUNICORN_WORKERS), "--log-level", "warning"],
        cwd=ROOT,
        env=production_env(url, redis_url),
        start_new_session=True,
    )
    auth = {"Authorization": f"Bearer {key}"}
    spec = {"type": "file-source", "cluster": "local", "stage": "dev", "id": "__ID__", "config": {"file": source}}
    body = json.dumps({**spec, "topics": ["bu00.load"], "create_topics": True}).replace('"__ID__"', '"%s"')
    results = {}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        # Warm-up: each gunicorn worker imports the views lazily on its first requests.
        wrk(f"{base}/api/v1/connectors/?limit=50", seconds=2, headers=auth)
        results["list (page of 50)"] = wrk(f"{base}/api/v1/connectors/?limit=50", seconds=args.seconds, headers=auth)
        results["detail"] = wrk(f"{base}/api/v1/connectors/{name}/", seconds=args.seconds, headers=auth)
        posts = (("create (202)", "/api/v1/connectors/", "load"), ("validate", "/api/v1/connectors/validate", "val"))
        for kind, path, prefix in posts:
            script = POST_SCRIPT.format(key=key, prefix=prefix, body=body)
            results[kind] = wrk(f"{base}{path}", seconds=args.seconds, script=script)
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
        recreate_database(url, create=False)
        if not was_running:
            stack.down()

    print(
        f"gunicorn ({GUNICORN_WORKERS} sync workers, production settings) on PostgreSQL, {args.connectors} connectors "
        f"across {TENANTS} tenants; wrk -t{THREADS} -c{CONNECTIONS} for {args.seconds} s per kind, on loopback"
    )
    print(f"{'request':>20} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9} {'non-2xx':>8}")
    for kind, figures in results.items():
        print(
            f"{kind:>20} {figures['rps']:>8.0f} {figures['p50']:>8.1f} {figures['p99']:>8.1f} "
            f"{figures['requests']:>9} {figures['errors']:>8}"
        )
    print("Reproduce with:")
    print(
        f"  cd {shlex.quote(str(ROOT))} && .venv/bin/python bench/api_load.py "
        f"--connectors {args.connectors} --seconds {args.seconds}"
    )


if __name__ == "__main__":
    main()
