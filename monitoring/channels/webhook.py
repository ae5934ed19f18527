"""Webhook channel: a JSON POST of the alert, or a Slack-compatible body (`{"text": ...}`)."""

from __future__ import annotations

import requests
from django.conf import settings

from monitoring.channels.destinations import webhook_url_errors
from monitoring.channels.errors import DeliveryFailed


def send(*, channel, message) -> None:
    if channel is None:
        url, body_format = settings.ALERT_WEBHOOK_URL, settings.ALERT_WEBHOOK_FORMAT
    else:
        url, body_format = channel.secrets().get("url", ""), channel.format
    if not url:
        raise DeliveryFailed("no webhook URL configured")
    # A tenant's URL is checked again (the platform's own is trusted).
    if channel is not None and webhook_url_errors(url, must_resolve=True):
        raise DeliveryFailed("destination not allowed: unresolvable, or a private, loopback or link-local address")
    body = {"text": message.text} if body_format == "slack" else message.payload
    try:
        # A redirect is not followed: it could lead where the URL itself may not (it counts as failed).
        response = requests.post(url, json=body, timeout=settings.ALERT_DELIVERY_TIMEOUT_SECONDS, allow_redirects=False)
    except requests.RequestException as error:
        # requests' messages quote the URL: only the kind of error is kept.
        raise DeliveryFailed(type(error).__name__) from None
    if response.status_code >= 300:
        raise DeliveryFailed(f"receiver answered {response.status_code}")
