"""Alert channels and per-connector monitoring settings: the writes behind the API."""

from __future__ import annotations

from django.db import transaction

from connectors.models import Connector
from controlplane.crypto import encrypt_secrets
from controlplane.exceptions import ValidationFailed
from monitoring.models import AlertChannel, ConnectorHealth
from tenants.models import Tenant

PLAIN_FIELDS = (
    "name",
    "kind",
    "enabled",
    "is_default",
    "format",
    "recipients",
    "from_email",
    "smtp_host",
    "smtp_port",
    "smtp_username",
    "smtp_use_tls",
)


def _check(channel: AlertChannel, secrets: dict[str, str]) -> None:
    errors = {}
    if channel.kind == AlertChannel.Kind.WEBHOOK and not secrets.get("url"):
        errors["url"] = ["required for a webhook channel"]
    if channel.kind == AlertChannel.Kind.EMAIL and not channel.recipients:
        errors["recipients"] = ["required for an email channel"]
    duplicate = AlertChannel.objects.filter(tenant=channel.tenant, name=channel.name).exclude(pk=channel.pk)
    if duplicate.exists():
        errors["name"] = [f"the tenant already has a channel called {channel.name}"]
    if errors:
        raise ValidationFailed(errors)


@transaction.atomic
def channel_save(*, tenant: Tenant, data: dict, channel: AlertChannel | None = None) -> AlertChannel:
    """Create (channel None) or change a channel; secrets sent replace the stored ones, encrypted."""
    channel = channel or AlertChannel(tenant=tenant)
    for field in PLAIN_FIELDS:
        if field in data:
            setattr(channel, field, data[field])
    secrets = channel.secrets() if channel.pk else {}
    for field in AlertChannel.SECRET_FIELDS:
        if field in data:
            if data[field]:
                secrets[field] = data[field]
            else:
                secrets.pop(field, None)
    _check(channel, secrets)
    channel.secrets_encrypted = encrypt_secrets(secrets) if secrets else ""
    channel.save()
    return channel


def channel_delete(*, channel: AlertChannel) -> None:
    channel.delete()


@transaction.atomic
def connector_monitoring_update(*, connector: Connector, changes: dict) -> ConnectorHealth:
    health, _ = ConnectorHealth.objects.select_for_update().get_or_create(connector=connector)
    channel_names = changes.pop("channels", None)
    for field, value in changes.items():
        setattr(health, field, value)
    health.save()
    if channel_names is not None:
        channels = list(AlertChannel.objects.filter(tenant_id=connector.tenant_id, name__in=channel_names))
        unknown = sorted(set(channel_names) - {channel.name for channel in channels})
        if unknown:
            raise ValidationFailed({"channels": [f"no channel {name} in the connector's tenant" for name in unknown]})
        health.channels.set(channels)
    return health
