"""Changes made in the Django admin are audited like any other: the admin's save and delete call
`audit_record` in the admin's own transaction."""

from __future__ import annotations

from audit.services import audit_record
from audit.services import model_snapshot as snapshot


def tenant_of(obj):
    if _is_tenant(obj):
        return obj
    return getattr(obj, "tenant", None) or getattr(obj, "owner_tenant", None)


def _audit(obj, *, verb: str, actor: str, before: dict | None, after: dict | None) -> None:
    audit_record(
        action=f"{obj._meta.model_name}.{verb}",
        object_type=obj._meta.model_name,
        object_id=str(obj),
        tenant=tenant_of(obj) if verb != "delete" or not _is_tenant(obj) else None,
        actor=actor,
        before=before,
        after=after,
    )


def _is_tenant(obj) -> bool:
    return obj._meta.label == "tenants.Tenant"


class AuditedAdminMixin:
    def _actor(self, request) -> str:
        return f"user:{request.user.username}"

    def save_model(self, request, obj, form, change):
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        request._audit_pending = (obj, "update" if change else "create", before)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # After the many-to-many fields are saved, so the snapshot holds them.
        obj, verb, before = getattr(request, "_audit_pending", (form.instance, "update", None))
        _audit(obj, verb=verb, actor=self._actor(request), before=before, after=snapshot(obj))

    def save_formset(self, request, form, formset, change):
        befores = {
            item.pk: snapshot(type(item).objects.get(pk=item.pk))
            for item in formset.queryset
            if item.pk and any(f.instance.pk == item.pk and f.has_changed() for f in formset.forms)
        }
        super().save_formset(request, form, formset, change)
        for item in formset.new_objects:
            _audit(item, verb="create", actor=self._actor(request), before=None, after=snapshot(item))
        for item, _fields in formset.changed_objects:
            _audit(item, verb="update", actor=self._actor(request), before=befores.get(item.pk), after=snapshot(item))
        for item in formset.deleted_objects:
            _audit(item, verb="delete", actor=self._actor(request), before=snapshot(item), after=None)

    def delete_model(self, request, obj):
        before = snapshot(obj)
        tenant = tenant_of(obj)
        super().delete_model(request, obj)
        audit_record(
            action=f"{obj._meta.model_name}.delete",
            object_type=obj._meta.model_name,
            object_id=str(obj),
            tenant=None if _is_tenant(obj) else tenant,
            actor=self._actor(request),
            before=before,
        )

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
