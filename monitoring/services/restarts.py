"""Automatic restarts: the policy's decision (in the sweep) and the restart itself (a task).

Only failed tasks are restarted (`restart?includeTasks=true&onlyFailed=true`), with exponential
backoff and a cap, at most `max_attempts` times; then the connector is in persistent failure,
alerted once and left alone until a person acts or it has run again for a whole healthy window.
Errors the user must fix are never restarted: they alert at once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction

from connectors.clusters import cluster_connect_endpoint
from connectors.connect import OperationNotSupported, connect_client
from connectors.models import Connector
from connectors.selectors import connector_secrets, secrets_to_scrub
from connectors.services.transitions import MAX_ERROR_LENGTH
from connectors.state_machine import DesiredState, State
from connectors.status import failure_summary, lifecycle_from_status
from controlplane.masking import scrub
from monitoring import events, faults
from monitoring.models import Alert, ConnectorHealth, Fault, Restart
from monitoring.policy import restart_policy
from monitoring.services.alerts import alert_notify, alert_raise
from monitoring.services.dispatch import dispatch_restart
from monitoring.services.outbox import outbox_add

logger = logging.getLogger(__name__)
FAILING = frozenset({State.FAILED, State.DEGRADED})


def open_state_alert(connector: Connector) -> Alert | None:
    return (
        Alert.objects.filter(connector=connector, condition=Alert.Condition.CONNECTOR_STATE, resolved_at__isnull=True)
        .order_by("-opened_at")
        .first()
    )


def apply_restart_policy(*, connector: Connector, health: ConnectorHealth, status: dict, now: datetime) -> bool:
    """One connector's step of the policy for this sweep; True when `health` changed (to be saved)."""
    before = _snapshot(health)
    observed = lifecycle_from_status(status)
    if connector.desired_state != DesiredState.RUNNING or connector.operation:
        return False  # a person or a converge is at work: not ours to touch
    policy = restart_policy(stage=connector.stage, health=health)
    if observed == State.RUNNING:
        health.healthy_since = health.healthy_since or now
        health.fault = Fault.NONE
        window_passed = (now - health.healthy_since).total_seconds() >= policy.healthy_window_seconds
        if (health.restart_attempts or health.persistent_failure) and window_passed:
            health.restart_attempts, health.persistent_failure, health.next_restart_at = 0, False, None
        return _snapshot(health) != before
    if observed not in FAILING and not (connector.retry_blocked and connector.state == State.FAILED):
        return _snapshot(health) != before  # settling: nothing to decide
    health.healthy_since = None
    fault = Fault.USER if connector.retry_blocked else (faults.status_fault(status) or Fault.PLATFORM)
    health.fault = fault
    if fault == Fault.USER or not policy.enabled:
        if before[0] != fault:  # first seen (or changed): alert now; later sweeps of the same failure send nothing
            _escalate_state_alert(connector, status=status, fault=fault)
        return _snapshot(health) != before
    if health.persistent_failure:
        return _snapshot(health) != before  # left alone until a person acts
    if health.restart_attempts >= policy.max_attempts:
        health.persistent_failure, health.next_restart_at = True, None
        _raise_persistent(connector, status=status, attempts=health.restart_attempts)
        return True
    if health.next_restart_at is None:
        health.next_restart_at = now + timedelta(seconds=policy.delay_before(health.restart_attempts + 1))
        return True
    if now >= health.next_restart_at:
        health.restart_attempts += 1
        health.next_restart_at = now + timedelta(seconds=policy.delay_before(health.restart_attempts + 1))
        _request_restart(connector, status=status, attempt=health.restart_attempts)
        return True
    return _snapshot(health) != before


def _snapshot(health: ConnectorHealth) -> tuple:
    return (
        health.fault,
        health.restart_attempts,
        health.next_restart_at,
        health.healthy_since,
        health.persistent_failure,
    )


def _error_text(connector: Connector, status: dict) -> str:
    """The failure's first lines without secrets: the stored error (scrubbed by the transition), or
    Connect's traces scrubbed here (they can quote the config)."""
    if connector.last_error:
        return connector.last_error
    masked = secrets_to_scrub(cluster=connector.cluster, secrets=connector_secrets(connector=connector))
    return scrub(failure_summary(status), secrets=masked, limit=MAX_ERROR_LENGTH)


def _escalate_state_alert(connector: Connector, *, status: dict, fault: str) -> None:
    """Notify the open FAILED/DEGRADED alert (raised quietly by the transition), or raise one."""
    alert = open_state_alert(connector)
    if alert is not None:
        if alert.fault != fault:
            Alert.objects.filter(pk=alert.pk).update(fault=fault)
            alert.fault = fault
        alert_notify(alert=alert)
        return
    error = _error_text(connector, status)
    alert_raise(
        condition=Alert.Condition.CONNECTOR_STATE,
        connector=connector,
        state=connector.state,
        fault=fault,
        fingerprint=faults.fingerprint(connector.state, error),
        message=error,
        details={"failing_tasks": faults.failing_task_ids(status)},
    )


def _raise_persistent(connector: Connector, *, status: dict, attempts: int) -> None:
    error = _error_text(connector, status)
    alert_raise(
        condition=Alert.Condition.PERSISTENT_FAILURE,
        connector=connector,
        state=connector.state,
        fault=Fault.PLATFORM,
        fingerprint=faults.fingerprint(error),
        message=error,
        details={"failing_tasks": faults.failing_task_ids(status), "restart_attempts": attempts},
    )


@transaction.atomic
def _request_restart(connector: Connector, *, status: dict, attempt: int) -> None:
    error = _error_text(connector, status)
    Restart.objects.create(connector=connector, attempt=attempt, error=error)
    outbox_add(
        type=events.RESTART_REQUESTED,
        subject=connector.name,
        data={
            "connector": connector.name,
            "tenant": connector.tenant.slug,
            "attempt": attempt,
            "failing_tasks": faults.failing_task_ids(status),
            "error": error,
        },
    )
    logger.info("automatic restart requested", extra={"connector": connector.name, "attempt": attempt})
    dispatch_restart(connector_id=connector.pk, attempt=attempt)


def connector_restart_failed_tasks(*, connector_id: int, attempt: int) -> bool:
    """The restart itself: only the failed tasks (Confluent Cloud restarts the whole connector)."""
    connector = Connector.objects.select_related("cluster").get(pk=connector_id)
    if connector.state not in FAILING or connector.desired_state != DesiredState.RUNNING or connector.operation:
        return False  # healthy again, or a person acted meanwhile
    client = connect_client(cluster_connect_endpoint(cluster=connector.cluster))
    try:
        client.restart(connector.name, include_tasks=True, only_failed=True)
    except OperationNotSupported:
        client.restart(connector.name, include_tasks=True, only_failed=False)
    logger.info("connector restarted", extra={"connector": connector.name, "attempt": attempt})
    return True
