"""One operation in flight per connector: the claim a command takes and its task releases.

The claim is a pair of columns on the connector (`operation`, `operation_started_at`): a second
command meanwhile is a 409, and a claim older than the task hard time limit belongs to a worker
that died, so the reconciler may take it over.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from connectors.errors import OperationInFlight
from connectors.models import Connector


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


def operation_end(*, connector_id: int, claimed_at: datetime | None = None) -> None:
    """Release the claim; with `claimed_at`, only if it is still ours (a stale claim may have been taken over)."""
    claims = Connector.objects.filter(pk=connector_id)
    if claimed_at is not None:
        claims = claims.filter(operation_started_at=claimed_at)
    claims.update(operation="", operation_started_at=None, updated_at=timezone.now())


def operation_mark(*, connector_id: int, operation: str) -> None:
    """A worker starts (or retries) an operation: keep the claim visible to the reconciler."""
    Connector.objects.filter(pk=connector_id).update(operation=operation, operation_started_at=timezone.now())
