"""From what Connect reports to the lifecycle state: the aggregation Connect leaves to its clients."""

from __future__ import annotations

from connectors.state_machine import State
from controlplane.masking import scrub

TRACE_LINES = 6


def lifecycle_from_status(status: dict) -> State | None:
    """The lifecycle state Connect's status shows, or None while it is still settling."""
    connector_state = (status.get("connector") or {}).get("state", "")
    task_states = [task.get("state", "") for task in status.get("tasks") or []]
    if connector_state == "FAILED":
        return State.FAILED
    if connector_state == "PAUSED":
        return State.PAUSED
    if connector_state == "STOPPED":
        return State.STOPPED
    if connector_state == "DEGRADED":  # Confluent Cloud aggregates this itself
        return State.DEGRADED
    if connector_state != "RUNNING" or not task_states:
        return None  # UNASSIGNED, RESTARTING, PROVISIONING, or tasks not yet assigned
    failed = sum(1 for state in task_states if state in {"FAILED", "SYSTEM_ERROR", "USER_ACTIONABLE_ERROR"})
    running = sum(1 for state in task_states if state == "RUNNING")
    if failed == len(task_states):
        return State.FAILED
    if running == len(task_states):
        return State.RUNNING
    if failed or (running and running < len(task_states)):
        return State.DEGRADED
    return None


def trim_trace(trace: str | None, lines: int = TRACE_LINES) -> str:
    if not trace:
        return ""
    return "\n".join(trace.strip().splitlines()[:lines])


def failure_summary(status: dict) -> str:
    """The first lines of the connector's and failed tasks' traces."""
    parts = []
    connector = status.get("connector") or {}
    if connector.get("trace"):
        parts.append(f"connector: {trim_trace(connector['trace'])}")
    for task in status.get("tasks") or []:
        if task.get("state") in {"FAILED", "SYSTEM_ERROR", "USER_ACTIONABLE_ERROR"}:
            parts.append(f"task {task.get('id')}: {trim_trace(task.get('trace') or task.get('msg'))}")
    return "\n".join(parts)


def trimmed_status(status: dict) -> dict:
    """Connect's status with traces cut to their first lines, for the API."""
    connector = dict(status.get("connector") or {})
    if "trace" in connector:
        connector["trace"] = trim_trace(connector["trace"])
    tasks = []
    for task in status.get("tasks") or []:
        task = dict(task)
        if "trace" in task:
            task["trace"] = trim_trace(task["trace"])
        tasks.append(task)
    return {"connector": connector, "tasks": tasks, "type": status.get("type")}


STATUS_TEXT_KEYS = ("trace", "msg")


def scrub_status(status: dict, secrets: dict[str, str]) -> dict:
    """A (trimmed) Connect status with every trace and message scrubbed: Connect's stack traces can
    quote the config, so known secret values and secret-looking pairs are masked."""

    def scrub_part(part: dict) -> dict:
        return {
            key: scrub(value, secrets=secrets) if key in STATUS_TEXT_KEYS and isinstance(value, str) else value
            for key, value in part.items()
        }

    return {
        **status,
        "connector": scrub_part(status.get("connector") or {}),
        "tasks": [scrub_part(task) for task in status.get("tasks") or []],
    }
