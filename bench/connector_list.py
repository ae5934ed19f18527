"""How GET /api/v1/connectors/?limit=50 scales with the number of connectors: latency and SQL queries.

For each size N the script fills a throwaway database with N connectors owned by the caller's
tenant (sales) and N more spread over nine other tenants, then times 20 requests through DRF's
APIClient with a developer API key (after two warm-up requests) and counts the SQL queries of one.

    .venv/bin/python bench/connector_list.py              # sizes 50 500 5000
    .venv/bin/python bench/connector_list.py 100 10000

The database (BENCH_DATABASE_URL, default postgres://postgres:postgres@127.0.0.1:5432/controlplane_bench) is
created for the run and dropped at its end; its name must end in "_bench".
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE_URL = "postgres://postgres:postgres@127.0.0.1:5432/controlplane_bench"
DEFAULT_SIZES = (50, 500, 5000)
REQUESTS = 20
WARM_UP = 2
OTHER_TENANTS = 9
PATH = "/api/v1/connectors/?limit=50"


def recreate_database(url: str, *, create: bool = True) -> None:
    import psycopg
    from psycopg import sql

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not name.endswith("_bench"):
        sys.exit(f"refusing to drop database {name!r}: a benchmark database's name ends in '_bench'")
    with psycopg.connect(
        host=parsed.hostname or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if create:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "controlplane.settings.test"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def create_world():
    """The caller's tenant and API key, the other tenants, and one shared cluster open to all."""
    from rest_framework.test import APIClient

    from tenants.models import Cluster, LandingZone, Role, Tenant, TopicPrefix
    from tenants.services import api_key_create

    zone = LandingZone.objects.create(slug="edh-shared")
    tenants = [
        Tenant.objects.create(slug=slug, name=slug) for slug in ["sales", *(f"bu{i}" for i in range(OTHER_TENANTS))]
    ]
    TopicPrefix.objects.bulk_create(TopicPrefix(tenant=tenant, prefix=f"{tenant.slug}.") for tenant in tenants)
    cluster = Cluster.objects.create(
        name="bench",
        kind=Cluster.Kind.SHARED,
        landing_zone=zone,
        bootstrap_servers="127.0.0.1:19092",
        connect_url="http://127.0.0.1:18083",
    )
    cluster.allowed_tenants.add(*tenants)
    _, raw_key = api_key_create(tenant=tenants[0], name="bench", role=Role.DEVELOPER)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    return client, tenants, cluster


def fill(size: int, *, tenants, cluster) -> int:
    """Replace every connector with `size` for the caller's tenant and `size` spread over the others."""
    from django.db import connection

    from connectors.models import Connector

    Connector.objects.all().delete()
    caller, others = tenants[0], tenants[1:]
    owners = [caller] * size + [others[i % len(others)] for i in range(size)]
    states = ["REQUESTED", "RUNNING", "RUNNING", "RUNNING", "PAUSED", "FAILED"]
    Connector.objects.bulk_create(
        (
            Connector(
                tenant=tenant,
                cluster=cluster,
                type_key="file-source",
                stage=("dev", "qas", "run")[i % 3],
                connector_id=f"c{i}",
                name=f"edh-shared-{tenant.slug}-{('dev', 'qas', 'run')[i % 3]}-c{i}-connector",
                config={"file": f"/data/{tenant.slug}/c{i}.txt"},
                topics=[f"{tenant.slug}.c{i}"],
                state=states[i % len(states)],
                created_by="bench",
            )
            for i, tenant in enumerate(owners)
        ),
        batch_size=2000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE connectors_connector")
    return len(owners)


def measure(client) -> tuple[float, float, int, int]:
    """(median ms, max ms, SQL queries of one request, connectors the caller sees)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARM_UP):
        response = client.get(PATH)
        assert response.status_code == 200, response.content
    timings = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(PATH)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200 and len(response.json()["results"]) <= 50
    with CaptureQueriesContext(connection) as queries:
        count = client.get(PATH).json()["count"]
    return statistics.median(timings), max(timings), len(queries), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=list(DEFAULT_SIZES), help="connectors per run")
    sizes = parser.parse_args().sizes
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)

    started = time.perf_counter()
    recreate_database(url)
    setup_django(url)
    client, tenants, cluster = create_world()

    print(f"GET {PATH}: median and max of {REQUESTS} requests (after {WARM_UP} warm-up), in-process APIClient")
    print(f"{'caller sees':>12} {'rows total':>11} {'median ms':>10} {'max ms':>8} {'SQL queries':>12}")
    for size in sizes:
        total = fill(size, tenants=tenants, cluster=cluster)
        median, worst, queries, count = measure(client)
        print(f"{count:>12} {total:>11} {median:>10.1f} {worst:>8.1f} {queries:>12}")

    from django.db import connections

    connections.close_all()
    recreate_database(url, create=False)  # drop it: the next run starts from scratch anyway
    print(f"\n{time.perf_counter() - started:.1f}s in all. Reproduce with:")
    env = f"BENCH_DATABASE_URL={shlex.quote(url)} " if url != DEFAULT_DATABASE_URL else ""
    print(f"  cd {shlex.quote(str(ROOT))} && {env}.venv/bin/python bench/connector_list.py {' '.join(map(str, sizes))}")


if __name__ == "__main__":
    main()
