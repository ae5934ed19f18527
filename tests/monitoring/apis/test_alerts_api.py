"""GET /api/v1/alerts/ (tenant-scoped, filterable, with deliveries), acknowledge and mute by a tenant
admin; alert channels (secrets never shown); a connector's monitoring settings."""

import pytest

from connectors.services.transitions import connector_transition
from controlplane.masking import MASK
from monitoring.models import Alert, ConnectorHealth, Delivery
from monitoring.services.alerts import alert_raise
from monitoring.services.channels import channel_save
from tenants.models import Role
from tests.factories import ConnectorFactory, SharedClusterFactory

pytestmark = pytest.mark.django_db

AUTH_ERROR = "task 0: FATAL: password authentication failed for user cdc"


def _fail(connector, error=AUTH_ERROR):
    connector_transition(connector_id=connector.pk, to="FAILED", actor="system", error=error)


def test_the_alerts_list_is_scoped_filterable_and_shows_deliveries(client_for, tenant, other_tenant, settings):
    settings.ALERT_WEBHOOK_URL = "http://127.0.0.1:9/platform"
    mine = ConnectorFactory(tenant=tenant, state="RUNNING")
    _fail(mine)
    healed = ConnectorFactory(tenant=tenant, state="RUNNING")
    connector_transition(connector_id=healed.pk, to="DEGRADED", actor="system")
    connector_transition(connector_id=healed.pk, to="RUNNING", actor="system")
    _fail(ConnectorFactory(tenant=other_tenant, state="RUNNING"))
    client = client_for(tenant, Role.VIEWER)

    listed = client.get("/api/v1/alerts/?open=true").json()["results"]
    assert [(a["connector"], a["state"], a["fault"]) for a in listed] == [(mine.name, "FAILED", "user")]
    assert [(d["target"], d["kind"], d["status"]) for d in listed[0]["deliveries"]] == [
        ("platform-webhook", "alert", "pending")
    ]
    assert len(client.get("/api/v1/alerts/").json()["results"]) == 2
    assert client.get(f"/api/v1/alerts/?connector={healed.name}&open=false").json()["count"] == 1
    assert client.get("/api/v1/alerts/?condition=sink_lag").json()["count"] == 0
    assert client.get(f"/api/v1/alerts/?cluster={mine.cluster.name}&stage=dev").json()["count"] >= 1


def test_a_cluster_alert_is_seen_by_tenants_with_connectors_on_it(client_for, tenant, other_tenant):
    cluster = SharedClusterFactory(tenants=[tenant])
    ConnectorFactory(tenant=tenant, cluster=cluster, state="RUNNING")
    alert_raise(condition="cluster_unreachable", cluster=cluster, message="down", notify=False)
    assert client_for(tenant, Role.VIEWER).get("/api/v1/alerts/?condition=cluster_unreachable").json()["count"] == 1
    assert client_for(other_tenant, Role.VIEWER).get("/api/v1/alerts/").json()["count"] == 0


def test_a_cluster_alert_reaches_each_tenants_same_named_channel_and_each_sees_only_its_own(
    client_for, tenant, other_tenant
):
    cluster = SharedClusterFactory(tenants=[tenant, other_tenant])
    for owner in (tenant, other_tenant):
        ConnectorFactory(tenant=owner, cluster=cluster, state="RUNNING")
        channel_save(tenant=owner, data={"name": "ops", "kind": "webhook", "url": "http://127.0.0.1:9/ops"})
    alert_raise(condition="cluster_unreachable", cluster=cluster, message="down", notify=True)

    assert sorted(Delivery.objects.values_list("channel__tenant__slug", flat=True)) == sorted(
        [tenant.slug, other_tenant.slug]
    ), "two tenants' channels named alike are two deliveries"
    for owner in (tenant, other_tenant):
        [alert] = client_for(owner, Role.VIEWER).get("/api/v1/alerts/").json()["results"]
        assert [d["target"] for d in alert["deliveries"]] == [f"webhook:ops@{owner.slug}"]


