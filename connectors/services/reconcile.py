"""The periodic reconciler (Celery beat): keeps desired and observed state together.

Per cluster it makes ONE bulk call (`GET /connectors?expand=status&expand=info`), then for each
managed connector: re-dispatches it when desired and observed differ and nothing is in flight,
records the state Connect reports, and compares the live config with the rendered desired one
(drift). Connectors the control plane does not manage are only listed, never touched.
"""

from __future__ import annotations

import logging
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from connectors.clusters import cluster_connect_endpoint
from connectors.connect import ConnectError, connect_client
from connectors.errors import IllegalTransition, OperationInFlight
from connectors.models import Connector, UnmanagedConnector
from connectors.selectors import (
    ClusterRendering,
    connector_desired_config,
    connector_needs_work,
    connector_secrets,
    managed_connectors,
    secrets_to_scrub,
)
from connectors.services.claims import operation_begin, operation_is_stale
from connectors.services.dispatch import publish_converge
from connectors.services.transitions import connector_transition
from connectors.state_machine import DesiredState, State
from connectors.status import failure_summary, lifecycle_from_status
from controlplane.masking import masked_by_connect
from controlplane.memory import cyclic_gc_paused
from tenants.models import Cluster

logger = logging.getLogger(__name__)
SYSTEM = "system:reconciler"


def cluster_statuses(*, cluster: Cluster) -> dict[str, dict]:
    """The ONE bulk call per cluster: every connector's status and info. Raises ConnectError."""
    # A short timeout: an unreachable cluster must not hold the sweep for the others.
    return connect_client(cluster_connect_endpoint(cluster=cluster, interactive=True)).statuses()


def reconcile_cluster(*, cluster: Cluster, live: dict[str, dict] | None = None) -> dict:
    """Reconcile one cluster against its bulk answer: `live` when the caller has already asked, else asked here."""
    if live is None:
        try:
            live = cluster_statuses(cluster=cluster)
        except ConnectError as error:
            logger.warning(
                "cluster unreachable during reconcile", extra={"cluster": cluster.name, "error": type(error).__name__}
            )
            return reconcile_unreachable(cluster=cluster)
    with cyclic_gc_paused():  # tens of thousands of short-lived rows, no cycles (controlplane.memory)
        return reconcile_connectors(cluster=cluster, connectors=managed_connectors(cluster=cluster), live=live).counts


def reconcile_unreachable(*, cluster: Cluster) -> dict:
    """The cluster did not answer: connectors keep their last known state; what is behind is still
    dispatched (its task retries until the cluster answers)."""
    result = {"unreachable": 1, "dispatched": 0, "drifted": 0, "observed": 0, "unmanaged": 0}
    for connector in managed_connectors(cluster=cluster):
        if connector_needs_work(connector) and _dispatch(connector):
            result["dispatched"] += 1
    return result


class ReconcilePass(NamedTuple):
    counts: dict[str, int]
    # The connectors whose rows this pass (or someone meanwhile) may have changed: their loaded copies are stale.
    changed: set[int]


def reconcile_connectors(*, cluster: Cluster, connectors: list[Connector], live: dict[str, dict]) -> ReconcilePass:
    """The reconciler's pass over `connectors` (the cluster's managed ones, `managed_connectors`) against
    the cluster's bulk answer `live`. The health sweep passes the connectors it goes on to use."""
    result = {"unreachable": 0, "dispatched": 0, "drifted": 0, "observed": 0, "unmanaged": 0}
    managed_names = {connector.name for connector in connectors}
    result["unmanaged"] = _record_unmanaged(cluster=cluster, live=live, managed_names=managed_names)
    rendering = ClusterRendering(cluster=cluster)
    observed_ids, changed = [], set()
    for connector in connectors:
        if connector.operation and not operation_is_stale(connector):
            continue
        try:
            outcome = _reconcile_connector(connector, live.get(connector.name), rendering)
        except Exception:  # noqa: BLE001 - one broken connector must not stop the sweep for the others
            logger.exception("reconcile failed for one connector", extra={"connector": connector.name})
            changed.add(connector.pk)
            continue
        if outcome in result:
            result[outcome] += 1
        if outcome in {"observed", "unchanged"}:
            observed_ids.append(connector.pk)
        if outcome != "unchanged":
            changed.add(connector.pk)
    _mark_observed(observed_ids)
    return ReconcilePass(counts=result, changed=changed)


def _mark_observed(ids: list[int]) -> None:
    """Stamp the connectors seen on Connect. On PostgreSQL the ids are one array parameter: an IN list of
    thousands of placeholders costs more to build and parse than the update itself."""
    if not ids:
        return
    rows = Connector.objects.all()
    if connection.vendor == "postgresql":
        rows = rows.extra(where=[f"{Connector._meta.db_table}.id = ANY(%s)"], params=[ids])
    else:
        rows = rows.filter(pk__in=ids)
    rows.update(observed_at=timezone.now())


