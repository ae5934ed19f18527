"""What an alert or recovery notice says: tenant, connector, stage, cluster, state, failing tasks, the
first lines of the error (already scrubbed of secrets), what to do next and a link. Never a secret."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from monitoring.models import Alert, Delivery, Fault

ERROR_LINES = 6

NEXT_STEPS = {
    (Alert.Condition.CONNECTOR_STATE, Fault.USER): (
        "The connector's configuration or credentials were refused (or a table, database or bucket is "
        "missing): fix them with PATCH on the connector; it is not restarted automatically."
    ),
    (Alert.Condition.CONNECTOR_STATE, Fault.PLATFORM): (
        "Automatic restarts are off for this connector: read the error, then restart it "
        "(POST .../restart) once the cause is fixed."
    ),
    (Alert.Condition.PERSISTENT_FAILURE, ""): (
        "Automatic restarts did not help and have stopped: read the error, fix the cause (for example the "
        "sink's target), then restart the connector (POST .../restart)."
    ),
    (Alert.Condition.CLUSTER_UNREACHABLE, ""): (
        "The cluster's Connect REST API does not answer: its connectors keep their last known state (stale). "
        "Check the Connect workers and the network; nothing is changed on the connectors meanwhile."
    ),
    (Alert.Condition.SINK_LAG, ""): (
        "The sink writes more slowly than records arrive: check its target, or raise tasks_max."
    ),
}
DRIFT_STEPS = "The live config on Connect differs from the desired one: find who changed it; PATCH re-applies ours."


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    payload: dict


def next_steps(alert: Alert) -> str:
    if alert.state == "DRIFTED":
        return DRIFT_STEPS
    return (
        NEXT_STEPS.get((alert.condition, alert.fault))
        or NEXT_STEPS.get((alert.condition, ""))
        or NEXT_STEPS[(Alert.Condition.CONNECTOR_STATE, Fault.PLATFORM)]
    )


def connector_link(name: str) -> str:
    return f"{settings.CONTROLPLANE_PUBLIC_URL}/api/v1/connectors/{name}/"


def render(alert: Alert, *, kind: str) -> Message:
    connector, cluster = alert.connector, alert.cluster or (alert.connector.cluster if alert.connector else None)
    recovery = kind == Delivery.Kind.RECOVERY
    what = connector.name if connector else f"cluster {cluster.name if cluster else '?'}"
    headline = alert.get_condition_display() if alert.state in ("", "RUNNING") else f"{alert.state}"
    error = "\n".join((alert.message or "").strip().splitlines()[:ERROR_LINES])
    payload = {
        "kind": kind,
        "alert_id": alert.pk,
        "condition": alert.condition,
        "state": alert.state,
        "fault": alert.fault,
        "tenant": alert.tenant.slug if alert.tenant else None,
        "connector": connector.name if connector else None,
        "stage": connector.stage if connector else None,
        "cluster": cluster.name if cluster else None,
        "failing_tasks": alert.details.get("failing_tasks", []),
        "error": "" if recovery else error,
        "next_steps": "" if recovery else next_steps(alert),
        "link": connector_link(connector.name) if connector else None,
        "opened_at": alert.opened_at.isoformat(),
        "resolved_at": alert.resolved_at.isoformat() if alert.resolved_at else None,
    }
    if recovery:
        subject = f"[resolved] {what}: healthy again"
        text = f"{subject}\nAlert {alert.pk} ({alert.get_condition_display()}) is resolved."
    else:
        subject = f"[{alert.condition}] {what}: {headline}"
        lines = [subject]
        if connector:
            lines.append(f"tenant {payload['tenant']}, stage {connector.stage}, cluster {payload['cluster']}")
        if payload["failing_tasks"]:
            lines.append(f"failing tasks: {', '.join(str(task) for task in payload['failing_tasks'])}")
        if error:
            lines.append(f"error:\n{error}")
        lines.append(f"next: {payload['next_steps']}")
        if payload["link"]:
            lines.append(payload["link"])
        text = "\n".join(lines)
    return Message(subject=subject[:200], text=text, payload=payload)
