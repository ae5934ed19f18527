"""The connector lifecycle: states, the user's desired states, and the ONE transition table.

`docs/state-machine.md` is generated from TRANSITIONS (`manage.py state_machine_diagram`) and a test
keeps it current.
"""

from __future__ import annotations

from django.db import models


class State(models.TextChoices):
    REQUESTED = "REQUESTED"
    PROVISIONING = "PROVISIONING"
    RUNNING = "RUNNING"
    DEGRADED = "DEGRADED"  # some tasks failed or unassigned while others run
    FAILED = "FAILED"  # connector or all tasks failed, or a permanent provisioning error
    PAUSED = "PAUSED"
    STOPPED = "STOPPED"
    UPDATING = "UPDATING"
    DELETING = "DELETING"
    DELETED = "DELETED"
    DRIFTED = "DRIFTED"  # the live config on Connect differs from the desired one


class DesiredState(models.TextChoices):
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"
    DELETED = "deleted"


_ACTIVE = {State.RUNNING, State.DEGRADED, State.FAILED, State.PAUSED, State.STOPPED, State.DRIFTED}

TRANSITIONS: dict[State, frozenset[State]] = {
    State.REQUESTED: frozenset({State.PROVISIONING, State.FAILED, State.DELETING, State.DELETED}),
    # PROVISIONING -> PROVISIONING is not listed: a retry is not a transition.
    State.PROVISIONING: frozenset(_ACTIVE - {State.DRIFTED} | {State.DELETING}),
    State.RUNNING: frozenset(_ACTIVE - {State.RUNNING} | {State.UPDATING, State.DELETING, State.PROVISIONING}),
    State.DEGRADED: frozenset(_ACTIVE - {State.DEGRADED} | {State.UPDATING, State.DELETING, State.PROVISIONING}),
    State.FAILED: frozenset(_ACTIVE - {State.FAILED} | {State.UPDATING, State.DELETING, State.PROVISIONING}),
    State.PAUSED: frozenset(_ACTIVE - {State.PAUSED} | {State.UPDATING, State.DELETING, State.PROVISIONING}),
    State.STOPPED: frozenset(_ACTIVE - {State.STOPPED} | {State.UPDATING, State.DELETING, State.PROVISIONING}),
    State.DRIFTED: frozenset(_ACTIVE - {State.DRIFTED} | {State.UPDATING, State.DELETING, State.PROVISIONING}),
    # UPDATING -> PROVISIONING: the connector vanished from Connect mid-update and is created again.
    State.UPDATING: frozenset(_ACTIVE - {State.DRIFTED} | {State.DELETING, State.PROVISIONING}),
    State.DELETING: frozenset({State.DELETED, State.FAILED}),
    State.DELETED: frozenset(),
}

# The observed state that satisfies each desired state.
SETTLED_STATES: dict[str, frozenset[State]] = {
    DesiredState.RUNNING: frozenset({State.RUNNING}),
    DesiredState.PAUSED: frozenset({State.PAUSED}),
    DesiredState.STOPPED: frozenset({State.STOPPED}),
    DesiredState.DELETED: frozenset({State.DELETED}),
}


def is_allowed(source: str, target: str) -> bool:
    return State(target) in TRANSITIONS[State(source)]


def mermaid_diagram() -> str:
    lines = ["stateDiagram-v2", "    [*] --> REQUESTED"]
    for source in State:
        for target in sorted(TRANSITIONS[source]):
            lines.append(f"    {source.value} --> {target.value}")
    lines.append("    DELETED --> [*]")
    return "\n".join(lines) + "\n"
