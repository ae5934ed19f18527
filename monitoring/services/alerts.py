"""Alerts: raised deduplicated, notified once, resolved with a recovery notice once.

An alert is keyed by (connector or cluster, condition, fingerprint). Raising what is already open
only refreshes it; raising what was resolved less than ALERT_COOLDOWN_SECONDS ago reopens it
quietly (flapping); anything else opens a new alert. `alert_notify` creates one Delivery per
target and hands each to its own task; a resolved alert that was notified gets one recovery notice.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from audit.services import audit_record
from connectors.models import Connector
from connectors.state_machine import State
from monitoring import events
from monitoring.models import Alert, AlertChannel, Delivery
from monitoring.services.dispatch import dispatch_delivery
from monitoring.services.outbox import outbox_add
from tenants.models import Cluster

logger = logging.getLogger(__name__)


def _now():
    return timezone.now()


def _key(*, connector: Connector | None, cluster: Cluster | None, condition: str, fingerprint: str) -> Q:
    return Q(connector=connector, cluster=cluster if connector is None else None, condition=condition) & Q(
        fingerprint=fingerprint
    )


@transaction.atomic
def alert_raise(
    *,
    condition: str,
    connector: Connector | None = None,
    cluster: Cluster | None = None,
    state: str = "",
    fault: str = "",
    fingerprint: str = "",
    message: str = "",
    details: dict | None = None,
    notify: bool = True,
) -> Alert:
    """Open (or find, or quietly reopen) the alert; notify it when `notify` and not yet notified."""
    now = _now()
    key = _key(connector=connector, cluster=cluster, condition=condition, fingerprint=fingerprint)
    alert = Alert.objects.select_for_update().filter(key, resolved_at__isnull=True).first()
    if alert is None:
        cooldown_start = now - timedelta(seconds=settings.ALERT_COOLDOWN_SECONDS)
        alert = (
            Alert.objects.select_for_update()
            .filter(key, resolved_at__gte=cooldown_start)
            .order_by("-resolved_at")
            .first()
        )
        if alert is not None:
            alert.resolved_at = None
            alert.last_seen_at = now
            alert.save(update_fields=["resolved_at", "last_seen_at"])
            logger.info("alert reopened within its cooldown", extra={"alert_id": alert.pk})
        else:
            alert = Alert.objects.create(
                tenant_id=connector.tenant_id if connector else None,
                connector=connector,
                cluster=None if connector else cluster,
                condition=condition,
                state=state,
                fault=fault,
                fingerprint=fingerprint,
                message=message,
                details=details or {},
                last_seen_at=now,
            )
            logger.error(
                "alert opened",
                extra={
                    "alert_id": alert.pk,
                    "condition": condition,
                    "connector": connector.name if connector else None,
                },
            )
            outbox_add(type=events.ALERT_OPENED, subject=_subject(alert), data=_event_data(alert))
    else:
        changed = {"last_seen_at": now}
        if fault and alert.fault != fault:
            changed["fault"] = fault
        for field, value in changed.items():
            setattr(alert, field, value)
        alert.save(update_fields=list(changed))
    if notify:
        alert_notify(alert=alert)
    return alert


def _subject(alert: Alert) -> str:
    if alert.connector_id:
        return alert.connector.name
    return alert.cluster.name if alert.cluster_id else ""


def _event_data(alert: Alert) -> dict:
    return {
        "alert_id": alert.pk,
        "condition": alert.condition,
        "state": alert.state,
        "fault": alert.fault,
        "tenant": alert.tenant.slug if alert.tenant_id else None,
        "connector": alert.connector.name if alert.connector_id else None,
        "cluster": (alert.cluster or (alert.connector.cluster if alert.connector_id else None)).name
        if (alert.cluster_id or alert.connector_id)
        else None,
        "message": alert.message,
    }


def is_muted(alert: Alert) -> bool:
    return alert.muted_until is not None and alert.muted_until > _now()


def alert_targets(alert: Alert) -> list[AlertChannel | None]:
    """The channels an alert goes to (None = the platform webhook, when ALERT_WEBHOOK_URL is set):
    the connector's own channels if it names any, else its tenant's default channels; for a cluster
    alert, the default channels of every tenant with connectors on the cluster."""
    targets: list[AlertChannel | None] = [None] if settings.ALERT_WEBHOOK_URL else []
    enabled = AlertChannel.objects.filter(enabled=True).select_related("tenant")
    if alert.connector_id:
        own = list(enabled.filter(connector_overrides__connector_id=alert.connector_id))
        targets += own or list(enabled.filter(tenant_id=alert.connector.tenant_id, is_default=True))
    elif alert.cluster_id:
        tenant_ids = (
            Connector.objects.filter(cluster_id=alert.cluster_id)
            .exclude(state=State.DELETED)
            .values_list("tenant_id", flat=True)
        )
        targets += list(enabled.filter(tenant_id__in=tenant_ids, is_default=True))
    return targets


def _deliver(alert: Alert, *, kind: str) -> int:
    created = 0
    for channel in alert_targets(alert):
        target = channel.label if channel else Delivery.PLATFORM
        if channel is not None and alert.connector_id is None:
            # A cluster alert goes to several tenants, whose channels may share a name.
            target = f"{channel.label}@{channel.tenant.slug}"
        delivery, is_new = Delivery.objects.get_or_create(
            alert=alert, target=target, kind=kind, defaults={"channel": channel}
        )
        if is_new:
            created += 1
            dispatch_delivery(delivery_id=delivery.pk)
    return created


@transaction.atomic
def alert_notify(*, alert: Alert) -> bool:
    """Send the alert to its targets, once. False when already notified or muted."""
    locked = Alert.objects.select_for_update().get(pk=alert.pk)
    if locked.notified_at is not None or is_muted(locked):
        return False
    locked.notified_at = alert.notified_at = _now()
    locked.save(update_fields=["notified_at"])
    _deliver(locked, kind=Delivery.Kind.ALERT)
    return True


@transaction.atomic
def alerts_resolve(*, alerts: QuerySet[Alert]) -> int:
    """Resolve open alerts; each one that was notified gets its recovery notice, once."""
    now = _now()
    count = 0
    for alert in (
        alerts.filter(resolved_at__isnull=True)
        .select_for_update(of=("self",))
        .select_related("connector__cluster", "tenant", "cluster")
    ):
        alert.resolved_at = now
        fields = ["resolved_at"]
        if alert.notified_at and not alert.recovery_notified_at and not is_muted(alert):
            alert.recovery_notified_at = now
            fields.append("recovery_notified_at")
            _deliver(alert, kind=Delivery.Kind.RECOVERY)
        alert.save(update_fields=fields)
        outbox_add(type=events.ALERT_RESOLVED, subject=_subject(alert), data=_event_data(alert))
        count += 1
    return count


@transaction.atomic
def alert_acknowledge(*, alert: Alert, actor: str) -> Alert:
    before = _handling(alert)
    Alert.objects.filter(pk=alert.pk).update(acknowledged_at=_now(), acknowledged_by=actor[:120])
    alert.refresh_from_db()
    _audit_alert(alert, action="alert.acknowledge", actor=actor, before=before)
    return alert


@transaction.atomic
def alert_mute(*, alert: Alert, minutes: int | None, actor: str = "") -> Alert:
    """Mute for `minutes` (None: until resolved; 0: unmute). A muted alert sends nothing, recovery included."""
    if minutes == 0:
        until = None
    elif minutes is None:
        until = _now() + timedelta(days=365 * 100)
    else:
        until = _now() + timedelta(minutes=minutes)
    before = _handling(alert)
    Alert.objects.filter(pk=alert.pk).update(muted_until=until)
    alert.refresh_from_db()
    _audit_alert(alert, action="alert.unmute" if until is None else "alert.mute", actor=actor, before=before)
    return alert


def _handling(alert: Alert) -> dict:
    """What a person changes on an alert, for the audit trail."""
    return {
        "acknowledged_at": alert.acknowledged_at,
        "acknowledged_by": alert.acknowledged_by,
        "muted_until": alert.muted_until,
    }


def _audit_alert(alert: Alert, *, action: str, actor: str, before: dict) -> None:
    audit_record(
        action=action,
        object_type="alert",
        object_id=alert.pk,
        tenant=alert.tenant,
        actor=actor,
        before=before,
        after=_handling(alert),
    )


def deliveries_resend_pending(*, older_than_seconds: float = 60) -> int:
    """Re-queue deliveries whose task was never published (the broker was down when they were made)."""
    cutoff = _now() - timedelta(seconds=older_than_seconds)
    pending = Delivery.objects.filter(status=Delivery.Status.PENDING, attempts=0, created_at__lt=cutoff)
    ids = list(pending.values_list("pk", flat=True)[:500])
    for delivery_id in ids:
        dispatch_delivery(delivery_id=delivery_id)
    return len(ids)
