"""Webhook channel: a JSON POST of the alert, or a Slack-compatible body (`{"text": ...}`).

A tenant's URL is checked before each delivery and posted to the address the check found, with the URL's
host name kept for the Host header, TLS's server name and the certificate check (see destinations.py):
urllib3's connection pools take the address and the name apart, which `requests.post(url)` does not.
"""

from __future__ import annotations

import json

import certifi
from django.conf import settings
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool, Timeout
from urllib3.exceptions import HTTPError
from urllib3.util import parse_url

from monitoring.channels.destinations import allowed_address, webhook_url_errors
from monitoring.channels.errors import DeliveryFailed

REFUSED = "destination not allowed: unresolvable, or a private, loopback or link-local address"


def send(*, channel, message) -> None:
    if channel is None:
        url, body_format = settings.ALERT_WEBHOOK_URL, settings.ALERT_WEBHOOK_FORMAT
    else:
        url, body_format = channel.secrets().get("url", ""), channel.format
    if not url:
        raise DeliveryFailed("no webhook URL configured")
    body = {"text": message.text} if body_format == "slack" else message.payload
    parts = parse_url(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = None  # the platform's own URL is trusted, and resolved as usual
    if channel is not None:
        address = allowed_address(parts.host.strip("[]"), port) if not webhook_url_errors(url) else None
        if address is None:
            raise DeliveryFailed(REFUSED)
    status = _post(parts, port, body, address=address)
    if status >= 300:  # a redirect is not followed: it could lead where the URL itself may not
        raise DeliveryFailed(f"receiver answered {status}")


def _post(parts, port: int, body: dict, *, address) -> int:
    host = parts.host.strip("[]")
    connect_to = str(address) if address is not None else host
    timeout = Timeout(total=settings.ALERT_DELIVERY_TIMEOUT_SECONDS)
    if parts.scheme == "https":
        pool = HTTPSConnectionPool(
            connect_to,
            port,
            timeout=timeout,
            retries=False,
            cert_reqs="CERT_REQUIRED",
            ca_certs=settings.ALERT_WEBHOOK_CA_BUNDLE or certifi.where(),
            server_hostname=host,
            assert_hostname=host,
        )
    else:
        pool = HTTPConnectionPool(connect_to, port, timeout=timeout, retries=False)
    try:
        with pool:
            response = pool.urlopen(
                "POST",
                parts.request_uri,
                body=json.dumps(body).encode(),
                headers={"Host": parts.netloc, "Content-Type": "application/json"},
                redirect=False,
                assert_same_host=False,
            )
    except (HTTPError, OSError) as error:
        # Their messages quote the URL, which may carry a token: only the kind of error is kept.
        raise DeliveryFailed(type(error).__name__) from None
    return response.status
