"""The health sweep (Celery beat, every HEALTH_SWEEP_INTERVAL_SECONDS).

Per cluster, ONE bulk `GET /connectors?expand=status&expand=info` whatever the number of
connectors, then with that answer: the reconciler's pass (observed states through
connector_transition, drift, re-dispatch, unmanaged connectors), Connect's task states kept (Confluent
Cloud's USER_ACTIONABLE_ERROR / SYSTEM_ERROR included), the auto-restart policy, and sink lag in
one batch of AdminClient requests. A cluster that does not answer is marked unreachable and alerted
once; its connectors keep their last known state, shown as stale. Notifications and restarts are
tasks of their own: a slow channel or cluster never slows the sweep.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from connectors.connect import ConnectError
from connectors.models import Connector
from connectors.selectors import managed_connectors
from connectors.services.principals import clusters_with_principals, principals_converge_where_used
from connectors.services.reconcile import cluster_statuses, reconcile_connectors, reconcile_unreachable
from connectors.state_machine import State
from controlplane.leases import lease_held, lease_take
from controlplane.memory import cyclic_gc_paused
from monitoring import faults
from monitoring.models import Alert, ClusterHealth, ConnectorHealth
from monitoring.services.alerts import alert_raise, alerts_resolve, deliveries_resend_pending
from monitoring.services.lag import LAG_FIELDS, measure_sink_lag
from monitoring.services.outbox import outbox_prune
from monitoring.services.restarts import apply_restart_policy
from tenants.models import Cluster

logger = logging.getLogger(__name__)
POLICY_FIELDS = ["tasks", "fault", "restart_attempts", "next_restart_at", "healthy_since", "persistent_failure"]


def sweep_due() -> dict:
    """The periodic sweep, once per interval whatever the number of beats that ask for it, and never
    two at once: two sweeps would both restart and both alert what they find failed."""
    # Held while the sweep runs, so one that outlasts its interval (a slow cluster) keeps the next one
    # out; it expires only if the worker is killed mid-sweep, at the task's hard time limit.
    with lease_held(name="health-sweep-running", seconds=settings.CELERY_TASK_TIME_LIMIT) as held:
        if not held:
            return {"skipped": "another sweep is running"}
        # The interval's lease ends a little before the next one is due, so a late copy of this one cannot take it.
        if not lease_take(name="health-sweep", seconds=settings.HEALTH_SWEEP_INTERVAL_SECONDS * 0.8):
            return {"skipped": "another sweep of this interval ran"}
        return sweep_all()


def sweep_all() -> dict:
    totals = {"clusters": 0, "unreachable": 0, "connectors": 0}
    with_principals = clusters_with_principals()
    for cluster in Cluster.objects.filter(is_active=True):
        totals["clusters"] += 1
        try:
            result = sweep_cluster(cluster=cluster)
        except Exception:  # noqa: BLE001 - one broken cluster (e.g. undecryptable secrets) must not stop the others
            logger.exception("health sweep failed for a cluster", extra={"cluster": cluster.name})
            totals["unreachable"] += 1
            continue
        totals["unreachable"] += result["unreachable"]
        totals["connectors"] += result["connectors"]
        try:  # after the health pass: a broker that will not take principals never holds up alerts and restarts
            principals_converge_where_used(cluster=cluster, clusters_with_principals=with_principals)
        except Exception:  # noqa: BLE001 - retried by the next sweep
            logger.exception("kafka principals not converged", extra={"cluster": cluster.name})
    deliveries_resend_pending()
    outbox_prune()
    return totals


def sweep_cluster(*, cluster: Cluster) -> dict:
    with cyclic_gc_paused():  # tens of thousands of short-lived rows, no cycles (controlplane.memory)
        return _sweep_cluster(cluster)


def _sweep_cluster(cluster: Cluster) -> dict:
    started = time.perf_counter()
    try:
        live = cluster_statuses(cluster=cluster)
    except ConnectError as error:
        reconcile_unreachable(cluster=cluster)
        _mark_unreachable(cluster, error)
        _record_sweep(cluster, started=started, seen=0)
        return {"unreachable": 1, "connectors": 0}
    _mark_reachable(cluster)
    connectors = managed_connectors(cluster=cluster)
    reconciled = reconcile_connectors(cluster=cluster, connectors=connectors, live=live)
    connectors = _fresh(cluster, connectors, changed=reconciled.changed)

    now = timezone.now()
    healths, new = _health_rows(cluster, connectors)
    policy_changed = []
    for connector in connectors:
        entry = live.get(connector.name)
        if entry is None:
            continue
        status = entry.get("status") or {}
        health = healths[connector.pk]
        changed = _record_tasks(health, status)
        try:
            changed = apply_restart_policy(connector=connector, health=health, status=status, now=now) or changed
        except Exception:  # noqa: BLE001 - one broken connector must not stop the sweep for the others
            logger.exception("restart policy failed for one connector", extra={"connector": connector.name})
        if changed and connector.pk not in new:
            policy_changed.append(health)
    try:
        lag_changed = measure_sink_lag(cluster=cluster, connectors=connectors, healths=healths, now=now)
    except Exception:  # noqa: BLE001 - the restarts already sent must still be counted below
        logger.exception("sink lag not measured", extra={"cluster": cluster.name})
        lag_changed = []
    # Rows seen for the first time are inserted whole; the others are updated only where they changed.
    ConnectorHealth.objects.bulk_create([healths[pk] for pk in new], ignore_conflicts=True, batch_size=1000)
    ConnectorHealth.objects.bulk_update(policy_changed, POLICY_FIELDS, batch_size=500)
    ConnectorHealth.objects.bulk_update(
        [health for health in lag_changed if health.connector_id not in new], LAG_FIELDS, batch_size=500
    )
    _record_sweep(cluster, started=started, seen=len(live))
    return {"unreachable": 0, "connectors": len(connectors)}


def _fresh(cluster: Cluster, connectors: list[Connector], *, changed: set[int]) -> list[Connector]:
    """The connectors as the rest of the sweep must see them: those the reconciler's pass changed read again."""
    if not changed:
        return connectors
    again = {connector.pk: connector for connector in managed_connectors(cluster=cluster, ids=changed)}
    fresh = []
    for connector in connectors:
        if connector.pk in changed:
            connector = again.get(connector.pk)  # None: deleted meanwhile
        if connector is not None:
            fresh.append(connector)
    return fresh


