"""Reads for governance: usage against quotas, the run gate's verdict, change requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone

from connectors.models import Connector
from connectors.state_machine import State
from governance.models import STAGES, LandingZonePolicy, TenantQuota
from monitoring.models import Alert
from tenants.models import Cluster, Tenant


def _live_connectors(tenant: Tenant):
    return Connector.objects.filter(tenant=tenant).exclude(state=State.DELETED)


def connectors_in_stage(*, tenant: Tenant, stage: str) -> int:
    return _live_connectors(tenant).filter(stage=stage).count()


def tasks_on_cluster(*, tenant: Tenant, cluster: Cluster, excluding: Connector | None = None) -> int:
    connectors = _live_connectors(tenant).filter(cluster=cluster)
    if excluding is not None:
        connectors = connectors.exclude(pk=excluding.pk)
    return connectors.aggregate(total=Sum("tasks_max"))["total"] or 0


def tenant_usage(*, tenant: Tenant) -> dict:
    """The tenant's usage beside its limits: two queries whatever the number of connectors."""
    quota = TenantQuota.objects.filter(tenant=tenant).first()
    per_stage = dict(_live_connectors(tenant).values_list("stage").annotate(count=Count("id")))
    per_cluster = (
        _live_connectors(tenant).values("cluster__name").annotate(tasks=Sum("tasks_max")).order_by("cluster__name")
    )
    task_limit = quota.max_tasks_per_cluster if quota else None
    return {
        "tenant": tenant.slug,
        "connectors_per_stage": {
            stage: {"used": per_stage.get(stage, 0), "limit": quota.max_connectors(stage) if quota else None}
            for stage in STAGES
        },
        "tasks_per_cluster": [
            {"cluster": row["cluster__name"], "used": row["tasks"], "limit": task_limit} for row in per_cluster
        ],
        "max_tasks_per_cluster": task_limit,
    }


def policy_for(*, cluster: Cluster) -> LandingZonePolicy:
    """The cluster's landing-zone policy; dedicated clusters (and zones without one) get the defaults."""
    if cluster.landing_zone_id:
        policy = LandingZonePolicy.objects.filter(landing_zone_id=cluster.landing_zone_id).first()
        if policy is not None:
            return policy
    return LandingZonePolicy(landing_zone_id=cluster.landing_zone_id)


@dataclass(frozen=True)
class GateVerdict:
    required: bool
    passed: bool
    reason: str
    running_since: datetime | None = None
    required_seconds: int = 0

    def as_dict(self) -> dict:
        return {
            "required": self.required,
            "passed": self.passed,
            "reason": self.reason,
            "running_since": self.running_since,
            "required_seconds": self.required_seconds,
        }


def run_gate(*, source: Connector, target_cluster: Cluster, now: datetime | None = None) -> GateVerdict:
    """May `source` (a qas connector) be promoted to run? RUNNING for the gate's time, without alerts."""
    policy = policy_for(cluster=target_cluster)
    if not policy.run_gate_enabled:
        return GateVerdict(required=False, passed=True, reason="the run gate is switched off for this landing zone")
    seconds = policy.run_gate_seconds if policy.run_gate_seconds is not None else settings.PROMOTION_GATE_SECONDS
    now = now or timezone.now()
    if source.state != State.RUNNING:
        return GateVerdict(True, False, f"{source.name} is {source.state}, not RUNNING", None, seconds)
    last = source.events.order_by("-created_at", "-id").first()
    running_since = last.created_at if last is not None and last.to_state == State.RUNNING else None
    if running_since is None:
        return GateVerdict(True, False, f"{source.name} has no recorded start of RUNNING", None, seconds)
    alerts = Alert.objects.filter(connector=source).filter(
        Q(resolved_at__isnull=True) | Q(opened_at__gte=running_since)
    )
    if alerts.exists():
        return GateVerdict(
            True, False, f"{source.name} has had alerts since it started RUNNING", running_since, seconds
        )
    ready_at = running_since + timedelta(seconds=seconds)
    if now < ready_at:
        remaining = int((ready_at - now).total_seconds()) + 1
        return GateVerdict(
            True,
            False,
            f"{source.name} has been RUNNING for {int((now - running_since).total_seconds())} s; "
            f"the gate needs {seconds} s without alerts ({remaining} s to go)",
            running_since,
            seconds,
        )
    return GateVerdict(
        True, True, f"{source.name} has been RUNNING without alerts for {seconds} s or more", running_since, seconds
    )
