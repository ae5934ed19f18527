"""Rules other apps add to connector writes, without connectors importing them.

Governance registers its checks here when Django starts (`governance.apps`):

* admission checks (quotas) run inside the write's transaction, before anything is stored, and
  refuse by raising an `ApplicationError`;
* holds (four-eyes approval) run before a create or a new spec is stored and may turn it into a
  pending change by raising `ChangeHeld`, which answers 202 with the change request (from any
  endpoint that creates or updates).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from connectors.models import Connector
from connectors.spec import ConnectorSpec
from controlplane.exceptions import ApplicationError
from tenants.models import Cluster


@dataclass(frozen=True)
class Admission:
    action: str  # create, update
    spec: ConnectorSpec
    cluster: Cluster
    existing: Connector | None = None
    desired_state: str = ""  # an update's desired state, asked for together with its spec (apply)


class ChangeHeld(ApplicationError):
    """The change waits for another admin's approval; nothing was provisioned."""

    status_code = 202
    code = "approval_required"

    def __init__(self, message: str, *, change_request: dict[str, Any]) -> None:
        super().__init__(message)
        self.extra = {"change_request": change_request}


_checks: list[Callable[[Admission], None]] = []
_holds: list[Callable[[Admission, str], None]] = []


def register_admission_check(check: Callable[[Admission], None]) -> None:
    if check not in _checks:
        _checks.append(check)


def register_hold(hold: Callable[[Admission, str], None]) -> None:
    if hold not in _holds:
        _holds.append(hold)


def admit(admission: Admission) -> None:
    """Every registered check; call inside the write's transaction."""
    for check in _checks:
        check(admission)


def hold_if_required(admission: Admission, *, actor: str) -> None:
    for hold in _holds:
        hold(admission, actor)
