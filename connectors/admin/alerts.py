"""Alerts in the admin, read-only: they open and resolve with the connector's lifecycle.

The monitoring app (alert channels, deliveries) brings its own Alert admin; when it does, this
module goes.
"""

from __future__ import annotations

from django.contrib import admin

from connectors.admin.common import ReadOnlyAdminMixin
from connectors.models import Alert


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["opened_at", "connector", "tenant", "state", "resolved_at", "notified_at"]
    list_filter = ["state", ("resolved_at", admin.EmptyFieldListFilter), "tenant"]
    search_fields = ["connector__name"]
    list_select_related = ["connector", "tenant"]
    readonly_fields = ["connector", "tenant", "state", "message", "opened_at", "resolved_at", "notified_at"]
