"""Quotas per tenant: connectors per stage, tasks.max per cluster; refused with the limit and the usage;
held under concurrency by the tenant's row lock (real threads, real PostgreSQL)."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from connectors.models import Connector
from connectors.services.commands import connector_create
from connectors.spec import ConnectorSpec
from controlplane.exceptions import ApplicationError
from governance.services.quotas import QuotaExceeded, quota_set
from tenants.models import Role
from tests.factories import ConnectorFactory, SharedClusterFactory

CONNECTORS = "/api/v1/connectors/"


@pytest.fixture
def offline_cluster(tenant):
    # Connect refuses at once: its validation is skipped with a warning, everything else is checked.
    return SharedClusterFactory(name="offline", connect_url="http://127.0.0.1:9", tenants=[tenant])


def _request(tenant, connector_id, **fields):
    return {
        "type": "file-source",
        "cluster": "offline",
        "stage": "dev",
        "id": connector_id,
        "config": {"file": str(tenant.file_sandbox / f"{connector_id}.txt")},
        "topics": [f"sales.{connector_id}"],
        "create_topics": True,
        **fields,
    }


@pytest.mark.django_db
def test_a_tenant_at_its_stage_quota_is_refused_with_the_limit_and_usage(client_for, tenant, offline_cluster):
    quota_set(tenant=tenant, max_dev_connectors=2)
    ConnectorFactory.create_batch(2, tenant=tenant, cluster=offline_cluster)
    ConnectorFactory(tenant=tenant, cluster=offline_cluster, state="DELETED")  # deleted ones do not count
    answer = client_for(tenant, Role.DEVELOPER).post(CONNECTORS, _request(tenant, "third"), format="json")
    assert answer.status_code == 409, answer.json()
    body = answer.json()
    assert body["code"] == "quota_exceeded"
    assert body["errors"] == {"quota.max_dev_connectors": ["limit 2, in use 2"]}
    assert "2 of 2 dev connectors" in body["message"]
    assert not Connector.objects.filter(connector_id="third").exists()
    # Another stage has its own limit (none here).
    qas = client_for(tenant, Role.DEVELOPER).post(CONNECTORS, _request(tenant, "third", stage="qas"), format="json")
    assert qas.status_code == 202, qas.json()


@pytest.mark.django_db
def test_tasks_per_cluster_are_checked_on_create_and_update(client_for, tenant, offline_cluster):
    quota_set(tenant=tenant, max_tasks_per_cluster=3)
    # File sinks may run several tasks.
    existing = ConnectorFactory(
        tenant=tenant, cluster=offline_cluster, type_key="file-sink", tasks_max=1, create_topics=True
    )
    client = client_for(tenant, Role.DEVELOPER)
    refused = client.post(CONNECTORS, _request(tenant, "big", type="file-sink", tasks_max=3), format="json")
    assert refused.status_code == 409
    assert refused.json()["errors"]["quota.max_tasks_per_cluster"] == ["limit 3 on cluster offline, in use 1, asked 3"]
    assert client.patch(f"{CONNECTORS}{existing.name}/", {"tasks_max": 3}, format="json").status_code == 202
    Connector.objects.filter(pk=existing.pk).update(operation="")
    too_many = client.patch(f"{CONNECTORS}{existing.name}/", {"tasks_max": 4}, format="json")
    assert too_many.status_code == 409 and too_many.json()["code"] == "quota_exceeded"
    existing.refresh_from_db()
    assert existing.tasks_max == 3


@pytest.mark.django_db
def test_usage_shows_what_is_used_against_the_limits(client_for, tenant, other_tenant, offline_cluster):
    quota_set(tenant=tenant, max_dev_connectors=5, max_tasks_per_cluster=10)
    ConnectorFactory.create_batch(2, tenant=tenant, cluster=offline_cluster, tasks_max=2)
    answer = client_for(tenant, Role.VIEWER).get("/api/v1/tenants/sales/usage")
    assert answer.status_code == 200, answer.json()
    assert answer.json() == {
        "tenant": "sales",
        "connectors_per_stage": {
            "dev": {"used": 2, "limit": 5},
            "qas": {"used": 0, "limit": None},
            "run": {"used": 0, "limit": None},
        },
        "tasks_per_cluster": [{"cluster": "offline", "used": 4, "limit": 10}],
        "max_tasks_per_cluster": 10,
    }
    assert client_for(other_tenant, Role.ADMIN).get("/api/v1/tenants/sales/usage").status_code == 404


# Each parallel create holds one database connection while it waits for the tenant's lock: all 50 are
# sent at the same instant (scripts/test-services.sh gives PostgreSQL max_connections 300; a smaller
# shared server can lower QUOTA_RACE_THREADS, and the 50 creates then go through fewer threads).
RACE_CREATES = 50
RACE_THREADS = int(os.environ.get("QUOTA_RACE_THREADS", "50"))


@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_creates_at_the_limit_leave_exactly_the_limit(tenant, offline_cluster):
    limit = 10
    quota_set(tenant=tenant, max_dev_connectors=limit)
    start = threading.Event()

    def create(index: int) -> str:
        try:
            spec = ConnectorSpec.from_api(
                {
                    **_request(tenant, f"p{index}"),
                    "credentials": {},
                    "transforms": [],
                    "error_handling": {},
                    "tasks_max": 1,
                    "delivery_guarantee": "at_least_once",
                },
                tenant=tenant,
            )
            start.wait(timeout=30)
            connector_create(spec=spec, actor="test")
            return "created"
        except QuotaExceeded:
            return "refused"
        except ApplicationError as error:
            return f"other: {error.message}"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=RACE_THREADS) as pool:
        futures = [pool.submit(create, index) for index in range(RACE_CREATES)]
        start.set()
        outcomes = [future.result() for future in futures]
    assert outcomes.count("created") == limit, outcomes
    assert outcomes.count("refused") == RACE_CREATES - limit, outcomes
    assert Connector.objects.filter(tenant=tenant, stage="dev").count() == limit


@pytest.mark.django_db
def test_a_platform_admin_sets_quotas_with_a_command_and_it_is_audited(tenant):
    from django.core.management import call_command

    from audit.models import AuditRecord
    from governance.models import TenantQuota

    call_command("set_quota", "sales", "--max-run", "3", "--max-tasks-per-cluster", "8")
    call_command("set_quota", "sales", "--max-run", "none")
    quota = TenantQuota.objects.get(tenant=tenant)
    assert (quota.max_run_connectors, quota.max_tasks_per_cluster) == (None, 8)
    record = AuditRecord.objects.filter(action="quota.update").latest("id")
    assert record.channel == "command" and record.before["max_run_connectors"] == 3
    assert record.after["max_run_connectors"] is None
