"""The one way to write the audit trail: `audit_record`, called by every service that mutates,
inside its own transaction (a rolled-back change leaves no audit row; a committed one always has one)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.forms.models import model_to_dict

from audit.context import current_audit_context
from audit.models import AuditRecord
from audit.signals import audit_recorded
from controlplane.masking import MASK, is_secret_key, mask_values, scrub

# Keys whose values are secrets wherever they appear in a before/after snapshot.
SECRET_FIELD_NAMES = {"secrets_encrypted", "key_hash", "password", "key", "raw_key"}


HIDDEN_COLUMNS = {"secrets_encrypted", "key_hash", "password"}


def model_snapshot(obj, *, fields: Iterable[str] | None = None) -> dict:
    """A model instance's fields (foreign keys and many-to-many as ids), never its secret columns."""
    data = model_to_dict(obj, fields=list(fields) if fields is not None else None, exclude=HIDDEN_COLUMNS)
    return {
        key: [getattr(item, "pk", item) for item in value] if isinstance(value, (list, tuple, set)) else value
        for key, value in data.items()
    }


def censor(value: Any, *, secrets: Iterable[str] = ()) -> Any:
    """A JSON-safe copy of `value` with known secret values, secret fields and secret-looking pairs masked."""
    known = list(secrets)

    def walk(item: Any, key: str = "") -> Any:
        if key in SECRET_FIELD_NAMES or is_secret_key(key):
            return MASK if item not in (None, "") else item
        if isinstance(item, Mapping):
            return {mask_values(str(k), known): walk(v, str(k)) for k, v in item.items()}
        if isinstance(item, (list, tuple, set)):
            return [walk(v) for v in item]
        if isinstance(item, str):
            return scrub(item, secrets=known)
        if item is None or isinstance(item, (bool, int, float)):
            return item
        return scrub(str(item), secrets=known)

    return walk(value)


def audit_record(
    *,
    action: str,
    object_type: str,
    object_id: str | int = "",
    tenant=None,
    actor: str = "",
    before: Mapping | None = None,
    after: Mapping | None = None,
    secrets: Iterable[str] = (),
) -> AuditRecord:
    """Append one row. `secrets` are values to censor besides what looks like a secret."""
    context = current_audit_context()
    known = list(secrets)
    record = AuditRecord.objects.create(
        actor=(actor or context.actor)[:120],
        tenant=tenant,
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:200],
        request_id=context.request_id,
        source=context.source[:200],
        channel=context.channel,
        before=censor(before, secrets=known) if before is not None else None,
        after=censor(after, secrets=known) if after is not None else None,
    )
    audit_recorded.send(sender=AuditRecord, record=record)
    return record
