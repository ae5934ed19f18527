"""The monitoring pages of the admin: alerts with their deliveries, channels whose secrets are
write-only (a field to replace one, never one that shows it), cluster health, restarts, the outbox."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from monitoring.models import Alert, AlertChannel, ClusterHealth, Delivery
from monitoring.services.channels import channel_save
from tests.factories import ConnectorFactory, SharedClusterFactory

pytestmark = pytest.mark.django_db

OLD_URL = "https://hooks.example.com/services/T000/B000/old-token-123"
NEW_URL = "https://hooks.example.com/services/T000/B000/new-token-456"


@pytest.fixture
def webhook(tenant):
    return channel_save(tenant=tenant, data={"name": "oncall", "kind": "webhook", "url": OLD_URL})


def _form(channel: AlertChannel, **changes) -> dict:
    data = {
        "enabled": "on",
        "is_default": "on",
        "format": "json",
        "recipients": "[]",
        "from_email": "",
        "smtp_host": "",
    }
    return {**data, **changes}


def test_a_channels_url_is_never_shown_and_a_new_one_replaces_it_encrypted(admin_client, webhook):
    url = reverse("admin:monitoring_alertchannel_change", args=[webhook.pk])
    page = admin_client.get(url).content.decode()
    assert OLD_URL not in page and "old-token-123" not in page and webhook.secrets_encrypted[:20] not in page
    assert 'type="password" name="url"' in page and "Set (leave blank to keep)." in page

    response = admin_client.post(url, _form(webhook, url=NEW_URL, format="slack"))

    assert response.status_code == 302
    webhook.refresh_from_db()
    assert webhook.secrets()["url"] == NEW_URL and webhook.format == "slack"
    assert "new-token-456" not in webhook.secrets_encrypted
    history = admin_client.get(reverse("admin:monitoring_alertchannel_history", args=[webhook.pk])).content.decode()
    assert "new-token-456" not in history and "old-token-123" not in history
    assert not any("token" in entry.change_message for entry in LogEntry.objects.all())


def test_a_blank_url_keeps_the_stored_one(admin_client, webhook):
    admin_client.post(reverse("admin:monitoring_alertchannel_change", args=[webhook.pk]), _form(webhook, enabled=""))

    webhook.refresh_from_db()
    assert webhook.secrets()["url"] == OLD_URL and webhook.enabled is False


def test_an_email_channel_left_without_recipients_is_refused_and_the_typed_password_not_echoed(admin_client, tenant):
    channel = channel_save(tenant=tenant, data={"name": "mail", "kind": "email", "recipients": ["ops@example.com"]})

    response = admin_client.post(
        reverse("admin:monitoring_alertchannel_change", args=[channel.pk]),
        _form(channel, smtp_password="Typed-SMTP-pass-789"),
    )

    html = response.content.decode()
    assert response.status_code == 200 and "required for an email channel" in html
    assert "Typed-SMTP-pass-789" not in html
    channel.refresh_from_db()
    assert channel.recipients == ["ops@example.com"] and "smtp_password" not in channel.secrets()


def test_alerts_with_their_deliveries_cluster_health_restarts_and_the_outbox_render(admin_client, tenant, webhook):
    connector = ConnectorFactory(tenant=tenant, state="FAILED")
    alert = Alert.objects.create(connector=connector, tenant=tenant, state="FAILED", message="task 0 failed")
    Delivery.objects.create(alert=alert, channel=webhook, target=webhook.label, kind="alert", status="sent")
    ClusterHealth.objects.create(cluster=SharedClusterFactory(name="east"), reachable=False)

    alert_page = admin_client.get(reverse("admin:monitoring_alert_change", args=[alert.pk])).content.decode()

    assert "task 0 failed" in alert_page and webhook.label in alert_page and OLD_URL not in alert_page
    for model in ("alert", "alertchannel", "delivery", "clusterhealth", "restart", "outboxevent"):
        response = admin_client.get(reverse(f"admin:monitoring_{model}_changelist"))
        assert response.status_code == 200 and OLD_URL not in response.content.decode()


def test_notices_that_are_no_alert_are_listed_with_their_deliveries(admin_client, tenant, webhook):
    from monitoring.services.notices import notice_to_tenant

    notice_to_tenant(tenant=tenant, subject="change request 7 declined", text="not now", payload={"event": "x"})
    [notice] = Delivery.objects.filter(kind="notice")

    listing = admin_client.get(reverse("admin:monitoring_delivery_changelist")).content.decode()
    page = admin_client.get(reverse("admin:monitoring_delivery_change", args=[notice.pk])).content.decode()

    assert webhook.label in listing and tenant.slug in listing and OLD_URL not in listing
    assert "change request 7 declined" in page and OLD_URL not in page
    assert admin_client.post(reverse("admin:monitoring_delivery_delete", args=[notice.pk])).status_code == 403
