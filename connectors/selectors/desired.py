"""A connector's desired spec and its rendered config (decrypted only inside the calling process)."""

from __future__ import annotations

from connectors.catalog import get_type
from connectors.catalog.error_handling import error_handling_from_request
from connectors.models import Connector
from connectors.rendering import RenderCluster, render_connector_config
from connectors.selectors.plugins import implementation_on
from connectors.spec import ConnectorSpec
from connectors.state_machine import SETTLED_STATES, DesiredState, State
from controlplane.crypto import decrypt_secrets
from controlplane.naming import choose_topic_prefix
from tenants.models import Cluster, Tenant
from tenants.selectors import topic_prefixes_of


def connector_secrets(*, connector: Connector) -> dict[str, str]:
    return decrypt_secrets(connector.secrets_encrypted)


def secrets_to_scrub(*, cluster: Cluster, secrets: dict[str, str]) -> dict[str, str]:
    """Every secret that could appear in an error about a connector on `cluster`: its own `secrets`
    and its cluster's (e.g. the Kafka API key rendered into Confluent Cloud configs). Only for masking."""
    return {**{f"cluster.{key}": value for key, value in cluster.secrets().items()}, **secrets}


def topic_prefix_for(*, tenant: Tenant, topics: list[str]) -> str:
    """The tenant prefix a connector's topics live under; its dead letter queue goes there too."""
    return choose_topic_prefix(prefixes=topic_prefixes_of(tenant=tenant), topics=topics, fallback=f"{tenant.slug}.")


def render_cluster(*, cluster: Cluster) -> RenderCluster:
    secrets = cluster.secrets()
    return RenderCluster(
        bootstrap_servers=cluster.bootstrap_servers,
        dlq_replication_factor=cluster.dlq_replication_factor,
        kafka_api_key=secrets.get("kafka_api_key", ""),
        kafka_api_secret=secrets.get("kafka_api_secret", ""),
        service_account_id=cluster.cloud_service_account_id,
    )


def connector_spec(*, connector: Connector, secrets: dict[str, str] | None = None) -> ConnectorSpec:
    """The stored connector's desired spec, with its credentials decrypted (or the `secrets` given)."""
    return ConnectorSpec(
        tenant=connector.tenant,
        type_key=connector.type_key,
        cluster_name=connector.cluster.name,
        stage=connector.stage,
        connector_id=connector.connector_id,
        config=dict(connector.config),
        credentials=connector_secrets(connector=connector) if secrets is None else dict(secrets),
        topics=list(connector.topics),
        create_topics=connector.create_topics,
        transforms=list(connector.transforms),
        error_handling=dict(connector.error_handling),
        tasks_max=connector.tasks_max,
    )


def render_spec(*, spec: ConnectorSpec, name: str, cluster: Cluster) -> dict[str, str]:
    """The exact config Connect receives for `spec` on `cluster`; it holds plaintext secrets."""
    connector_type = get_type(spec.type_key)
    return render_connector_config(
        name=name,
        connector_type=connector_type,
        flavour=cluster.connect_flavour,
        config=spec.config,
        secrets=spec.credentials,
        topics=spec.topics,
        transforms=spec.transforms,
        error_handling=error_handling_from_request(kind=connector_type.kind, data=spec.error_handling),
        tasks_max=spec.tasks_max,
        topic_prefix=topic_prefix_for(tenant=spec.tenant, topics=spec.topics),
        cluster=render_cluster(cluster=cluster),
        implementation=implementation_on(connector_type=connector_type, cluster=cluster),
    )


def connector_desired_config(*, connector: Connector, secrets: dict[str, str] | None = None) -> dict[str, str]:
    """The stored connector rendered for its cluster; it never leaves the worker."""
    spec = connector_spec(connector=connector, secrets=secrets)
    return render_spec(spec=spec, name=connector.name, cluster=connector.cluster)


def connector_needs_work(connector: Connector) -> bool:
    """Desired and observed differ: the reconciler should dispatch a converge for it."""
    if connector.state == State.DELETED or connector.retry_blocked:
        return False  # done, or a permanent error waiting for the user
    if connector.desired_state == DesiredState.DELETED or connector.pending_restart:
        return True
    if connector.applied_generation < connector.generation:
        return True
    if connector.state in {State.FAILED, State.DEGRADED, State.DRIFTED}:
        # Failures wait for the user (update, restart, delete); drift is handled by the cluster's policy.
        return False
    return connector.state not in SETTLED_STATES[connector.desired_state]
