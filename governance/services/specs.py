"""A connector spec stored in a change request: its fields as JSON, its credentials encrypted apart."""

from __future__ import annotations

from connectors.catalog.registry import AT_LEAST_ONCE
from connectors.spec import DESIRED_FIELDS, IDENTITY_FIELDS, ConnectorSpec
from controlplane.crypto import decrypt_secrets, encrypt_secrets
from tenants.models import Tenant

# Credentials are stored apart, encrypted.
STORED_FIELDS = (*IDENTITY_FIELDS, *(name for name in DESIRED_FIELDS if name != "credentials"))


def spec_to_stored(spec: ConnectorSpec) -> tuple[dict, str]:
    fields = {name: getattr(spec, name) for name in STORED_FIELDS}
    return fields, encrypt_secrets(spec.credentials) if spec.credentials else ""


def spec_from_stored(*, tenant: Tenant, fields: dict, secrets_encrypted: str) -> ConnectorSpec:
    credentials = decrypt_secrets(secrets_encrypted) if secrets_encrypted else {}
    # Requests stored before delivery guarantees existed asked for the default one.
    stored = {"delivery_guarantee": AT_LEAST_ONCE, **fields}
    return ConnectorSpec(tenant=tenant, credentials=credentials, **{name: stored[name] for name in STORED_FIELDS})
