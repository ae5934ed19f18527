"""A connector spec stored in a change request: its fields as JSON, its credentials encrypted apart."""

from __future__ import annotations

from connectors.spec import ConnectorSpec
from controlplane.crypto import decrypt_secrets, encrypt_secrets
from tenants.models import Tenant

STORED_FIELDS = (
    "type_key",
    "cluster_name",
    "stage",
    "connector_id",
    "config",
    "topics",
    "create_topics",
    "transforms",
    "error_handling",
    "tasks_max",
)


def spec_to_stored(spec: ConnectorSpec) -> tuple[dict, str]:
    fields = {name: getattr(spec, name) for name in STORED_FIELDS}
    return fields, encrypt_secrets(spec.credentials) if spec.credentials else ""


def spec_from_stored(*, tenant: Tenant, fields: dict, secrets_encrypted: str) -> ConnectorSpec:
    credentials = decrypt_secrets(secrets_encrypted) if secrets_encrypted else {}
    return ConnectorSpec(tenant=tenant, credentials=credentials, **{name: fields[name] for name in STORED_FIELDS})
