"""The dashboard: connectors by state per cluster, open alerts newest first, connectors waiting for
a person; linked from the admin index."""

import pytest
from django.urls import reverse

from connectors.selectors.overview import alert_model
from connectors.state_machine import State
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

    response = admin_client.get(reverse("admin:connectors_dashboard"))

    assert response.status_code == 200
    rows = {row["cluster"].name: dict(row["counts"]) for row in response.context["rows"]}
    assert (rows["east"][State.RUNNING], rows["east"][State.FAILED], rows["east"][State.PAUSED]) == (2, 1, 0)
    assert rows["west"][State.PAUSED] == 1
    assert [alert.pk for alert in response.context["alerts"]] == [newer.pk, older.pk]
    assert [connector.pk for connector in response.context["waiting"]] == [blocked.pk]
    assert "auth refused" in response.content.decode()


def test_the_admin_index_links_to_the_dashboard(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()

    assert reverse("admin:connectors_dashboard") in html
