"""Monitoring's work handed to Celery by task name, after the transaction commits (services never
import tasks). A broker that is down loses nothing: deliveries stay `pending` and are re-sent by
the sweep, restarts are decided again by the next sweep, outbox rows wait for the next drain."""

from __future__ import annotations

import logging

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)

SWEEP_TASK = "monitoring.sweep"
DELIVER_TASK = "monitoring.deliver"
RESTART_TASK = "monitoring.restart"
PUBLISH_EVENTS_TASK = "monitoring.publish_events"


def _publish(name: str, args: list) -> None:
    try:
        current_app.send_task(name, args=args, retry=False)
    except Exception as error:  # noqa: BLE001 - kombu/redis raise many types; any means "not published"
        logger.warning(
            "broker unavailable; monitoring task not queued", extra={"task": name, "error": type(error).__name__}
        )


def dispatch_delivery(*, delivery_id: int) -> None:
    transaction.on_commit(lambda: _publish(DELIVER_TASK, [delivery_id]))


def dispatch_restart(*, connector_id: int, attempt: int) -> None:
    transaction.on_commit(lambda: _publish(RESTART_TASK, [connector_id, attempt]))
