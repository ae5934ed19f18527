"""Writes for landing zones, tenants, topic prefixes, clusters, memberships and API keys."""

from __future__ import annotations

import secrets
import unicodedata
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record, model_snapshot
from controlplane.crypto import encrypt_secrets
from controlplane.exceptions import Conflict, PermissionDenied, ValidationFailed
from controlplane.naming import business_unit_errors, slug_errors, topic_prefix_errors, topic_prefixes_overlap
from tenants.models import ApiKey, Cluster, LandingZone, Membership, Role, Tenant, TopicPrefix, role_at_least
from tenants.selectors import hash_api_key


@transaction.atomic
def landing_zone_create(*, slug: str, name: str = "", description: str = "") -> LandingZone:
    if errors := slug_errors(slug, what="landing zone"):
        raise ValidationFailed({"slug": errors})
    if LandingZone.objects.filter(slug=slug).exists():
        raise Conflict(f"Landing zone '{slug}' already exists.", errors={"slug": ["already exists"]})
    zone = LandingZone.objects.create(slug=slug, name=name or slug, description=description)
    audit_record(action="landing_zone.create", object_type="landing_zone", object_id=slug, after=model_snapshot(zone))
    return zone


@transaction.atomic
def tenant_create(*, slug: str, name: str = "", topic_prefixes: list[str] | None = None) -> Tenant:
    if errors := business_unit_errors(slug):
        raise ValidationFailed({"slug": errors})
    if Tenant.objects.filter(slug=slug).exists():
        raise Conflict(f"Tenant '{slug}' already exists.", errors={"slug": ["already exists"]})
    tenant = Tenant.objects.create(slug=slug, name=name or slug)
    audit_record(
        action="tenant.create", object_type="tenant", object_id=slug, tenant=tenant, after=model_snapshot(tenant)
    )
    for prefix in topic_prefixes or [f"{slug}."]:
        topic_prefix_add(tenant=tenant, prefix=prefix)
    return tenant


@transaction.atomic
def topic_prefix_add(*, tenant: Tenant, prefix: str) -> TopicPrefix:
    topic_prefix_check(tenant=tenant, prefix=prefix, lock=True)
    topic_prefix, created = TopicPrefix.objects.get_or_create(tenant=tenant, prefix=prefix)
    if created:
        audit_record(
            action="topic_prefix.create",
            object_type="topic_prefix",
            object_id=prefix,
            tenant=tenant,
            after={"prefix": prefix},
        )
    return topic_prefix


def topic_prefix_check(*, tenant: Tenant, prefix: str, lock: bool = False) -> None:
    """Raise unless `prefix` is well formed and overlaps no other tenant's prefix (the admin's form asks too).

    With `lock`, the table's rows are locked so two concurrent additions cannot both pass."""
    if errors := topic_prefix_errors(prefix):
        raise ValidationFailed({"prefix": errors})
    rows = TopicPrefix.objects.select_related("tenant")
    clashes = [
        existing
        for existing in (rows.select_for_update() if lock else rows)
        if existing.tenant_id != tenant.id and topic_prefixes_overlap(existing.prefix, prefix)
    ]
    if clashes:
        owners = ", ".join(f"'{c.prefix}' of {c.tenant.slug}" for c in clashes)
        raise Conflict(
            f"Topic prefix '{prefix}' overlaps {owners}.",
            errors={"prefix": [f"overlaps {owners}: prefixes of different tenants must not overlap"]},
        )


@transaction.atomic
def cluster_create(
    *,
    name: str,
    kind: str,
    bootstrap_servers: str,
    connect_url: str,
    landing_zone: LandingZone | None = None,
    owner_tenant: Tenant | None = None,
    allowed_tenants: list[Tenant] | None = None,
    connect_flavour: str = Cluster.Flavour.SELF_MANAGED,
    secrets_values: dict[str, str] | None = None,
    **attributes,
) -> Cluster:
    if Cluster.objects.filter(name=name).exists():
        raise Conflict(f"Cluster '{name}' already exists.", errors={"name": ["already exists"]})
    cluster = Cluster(
        name=name,
        kind=kind,
        bootstrap_servers=bootstrap_servers,
        connect_url=connect_url,
        landing_zone=landing_zone,
        owner_tenant=owner_tenant,
        connect_flavour=connect_flavour,
        **attributes,
    )
    cluster_secrets_merge(cluster, secrets_values or {})
    cluster.full_clean()
    cluster.save()
    if allowed_tenants:
        if kind != Cluster.Kind.SHARED:
            raise ValidationFailed({"allowed_tenants": ["only shared clusters are opened to chosen tenants"]})
        cluster.allowed_tenants.set(allowed_tenants)
    audit_record(
        action="cluster.create",
        object_type="cluster",
        object_id=name,
        tenant=owner_tenant,
        after={**model_snapshot(cluster), "secrets": sorted(cluster.secrets())},
        secrets=cluster.secrets().values(),
    )
    return cluster


def cluster_secrets_merge(cluster: Cluster, secrets_values: dict[str, str]) -> None:
    unknown = set(secrets_values) - set(Cluster.SECRET_FIELDS)
    if unknown:
        raise ValidationFailed({name: ["not a cluster secret"] for name in sorted(unknown)})
    stored = cluster.secrets()
    for key, value in secrets_values.items():
        if value:
            stored[key] = value
        else:
            stored.pop(key, None)
    cluster.secrets_encrypted = encrypt_secrets(stored) if stored else ""


