"""Alert delivery: a JSON POST to ALERT_WEBHOOK_URL (Slack/Teams/PagerDuty-style receivers)."""

from __future__ import annotations

import logging

import requests
from django.conf import settings
from django.utils import timezone

from connectors.errors import WebhookFailed
from connectors.models import Alert

logger = logging.getLogger(__name__)
WEBHOOK_TIMEOUT_SECONDS = 5


def alert_payload(alert: Alert) -> dict:
    connector = alert.connector
    return {
        "alert_id": alert.pk,
        "state": alert.state,
        "connector": connector.name,
        "tenant": connector.tenant.slug,
        "cluster": connector.cluster.name,
        "stage": connector.stage,
        "message": alert.message,  # already scrubbed of secrets by the transition service
        "opened_at": alert.opened_at.isoformat(),
        "resolved": alert.resolved_at is not None,
    }


def alert_notify(*, alert_id: int) -> bool:
    """POST the alert once; returns False when there is nothing to send."""
    alert = Alert.objects.select_related("connector__tenant", "connector__cluster").get(pk=alert_id)
    if not settings.ALERT_WEBHOOK_URL or alert.notified_at is not None:
        return False
    try:
        response = requests.post(settings.ALERT_WEBHOOK_URL, json=alert_payload(alert), timeout=WEBHOOK_TIMEOUT_SECONDS)
    except requests.RequestException as error:
        raise WebhookFailed(type(error).__name__) from None
    if response.status_code >= 300:
        raise WebhookFailed(f"receiver answered {response.status_code}")
    Alert.objects.filter(pk=alert.pk).update(notified_at=timezone.now())
    return True
