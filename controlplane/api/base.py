"""Tenant isolation in one place.

Every API that touches tenant-owned data subclasses `TenantScopedViewSet`. Its `get_queryset` and
`get_object` cannot be overridden (the class refuses at import time); a subclass only says which
queryset it serves (`base_queryset`) and how that queryset reaches a tenant (`tenant_field`, or
`scope()` for a model reachable through several paths). Another tenant's object is therefore a 404,
indistinguishable from one that does not exist; a role that is too low on one's own tenant is a 403.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from rest_framework import viewsets

from audit.context import set_audit_actor
from controlplane.exceptions import NotFound, PermissionDenied
from tenants.access import Access, access_for_request
from tenants.models import Role, Tenant

SEALED_METHODS = ("get_queryset", "get_object", "initial")


class TenantScopedMixin:
    tenant_field: str = "tenant"
    #: Role needed per action; actions not listed need `default_role`.
    required_roles: dict[str, str] = {}
    default_role: str = Role.VIEWER

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        overridden = [name for name in SEALED_METHODS if name in cls.__dict__]
        if overridden:
            raise TypeError(
                f"{cls.__name__} overrides {', '.join(overridden)}: tenant scoping lives in TenantScopedMixin; "
                "implement base_queryset() (and scope() if needed) instead."
            )

    # --- what subclasses provide ----------------------------------------------------------------
    def base_queryset(self) -> QuerySet:
        raise NotImplementedError

    def scope(self, queryset: QuerySet, tenant_ids: list[int]) -> QuerySet:
        return queryset.filter(**{f"{self.tenant_field}__in": tenant_ids})

    # --- sealed ---------------------------------------------------------------------------------
    @property
    def access(self) -> Access:
        return access_for_request(self.request)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        set_audit_actor(self.access.actor)  # an API key is known only once DRF has authenticated it
        # Nested routes (/tenants/<slug>/...) resolve their tenant before anything else: a 404 for
        # a tenant the caller cannot see, then the role check for the action.
        if "tenant_slug" in self.kwargs:
            self.url_tenant = self._resolve_url_tenant(self.kwargs["tenant_slug"])
            self.require_role(self.url_tenant.id, self.role_for_action())

    def get_queryset(self) -> QuerySet:
        tenant_ids = self.access.tenant_ids()
        if getattr(self, "url_tenant", None) is not None:
            tenant_ids = [self.url_tenant.id]
        return self.scope(self.base_queryset(), tenant_ids)

    def get_object(self):
        queryset = self.filter_queryset(self.get_queryset())
        lookup_url_kwarg = self.lookup_url_kwarg or self.lookup_field
        try:
            obj = queryset.filter(**{self.lookup_field: self.kwargs[lookup_url_kwarg]}).first()
        except (ValueError, TypeError, OverflowError, DjangoValidationError):
            # A value the lookup field cannot hold (/alerts/abc/) names no object: 404, not 500.
            obj = None
        if obj is None:
            raise NotFound()
        self.check_object_permissions(self.request, obj)
        return obj

    # --- helpers for subclasses -----------------------------------------------------------------
    def role_for_action(self) -> str:
        return self.required_roles.get(getattr(self, "action", None) or "", self.default_role)

    def require_role(self, tenant_id: int, role: str) -> None:
        if not self.access.can_see(tenant_id):
            raise NotFound()
        if not self.access.has_role(tenant_id, role):
            raise PermissionDenied(f"This action needs the '{role}' role in the tenant.")

    def tenant_for_write(self, slug: str | None, *, role: str) -> Tenant:
        """The tenant a new object goes to: named in the request, or the caller's only one."""
        visible = self.access.tenant_ids()
        if slug:
            tenant = Tenant.objects.filter(slug=slug, id__in=visible).first()
            if tenant is None:
                from controlplane.exceptions import ValidationFailed

                raise ValidationFailed({"tenant": [f"no tenant '{slug}' among yours"]})
        elif len(visible) == 1:
            tenant = Tenant.objects.get(id=visible[0])
        else:
            from controlplane.exceptions import ValidationFailed

            raise ValidationFailed({"tenant": ["required: you belong to several tenants (or none)"]})
        self.require_role(tenant.id, role)
        return tenant

    def _resolve_url_tenant(self, slug: str) -> Tenant:
        tenant = Tenant.objects.filter(slug=slug, id__in=self.access.tenant_ids()).first()
        if tenant is None:
            raise NotFound()
        return tenant


class TenantScopedViewSet(TenantScopedMixin, viewsets.GenericViewSet):
    pass
