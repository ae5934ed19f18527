"""The audit trail in the admin: read only, for everyone, platform admins included."""

from __future__ import annotations

import json

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.html import format_html

from audit.admin_mixins import AuditedAdminMixin
from audit.models import AuditRecord
from controlplane.admin_mixins import ReadOnlyAdminMixin


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "actor", "tenant", "action", "object_id", "channel", "source", "request_id"]
    list_filter = ["channel", "object_type", "action", "tenant"]
    search_fields = ["actor", "object_id", "request_id", "action"]
    list_select_related = ["tenant"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "actor",
        "tenant",
        "action",
        "object_type",
        "object_id",
        "channel",
        "source",
        "request_id",
        "before_json",
        "after_json",
    ]
    readonly_fields = fields
    actions = None

    @admin.display(description="before")
    def before_json(self, record: AuditRecord) -> str:
        return format_html("<pre>{}</pre>", json.dumps(record.before, indent=2, sort_keys=True))

    @admin.display(description="after")
    def after_json(self, record: AuditRecord) -> str:
        return format_html("<pre>{}</pre>", json.dumps(record.after, indent=2, sort_keys=True))


# Users are platform-wide (a staff flag makes a platform admin): their changes in the admin are audited too.
User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class AuditedUserAdmin(AuditedAdminMixin, UserAdmin):
    pass
