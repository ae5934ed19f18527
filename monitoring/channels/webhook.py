"""Webhook channel: a JSON POST of the alert, or a Slack-compatible body (`{"text": ...}`).

A tenant's URL is checked before each delivery and posted to the addresses the check found, with the URL's
host name kept for the Host header, TLS's server name and the certificate check (see destinations.py):
urllib3's connection pools take the address and the name apart, which `requests.post(url)` does not.
"""

from __future__ import annotations

import json

import certifi
from django.conf import settings
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool, Timeout
from urllib3.exceptions import ConnectTimeoutError, HTTPError, NewConnectionError

from monitoring.channels.destinations import (
    REFUSED,
    WebhookTarget,
    allowed_addresses,
    webhook_target,
    webhook_url_errors,
)
from monitoring.channels.errors import DeliveryFailed


def send(*, channel, message) -> None:
    if channel is None:
        url, body_format = settings.ALERT_WEBHOOK_URL, settings.ALERT_WEBHOOK_FORMAT
    else:
        url, body_format = channel.secrets().get("url", ""), channel.format
    if not url:
        raise DeliveryFailed("no webhook URL configured")
    target = webhook_target(url)
    if target is None:
        raise DeliveryFailed("not a webhook URL that can be posted to")
    body = {"text": message.text} if body_format == "slack" else message.payload
    addresses: list = [None]  # the platform's own URL is trusted, and resolved as usual
    if channel is not None:
        # The URL's form again (a channel saved before the checks), then what its name resolves to now: once.
        addresses = [] if webhook_url_errors(url, resolve=False) else allowed_addresses(target.host, target.port)
        if not addresses:
            raise DeliveryFailed(REFUSED)
    for index, address in enumerate(addresses):
        try:
            status = _post(target, body, address=address)
            break
        except (NewConnectionError, ConnectTimeoutError) as error:
            if index == len(addresses) - 1:  # each address of the name tried, as a resolver's caller would
                raise DeliveryFailed(type(error).__name__) from None
        except (HTTPError, OSError) as error:
            # Their messages quote the URL, which may carry a token: only the kind of error is kept.
            raise DeliveryFailed(type(error).__name__) from None
    if status >= 300:  # a redirect is not followed: it could lead where the URL itself may not
        raise DeliveryFailed(f"receiver answered {status}")


def _post(target: WebhookTarget, body: dict, *, address) -> int:
    connect_to = str(address) if address is not None else target.host
    timeout = Timeout(total=settings.ALERT_DELIVERY_TIMEOUT_SECONDS)
    if target.scheme == "https":
        pool = HTTPSConnectionPool(
            connect_to,
            target.port,
            timeout=timeout,
            retries=False,
            cert_reqs="CERT_REQUIRED",
            ca_certs=settings.ALERT_WEBHOOK_CA_BUNDLE or certifi.where(),
            server_hostname=target.host,
            assert_hostname=target.host,
        )
    else:
        pool = HTTPConnectionPool(connect_to, target.port, timeout=timeout, retries=False)
    with pool:
        response = pool.urlopen(
            "POST",
            target.request_uri,
            body=json.dumps(body).encode(),
            headers={"Host": target.netloc, "Content-Type": "application/json"},
            redirect=False,
            assert_same_host=False,
        )
    return response.status
