"""Offsets a user can see and change: reset a connector's offsets or set them to given values.

Kafka Connect changes offsets only on a STOPPED connector (KIP-875). The request is refused on a
connector that is not stopped, unless the user asks to stop it first: then its desired state
becomes stopped, and the job stops it before it changes the offsets, and says so. Confluent Cloud
stops its connector itself during an offsets request, so there nothing is stopped first.

The request claims the connector (one operation in flight) and runs as a Celery job; its progress
and outcome are recorded on the connector's events, with who asked.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from connectors.connect import TRANSIENT_CONNECT_ERRORS, ConnectError
from connectors.errors import IllegalTransition
from connectors.models import Connector, OffsetsRequest
from connectors.selectors import connector_secrets, secrets_to_scrub
from connectors.services.auditing import audit_connector, connector_snapshot
from connectors.services.claims import operation_begin, operation_end, operation_mark
from connectors.services.converge import client_for, connector_converge
from connectors.services.dispatch import dispatch_offsets
from connectors.services.transitions import connector_note
from connectors.state_machine import DesiredState, State
from controlplane.exceptions import Conflict
from controlplane.flavours import CONFLUENT_CLOUD
from controlplane.masking import scrub

logger = logging.getLogger(__name__)
OPERATION = "offsets"
SYSTEM = "system"


def connector_offsets_request(
    *, connector: Connector, kind: str, actor: str, offsets: list[dict] | None = None, stop_first: bool = False
) -> OffsetsRequest:
    """Accept a reset (`kind` "reset") or a set ("set", with `offsets`); the job carries it out."""
    if connector.state == State.DELETED:
        raise IllegalTransition(f"{connector.name} is deleted.", errors={"state": ["DELETED is final"]})
    with transaction.atomic():
        locked = operation_begin(connector_id=connector.pk, operation=OPERATION)
        before = connector_snapshot(locked)
        if locked.desired_state == DesiredState.DELETED:
            raise IllegalTransition(f"{connector.name} is being deleted.", errors={"state": ["deletion requested"]})
        cloud = locked.cluster.connect_flavour == CONFLUENT_CLOUD
        stopped = locked.state == State.STOPPED and locked.desired_state == DesiredState.STOPPED
        stop_needed = not cloud and not stopped
        if stop_needed and not stop_first:
            raise Conflict(
                f"{connector.name} is {locked.state}: Kafka Connect changes offsets only on a stopped connector.",
                errors={"state": [f"is {locked.state}; stop the connector first, or ask with stop_first=true"]},
            )
        if stop_needed:
            locked.desired_state = DesiredState.STOPPED
            locked.save(update_fields=["desired_state", "updated_at"])
        request = OffsetsRequest.objects.create(
            connector=locked, kind=kind, offsets=offsets or [], stopped_first=stop_needed, requested_by=actor
        )
        audit_connector(
            connector=locked,
            action=f"offsets_{kind}",
            actor=actor,
            before=before,
            details={"offsets_request": {"id": request.pk, "kind": kind, "offsets": request.offsets}},
        )
        what = "reset" if kind == OffsetsRequest.Kind.RESET else f"set ({len(request.offsets)} partition(s))"
        connector_note(
            connector_id=locked.pk,
            actor=actor,
            reason=f"offsets {what} requested" + ("; stopping the connector first" if stop_needed else ""),
        )
        dispatch_offsets(request_id=request.pk, connector_id=locked.pk)
    return request


def offsets_apply(*, request_id: int) -> OffsetsRequest:
    """Worker side: stop the connector if asked, change its offsets, record the outcome. Idempotent:
    a finished request is not redone, and resetting or setting the same offsets twice is harmless."""
    request = OffsetsRequest.objects.select_related("connector__cluster", "connector__tenant").get(pk=request_id)
    connector = request.connector
    if request.status != OffsetsRequest.Status.PENDING:
        return request
    operation_mark(connector_id=connector.pk, operation=OPERATION)
    cloud = connector.cluster.connect_flavour == CONFLUENT_CLOUD
    if not cloud and connector.state != State.STOPPED:
        connector_note(connector_id=connector.pk, actor=SYSTEM, reason="offsets: stopping the connector")
        connector = connector_converge(
            connector_id=connector.pk, operation=OPERATION, actor=request.requested_by, release_claim=False
        )
        if connector.state != State.STOPPED:
            return offsets_fail(request_id=request.pk, message=f"the connector did not stop (it is {connector.state})")
    masked = secrets_to_scrub(cluster=connector.cluster, secrets=connector_secrets(connector=connector))
    client = client_for(connector)
    try:
        if request.kind == OffsetsRequest.Kind.RESET:
            message = client.reset_offsets(connector.name)
        else:
            message = client.alter_offsets(connector.name, request.offsets)
    except TRANSIENT_CONNECT_ERRORS:
        raise  # the claim stays held: the task retries
    except ConnectError as error:
        return offsets_fail(request_id=request.pk, message=scrub(str(error), secrets=masked))
    message = scrub(message or f"offsets {request.kind} applied", secrets=masked)
    OffsetsRequest.objects.filter(pk=request.pk).update(
        status=OffsetsRequest.Status.DONE, message=message, finished_at=timezone.now()
    )
    next_step = "" if cloud else "; resume the connector to continue from them"
    connector_note(connector_id=connector.pk, actor=SYSTEM, reason=f"offsets {request.kind} done: {message}{next_step}")
    operation_end(connector_id=connector.pk)
    logger.info("connector offsets changed", extra={"connector": connector.name, "kind": request.kind})
    request.refresh_from_db()
    return request


def offsets_fail(*, request_id: int, message: str) -> OffsetsRequest:
    """The request cannot succeed (or its job gave up): record why and free the connector."""
    request = OffsetsRequest.objects.select_related("connector").get(pk=request_id)
    OffsetsRequest.objects.filter(pk=request_id, status=OffsetsRequest.Status.PENDING).update(
        status=OffsetsRequest.Status.FAILED, message=message, finished_at=timezone.now()
    )
    connector_note(
        connector_id=request.connector_id,
        actor=SYSTEM,
        reason=f"offsets {request.kind} failed; the offsets are unchanged",
        error=message,
    )
    operation_end(connector_id=request.connector_id)
    request.refresh_from_db()
    return request
