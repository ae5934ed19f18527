"""Alert channels and per-connector monitoring settings: the writes behind the API."""

from __future__ import annotations

from django.db import transaction

from audit.services import audit_record, model_snapshot
from connectors.models import Connector
from controlplane.crypto import encrypt_secrets
from controlplane.exceptions import ValidationFailed
from monitoring.channels.destinations import host_errors, webhook_url_errors
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

# The overrides a person sets on a connector's monitoring (the rest of ConnectorHealth is the sweep's).
MONITORING_OVERRIDES = (
    "auto_restart",
    "restart_max_attempts",
    "restart_backoff_seconds",
    "restart_backoff_max_seconds",
    "healthy_window_seconds",
    "lag_threshold_records",
    "lag_threshold_seconds",
)


def channel_check(channel: AlertChannel, secrets: dict[str, str]) -> None:
    """Raise ValidationFailed unless the channel, with these secrets, can deliver (the admin's form asks too)."""
    errors = {}
    if channel.kind == AlertChannel.Kind.WEBHOOK and not secrets.get("url"):
        errors["url"] = ["required for a webhook channel"]
    elif channel.kind == AlertChannel.Kind.WEBHOOK and (url_errors := webhook_url_errors(secrets["url"])):
        errors["url"] = url_errors
    if channel.kind == AlertChannel.Kind.EMAIL and channel.smtp_host:
        if smtp_errors := host_errors(channel.smtp_host, channel.smtp_port or 25):
            errors["smtp_host"] = smtp_errors
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
    before = _channel_snapshot(channel) if channel.pk else None
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
    channel_check(channel, secrets)
    channel.secrets_encrypted = encrypt_secrets(secrets) if secrets else ""
    channel.save()
    audit_record(
        action="alert_channel.update" if before is not None else "alert_channel.create",
        object_type="alert_channel",
        object_id=channel.name,
        tenant=tenant,
        before=before,
        after=_channel_snapshot(channel),
        secrets=secrets.values(),
    )
    return channel


@transaction.atomic
def channel_delete(*, channel: AlertChannel) -> None:
    before = _channel_snapshot(channel)
    channel.delete()
    audit_record(
        action="alert_channel.delete",
        object_type="alert_channel",
        object_id=before["name"],
        tenant=channel.tenant,
        before=before,
    )


def _channel_snapshot(channel: AlertChannel) -> dict:
    """A channel's settings; of its secrets (the webhook URL, the SMTP password) only which are set."""
    stored = channel.secrets() if channel.secrets_encrypted else {}
    return {
        **{field: getattr(channel, field) for field in PLAIN_FIELDS},
        **{f"{field}_set": bool(stored.get(field)) for field in AlertChannel.SECRET_FIELDS},
    }


@transaction.atomic
def connector_monitoring_update(*, connector: Connector, changes: dict) -> ConnectorHealth:
    health, _ = ConnectorHealth.objects.select_for_update().get_or_create(connector=connector)
    before = _monitoring_snapshot(health)
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
    audit_record(
        action="connector.monitoring_update",
        object_type="connector",
        object_id=connector.name,
        tenant=connector.tenant,
        before=before,
        after=_monitoring_snapshot(health),
    )
    return health


def _monitoring_snapshot(health: ConnectorHealth) -> dict:
    """A connector's monitoring overrides (not what the sweep keeps), its channels by name."""
    return {
        **model_snapshot(health, fields=MONITORING_OVERRIDES),
        "channels": sorted(health.channels.values_list("name", flat=True)),
    }
