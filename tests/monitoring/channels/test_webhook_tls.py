"""A tenant's webhook is posted to the address its check found, with the URL's host name kept for the Host
header, TLS's server name and the certificate check: against a real HTTPS receiver on loopback whose
certificate names `localhost` only, a URL naming localhost is delivered (connected to 127.0.0.1, the
address checked), the same receiver by its address fails the certificate check, and so does one whose
certificate nobody configured as trusted."""

from __future__ import annotations

import ssl

import pytest

from devstack.certificates import self_signed_certificate
from monitoring.channels.errors import DeliveryFailed
from monitoring.models import Delivery
from monitoring.services.channels import channel_save
from monitoring.services.deliveries import delivery_send
from monitoring.services.notices import notice_to_tenant
from tests.loopback import LoopbackServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def https_receiver(tmp_path):
    cert, key = self_signed_certificate(tmp_path, names=["localhost"], stem="receiver")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with LoopbackServer(lambda request: (204, None, {}), tls=context) as server:
        server.cert = cert
        yield server


def _deliver(tenant, url: str) -> None:
    channel_save(tenant=tenant, data={"name": "oncall", "kind": "webhook", "url": url})
    notice_to_tenant(tenant=tenant, subject="s", text="t", payload={"event": "tls-test"})
    [delivery] = Delivery.objects.filter(kind="notice")
    delivery_send(delivery_id=delivery.pk)


def test_a_https_webhook_is_delivered_to_the_checked_address_under_its_own_name(tenant, settings, https_receiver):
    settings.ALERT_WEBHOOK_CA_BUNDLE = str(https_receiver.cert)
    port = https_receiver.port

    _deliver(tenant, f"https://localhost:{port}/hooks/T0?token=x")

    [seen] = https_receiver.seen
    assert (seen.headers["Host"], seen.path, seen.body["event"]) == (
        f"localhost:{port}",
        "/hooks/T0?token=x",
        "tls-test",
    )
    assert Delivery.objects.get().status == "sent"


def test_the_certificate_must_name_the_urls_host(tenant, settings, https_receiver):
    settings.ALERT_WEBHOOK_CA_BUNDLE = str(https_receiver.cert)
    with pytest.raises(DeliveryFailed, match="SSLError"):
        _deliver(tenant, f"https://127.0.0.1:{https_receiver.port}/hook")  # it names localhost only
    assert https_receiver.seen == []


def test_a_certificate_nobody_trusts_is_refused(tenant, https_receiver):
    with pytest.raises(DeliveryFailed, match="SSLError"):
        _deliver(tenant, f"https://localhost:{https_receiver.port}/hook")
    assert https_receiver.seen == []
