"""The platform team's console for monitoring: alerts and deliveries (read-only), channels (secrets
never shown), cluster health, the outbox."""

from django.contrib import admin

from connectors.admin.common import ReadOnlyAdminMixin as ReadOnly
from monitoring.models import Alert, AlertChannel, ClusterHealth, Delivery, OutboxEvent, Restart


class DeliveryInline(ReadOnly, admin.TabularInline):
    model = Delivery
    fields = ["target", "kind", "status", "attempts", "last_error", "created_at", "sent_at"]
    readonly_fields = fields
    extra = 0


@admin.register(Alert)
class AlertAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["opened_at", "condition", "connector", "cluster", "tenant", "state", "fault", "resolved_at"]
    list_filter = ["condition", "state", "fault", ("resolved_at", admin.EmptyFieldListFilter), "tenant"]
    search_fields = ["connector__name", "cluster__name"]
    list_select_related = ["connector", "tenant", "cluster"]
    inlines = [DeliveryInline]


@admin.register(AlertChannel)
class AlertChannelAdmin(admin.ModelAdmin):
    """Channels are made through the API (their secrets are encrypted there); here they are listed,
    enabled or disabled."""

    list_display = ["tenant", "name", "kind", "enabled", "is_default"]
    list_filter = ["kind", "enabled", "tenant"]
    fields = ["tenant", "name", "kind", "enabled", "is_default", "format", "recipients", "from_email", "smtp_host"]
    readonly_fields = ["tenant", "name", "kind"]

    def has_add_permission(self, request):
        return False


@admin.register(ClusterHealth)
class ClusterHealthAdmin(ReadOnly, admin.ModelAdmin):
    list_display = [
        "cluster",
        "reachable",
        "unreachable_since",
        "last_sweep_at",
        "last_sweep_seconds",
        "connectors_seen",
    ]


@admin.register(Restart)
class RestartAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["requested_at", "connector", "attempt"]
    list_select_related = ["connector"]


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["id", "type", "subject", "created_at", "published_at", "attempts", "last_error"]
    list_filter = ["type", ("published_at", admin.EmptyFieldListFilter)]
