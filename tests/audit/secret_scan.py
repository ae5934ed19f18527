"""Find secrets in audit rows: every value the database holds encrypted, raw API keys, and secret-named
fields that are not masked."""

from __future__ import annotations

import json
import re

from audit.models import AuditRecord
from controlplane.crypto import DecryptionError, decrypt_secrets
from controlplane.masking import MASK, MIN_SECRET_LENGTH

RAW_API_KEY = re.compile(r"cp_[0-9a-f]{8}_[A-Za-z0-9-]{20,}")
SECRET_NAME = re.compile(r"(?i)(password|secret|api[._-]?key|token)$")


def known_secret_values() -> set[str]:
    from connectors.models import Connector
    from governance.models import ChangeRequest
    from tenants.models import Cluster

    values: set[str] = set()
    for model in (Connector, Cluster, ChangeRequest):
        for token in model.objects.exclude(secrets_encrypted="").values_list("secrets_encrypted", flat=True):
            try:
                values.update(decrypt_secrets(token).values())
            except DecryptionError:  # a test's row under a key this process does not hold
                continue
    return {value for value in values if value and len(value) >= MIN_SECRET_LENGTH}


def _unmasked_secret_fields(value, path="") -> list[str]:
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if SECRET_NAME.search(str(key)) and isinstance(item, str) and item not in ("", MASK):
                found.append(f"{path}.{key}")
            found.extend(_unmasked_secret_fields(item, f"{path}.{key}"))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_unmasked_secret_fields(item, f"{path}[{index}]"))
    return found


def secrets_in_audit_rows(extra_secrets: set[str] = frozenset()) -> tuple[int, list[str]]:
    """(rows scanned, problems found)."""
    secrets = known_secret_values() | set(extra_secrets)
    problems = []
    rows = 0
    for record in AuditRecord.objects.all().iterator():
        rows += 1
        text = json.dumps([record.before, record.after, record.object_id, record.source], default=str)
        problems.extend(f"audit row {record.pk} ({record.action}) holds a secret value" for s in secrets if s in text)
        if RAW_API_KEY.search(text):
            problems.append(f"audit row {record.pk} ({record.action}) holds a raw API key")
        for field in _unmasked_secret_fields([record.before, record.after]):
            problems.append(f"audit row {record.pk} ({record.action}) shows {field}")
    return rows, problems
