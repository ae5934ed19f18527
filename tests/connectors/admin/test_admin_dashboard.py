"""The dashboard: connectors by state per cluster, open alerts newest first, connectors waiting for
a person; linked from the admin index."""

import pytest
from django.urls import reverse

from connectors.selectors.overview import alert_model
from connectors.state_machine import State
from monitoring.models import ClusterHealth, ConnectorHealth
from tests.factories import ConnectorFactory, SharedClusterFactory

pytestmark = pytest.mark.django_db


def test_the_dashboard_counts_by_cluster_and_state_and_lists_open_alerts_newest_first(admin_client, tenant):
    east = SharedClusterFactory(name="east", tenants=[tenant])
    west = SharedClusterFactory(name="west", tenants=[tenant])
    for cluster, state in [(east, State.RUNNING), (east, State.RUNNING), (east, State.FAILED), (west, State.PAUSED)]:
        ConnectorFactory(tenant=tenant, cluster=cluster, state=state)
    older = alert_model().objects.create(
        connector=ConnectorFactory(tenant=tenant, cluster=west), tenant=tenant, state="FAILED"
    )
    newer = alert_model().objects.create(
        connector=ConnectorFactory(tenant=tenant, cluster=west), tenant=tenant, state="DRIFTED"
    )
    alert_model().objects.create(
        connector=ConnectorFactory(tenant=tenant, cluster=west),
        tenant=tenant,
        state="FAILED",
        resolved_at="2026-01-01T00:00Z",
    )
    blocked = ConnectorFactory(
        tenant=tenant, cluster=west, state=State.FAILED, retry_blocked=True, last_error="auth refused"
    )

    ClusterHealth.objects.create(cluster=east, reachable=True)
    ClusterHealth.objects.create(
        cluster=west, reachable=False, unreachable_since="2026-01-01T00:00Z", last_error="ConnectUnreachable"
    )
    stuck = ConnectorFactory(tenant=tenant, cluster=east, state=State.FAILED, connector_id="stuck")
    ConnectorHealth.objects.create(connector=stuck, persistent_failure=True, restart_attempts=5)

    response = admin_client.get(reverse("admin:connectors_dashboard"))

    assert response.status_code == 200
    rows = {row["cluster"].name: dict(row["counts"]) for row in response.context["rows"]}
    assert (rows["east"][State.RUNNING], rows["east"][State.FAILED], rows["east"][State.PAUSED]) == (2, 2, 0)
    assert rows["west"][State.PAUSED] == 1
    assert [alert.pk for alert in response.context["alerts"]] == [newer.pk, older.pk]
    assert [connector.pk for connector in response.context["waiting"]] == [blocked.pk]
    assert [cluster.name for cluster in response.context["unreachable"]] == ["west"]
    assert [connector.pk for connector in response.context["persistent"]] == [stuck.pk]
    html = response.content.decode()
    assert "auth refused" in html and "ConnectUnreachable" in html and stuck.name in html


def test_the_admin_index_links_to_the_dashboard(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()

    assert reverse("admin:connectors_dashboard") in html
