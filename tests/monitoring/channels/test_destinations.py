"""A tenant's alert channel cannot aim the platform's workers at the platform's own networks: webhook
URLs and SMTP servers on private, loopback or link-local addresses are refused when the channel is
saved and again before each delivery, unless ALERT_CHANNEL_ALLOWED_NETWORKS allows them; a webhook's
redirect is not followed."""

from __future__ import annotations

import pytest

from controlplane.exceptions import ValidationFailed
from monitoring.channels.errors import DeliveryFailed
from monitoring.models import Delivery
from monitoring.services.channels import channel_save
from monitoring.services.deliveries import delivery_send
from monitoring.services.notices import notice_to_tenant
from tests.loopback import LoopbackServer
from tests.monitoring.conftest import WebhookReceiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_only(settings):
    settings.ALERT_CHANNEL_ALLOWED_NETWORKS = []
    return settings


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8083/connectors",  # the Connect REST API next door
        "http://169.254.169.254/latest/meta-data/iam/",  # the cloud's metadata service
        "http://10.1.2.3/hook",
        "http://100.64.0.1/hook",  # carrier-grade NAT
        "http://[::1]:8000/admin/",
        "http://[::ffff:127.0.0.1]/hook",  # loopback written as IPv6
        "http://localhost:6379/",  # a name is judged by what it resolves to
        "http://2130706433/",  # 127.0.0.1 as one number
        "http://[64:ff9b::a9fe:a9fe]/",  # the metadata service through NAT64
        "http://[2002:7f00:1::]/",  # loopback inside a 6to4 address
        "http://[::7f00:1]/",  # IPv4-compatible IPv6
        "http://[fec0::1]/",  # site-local IPv6, which Python counts as global
    ],
)
def test_a_webhook_into_the_platforms_networks_is_refused_with_a_field_error(tenant, public_only, url):
    with pytest.raises(ValidationFailed) as refused:
        channel_save(tenant=tenant, data={"name": "oncall", "kind": "webhook", "url": url})
    [reason] = refused.value.errors["url"]
    assert "may not reach private, loopback or link-local addresses" in reason
    assert url not in reason  # a URL may carry a token: it is never echoed


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        # requests ends the host at the backslash (127.0.0.1), urlsplit does not (example.com).
        ("http://127.0.0.1:8083\\@example.com/", "may not contain backslashes, spaces or control characters"),
        ("http://user:pass@93.184.216.34/hook", "may not carry a user name or password before the host"),
    ],
)
def test_urls_whose_host_parsers_could_disagree_on_are_refused(tenant, public_only, url, reason):
    with pytest.raises(ValidationFailed) as refused:
        channel_save(tenant=tenant, data={"name": "oncall", "kind": "webhook", "url": url})
    assert refused.value.errors["url"][0].startswith(reason)


def test_other_schemes_are_refused_and_public_addresses_accepted(tenant, public_only):
    with pytest.raises(ValidationFailed) as refused:
        channel_save(tenant=tenant, data={"name": "oncall", "kind": "webhook", "url": "file:///etc/passwd"})
    assert refused.value.errors["url"] == ["must be an http:// or https:// URL with a host"]
    channel = channel_save(tenant=tenant, data={"name": "oncall", "kind": "webhook", "url": "https://93.184.216.34/h"})
    assert channel.secrets()["url"] == "https://93.184.216.34/h"


def test_an_smtp_server_on_a_private_address_is_refused(tenant, public_only):
    data = {"name": "mail", "kind": "email", "recipients": ["oncall@example.com"], "smtp_host": "192.168.1.10"}
    with pytest.raises(ValidationFailed) as refused:
        channel_save(tenant=tenant, data=data)
    assert "192.168.1.10 is 192.168.1.10" in refused.value.errors["smtp_host"][0]


def test_the_api_answers_a_private_webhook_with_the_one_error_shape(client_for, tenant, public_only):
    from tenants.models import Role

    answer = client_for(tenant, Role.ADMIN).post(
        f"/api/v1/tenants/{tenant.slug}/alert-channels/",
        {"name": "oncall", "kind": "webhook", "url": "http://169.254.169.254/latest/"},
        format="json",
    )
    assert answer.status_code == 400, answer.json()
    assert answer.json()["code"] == "invalid" and list(answer.json()["errors"]) == ["url"]


def test_an_allowed_network_may_be_reached(tenant, settings):
    settings.ALERT_CHANNEL_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    channel_save(tenant=tenant, data={"name": "oncall", "kind": "webhook", "url": "http://10.1.2.3/hook"})


def _notice_delivery(tenant) -> Delivery:
    notice_to_tenant(tenant=tenant, subject="s", text="t", payload={"event": "test"})
    [delivery] = Delivery.objects.filter(kind="notice")
    return delivery


def test_a_delivery_is_refused_when_its_destination_is_no_longer_allowed(tenant, settings):
    receiver = WebhookReceiver()
    try:
        channel_save(tenant=tenant, data={"name": "oncall", "kind": "webhook", "url": receiver.url("/sales")})
        settings.ALERT_CHANNEL_ALLOWED_NETWORKS = []  # tightened after the channel was saved
        with pytest.raises(DeliveryFailed, match="destination not allowed"):
            delivery_send(delivery_id=_notice_delivery(tenant).pk)
        assert receiver.received == []
    finally:
        receiver.close()


def test_a_webhooks_redirect_is_not_followed(tenant):
    receiver = WebhookReceiver()
    redirecting = LoopbackServer(lambda request: (307, None, {"Location": receiver.url("/inside")}))
    try:
        with redirecting:
            channel_save(tenant=tenant, data={"name": "oncall", "kind": "webhook", "url": f"{redirecting.url}/hook"})
            with pytest.raises(DeliveryFailed, match="receiver answered 307"):
                delivery_send(delivery_id=_notice_delivery(tenant).pk)
        assert receiver.received == []
    finally:
        receiver.close()


def test_a_name_that_does_not_resolve_is_accepted_on_save_and_refused_when_used(tenant, public_only):
    channel_save(tenant=tenant, data={"name": "oncall", "kind": "webhook", "url": "https://hooks.example/T0/x"})
    with pytest.raises(DeliveryFailed, match="destination not allowed: unresolvable"):
        delivery_send(delivery_id=_notice_delivery(tenant).pk)


def test_a_stored_url_no_parser_takes_fails_its_delivery_without_quoting_it(tenant):
    from controlplane.crypto import encrypt_secrets
    from monitoring.models import AlertChannel

    # Saved before the checks existed: the port is out of range; urllib3's error would quote the token.
    AlertChannel.objects.create(
        tenant=tenant, name="old", kind="webhook", secrets_encrypted=encrypt_secrets({"url": "http://h:99999/T0K3N"})
    )
    with pytest.raises(DeliveryFailed) as failed:
        delivery_send(delivery_id=_notice_delivery(tenant).pk)
    assert "T0K3N" not in str(failed.value) and "T0K3N" not in Delivery.objects.get().last_error
