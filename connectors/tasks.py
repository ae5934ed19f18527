"""Celery tasks: they take ids, call one service, and retry only transient errors.

Every task is idempotent (converging twice does no harm), so they run with acks_late and
reject_on_worker_lost: a worker killed mid-task leaves the message to be redelivered.
"""

from __future__ import annotations

from celery import shared_task

from connectors.connect import TRANSIENT_CONNECT_ERRORS, ConnectorNotFound
from connectors.services.alerts import WebhookFailed
from connectors.services.topics import TopicsUnavailable

# ConnectorNotFound during a converge: Connect has not registered a connector it just accepted.
TRANSIENT_ERRORS = (*TRANSIENT_CONNECT_ERRORS, ConnectorNotFound, TopicsUnavailable)

task_options = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "ignore_result": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 8,
}


def _release_claim(self, exc, task_id, args, kwargs, einfo) -> None:
    """Retries exhausted (or a bug): free the connector so the reconciler can try again later."""
    from connectors.services.transitions import operation_end

    operation_end(connector_id=args[0])


@shared_task(name="connectors.converge", bind=True, on_failure=_release_claim, **task_options)
def connector_converge_task(self, connector_id: int, operation: str = "converge", actor: str = "system") -> None:
    """Provision, update, pause, resume, stop, restart or delete: whatever the desired state says."""
    from connectors.services.converge import connector_converge
    from connectors.services.transitions import operation_mark

    operation_mark(connector_id=connector_id, operation=operation)
    connector_converge(connector_id=connector_id, actor=actor)


@shared_task(name="connectors.reconcile", ignore_result=True, acks_late=True)
def reconcile_task() -> dict:
    """Beat: observe every cluster in one bulk call each, detect drift, re-dispatch what is behind."""
    from connectors.services.reconcile import reconcile_all

    return reconcile_all()


@shared_task(
    name="connectors.alert_notify",
    ignore_result=True,
    acks_late=True,
    autoretry_for=(WebhookFailed,),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def alert_notify_task(alert_id: int) -> None:
    """Send one alert to the webhook (idempotent: an alert is sent once)."""
    from connectors.services.alerts import alert_notify

    alert_notify(alert_id=alert_id)
