"""The connectors list: columns, coloured state badges, filters (incl. "needs attention"), search,
and a constant number of SQL queries per page whatever its size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from connectors.models import Connector
from connectors.selectors.overview import alert_model
from connectors.state_machine import State
from tests.factories import ConnectorFactory, SharedClusterFactory, TenantFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:connectors_connector_changelist"


def _names(response) -> set[str]:
    return {connector.name for connector in response.context["cl"].result_list}


def _make_connectors(count: int, *, tenant, cluster) -> None:
    """`count` connectors in mixed states, every third with an open alert (bulk: this is set-up, not the test)."""
    states = [State.RUNNING, State.FAILED, State.PAUSED, State.DEGRADED, State.PROVISIONING]
    connectors = Connector.objects.bulk_create(
        Connector(
            tenant=tenant,
            cluster=cluster,
            type_key="file-source",
            stage="dev",
            connector_id=f"bulk{index}",
            name=f"edh-shared-{tenant.slug}-dev-bulk{index}-connector",
            topics=[f"{tenant.slug}.bulk"],
            state=states[index % len(states)],
        )
        for index in range(count)
    )
    Alert = alert_model()
    Alert.objects.bulk_create(
        Alert(connector=connector, tenant=tenant, state=State.FAILED, message="down") for connector in connectors[::3]
    )


def _queries_for_full_page(admin_client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(reverse(CHANGELIST), {"all": ""})
    assert response.status_code == 200
    return len(queries), len(response.context["cl"].result_list)


def test_the_list_costs_the_same_number_of_queries_for_10_and_500_connectors_on_a_page(admin_client, tenant):
    cluster = SharedClusterFactory(name="local", tenants=[tenant])
    _make_connectors(10, tenant=tenant, cluster=cluster)
    queries_for_10, rows = _queries_for_full_page(admin_client)
    assert rows == 10

    Connector.objects.all().delete()
    _make_connectors(500, tenant=tenant, cluster=cluster)
    queries_for_500, rows = _queries_for_full_page(admin_client)

    assert rows == 500
    assert queries_for_500 == queries_for_10
    assert queries_for_10 <= 10, f"{queries_for_10} queries for one page"


def test_each_row_shows_a_coloured_badge_and_whether_an_alert_is_open(admin_client, tenant):
    failed = ConnectorFactory(tenant=tenant, connector_id="broken", state=State.FAILED)
    alert_model().objects.create(connector=failed, tenant=tenant, state=State.FAILED, message="down")
    ConnectorFactory(tenant=tenant, connector_id="fine", state=State.RUNNING)

    html = admin_client.get(reverse(CHANGELIST)).content.decode()

    assert 'class="state-badge state-failed" style="background:#c62828' in html
    assert 'class="state-badge state-running" style="background:#2e7d32' in html
    rows = {
        connector.name: connector.has_open_alert
        for connector in admin_client.get(reverse(CHANGELIST)).context["cl"].result_list
    }
    assert rows == {failed.name: True, "edh-shared-sales-dev-fine-connector": False}


def test_needs_attention_lists_trouble_blocked_and_alerted_connectors(admin_client, tenant):
    drifted = ConnectorFactory(tenant=tenant, connector_id="drifted", state=State.DRIFTED)
    blocked = ConnectorFactory(tenant=tenant, connector_id="blocked", state=State.PROVISIONING, retry_blocked=True)
    alerted = ConnectorFactory(tenant=tenant, connector_id="alerted", state=State.RUNNING)
    alert_model().objects.create(connector=alerted, tenant=tenant, state=State.DEGRADED)
    healthy = ConnectorFactory(tenant=tenant, connector_id="healthy", state=State.RUNNING)
    resolved = ConnectorFactory(tenant=tenant, connector_id="resolved", state=State.RUNNING)
    alert_model().objects.create(connector=resolved, tenant=tenant, state=State.FAILED, resolved_at="2026-01-01T00:00Z")

    attention = admin_client.get(reverse(CHANGELIST), {"attention": "yes"})
    calm = admin_client.get(reverse(CHANGELIST), {"attention": "no"})

    assert _names(attention) == {drifted.name, blocked.name, alerted.name}
    assert _names(calm) == {healthy.name, resolved.name}


def test_filters_by_tenant_stage_state_cluster_and_type_and_search_by_name(admin_client, tenant, other_tenant):
    other_cluster = SharedClusterFactory(name="other", tenants=[other_tenant])
    mine = ConnectorFactory(tenant=tenant, connector_id="orders", state=State.RUNNING)
    theirs = ConnectorFactory(
        tenant=other_tenant, cluster=other_cluster, stage="run", connector_id="meters", state=State.PAUSED
    )
    sink = ConnectorFactory(tenant=tenant, connector_id="export", type_key="file-sink", state=State.RUNNING)

    def listed(**params):
        return _names(admin_client.get(reverse(CHANGELIST), params))

    assert listed(tenant__id__exact=other_tenant.pk) == {theirs.name}
    assert listed(stage="run") == {theirs.name}
    assert listed(state__exact=State.PAUSED) == {theirs.name}
    assert listed(cluster__id__exact=other_cluster.pk) == {theirs.name}
    assert listed(type="file-sink") == {sink.name}
    assert listed(q="orders") == {mine.name}


def test_the_lifecycle_state_cannot_be_set_from_the_change_page(admin_client, tenant):
    connector = ConnectorFactory(tenant=TenantFactory(slug="sales"), state=State.FAILED)
    url = reverse("admin:connectors_connector_change", args=[connector.pk])

    page = admin_client.get(url).content.decode()
    admin_client.post(url, {"state": State.RUNNING, "desired_state": "paused"})

    assert 'name="state"' not in page and 'name="desired_state"' not in page
    connector.refresh_from_db()
    assert (connector.state, connector.desired_state) == (State.FAILED, "running")
