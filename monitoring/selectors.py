"""Reads: a connector's health for its status, alert querysets scoped to tenants."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from connectors.models import Connector
from connectors.state_machine import State
from monitoring.models import Alert, ClusterHealth, ConnectorHealth, Delivery
from monitoring.policy import restart_policy


def connector_health_section(connector: Connector) -> dict:
    """The "health" section of GET /connectors/{name}/status."""
    health = ConnectorHealth.objects.filter(connector=connector).first()
    cluster_health = ClusterHealth.objects.filter(cluster_id=connector.cluster_id).first()
    reachable = cluster_health.reachable if cluster_health else None
    policy = restart_policy(stage=connector.stage, health=health)
    section = {
        "cluster_reachable": reachable,
        # While the cluster does not answer, the stored state is the last one seen, not a fresh one.
        "stale": reachable is False,
        "last_sweep_at": cluster_health.last_sweep_at if cluster_health else None,
        "tasks": health.tasks if health else [],
        "fault": health.fault if health else "",
        "auto_restart": {
            "enabled": policy.enabled,
            "max_attempts": policy.max_attempts,
            "backoff_seconds": policy.backoff_seconds,
            "backoff_max_seconds": policy.backoff_max_seconds,
            "healthy_window_seconds": policy.healthy_window_seconds,
            "attempts": health.restart_attempts if health else 0,
            "next_restart_at": health.next_restart_at if health else None,
            "persistent_failure": health.persistent_failure if health else False,
        },
        "lag": None,
    }
    if health and health.lag_measured_at:
        section["lag"] = {
            "records": health.lag_records,
            "seconds": health.lag_seconds,
            "measured_at": health.lag_measured_at,
            "threshold_records": health.lag_threshold_records,
            "threshold_seconds": health.lag_threshold_seconds,
            "partitions": health.lag_partitions,
        }
    return section


def deliveries_visible_to(*, tenant_ids: list[int], platform_admin: bool) -> QuerySet[Delivery]:
    """A cluster alert reaches several tenants: each sees only the deliveries to its own channels (and the
    platform webhook's of its own alerts)."""
    deliveries = Delivery.objects.all()
    if platform_admin:
        return deliveries
    return deliveries.filter(
        Q(channel__tenant_id__in=tenant_ids) | Q(alert__tenant_id__in=tenant_ids, target=Delivery.PLATFORM)
    )


def alerts_visible_to(queryset: QuerySet[Alert], *, tenant_ids: list[int], platform_admin: bool) -> QuerySet[Alert]:
    """A tenant sees its connectors' alerts and those of clusters its connectors run on."""
    if platform_admin:
        return queryset
    on_their_clusters = Connector.objects.filter(tenant_id__in=tenant_ids).exclude(state=State.DELETED)
    return queryset.filter(
        Q(tenant_id__in=tenant_ids) | Q(tenant__isnull=True, cluster_id__in=on_their_clusters.values("cluster_id"))
    )
