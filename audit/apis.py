"""GET /api/v1/audit/: the audit trail of the caller's tenants (tenant admins), filterable, paginated."""

from __future__ import annotations

from datetime import UTC, datetime

import django_filters
from rest_framework import mixins, serializers

from audit.models import AuditRecord
from audit.selectors import audit_records_visible
from controlplane.api.base import TenantScopedViewSet
from controlplane.exceptions import ValidationFailed
from tenants.models import Role


class AuditRecordSerializer(serializers.ModelSerializer):
    tenant = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    before = serializers.JSONField(allow_null=True, help_text="the object before the change, secrets censored")
    after = serializers.JSONField(allow_null=True, help_text="the object after the change, secrets censored")

    class Meta:
        model = AuditRecord
        fields = [
            "id",
            "created_at",
            "actor",
            "tenant",
            "action",
            "object_type",
            "object_id",
            "request_id",
            "source",
            "channel",
            "before",
            "after",
        ]


class AuditRecordFilter(django_filters.FilterSet):
    tenant = django_filters.CharFilter(field_name="tenant__slug")
    action = django_filters.CharFilter()
    object_type = django_filters.CharFilter()
    object_id = django_filters.CharFilter()
    actor = django_filters.CharFilter()
    request_id = django_filters.CharFilter()
    channel = django_filters.ChoiceFilter(
        choices=[("api", "api"), ("admin", "admin"), ("command", "command"), ("system", "system")]
    )
    since = django_filters.IsoDateTimeFilter(method="created_from", help_text="rows written at or after (ISO 8601)")
    until = django_filters.IsoDateTimeFilter(method="created_before", help_text="rows written before (ISO 8601)")

    class Meta:
        model = AuditRecord
        fields = ["tenant", "action", "object_type", "object_id", "actor", "request_id", "channel", "since", "until"]

    def created_from(self, queryset, name, value):
        return queryset.filter(created_at__gte=_in_utc(value, name))

    def created_before(self, queryset, name, value):
        return queryset.filter(created_at__lt=_in_utc(value, name))


def _in_utc(value: datetime, name: str) -> datetime:
    # The database takes offsets only up to about 16 hours: any instant is sent in UTC.
    try:
        return value.astimezone(UTC)
    except OverflowError as error:
        raise ValidationFailed({name: ["out of range"]}) from error


class AuditRecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantScopedViewSet):
    """Who changed what, newest first. Read only: nobody edits or deletes audit rows."""

    serializer_class = AuditRecordSerializer
    filterset_class = AuditRecordFilter
    lookup_value_regex = "[0-9]+"

    def base_queryset(self):
        return AuditRecord.objects.all()

    def scope(self, queryset, tenant_ids):
        # The trail names members and keys: tenant admins read it, as they manage those.
        admin_of = set(self.access.tenant_ids(Role.ADMIN)) & set(tenant_ids)
        visible = audit_records_visible(tenant_ids=sorted(admin_of), include_platform=self.access.is_platform_admin)
        return queryset.filter(pk__in=visible.values("pk")).select_related("tenant")
