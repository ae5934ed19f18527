"""Reads of the audit trail."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from audit.models import AuditRecord


def audit_records_visible(*, tenant_ids: list[int], include_platform: bool = False) -> QuerySet[AuditRecord]:
    """The rows of these tenants; platform-wide rows (no tenant) only for platform admins."""
    scope = Q(tenant_id__in=tenant_ids)
    if include_platform:
        scope |= Q(tenant__isnull=True)
    return AuditRecord.objects.filter(scope).select_related("tenant")
