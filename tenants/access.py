"""Who is calling and what they may do: the caller's role in each tenant, resolved once per request.

Everything that scopes a query or checks a role goes through `Access`, so there is one place
that decides tenant visibility.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tenants.models import ApiKey, Membership, Role, Tenant, role_at_least


@dataclass(frozen=True)
class Access:
    roles: dict[int, str] = field(default_factory=dict)  # tenant id -> role
    is_platform_admin: bool = False
    actor: str = "anonymous"  # "user:<username>", "api_key:<prefix>" or "system"
    user_id: int | None = None
    api_key_id: int | None = None

    def tenant_ids(self, min_role: str = Role.VIEWER) -> list[int]:
        return [tenant_id for tenant_id, role in self.roles.items() if role_at_least(role, min_role)]

    def role_in(self, tenant_id: int) -> str | None:
        return self.roles.get(tenant_id)

    def can_see(self, tenant_id: int) -> bool:
        return tenant_id in self.roles

    def has_role(self, tenant_id: int, min_role: str) -> bool:
        role = self.roles.get(tenant_id)
        return role is not None and role_at_least(role, min_role)


class ApiKeyUser:
    """`request.user` for API-key requests: authenticated, never staff, bound to one tenant."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, api_key: ApiKey) -> None:
        self.api_key = api_key
        self.username = f"api_key:{api_key.prefix}"

    def __str__(self) -> str:
        return self.username


def access_for(*, user, auth) -> Access:
    if isinstance(auth, ApiKey):
        return Access(roles={auth.tenant_id: auth.role}, actor=f"api_key:{auth.prefix}", api_key_id=auth.pk)
    if not getattr(user, "is_authenticated", False):
        return Access()
    if user.is_staff:
        # Platform admins see and manage every tenant.
        roles = {tenant_id: Role.ADMIN for tenant_id in Tenant.objects.values_list("id", flat=True)}
        return Access(roles=roles, is_platform_admin=True, actor=f"user:{user.username}", user_id=user.pk)
    roles = dict(Membership.objects.filter(user=user, tenant__is_active=True).values_list("tenant_id", "role"))
    return Access(roles=roles, actor=f"user:{user.username}", user_id=user.pk)


def access_for_request(request) -> Access:
    cached = getattr(request, "_controlplane_access", None)
    if cached is None:
        cached = access_for(user=request.user, auth=request.auth)
        request._controlplane_access = cached
    return cached
