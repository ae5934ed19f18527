"""Signals connectors send so that other apps (monitoring) can react without connectors importing them.

`connector_transitioned` is sent by `services.transitions.connector_transition`, the one place a
lifecycle state changes, INSIDE its transaction and after the ConnectorEvent is written. Receivers
therefore see the transition exactly once, and what they write (an alert, an outbox row for the
events topic) commits or rolls back together with it. A receiver that raises aborts the transition,
so receivers must only write rows; anything slow or remote belongs in a task published on commit.

It is a plain Signal sent explicitly by the transition service, not a model signal: no change of
state can happen without it (the transition function is the only writer of `Connector.state`).

Arguments: `connector` (the locked Connector, its `state` still the old one), `event` (the new
ConnectorEvent, with from_state, to_state, reason, actor and the scrubbed error).
"""

from django.dispatch import Signal

connector_transitioned = Signal()
