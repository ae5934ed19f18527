"""Quotas: connectors per stage and total tasks.max per cluster, per tenant.

Checked inside the connector write's transaction while holding the tenant's row lock, so that
concurrent creates take turns: 50 parallel creates at the limit leave exactly the limit.
"""

from __future__ import annotations

from django.db import transaction

from audit.services import audit_record, model_snapshot
from connectors.services.admission import Admission
from controlplane.exceptions import Conflict
from governance.models import TenantQuota
from governance.selectors import connectors_in_stage, tasks_on_cluster
from tenants.models import Tenant


class QuotaExceeded(Conflict):
    code = "quota_exceeded"


def quota_admission_check(admission: Admission) -> None:
    spec = admission.spec
    quota = TenantQuota.objects.filter(tenant=spec.tenant).first()
    if quota is None:
        return
    # Serialize this tenant's connector writes (PostgreSQL row lock; SQLite writers already take turns).
    Tenant.objects.select_for_update().filter(pk=spec.tenant.pk).first()
    quota.refresh_from_db()
    existing = admission.existing
    errors: dict[str, list[str]] = {}
    messages: list[str] = []
    limit = quota.max_connectors(spec.stage)
    if limit is not None and existing is None:
        used = connectors_in_stage(tenant=spec.tenant, stage=spec.stage)
        if used + 1 > limit:
            errors[f"quota.max_{spec.stage}_connectors"] = [f"limit {limit}, in use {used}"]
            messages.append(f"{used} of {limit} {spec.stage} connectors in use")
    task_limit = quota.max_tasks_per_cluster
    if task_limit is not None:
        used = tasks_on_cluster(tenant=spec.tenant, cluster=admission.cluster, excluding=existing)
        if used + spec.tasks_max > task_limit:
            errors["quota.max_tasks_per_cluster"] = [
                f"limit {task_limit} on cluster {admission.cluster.name}, in use {used}, asked {spec.tasks_max}"
            ]
            messages.append(f"{used} of {task_limit} tasks in use on cluster {admission.cluster.name}")
    if errors:
        raise QuotaExceeded(f"Quota of tenant {spec.tenant.slug} exceeded: {'; '.join(messages)}.", errors=errors)


QUOTA_FIELDS = ["max_dev_connectors", "max_qas_connectors", "max_run_connectors", "max_tasks_per_cluster"]


@transaction.atomic
def quota_set(*, tenant: Tenant, actor: str = "", **limits: int | None) -> TenantQuota:
    """Set a tenant's limits (platform admins: the admin or `manage.py set_quota`); None is no limit."""
    unknown = set(limits) - set(QUOTA_FIELDS)
    if unknown:
        raise ValueError(f"unknown quota fields: {sorted(unknown)}")
    quota, _ = TenantQuota.objects.select_for_update().get_or_create(tenant=tenant)
    before = model_snapshot(quota, fields=QUOTA_FIELDS)
    for field, value in limits.items():
        setattr(quota, field, value)
    quota.full_clean()
    quota.save()
    audit_record(
        action="quota.update",
        object_type="quota",
        object_id=tenant.slug,
        tenant=tenant,
        actor=actor,
        before=before,
        after=model_snapshot(quota, fields=QUOTA_FIELDS),
    )
    return quota