def _reconcile_connector(connector: Connector, entry: dict | None, rendering: ClusterRendering) -> str:
    """One connector against its live entry; returns what happened."""
    vanished = entry is None and connector.applied_generation and connector.desired_state != DesiredState.DELETED
    if vanished and not connector.retry_blocked and connector.state != State.FAILED:
        # Gone from Connect behind our back: provision it again.
        Connector.objects.filter(pk=connector.pk).update(applied_generation=0)
        connector.applied_generation = 0
    if connector_needs_work(connector):
        return "dispatched" if _dispatch(connector) else "skipped"
    if entry is None:
        return "skipped"
    if _check_drift(connector, entry, rendering):
        return "drifted"
    return "observed" if _record_observed(connector, entry["status"]) else "unchanged"


def _dispatch(connector: Connector) -> bool:
    try:
        operation_begin(connector_id=connector.pk, operation="reconcile")
    except OperationInFlight:
        return False
    return publish_converge(connector_id=connector.pk, operation="reconcile")


def _record_observed(connector: Connector, status: dict) -> bool:
    observed = lifecycle_from_status(status)
    if observed is None or observed == connector.state or connector.retry_blocked:
        return False  # a blocked connector keeps showing its permanent error until the user acts
    error = failure_summary(status) if observed in {State.FAILED, State.DEGRADED} else ""
    try:
        connector_transition(
            connector_id=connector.pk,
            to=observed,
            actor=SYSTEM,
            reason="observed on Connect",
            error=error,
            secrets=(
                secrets_to_scrub(
                    cluster=connector.cluster, secrets=connector_secrets(connector=connector), tenant=connector.tenant
                )
                if error
                else None
            ),
        )
    except IllegalTransition:
        logger.warning("observed state not reachable from stored state", extra={"connector": connector.name})
        return False
    return True


# Keys Confluent Cloud adds to every connector's config on read; they are not drift.
CONNECT_ADDED_KEYS = frozenset({"cloud.environment", "cloud.provider", "kafka.endpoint", "kafka.region"})


def drifted_keys(*, desired: dict[str, str], live: dict[str, str]) -> list[str]:
    """Keys whose live value differs from the desired one. Masked live values (Confluent Cloud) are
    not compared; values are never returned or logged, only key names."""
    if desired == live:
        return []  # the steady state, in one comparison
    keys = []
    for key in sorted((set(desired) | set(live)) - CONNECT_ADDED_KEYS):
        live_value = live.get(key)
        if masked_by_connect(live_value):
            continue
        if desired.get(key) != live_value:
            keys.append(key)
    return keys


def _check_drift(connector: Connector, entry: dict, rendering: ClusterRendering) -> bool:
    live_config = (entry.get("info") or {}).get("config")
    if live_config is None or connector.retry_blocked:
        return False
    if connector.state in {State.REQUESTED, State.PROVISIONING, State.DELETING, State.FAILED}:
        return False
    if lifecycle_from_status(entry.get("status") or {}) == State.FAILED:
        return False  # a failure is reported first; drift is looked at once it runs again
    secrets = connector_secrets(connector=connector)
    desired = connector_desired_config(connector=connector, secrets=secrets, rendering=rendering)
    keys = drifted_keys(desired=desired, live=live_config)
    if not keys:
        return False  # the caller records the observed state (DRIFTED -> RUNNING once restored)
    reason = f"live config differs on: {', '.join(keys)}"[:200]
    if connector.state != State.DRIFTED:
        connector_transition(connector_id=connector.pk, to=State.DRIFTED, actor=SYSTEM, reason=reason)
    if connector.cluster.drift_policy == Cluster.DriftPolicy.ENFORCE:
        # Re-apply: the converge writes the desired config back (DRIFTED -> UPDATING -> RUNNING).
        Connector.objects.filter(pk=connector.pk).update(applied_generation=0)
        _dispatch(connector)
    return True


@transaction.atomic
def _record_unmanaged(*, cluster: Cluster, live: dict, managed_names: set[str]) -> int:
    deleted_names = (
        set(Connector.objects.filter(cluster=cluster, state=State.DELETED).values_list("name", flat=True))
        - managed_names
    )
    unmanaged = {name: entry for name, entry in live.items() if name not in managed_names and name not in deleted_names}
    UnmanagedConnector.objects.filter(cluster=cluster).exclude(name__in=list(unmanaged)).delete()
    existing = {row.name: row for row in UnmanagedConnector.objects.filter(cluster=cluster)}
    now = timezone.now()
    to_create, to_update = [], []
    for name, entry in unmanaged.items():
        state = ((entry.get("status") or {}).get("connector") or {}).get("state", "")
        connector_class = ((entry.get("info") or {}).get("config") or {}).get("connector.class", "")
        row = existing.get(name)
        if row is None:
            to_create.append(
                UnmanagedConnector(cluster=cluster, name=name, connector_class=connector_class, state=state)
            )
        else:
            row.state, row.connector_class, row.last_seen_at = state, connector_class, now
            to_update.append(row)
    UnmanagedConnector.objects.bulk_create(to_create)
    UnmanagedConnector.objects.bulk_update(to_update, ["state", "connector_class", "last_seen_at"])
    return len(unmanaged)
