"""How the admin's connectors list scales: latency and SQL queries of a page, by table size and page size.

For each size N the script fills a throwaway database with 2N connectors (N for tenant sales, N
over nine other tenants; the same fill as bench/connector_list.py, plus an open alert on every
seventh connector), then times 10 requests of each page through Django's test client logged in as
a platform admin (after one warm-up request) and counts the SQL queries of one.

    .venv/bin/python bench/admin_connector_list.py            # sizes 50 500 5000
    .venv/bin/python bench/admin_connector_list.py 100 20000

The database (BENCH_DATABASE_URL, default postgres://postgres:postgres@127.0.0.1:5432/controlplane_admin_bench)
is created for the run and dropped at its end; its name must end in "_bench".
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from connector_list import ROOT, create_world, fill, recreate_database, setup_django  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres:postgres@127.0.0.1:5432/controlplane_admin_bench"
DEFAULT_SIZES = (50, 500, 5000)
REQUESTS = 10
PAGES = {
    "first page (100 rows)": {},
    "needs attention": {"attention": "yes"},
    "search": {"q": "c1"},
    "all on one page (<= 1000)": {"all": ""},
}


def open_alerts() -> None:
    from connectors.models import Connector
    from monitoring.models import Alert

    Alert.objects.bulk_create(
        Alert(connector_id=pk, tenant_id=tenant_id, state="FAILED", message="bench")
        for pk, tenant_id in Connector.objects.values_list("pk", "tenant_id")[::7]
    )


def measure(client, params: dict) -> tuple[float, int, int]:
    """(median ms, SQL queries of one request, rows on the page)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = "/admin/connectors/connector/"
    assert client.get(url, params).status_code == 200
    timings = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(url, params)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        rows = len(client.get(url, params).context["cl"].result_list)
    return statistics.median(timings), len(queries), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=list(DEFAULT_SIZES), help="connectors per tenant group")
    sizes = parser.parse_args().sizes
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)

    started = time.perf_counter()
    recreate_database(url)
    setup_django(url)
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client then records each response's template context

    _, tenants, cluster = create_world()
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("bench-admin", "bench@example.com", "unused-pw"))

    print(f"GET /admin/connectors/connector/: median of {REQUESTS} requests (after a warm-up), in-process test client")
    print(f"{'rows total':>11} {'page':<27} {'rows shown':>10} {'median ms':>10} {'SQL queries':>12}")
    for size in sizes:
        total = fill(size, tenants=tenants, cluster=cluster)
        open_alerts()
        for label, params in PAGES.items():
            if "all" in params and total > 1000:
                continue  # the admin offers "show all" up to list_max_show_all
            median, queries, rows = measure(client, params)
            print(f"{total:>11} {label:<27} {rows:>10} {median:>10.1f} {queries:>12}")

    from django.db import connections

    connections.close_all()
    recreate_database(url, create=False)
    print(f"\n{time.perf_counter() - started:.1f}s in all. Reproduce with:")
    env = f"BENCH_DATABASE_URL={shlex.quote(url)} " if url != DEFAULT_DATABASE_URL else ""
    command = f"{env}.venv/bin/python bench/admin_connector_list.py {' '.join(map(str, sizes))}"
    print(f"  cd {shlex.quote(str(ROOT))} && {command}")


if __name__ == "__main__":
    main()
