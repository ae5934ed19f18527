"""The one way services hand work to Celery: by the tasks' stable names, never by importing them.

Work is published after the transaction commits, and never lost: if the broker is down the
request is already stored, the claim is released and the reconciler re-dispatches the connector
once Redis is back. Task names are part of the wire contract with running workers: never rename.
"""

from __future__ import annotations

import logging

from celery import current_app
from django.db import transaction

from connectors.models import OffsetsRequest
from connectors.services.claims import operation_end

logger = logging.getLogger(__name__)

CONVERGE_TASK = "connectors.converge"
OFFSETS_TASK = "connectors.offsets_apply"


def publish_converge(*, connector_id: int, operation: str, actor: str = "system") -> bool:
    """Publish now; on a broker failure release the claim and return False."""
    try:
        current_app.send_task(
            CONVERGE_TASK, args=[connector_id], kwargs={"operation": operation, "actor": actor}, retry=False
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


def publish_offsets(*, request_id: int, connector_id: int) -> bool:
    """Publish an offsets request; on a broker failure release the claim and say the request failed."""
    try:
        current_app.send_task(OFFSETS_TASK, args=[request_id], retry=False)
        return True
    except Exception as error:  # noqa: BLE001 - kombu/redis raise many types; any means "not published"
        logger.warning(
            "broker unavailable; offsets request not started",
            extra={"offsets_request_id": request_id, "error": type(error).__name__},
        )
        OffsetsRequest.objects.filter(pk=request_id).update(
            status=OffsetsRequest.Status.FAILED, message="the job queue was unavailable; nothing changed, ask again"
        )
        operation_end(connector_id=connector_id)
        return False


def dispatch_offsets(*, request_id: int, connector_id: int) -> None:
    transaction.on_commit(lambda: publish_offsets(request_id=request_id, connector_id=connector_id))
