"""Monitoring's side of connectors' `connector_transitioned` signal (sent inside the transition's
transaction, see connectors/signals.py) and of Celery's task signals.

Each audit row (audit.signals.audit_recorded) is written to the outbox as an event too.

On every transition: the event goes to the outbox; entering FAILED, DEGRADED or DRIFTED raises the
connector's state alert (DRIFTED, a user fault, or a connector without auto-restart is notified at
once; a platform fault waits for the restart policy); a healthy state resolves its alerts (with a
recovery notice if they were notified). A person's action ends a persistent failure.
"""

from __future__ import annotations

import logging

from celery.signals import task_failure, task_retry, task_success
from django.db import DatabaseError
from django.db.models import F
from django.dispatch import receiver

from audit.models import AuditRecord
from audit.signals import audit_recorded
from connectors.models import Connector
from connectors.signals import connector_transitioned
from connectors.state_machine import State
from monitoring import events, faults
from monitoring.models import Alert, ConnectorHealth, Fault, TaskOutcome
from monitoring.policy import restart_policy
from monitoring.services.alerts import alert_raise, alerts_resolve
from monitoring.services.outbox import outbox_add

logger = logging.getLogger(__name__)

ALERT_STATES = frozenset({State.FAILED, State.DEGRADED, State.DRIFTED})
HEALTHY_STATES = frozenset({State.RUNNING, State.PAUSED, State.STOPPED, State.DELETED})
CONNECTOR_CONDITIONS = (Alert.Condition.CONNECTOR_STATE, Alert.Condition.PERSISTENT_FAILURE)


@receiver(connector_transitioned, sender=Connector, dispatch_uid="monitoring.on_transition")
def on_transition(sender, *, connector: Connector, event, **kwargs) -> None:
    to = event.to_state
    outbox_add(
        type=events.TRANSITIONED,
        subject=connector.name,
        data={
            "connector": connector.name,
            "tenant": connector.tenant.slug,
            "cluster": connector.cluster.name,
            "stage": connector.stage,
            "from": event.from_state,
            "to": to,
            "reason": event.reason,
            "actor": event.actor,
            "error": event.error,
            "event_id": event.pk,
        },
    )
    if not event.actor.startswith("system"):
        # A person acted: the restart count and a persistent failure start afresh.
        ConnectorHealth.objects.filter(connector=connector).update(
            restart_attempts=0, persistent_failure=False, next_restart_at=None
        )
    if to in ALERT_STATES:
        alerts_resolve(
            alerts=Alert.objects.filter(connector=connector, condition=Alert.Condition.CONNECTOR_STATE).exclude(
                state=to
            )
        )
        alert_raise(
            condition=Alert.Condition.CONNECTOR_STATE,
            connector=connector,
            state=to,
            fault=_fault(connector, event) if to != State.DRIFTED else Fault.NONE,
            fingerprint=faults.fingerprint(to, event.error),
            message=event.error or event.reason,
            notify=_notify_at_once(connector, event),
        )
    elif to in HEALTHY_STATES:
        alerts = Alert.objects.filter(connector=connector, condition__in=CONNECTOR_CONDITIONS)
        if to == State.DELETED:
            alerts = Alert.objects.filter(connector=connector)
        alerts_resolve(alerts=alerts)


@receiver(audit_recorded, sender=AuditRecord, dispatch_uid="monitoring.on_audit_recorded")
def on_audit_recorded(sender, *, record: AuditRecord, **kwargs) -> None:
    """Each audit row is also an event, written in the same transaction (already censored)."""
    outbox_add(
        type=events.AUDIT_RECORDED,
        subject=record.object_id or record.object_type,
        data={
            "audit_id": record.pk,
            "action": record.action,
            "actor": record.actor,
            "tenant": record.tenant.slug if record.tenant_id else None,
            "object_type": record.object_type,
            "object_id": record.object_id,
            "request_id": record.request_id,
            "source": record.source,
            "channel": record.channel,
            "before": record.before,
            "after": record.after,
        },
    )


def _fault(connector: Connector, event) -> str:
    return Fault.USER if connector.retry_blocked else faults.text_fault(event.error)


def _notify_at_once(connector: Connector, event) -> bool:
    if event.to_state == State.DRIFTED or _fault(connector, event) == Fault.USER:
        return True
    health = ConnectorHealth.objects.filter(connector=connector).first()
    return not restart_policy(stage=connector.stage, health=health).enabled


def _count(task_name: str | None, outcome: str) -> None:
    if not task_name:
        return
    try:
        if not TaskOutcome.objects.filter(task=task_name, outcome=outcome).update(count=F("count") + 1):
            TaskOutcome.objects.get_or_create(task=task_name, outcome=outcome)
            TaskOutcome.objects.filter(task=task_name, outcome=outcome).update(count=F("count") + 1)
    except DatabaseError:  # counting must never break a task
        logger.warning("task outcome not counted", extra={"task": task_name})


@task_success.connect(dispatch_uid="monitoring.task_success")
def on_task_success(sender=None, **kwargs) -> None:
    _count(getattr(sender, "name", None), "success")


@task_failure.connect(dispatch_uid="monitoring.task_failure")
def on_task_failure(sender=None, **kwargs) -> None:
    _count(getattr(sender, "name", None), "failure")


@task_retry.connect(dispatch_uid="monitoring.task_retry")
def on_task_retry(sender=None, request=None, **kwargs) -> None:
    _count(getattr(request, "task", None) or getattr(sender, "name", None), "retry")