def test_a_tenant_admin_acknowledges_and_mutes_an_operator_cannot(client_for, tenant):
    connector = ConnectorFactory(tenant=tenant, state="RUNNING")
    _fail(connector)
    alert = Alert.objects.get(connector=connector)
    assert client_for(tenant, Role.OPERATOR).post(f"/api/v1/alerts/{alert.pk}/acknowledge").status_code == 403
    admin = client_for(tenant, Role.ADMIN)
    body = admin.post(f"/api/v1/alerts/{alert.pk}/acknowledge").json()
    assert body["acknowledged_at"] and body["acknowledged_by"].startswith("api_key:")
    assert admin.post(f"/api/v1/alerts/{alert.pk}/mute", {"minutes": 30}, format="json").json()["muted"] is True
    assert admin.post(f"/api/v1/alerts/{alert.pk}/mute", {"minutes": 0}, format="json").json()["muted"] is False
    refused = admin.post(f"/api/v1/alerts/{alert.pk}/mute", {"minutes": -1, "forever": True}, format="json")
    assert refused.status_code == 400 and "forever" in refused.json()["errors"]
    assert admin.get("/api/v1/alerts/?acknowledged=true").json()["count"] == 1


def test_alert_channels_are_managed_by_admins_and_never_show_their_secrets(client_for, tenant):
    admin = client_for(tenant, Role.ADMIN)
    created = admin.post(
        f"/api/v1/tenants/{tenant.slug}/alert-channels/",
        {"name": "oncall", "kind": "webhook", "url": "https://hooks.example/T0/xoxb-secret", "format": "slack"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["url"] == MASK and "xoxb-secret" not in created.content.decode()
    channel_id = created.json()["id"]
    listed = client_for(tenant, Role.VIEWER).get(f"/api/v1/tenants/{tenant.slug}/alert-channels/")
    assert "xoxb-secret" not in listed.content.decode() and listed.json()["count"] == 1
    assert (
        client_for(tenant, Role.DEVELOPER)
        .post(f"/api/v1/tenants/{tenant.slug}/alert-channels/", {"name": "x", "kind": "email"}, format="json")
        .status_code
        == 403
    )
    invalid = admin.post(
        f"/api/v1/tenants/{tenant.slug}/alert-channels/",
        {"name": "mail", "kind": "email", "recipients": ["not-an-address"], "smtp_port": 0},
        format="json",
    )
    assert invalid.status_code == 400 and {"recipients", "smtp_port"} <= set(invalid.json()["errors"])
    missing = admin.post(
        f"/api/v1/tenants/{tenant.slug}/alert-channels/", {"name": "w", "kind": "webhook"}, format="json"
    )
    assert missing.status_code == 400 and "url" in missing.json()["errors"]
    patched = admin.patch(
        f"/api/v1/tenants/{tenant.slug}/alert-channels/{channel_id}/", {"enabled": False}, format="json"
    )
    assert patched.json()["enabled"] is False and patched.json()["url"] == MASK  # the stored URL is kept
    assert admin.delete(f"/api/v1/tenants/{tenant.slug}/alert-channels/{channel_id}/").status_code == 204


def test_a_connectors_monitoring_settings_override_the_stage_defaults(client_for, tenant):
    connector = ConnectorFactory(tenant=tenant, state="RUNNING")
    developer = client_for(tenant, Role.DEVELOPER)
    url = f"/api/v1/connectors/{connector.name}/monitoring"
    assert developer.get(url).json()["lag_threshold_records"] is None
    changed = developer.patch(
        url, {"lag_threshold_records": 100, "restart_max_attempts": 5, "auto_restart": True}, format="json"
    )
    assert changed.status_code == 200, changed.json()
    assert ConnectorHealth.objects.get(connector=connector).lag_threshold_records == 100
    assert client_for(tenant, Role.VIEWER).patch(url, {"auto_restart": False}, format="json").status_code == 403
    unknown = developer.patch(url, {"channels": ["nope"]}, format="json")
    assert unknown.status_code == 400 and "channels" in unknown.json()["errors"]
    health = developer.get(f"/api/v1/connectors/{connector.name}/status").json().get("health")
    assert health["auto_restart"]["max_attempts"] == 5 and health["stale"] is False
