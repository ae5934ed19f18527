"""Reads for tenants, clusters, memberships and API keys, always scoped by the caller's tenants."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from tenants.models import ApiKey, Cluster, Tenant

API_KEY_LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_api_key(raw_key: str) -> str:
    # API keys are 32 random bytes: a fast hash is safe, and auth stays cheap on every request.
    return hashlib.sha256(raw_key.encode()).hexdigest()


def api_key_prefix(raw_key: str) -> str | None:
    parts = raw_key.split("_")
    if len(parts) != 3 or parts[0] != "cp" or len(parts[1]) != 8:
        return None
    return f"cp_{parts[1]}"


def api_key_authenticate(*, raw_key: str) -> ApiKey | None:
    prefix = api_key_prefix(raw_key)
    if prefix is None:
        return None
    api_key = ApiKey.objects.select_related("tenant").filter(prefix=prefix).first()
    if api_key is None or not hmac.compare_digest(api_key.key_hash, hash_api_key(raw_key)):
        return None
    now = timezone.now()
    if api_key.revoked_at or (api_key.expires_at and api_key.expires_at <= now) or not api_key.tenant.is_active:
        return None
    # Record use, at most once a minute per key, so authentication is not a write per request.
    if api_key.last_used_at is None or now - api_key.last_used_at > API_KEY_LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key


def cluster_list_open_to(*, tenant_ids: list[int]) -> QuerySet[Cluster]:
    """Dedicated clusters owned by, and shared clusters opened to, any of these tenants."""
    visible = Cluster.objects.filter(
        Q(owner_tenant_id__in=tenant_ids) | Q(allowed_tenants__id__in=tenant_ids), is_active=True
    ).values("id")
    return Cluster.objects.filter(id__in=visible).select_related("landing_zone", "owner_tenant")


def cluster_is_open_to(*, cluster: Cluster, tenant: Tenant) -> bool:
    if cluster.kind == Cluster.Kind.DEDICATED:
        return cluster.owner_tenant_id == tenant.id
    return cluster.allowed_tenants.filter(id=tenant.id).exists()


def topic_prefixes_of(*, tenant: Tenant) -> list[str]:
    # .all(): served from a prefetch when the caller made one (the reconciler does, for every connector).
    return [topic_prefix.prefix for topic_prefix in tenant.topic_prefixes.all()]
