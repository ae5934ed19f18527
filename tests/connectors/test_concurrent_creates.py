"""Fifty creates at once, across tenants and with duplicate names, through a threaded server (PostgreSQL,
a real Celery worker, the real Connect worker): exactly one connector per name, none lost, none twice."""

from __future__ import annotations

import shutil
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
import requests

from connectors.clusters import cluster_connect_endpoint
from connectors.connect import connect_client
from connectors.models import Connector
from tenants.models import Role
from tests.conftest import wait_for
from tests.factories import LandingZoneFactory, SharedClusterFactory, TenantFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.connect]

TENANTS = 5
DISTINCT_PER_TENANT = 8  # plus two more requests per tenant for a name another request also asks for
REQUESTS = TENANTS * (DISTINCT_PER_TENANT + 2)


def test_fifty_parallel_creates_make_exactly_one_connector_per_name(
    live_server, client_for, local_stack, celery_worker_process
):
    run = uuid.uuid4().hex[:6]
    tenants = [TenantFactory(slug=f"bu{run}{index}") for index in range(TENANTS)]
    cluster = SharedClusterFactory(
        name=f"race{run}",
        landing_zone=LandingZoneFactory(slug=f"lz{run}"),
        bootstrap_servers=local_stack.config.bootstrap_servers,
        connect_url=local_stack.config.connect_url,
        tenants=tenants,
    )
    requests_to_send = []
    for tenant in tenants:
        key = client_for(tenant, Role.DEVELOPER).raw_key
        tenant.file_sandbox.mkdir(parents=True, exist_ok=True)
        source = tenant.file_sandbox / "race.txt"
        source.write_text("one\n")
        ids = [f"c{index}" for index in range(DISTINCT_PER_TENANT)]
        for connector_id in [*ids, ids[0], ids[1]]:  # two names asked for twice
            body = {
                "type": "file-source",
                "cluster": cluster.name,
                "stage": "dev",
                "id": connector_id,
                "config": {"file": str(source)},
                "topics": [f"{tenant.slug}.race"],
                "create_topics": True,
            }
            requests_to_send.append((key, body))
    assert len(requests_to_send) == REQUESTS == 50

    barrier = Barrier(REQUESTS)

    def create(key_and_body):
        key, body = key_and_body
        barrier.wait()
        return requests.post(
            f"{live_server.url}/api/v1/connectors/", json=body, headers={"Authorization": f"Bearer {key}"}, timeout=120
        )

    try:
        with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
            answers = list(pool.map(create, requests_to_send))

        statuses = Counter(answer.status_code for answer in answers)
        assert statuses == {202: TENANTS * DISTINCT_PER_TENANT, 409: TENANTS * 2}, [a.text for a in answers]
        accepted = {answer.json()["name"] for answer in answers if answer.status_code == 202}
        assert len(accepted) == TENANTS * DISTINCT_PER_TENANT  # one 202 per name
        for answer in answers:
            if answer.status_code == 409:
                assert answer.json()["errors"]["id"] and answer.json()["code"] == "conflict"

        stored = Counter(Connector.objects.filter(cluster=cluster).values_list("name", flat=True))
        assert set(stored) == accepted and set(stored.values()) == {1}  # none lost, none twice

        wait_for(
            lambda: set(Connector.objects.filter(cluster=cluster).values_list("state", flat=True)) == {"RUNNING"},
            timeout=180,
            message="every accepted connector RUNNING",
        )
        on_connect = set(connect_client(cluster_connect_endpoint(cluster=cluster)).list_connectors())
        assert accepted <= on_connect
    finally:
        connect = connect_client(cluster_connect_endpoint(cluster=cluster))
        for name in Connector.objects.filter(cluster=cluster).values_list("name", flat=True):
            try:
                connect.delete(name)
            except Exception:  # noqa: BLE001 - best-effort cleanup of the shared worker
                pass
        for tenant in tenants:
            shutil.rmtree(tenant.file_sandbox, ignore_errors=True)
