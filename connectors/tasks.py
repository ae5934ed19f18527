"""Celery tasks: ids in, one service call, transient errors retried (see controlplane.tasks)."""

from __future__ import annotations

from connectors.connect import TRANSIENT_CONNECT_ERRORS, ConnectorNotFound
from connectors.errors import TopicsUnavailable
from connectors.services.claims import operation_end
from connectors.services.converge import connector_converge
from connectors.services.dispatch import CONVERGE_TASK, OFFSETS_TASK
from connectors.services.offsets import offsets_apply, offsets_fail
from controlplane.tasks import control_plane_task

# ConnectorNotFound during a converge: Connect has not registered a connector it just accepted.
CONVERGE_TRANSIENT_ERRORS = (*TRANSIENT_CONNECT_ERRORS, ConnectorNotFound, TopicsUnavailable)


def _release_claim(task, exc, task_id, args, kwargs, einfo) -> None:
    """Retries exhausted (or a bug): free the connector so the reconciler can try again later."""
    operation_end(connector_id=args[0])


@control_plane_task(name=CONVERGE_TASK, retry_on=CONVERGE_TRANSIENT_ERRORS, on_failure=_release_claim)
def connector_converge_task(connector_id: int, operation: str = "converge", actor: str = "system") -> None:
    """Provision, update, pause, resume, stop, restart or delete: whatever the desired state says."""
    connector_converge(connector_id=connector_id, operation=operation, actor=actor)


def _offsets_gave_up(task, exc, task_id, args, kwargs, einfo) -> None:
    """Retries exhausted (or a bug): the request failed, visibly, and the connector is free again."""
    offsets_fail(request_id=args[0], message=f"the offsets job gave up ({type(exc).__name__})")


@control_plane_task(name=OFFSETS_TASK, retry_on=CONVERGE_TRANSIENT_ERRORS, on_failure=_offsets_gave_up)
def offsets_apply_task(request_id: int) -> None:
    """Stop the connector if asked, then reset or set its offsets."""
    offsets_apply(request_id=request_id)
