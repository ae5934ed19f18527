"""Reads for connectors, and the rendered desired config (decrypted only inside the calling process)."""

from __future__ import annotations

from django.db.models import QuerySet

from connectors.catalog import get_type
from connectors.catalog.error_handling import error_handling_from_request
from connectors.state_machine import SETTLED_STATES, State
from connectors.models import Connector
from controlplane.naming import choose_topic_prefix
from connectors.rendering import RenderCluster, render_connector_config
from controlplane.crypto import decrypt_secrets
from tenants.models import Cluster


def connector_list(*, tenant_ids: list[int]) -> QuerySet[Connector]:
    return Connector.objects.filter(tenant_id__in=tenant_ids).select_related(
        "tenant", "cluster", "cluster__landing_zone"
    )


def connector_secrets(*, connector: Connector) -> dict[str, str]:
    return decrypt_secrets(connector.secrets_encrypted)


def secrets_to_scrub(*, connector: Connector, secrets: dict[str, str] | None = None) -> dict[str, str]:
    """Every secret that could appear in an error about this connector: its own and its cluster's
    (e.g. the Kafka API key rendered into Confluent Cloud configs). Used only to mask texts."""
    cluster = connector.cluster
    known = {f"cluster.{key}": value for key, value in (cluster.secrets() if cluster.secrets_encrypted else {}).items()}
    known.update(connector_secrets(connector=connector) if secrets is None else secrets)
    return known


def primary_topic_prefix(*, connector: Connector) -> str:
    return choose_topic_prefix(
        prefixes=[p.prefix for p in connector.tenant.topic_prefixes.all()],
        topics=connector.topics,
        fallback=f"{connector.tenant.slug}.",
    )


def render_cluster(*, cluster: Cluster) -> RenderCluster:
    secrets = cluster.secrets() if cluster.secrets_encrypted else {}
    return RenderCluster(
        bootstrap_servers=cluster.bootstrap_servers,
        dlq_replication_factor=cluster.dlq_replication_factor,
        kafka_api_key=secrets.get("kafka_api_key", ""),
        kafka_api_secret=secrets.get("kafka_api_secret", ""),
        service_account_id=cluster.cloud_service_account_id,
    )


def connector_desired_config(*, connector: Connector, secrets: dict[str, str] | None = None) -> dict[str, str]:
    """The exact JSON sent to Connect; it holds plaintext secrets, so it never leaves the worker."""
    connector_type = get_type(connector.type_key)
    return render_connector_config(
        name=connector.name,
        connector_type=connector_type,
        flavour=connector.cluster.connect_flavour,
        config=connector.config,
        secrets=connector_secrets(connector=connector) if secrets is None else secrets,
        topics=connector.topics,
        transforms=connector.transforms,
        error_handling=error_handling_from_request(kind=connector_type.kind, data=connector.error_handling),
        tasks_max=connector.tasks_max,
        topic_prefix=primary_topic_prefix(connector=connector),
        cluster=render_cluster(cluster=connector.cluster),
    )


def connector_needs_work(connector: Connector) -> bool:
    """Desired and observed differ: the reconciler should dispatch a converge for it."""
    if connector.state == State.DELETED or connector.retry_blocked:
        return False  # done, or a permanent error waiting for the user
    if connector.desired_state == "deleted" or connector.pending_restart:
        return True
    if connector.applied_generation < connector.generation:
        return True
    if connector.state in {State.FAILED, State.DEGRADED, State.DRIFTED}:
        # Failures wait for the user (update, restart, delete); drift is handled by the cluster's policy.
        return False
    return connector.state not in SETTLED_STATES[connector.desired_state]
