"""Hand work to Celery after the transaction commits, without ever losing a request.

If the broker is down the request is already stored: the claim is released and the reconciler
re-dispatches the connector once Redis is back.
"""

from __future__ import annotations

import logging

from django.db import transaction

from connectors.services.transitions import operation_end

logger = logging.getLogger(__name__)


def publish_converge(*, connector_id: int, operation: str, actor: str = "system") -> bool:
    """Publish now; on a broker failure release the claim and return False."""
    from connectors.tasks import connector_converge_task

    try:
        connector_converge_task.apply_async(
            args=[connector_id], kwargs={"operation": operation, "actor": actor}, retry=False
        )
        return True
    except Exception as error:  # noqa: BLE001 - kombu/redis raise many types; any means "not published"
        logger.warning(
            "broker unavailable; the reconciler will dispatch this connector later",
            extra={"connector_id": connector_id, "operation": operation, "error": type(error).__name__},
        )
        operation_end(connector_id=connector_id)
        return False


def dispatch_converge(*, connector_id: int, operation: str, actor: str = "system") -> None:
    transaction.on_commit(lambda: publish_converge(connector_id=connector_id, operation=operation, actor=actor))
