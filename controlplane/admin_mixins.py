"""Admin building blocks every app may use."""

from __future__ import annotations


class ReadOnlyAdminMixin:
    """View only: no add, change or delete (the delete action disappears with it)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
