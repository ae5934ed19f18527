"""Alerts and their notifications: deduplicated, notified once to the tenant's channels and the
platform webhook (real receivers on loopback), one recovery notice, never a secret."""

import pytest

from connectors.services.transitions import connector_transition
from controlplane.masking import MASK
from monitoring.channels import DeliveryFailed
from monitoring.models import Alert, AlertChannel, Delivery
from monitoring.services.alerts import alert_mute, alert_raise
from monitoring.services.channels import channel_save
from monitoring.services.deliveries import delivery_give_up, delivery_send
from tests.factories import ConnectorFactory
from tests.system import closed_port

pytestmark = pytest.mark.django_db

AUTH_ERROR = (
    "task 0: org.apache.kafka.connect.errors.ConnectException: FATAL: password authentication failed for user cdc"
)
DISK_ERROR = (
    "task 0: org.apache.kafka.connect.errors.ConnectException: Couldn't find or create file '/x' for FileStreamSinkTask"
)


def _move(connector, *states, error=""):
    for state in states:
        connector_transition(connector_id=connector.pk, to=state, actor="system", error=error)


def _send_all(**filters) -> list[Delivery]:
    deliveries = list(Delivery.objects.filter(**filters).order_by("id"))
    for delivery in deliveries:
        delivery_send(delivery_id=delivery.pk)
    return deliveries


@pytest.fixture
def tenant_hook(tenant, webhook_receiver):
    return channel_save(
        tenant=tenant, data={"name": "oncall", "kind": "webhook", "url": webhook_receiver.url("/sales")}
    )


def test_a_platform_failure_opens_a_quiet_alert_while_automatic_restarts_may_cure_it(settings, tenant, tenant_hook):
    settings.ALERT_WEBHOOK_URL = "http://127.0.0.1:1/platform"
    connector = ConnectorFactory(tenant=tenant, state="RUNNING")
    _move(connector, "FAILED", error=DISK_ERROR)
    alert = Alert.objects.get(connector=connector)
    assert (alert.condition, alert.state, alert.fault) == ("connector_state", "FAILED", "platform")
    assert alert.notified_at is None and not Delivery.objects.exists()


def test_a_user_fault_reaches_the_tenants_channel_and_the_platform_webhook_at_once(
    settings, tenant, tenant_hook, webhook_receiver
):
    settings.ALERT_WEBHOOK_URL = webhook_receiver.url("/platform")
    connector = ConnectorFactory(tenant=tenant, state="RUNNING")
    _move(connector, "FAILED", error=AUTH_ERROR)
    deliveries = _send_all(alert__connector=connector)
    assert sorted(d.target for d in deliveries) == ["platform-webhook", "webhook:oncall"]
    [body] = webhook_receiver.bodies("/sales")
    assert body["kind"] == "alert" and body["condition"] == "connector_state" and body["fault"] == "user"
    assert (body["tenant"], body["connector"], body["stage"], body["cluster"], body["state"]) == (
        tenant.slug,
        connector.name,
        "dev",
        connector.cluster.name,
        "FAILED",
    )
    assert "password authentication failed" in body["error"]
    assert "not restarted automatically" in body["next_steps"]
    assert body["link"].endswith(f"/api/v1/connectors/{connector.name}/")
    assert len(webhook_receiver.bodies("/platform")) == 1
    assert all(d.status == "sent" and d.attempts == 1 for d in Delivery.objects.all())


def test_the_same_failure_raised_again_is_the_same_alert_and_sends_nothing_more(tenant, tenant_hook):
    connector = ConnectorFactory(tenant=tenant, state="FAILED")
    first = alert_raise(condition="connector_state", connector=connector, state="FAILED", fingerprint="f", message="x")
    again = alert_raise(condition="connector_state", connector=connector, state="FAILED", fingerprint="f", message="x")
    assert first.pk == again.pk and Alert.objects.count() == 1
    assert Delivery.objects.count() == 1


def test_recovery_is_announced_once_and_a_flap_within_the_cooldown_reopens_quietly(
    tenant, tenant_hook, webhook_receiver
):
    connector = ConnectorFactory(tenant=tenant, state="RUNNING")
    _move(connector, "FAILED", error=AUTH_ERROR)
    _move(connector, "RUNNING")
    _move(connector, "FAILED", error=AUTH_ERROR)  # within ALERT_COOLDOWN_SECONDS
    _move(connector, "RUNNING")
    _send_all()
    assert Alert.objects.filter(connector=connector).count() == 1
    assert [body["kind"] for body in webhook_receiver.bodies("/sales")] == ["alert", "recovery"]
    alert = Alert.objects.get(connector=connector)
    assert alert.resolved_at is not None and alert.recovery_notified_at is not None


