"""A connector's rows in the audit trail: what is kept of it (credentials by name only), with its and
its cluster's secret values censored wherever they appear."""

from __future__ import annotations

from audit.services import audit_record
from connectors.models import Connector
from connectors.selectors import connector_secrets, secrets_to_scrub
from controlplane.masking import MASK


def connector_snapshot(connector: Connector) -> dict:
    """What the audit trail keeps of a connector: its desired state, credentials by name only."""
    return {
        "name": connector.name,
        "type": connector.type_key,
        "cluster": connector.cluster.name,
        "stage": connector.stage,
        "id": connector.connector_id,
        "config": connector.config,
        "credentials": {key: MASK for key in connector.credential_keys},
        "topics": connector.topics,
        "create_topics": connector.create_topics,
        "transforms": connector.transforms,
        "error_handling": connector.error_handling,
        "tasks_max": connector.tasks_max,
        "desired_state": connector.desired_state,
        "generation": connector.generation,
    }


def audit_connector(
    *,
    connector: Connector,
    action: str,
    actor: str,
    before: dict | None,
    secrets: dict | None = None,
    details: dict | None = None,
) -> None:
    """One audit row for a connector change; its and its cluster's secret values are censored.
    `details`: what the action asked beside the connector's desired state (offsets, an adoption's origin)."""
    known = secrets_to_scrub(
        cluster=connector.cluster, secrets=secrets if secrets is not None else connector_secrets(connector=connector)
    )
    audit_record(
        action=f"connector.{action}",
        object_type="connector",
        object_id=connector.name,
        tenant=connector.tenant,
        actor=actor,
        before=before,
        after={**connector_snapshot(connector), **(details or {})},
        secrets=known.values(),
    )
