"""Admin for platform admins: connectors are read-only here (the API validates and creates them, and
every state change goes through connector_transition). Secrets are never shown, not even encrypted."""

from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html

from connectors.models import Alert, Connector, ConnectorEvent, UnmanagedConnector
from controlplane.admin_mixins import ReadOnlyAdminMixin
from controlplane.masking import redact


def _json_block(value) -> str:
    # Config holds no secrets by design (they live apart, encrypted); redact anyway, as defence in depth.
    return format_html("<pre>{}</pre>", redact(json.dumps(value, indent=2, sort_keys=True)))


class ConnectorEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ConnectorEvent
    fields = ["created_at", "from_state", "to_state", "actor", "reason", "error"]
    readonly_fields = fields
    ordering = ["created_at", "id"]  # newest last
    extra = 0


@admin.register(Connector)
class ConnectorAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "tenant",
        "cluster",
        "type_key",
        "stage",
        "desired_state",
        "state",
        "operation",
        "credentials",
        "updated_at",
    ]
    list_filter = ["state", "desired_state", "stage", "cluster", "tenant"]
    search_fields = ["name"]
    list_select_related = ["tenant", "cluster"]
    exclude = ["secrets_encrypted"]
    fieldsets = [
        (
            None,
            {"fields": ["name", "tenant", "cluster", "type_key", "stage", "connector_id", "created_by", "created_at"]},
        ),
        (
            "Desired",
            {
                "fields": [
                    "desired_state",
                    "generation",
                    "config_json",
                    "credentials",
                    "topics_json",
                    "transforms_json",
                    "error_handling_json",
                    "tasks_max",
                    "create_topics",
                ]
            },
        ),
        (
            "Observed",
            {
                "fields": [
                    "state",
                    "applied_generation",
                    "last_error",
                    "operation",
                    "operation_started_at",
                    "observed_at",
                    "pending_restart",
                    "updated_at",
                ]
            },
        ),
    ]
    readonly_fields = [field for _, options in fieldsets for field in options["fields"]]
    inlines = [ConnectorEventInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("tenant", "cluster")

    @admin.display(description="credentials")
    def credentials(self, connector: Connector) -> str:
        return "stored (encrypted)" if connector.secrets_encrypted else "none"

    @admin.display(description="config")
    def config_json(self, connector: Connector) -> str:
        return _json_block(connector.config)

    @admin.display(description="topics")
    def topics_json(self, connector: Connector) -> str:
        return _json_block(connector.topics)

    @admin.display(description="transforms")
    def transforms_json(self, connector: Connector) -> str:
        return _json_block(connector.transforms)

    @admin.display(description="error handling")
    def error_handling_json(self, connector: Connector) -> str:
        return _json_block(connector.error_handling)


@admin.register(UnmanagedConnector)
class UnmanagedConnectorAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Connectors found on a cluster that the control plane does not manage; listed for import."""

    list_display = ["cluster", "name", "connector_class", "state", "first_seen_at", "last_seen_at"]
    list_filter = ["cluster", "state"]
    search_fields = ["name", "connector_class"]
    list_select_related = ["cluster"]


@admin.register(ConnectorEvent)
class ConnectorEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "connector", "from_state", "to_state", "actor", "reason"]
    list_filter = ["to_state", "from_state", "connector__tenant", "connector__cluster"]
    search_fields = ["connector__name", "actor", "reason"]
    list_select_related = ["connector"]
    date_hierarchy = "created_at"


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: alerts open and resolve with the connector's lifecycle."""

    list_display = ["connector", "tenant", "state", "opened_at", "resolved_at", "notified_at"]
    list_filter = ["state", ("resolved_at", admin.EmptyFieldListFilter), "tenant"]
    search_fields = ["connector__name"]
    list_select_related = ["connector", "tenant"]
    readonly_fields = ["connector", "tenant", "state", "message", "opened_at", "resolved_at", "notified_at"]
