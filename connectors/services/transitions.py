"""The ONE place a connector's lifecycle state changes (under a row lock, recorded as an event, announced
through `connectors.signals.connector_transitioned` in the same transaction)."""

from __future__ import annotations

import logging

from django.db import transaction

from connectors.errors import IllegalTransition
from connectors.models import Connector, ConnectorEvent
from connectors.signals import connector_transitioned
from connectors.state_machine import State, is_allowed
from controlplane.masking import scrub

logger = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 4000


@transaction.atomic
def connector_transition(
    *, connector_id: int, to: str, actor: str, reason: str = "", error: str = "", secrets: dict[str, str] | None = None
) -> Connector:
    """Move the connector to `to` under a row lock and record it; an illegal move is a 409."""
    connector = Connector.objects.select_for_update().get(pk=connector_id)
    if connector.state == to:
        if to == State.FAILED and error:
            connector.last_error = scrub(error, secrets=secrets or {}, limit=MAX_ERROR_LENGTH)
            connector.save(update_fields=["last_error", "updated_at"])
        return connector
    if not is_allowed(connector.state, to):
        raise IllegalTransition(
            f"A connector in state {connector.state} cannot go to {to}.",
            errors={"state": [f"{connector.state} -> {to} is not allowed"]},
        )
    clean_error = scrub(error, secrets=secrets or {}, limit=MAX_ERROR_LENGTH) if error else ""
    event = ConnectorEvent.objects.create(
        connector=connector,
        from_state=connector.state,
        to_state=to,
        reason=reason[:200],
        actor=actor,
        error=clean_error,
    )
    # Alerts and the events outbox (monitoring) are written here, in this transaction: see connectors/signals.py.
    connector_transitioned.send(sender=Connector, connector=connector, event=event)
    connector.state = to
    # FAILED and DEGRADED keep their reason on the connector; other states clear it.
    connector.last_error = clean_error if to in {State.FAILED, State.DEGRADED} else ""
    connector.save(update_fields=["state", "last_error", "updated_at"])
    return connector