def test_a_new_kind_of_trouble_replaces_the_open_alert(tenant):
    connector = ConnectorFactory(tenant=tenant, state="RUNNING")
    _move(connector, "DEGRADED", "FAILED")
    alerts = list(Alert.objects.filter(connector=connector).order_by("id"))
    assert [(a.state, a.resolved_at is None) for a in alerts] == [("DEGRADED", False), ("FAILED", True)]


def test_a_muted_alert_sends_nothing_not_even_its_recovery(tenant, tenant_hook):
    connector = ConnectorFactory(tenant=tenant, state="FAILED")
    alert = alert_raise(condition="connector_state", connector=connector, state="FAILED", notify=False)
    alert_mute(alert=alert, minutes=60)
    alert_raise(condition="connector_state", connector=connector, state="FAILED", notify=True)
    _move(connector, "RUNNING")
    assert not Delivery.objects.exists()


def test_no_secret_reaches_an_alert(tenant, tenant_hook, webhook_receiver):
    connector = ConnectorFactory(tenant=tenant, state="RUNNING")
    connector_transition(
        connector_id=connector.pk,
        to="FAILED",
        actor="system",
        error=f"{AUTH_ERROR} (password=hunter2-secret, token S3cr3t-value)",
        secrets={"database.password": "S3cr3t-value"},
    )
    _send_all()
    text = str(webhook_receiver.bodies()) + Alert.objects.get(connector=connector).message
    assert "hunter2-secret" not in text and "S3cr3t-value" not in text and MASK in text


def test_an_email_channel_sends_through_djangos_email_backend(tenant, mailoutbox):
    channel_save(tenant=tenant, data={"name": "mail", "kind": "email", "recipients": ["oncall@sales.example"]})
    connector = ConnectorFactory(tenant=tenant, state="RUNNING")
    _move(connector, "FAILED", error=AUTH_ERROR)
    _send_all()
    [mail] = mailoutbox
    assert mail.to == ["oncall@sales.example"] and connector.name in mail.subject
    assert "password authentication failed" in mail.body and "next:" in mail.body


def test_a_failing_channel_is_recorded_without_its_url_and_does_not_hold_the_others(tenant, webhook_receiver):
    channel_save(
        tenant=tenant, data={"name": "broken", "kind": "webhook", "url": f"http://127.0.0.1:{closed_port()}/T0K3N"}
    )
    channel_save(tenant=tenant, data={"name": "ok", "kind": "webhook", "url": webhook_receiver.url()})
    connector = ConnectorFactory(tenant=tenant, state="RUNNING")
    _move(connector, "FAILED", error=AUTH_ERROR)
    broken = Delivery.objects.get(target="webhook:broken")
    with pytest.raises(DeliveryFailed):
        delivery_send(delivery_id=broken.pk)
    delivery_send(delivery_id=Delivery.objects.get(target="webhook:ok").pk)
    broken.refresh_from_db()
    assert broken.attempts == 1 and broken.status == "pending" and "T0K3N" not in broken.last_error
    assert broken.last_error == "NewConnectionError"  # the kind of failure only, never the URL
    delivery_give_up(delivery_id=broken.pk)  # the task's retries are exhausted
    assert Delivery.objects.get(pk=broken.pk).status == "failed"
    assert len(webhook_receiver.bodies()) == 1


def test_a_slack_channel_gets_a_text_body(tenant, webhook_receiver):
    channel_save(
        tenant=tenant, data={"name": "slack", "kind": "webhook", "format": "slack", "url": webhook_receiver.url()}
    )
    connector = ConnectorFactory(tenant=tenant, state="RUNNING")
    _move(connector, "FAILED", error=AUTH_ERROR)
    _send_all()
    [body] = webhook_receiver.bodies()
    assert set(body) == {"text"} and connector.name in body["text"] and "password authentication failed" in body["text"]


def test_channel_secrets_are_stored_encrypted(tenant):
    channel = channel_save(
        tenant=tenant,
        data={"name": "hook", "kind": "webhook", "url": "https://hooks.example/services/T0/B0/xoxb-secret-token"},
    )
    stored = AlertChannel.objects.filter(pk=channel.pk).values_list("secrets_encrypted", flat=True).get()
    assert "xoxb-secret-token" not in stored and channel.secrets()["url"].endswith("xoxb-secret-token")


def test_a_connectors_own_channels_replace_the_tenants_defaults(tenant, webhook_receiver):
    from monitoring.services.channels import connector_monitoring_update

    channel_save(tenant=tenant, data={"name": "default", "kind": "webhook", "url": webhook_receiver.url("/default")})
    channel_save(
        tenant=tenant,
        data={"name": "team-b", "kind": "webhook", "is_default": False, "url": webhook_receiver.url("/team-b")},
    )
    connector = ConnectorFactory(tenant=tenant, state="RUNNING")
    connector_monitoring_update(connector=connector, changes={"channels": ["team-b"]})
    _move(connector, "FAILED", error=AUTH_ERROR)
    _send_all()
    assert [item["path"] for item in webhook_receiver.received] == ["/team-b"]
