"""Monitoring's Celery tasks: ids in, one service call (see controlplane.tasks)."""

from __future__ import annotations

from django.conf import settings

from connectors.connect import TRANSIENT_CONNECT_ERRORS
from controlplane.tasks import control_plane_task
from monitoring.channels import DeliveryFailed
from monitoring.services.deliveries import delivery_give_up, delivery_send
from monitoring.services.dispatch import DELIVER_TASK, PUBLISH_EVENTS_TASK, RESTART_TASK, SWEEP_TASK
from monitoring.services.outbox import publish_events
from monitoring.services.restarts import connector_restart_failed_tasks
from monitoring.services.sweep import sweep_due


@control_plane_task(name=SWEEP_TASK, periodic=True)
def sweep_task() -> dict:
    """Beat: one bulk status call per cluster, the reconciler's pass, restarts, lag, unreachable clusters."""
    return sweep_due()


def _give_up(task, exc, task_id, args, kwargs, einfo) -> None:
    delivery_give_up(delivery_id=args[0])


@control_plane_task(
    name=DELIVER_TASK,
    retry_on=(DeliveryFailed,),
    max_retries=settings.ALERT_DELIVERY_MAX_RETRIES,
    backoff=settings.ALERT_DELIVERY_BACKOFF_SECONDS,
    backoff_max=settings.ALERT_DELIVERY_BACKOFF_MAX_SECONDS,
    on_failure=_give_up,
)
def deliver_task(delivery_id: int) -> None:
    """Send one notification to one channel; retried with backoff, recorded."""
    delivery_send(delivery_id=delivery_id)


@control_plane_task(name=RESTART_TASK, retry_on=TRANSIENT_CONNECT_ERRORS, max_retries=2)
def restart_task(connector_id: int, attempt: int) -> None:
    """Restart a connector's failed tasks (an automatic restart decided by the sweep)."""
    connector_restart_failed_tasks(connector_id=connector_id, attempt=attempt)


@control_plane_task(name=PUBLISH_EVENTS_TASK, periodic=True)
def publish_events_task() -> int:
    """Beat: drain the events outbox to the events topic, in order."""
    return publish_events()