def _health_rows(cluster: Cluster, connectors: list[Connector]) -> tuple[dict[int, ConnectorHealth], set[int]]:
    """Each connector's health row, and the ids of those that have none yet (made here, unsaved)."""
    ids = [connector.pk for connector in connectors]
    # Asked by cluster, not by a list of (thousands of) ids; a row of a connector not in `connectors` is left out.
    rows = ConnectorHealth.objects.filter(connector__cluster=cluster).exclude(connector__state=State.DELETED)
    wanted = set(ids)
    healths = {health.connector_id: health for health in rows if health.connector_id in wanted}
    new = {pk for pk in ids if pk not in healths}
    healths.update({pk: ConnectorHealth(connector_id=pk) for pk in new})
    return healths, new


def _record_tasks(health: ConnectorHealth, status: dict) -> bool:
    """Keep Connect's task states as reported (Cloud's USER_ACTIONABLE_ERROR / SYSTEM_ERROR included)."""
    tasks = [
        {"id": task.get("id"), "state": task.get("state", ""), "worker_id": task.get("worker_id", "")}
        for task in status.get("tasks") or []
    ]
    if tasks == health.tasks:
        return False
    health.tasks = tasks
    return True


def _mark_unreachable(cluster: Cluster, error: ConnectError) -> None:
    now = timezone.now()
    with transaction.atomic():
        health, _ = ClusterHealth.objects.select_for_update().get_or_create(cluster=cluster)
        if health.reachable:
            health.reachable, health.unreachable_since = False, now
            logger.warning("cluster unreachable", extra={"cluster": cluster.name, "error": type(error).__name__})
        health.last_error = type(error).__name__
        health.save(update_fields=["reachable", "unreachable_since", "last_error"])
    alert_raise(
        condition=Alert.Condition.CLUSTER_UNREACHABLE,
        cluster=cluster,
        fingerprint=faults.fingerprint("unreachable"),
        message=f"Kafka Connect at cluster {cluster.name} does not answer ({type(error).__name__}).",
        details={"unreachable_since": health.unreachable_since.isoformat() if health.unreachable_since else None},
    )


def _mark_reachable(cluster: Cluster) -> None:
    # Two short transactions, one table each: a sweep never holds one table's lock while waiting on another's.
    with transaction.atomic():
        health, created = ClusterHealth.objects.select_for_update().get_or_create(cluster=cluster)
        if created or health.reachable:
            return
        health.reachable, health.unreachable_since, health.last_error = True, None, ""
        health.save(update_fields=["reachable", "unreachable_since", "last_error"])
    alerts_resolve(alerts=Alert.objects.filter(cluster=cluster, condition=Alert.Condition.CLUSTER_UNREACHABLE))
    logger.info("cluster reachable again", extra={"cluster": cluster.name})


def _record_sweep(cluster: Cluster, *, started: float, seen: int) -> None:
    ClusterHealth.objects.filter(cluster=cluster).update(
        last_sweep_at=timezone.now(), last_sweep_seconds=time.perf_counter() - started, connectors_seen=seen
    )
