"""The control plane's own errors about connectors, in one place (Connect's own are in connectors.connect).

Services raise them, tasks decide from them what to retry, and the API's exception handler turns
the `ApplicationError` ones into its error shape.
"""

from __future__ import annotations

from controlplane.exceptions import Conflict


class IllegalTransition(Conflict):
    """The state machine does not allow this move (a 409 for the API)."""

    code = "illegal_transition"


class OperationInFlight(Conflict):
    """Another operation holds the connector's claim (a 409 for the API)."""

    code = "operation_in_flight"


class TopicsUnavailable(Exception):
    """The cluster's brokers could not be asked (a transient condition: the task retries)."""


class TopicsRefused(Exception):
    """The cluster refused to create a topic (authorization, policy, invalid name): permanent."""


class WorkerFilesRefused(Exception):
    """A stored connector would touch files outside its tenant's sandbox (or where the cluster allows
    none): permanent, its config is never written to Connect."""