@transaction.atomic
def cluster_open_to(*, cluster: Cluster, tenants: list[Tenant]) -> Cluster:
    if cluster.kind != Cluster.Kind.SHARED:
        raise ValidationFailed({"cluster": ["only shared clusters are opened to chosen tenants"]})
    already = set(cluster.allowed_tenants.values_list("pk", flat=True))
    cluster.allowed_tenants.add(*tenants)
    for tenant in (tenant for tenant in tenants if tenant.pk not in already):
        audit_record(
            action="cluster.open",
            object_type="cluster",
            object_id=cluster.name,
            tenant=tenant,
            after={"cluster": cluster.name, "opened_to": tenant.slug},
        )
    return cluster


def _membership_snapshot(membership: Membership) -> dict:
    return {"username": membership.user.username, "role": membership.role}


@transaction.atomic
def membership_set(*, tenant: Tenant, user, role: str, actor: str = "") -> Membership:
    """Add the user to the tenant, or change their role there."""
    if role not in Role.values:
        raise ValidationFailed({"role": [f"choose one of {', '.join(Role.values)}"]})
    existing = Membership.objects.select_for_update().filter(tenant=tenant, user=user).first()
    before = _membership_snapshot(existing) if existing else None
    membership, created = Membership.objects.update_or_create(tenant=tenant, user=user, defaults={"role": role})
    audit_record(
        action="membership.create" if created else "membership.update",
        object_type="membership",
        object_id=user.username,
        tenant=tenant,
        actor=actor,
        before=before,
        after=_membership_snapshot(membership),
    )
    return membership


def membership_add_by_username(*, tenant: Tenant, username: str, role: str, actor: str = "") -> Membership:
    """Give `username` a role in the tenant, whether or not the platform knows that user yet.

    The answer is the same either way, so a tenant admin cannot learn which usernames exist on the
    platform: a username without an account is reserved (an account with no usable password) and
    the membership applies once the platform gives that account a way to sign in."""
    User = get_user_model()
    try:
        UnicodeUsernameValidator()(username)
    except DjangoValidationError as error:
        raise ValidationFailed({"username": list(error.messages)}) from error
    user, created = User.objects.get_or_create(username=username)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return membership_set(tenant=tenant, user=user, role=role, actor=actor)


@transaction.atomic
def membership_remove(*, membership: Membership, actor: str = "") -> None:
    before = _membership_snapshot(membership)
    tenant, username = membership.tenant, membership.user.username
    membership.delete()
    audit_record(
        action="membership.delete",
        object_type="membership",
        object_id=username,
        tenant=tenant,
        actor=actor,
        before=before,
    )


def api_key_create(
    *,
    tenant: Tenant,
    name: str,
    role: str,
    created_by=None,
    actor: str = "",
    creator_role: str | None = None,
    expires_at: datetime | None = None,
    not_after: datetime | None = None,
) -> tuple[ApiKey, str]:
    """Create a key and return it with its raw value, which is shown once and never stored.

    `not_after` caps the expiry (a key made by another key never outlives it): no expiry, or a later
    one, becomes `not_after`. `actor` is who creates it, as `Access.actor` names callers."""
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["name is required"]
    elif any(unicodedata.category(character).startswith("C") for character in name):
        errors["name"] = ["must not contain control or invisible format characters"]
    if role not in Role.values:
        errors["role"] = [f"choose one of {', '.join(Role.values)}"]
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = ["must be in the future"]
    if errors:
        raise ValidationFailed(errors)
    if not_after is not None and (expires_at is None or expires_at > not_after):
        expires_at = not_after
    if creator_role is not None and not role_at_least(creator_role, role):
        raise PermissionDenied("An API key cannot have a higher role than the person who creates it.")
    key_id = secrets.token_hex(4)
    raw_key = f"cp_{key_id}_{secrets.token_urlsafe(32).replace('_', '-')}"
    user = created_by if getattr(created_by, "pk", None) else None
    with transaction.atomic():
        # The tenant's row lock makes two concurrent creates of one name take turns.
        Tenant.objects.select_for_update().filter(pk=tenant.pk).first()
        if ApiKey.objects.filter(tenant=tenant, name=name.strip(), revoked_at__isnull=True).exists():
            raise Conflict(
                f"The tenant already has a key named '{name.strip()}'.",
                errors={"name": ["a key with this name exists (revoke it first, or choose another name)"]},
            )
        api_key = ApiKey.objects.create(
            tenant=tenant,
            name=name.strip(),
            role=role,
            prefix=f"cp_{key_id}",
            key_hash=hash_api_key(raw_key),
            created_by=user,
            created_by_actor=actor or (f"user:{user.username}" if user else ""),
            expires_at=expires_at,
        )
        audit_record(
            action="api_key.create",
            object_type="api_key",
            object_id=api_key.prefix,
            tenant=tenant,
            actor=actor,
            after=_api_key_snapshot(api_key),
            secrets=[raw_key],
        )
    return api_key, raw_key


def _api_key_snapshot(api_key: ApiKey) -> dict:
    return {
        "name": api_key.name,
        "role": api_key.role,
        "prefix": api_key.prefix,
        "expires_at": api_key.expires_at,
        "revoked_at": api_key.revoked_at,
    }


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, actor: str = "") -> ApiKey:
    if api_key.revoked_at is None:
        before = _api_key_snapshot(api_key)
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at", "updated_at"])
        audit_record(
            action="api_key.revoke",
            object_type="api_key",
            object_id=api_key.prefix,
            tenant=api_key.tenant,
            actor=actor,
            before=before,
            after=_api_key_snapshot(api_key),
        )
    return api_key
