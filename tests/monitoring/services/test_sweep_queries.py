"""The health sweep costs a fixed number of queries per cluster, not a number per connector: against the real
local Kafka Connect worker and PostgreSQL, a steady sweep of a cluster with six connectors asks the database
exactly as often as one with two (no row read or written one at a time, no column loaded on first use)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from connectors.clusters import cluster_connect_endpoint
from connectors.connect import connect_client
from connectors.models import Connector, ConnectorEvent
from connectors.selectors import connector_desired_config
from monitoring.models import ConnectorHealth
from monitoring.services.sweep import sweep_cluster
from tests.conftest import forget_on_connect, wait_for
from tests.factories import ConnectorFactory

pytestmark = [pytest.mark.django_db, pytest.mark.connect]


def _provisioned(*, cluster, tenant, file_sandbox, connector_id: str) -> Connector:
    """A connector as a finished converge leaves it: stored RUNNING at its generation, its config on Connect."""
    source = file_sandbox / f"{connector_id}.txt"
    source.write_text("a\n")
    connector = ConnectorFactory(
        tenant=tenant,
        cluster=cluster,
        connector_id=connector_id,
        config={"file": str(source)},
        topics=[f"sales.{connector_id}"],
        state="RUNNING",
        applied_generation=1,
    )
    connect_client(cluster_connect_endpoint(cluster=cluster)).put_config(
        connector.name, connector_desired_config(connector=connector)
    )
    return connector


def _all_running(cluster, names: list[str]) -> bool:
    live = connect_client(cluster_connect_endpoint(cluster=cluster)).statuses()
    return all(
        name in live
        and live[name]["status"]["connector"]["state"] == "RUNNING"
        and [task["state"] for task in live[name]["status"]["tasks"]] == ["RUNNING"]
        for name in names
    )


def test_a_steady_sweep_asks_the_database_as_often_for_six_connectors_as_for_two(
    local_cluster, tenant, file_sandbox, unique_name
):
    names: list[str] = []
    queries: dict[int, list[str]] = {}
    try:
        for size in (2, 6):
            while len(names) < size:
                connector = _provisioned(
                    cluster=local_cluster, tenant=tenant, file_sandbox=file_sandbox, connector_id=unique_name("q")
                )
                names.append(connector.name)
            wait_for(lambda: _all_running(local_cluster, names), timeout=60, message="the connectors to run")
            sweep_cluster(cluster=local_cluster)  # a connector's first sweep inserts its health row
            with CaptureQueriesContext(connection) as captured:
                sweep_cluster(cluster=local_cluster)
            queries[size] = [query["sql"] for query in captured.captured_queries]

        assert len(queries[6]) == len(queries[2]), "\n".join(queries[6])
        assert ConnectorHealth.objects.filter(connector__name__in=names).count() == 6
        # The steady state: nothing was transitioned, so the queries above are a sweep's whole cost.
        assert not ConnectorEvent.objects.filter(connector__name__in=names).exists()
        assert set(Connector.objects.filter(name__in=names).values_list("state", flat=True)) == {"RUNNING"}
    finally:
        forget_on_connect(connect_client(cluster_connect_endpoint(cluster=local_cluster)), names)
