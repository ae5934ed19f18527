"""Sink lag is measured for all of a cluster's sinks at once (one consumer-group call to the real local
broker) and its alerts are settled in a fixed number of queries: six caught-up sinks with thresholds cost
the database what two do, and an open lag alert of a caught-up sink is resolved."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from monitoring.models import Alert, ConnectorHealth
from monitoring.services.lag import measure_sink_lag
from tests.factories import ConnectorFactory

pytestmark = [pytest.mark.django_db, pytest.mark.connect]


def _sinks(count: int, *, cluster, tenant) -> list:
    sinks = [
        ConnectorFactory(tenant=tenant, cluster=cluster, type_key="file-sink", state="RUNNING", topics=["sales.lag"])
        for _ in range(count)
    ]
    for sink in sinks:
        ConnectorHealth.objects.create(connector=sink, lag_threshold_records=100)
    return sinks


def test_lag_alerts_cost_as_many_queries_for_six_sinks_as_for_two(local_cluster, tenant):
    queries = {}
    for size in (2, 6):
        sinks = _sinks(size, cluster=local_cluster, tenant=tenant)
        lagging_before = Alert.objects.create(
            connector=sinks[0], tenant=tenant, condition=Alert.Condition.SINK_LAG, fingerprint="lag", state="RUNNING"
        )
        healths = {health.connector_id: health for health in ConnectorHealth.objects.filter(connector__in=sinks)}
        with CaptureQueriesContext(connection) as captured:
            changed = measure_sink_lag(cluster=local_cluster, connectors=sinks, healths=healths, now=timezone.now())
        queries[size] = [query["sql"] for query in captured.captured_queries]
        assert len(changed) == size and all(health.lag_records == 0 for health in changed)
        lagging_before.refresh_from_db()
        assert lagging_before.resolved_at is not None  # caught up: its lag alert is resolved
    assert len(queries[6]) == len(queries[2]), "\n".join(queries[6])
