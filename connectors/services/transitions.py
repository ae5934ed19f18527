"""The ONE place a connector's lifecycle state changes, and the one-operation-in-flight guard."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from connectors.state_machine import State, is_allowed
from connectors.models import Alert, Connector, ConnectorEvent
from controlplane.exceptions import Conflict
from controlplane.logging import MASK, redact

logger = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 4000


class IllegalTransition(Conflict):
    code = "illegal_transition"


class OperationInFlight(Conflict):
    code = "operation_in_flight"


def scrub_error(text: str, *, secrets: dict[str, str] | None = None) -> str:
    """An error text safe to store and show: known secret values and secret-looking pairs masked."""
    for value in (secrets or {}).values():
        if value and len(value) >= 3:
            text = text.replace(value, MASK)
    return redact(text)[:MAX_ERROR_LENGTH]


@transaction.atomic
def connector_transition(
    *, connector_id: int, to: str, actor: str, reason: str = "", error: str = "", secrets: dict[str, str] | None = None
) -> Connector:
    """Move the connector to `to` under a row lock and record it; an illegal move is a 409."""
    connector = Connector.objects.select_for_update().get(pk=connector_id)
    if connector.state == to:
        if to == State.FAILED and error:
            connector.last_error = scrub_error(error, secrets=secrets)
            connector.save(update_fields=["last_error", "updated_at"])
        return connector
    if not is_allowed(connector.state, to):
        raise IllegalTransition(
            f"A connector in state {connector.state} cannot go to {to}.",
            errors={"state": [f"{connector.state} -> {to} is not allowed"]},
        )
    clean_error = scrub_error(error, secrets=secrets) if error else ""
    ConnectorEvent.objects.create(
        connector=connector,
        from_state=connector.state,
        to_state=to,
        reason=reason[:200],
        actor=actor,
        error=clean_error,
    )
    _update_alerts(connector=connector, to=to, message=clean_error or reason)
    connector.state = to
    # FAILED and DEGRADED keep their reason on the connector; other states clear it.
    connector.last_error = clean_error if to in {State.FAILED, State.DEGRADED} else ""
    connector.save(update_fields=["state", "last_error", "updated_at"])
    return connector


ALERT_STATES = frozenset({State.FAILED, State.DEGRADED, State.DRIFTED})
HEALTHY_STATES = frozenset({State.RUNNING, State.PAUSED, State.STOPPED, State.DELETED})


def _update_alerts(*, connector: Connector, to: str, message: str) -> None:
    """Open an alert when the connector needs attention, resolve open ones when it is healthy again."""
    now = timezone.now()
    if to in ALERT_STATES:
        Alert.objects.filter(connector=connector, resolved_at__isnull=True).exclude(state=to).update(resolved_at=now)
        if not Alert.objects.filter(connector=connector, state=to, resolved_at__isnull=True).exists():
            alert = Alert.objects.create(connector=connector, tenant_id=connector.tenant_id, state=to, message=message)
            logger.error(
                "connector alert",
                extra={"alert_id": alert.pk, "connector": connector.name, "state": to},
            )
            transaction.on_commit(lambda: _publish_alert(alert.pk))
    elif to in HEALTHY_STATES:
        Alert.objects.filter(connector=connector, resolved_at__isnull=True).update(resolved_at=now)


def _publish_alert(alert_id: int) -> None:
    if not settings.ALERT_WEBHOOK_URL:
        return
    from connectors.tasks import alert_notify_task

    try:
        alert_notify_task.apply_async(args=[alert_id], retry=False)
    except Exception:  # noqa: BLE001 - the alert is stored and listed; the webhook is best effort
        logger.warning("broker unavailable; alert webhook not sent", extra={"alert_id": alert_id})


def operation_is_stale(connector: Connector) -> bool:
    """An operation older than the task hard time limit belongs to a worker that died."""
    if not connector.operation or connector.operation_started_at is None:
        return False
    limit = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 30)
    return timezone.now() - connector.operation_started_at > limit


@transaction.atomic
def operation_begin(*, connector_id: int, operation: str) -> Connector:
    """Claim the connector for one operation; another one meanwhile is a 409."""
    connector = Connector.objects.select_for_update().get(pk=connector_id)
    if connector.operation and not operation_is_stale(connector):
        raise OperationInFlight(
            f"'{connector.operation}' is already in progress for {connector.name}; try again when it finishes.",
            errors={"operation": [f"'{connector.operation}' in progress"]},
        )
    connector.operation = operation
    connector.operation_started_at = timezone.now()
    connector.save(update_fields=["operation", "operation_started_at", "updated_at"])
    return connector


def operation_end(*, connector_id: int, claimed_at=None) -> None:
    """Release the claim; with `claimed_at`, only if it is still ours (a stale claim may have been taken over)."""
    claims = Connector.objects.filter(pk=connector_id)
    if claimed_at is not None:
        claims = claims.filter(operation_started_at=claimed_at)
    claims.update(operation="", operation_started_at=None, updated_at=timezone.now())


def operation_mark(*, connector_id: int, operation: str) -> None:
    """A worker starts (or retries) an operation: keep the claim visible to the reconciler."""
    Connector.objects.filter(pk=connector_id).update(operation=operation, operation_started_at=timezone.now())
