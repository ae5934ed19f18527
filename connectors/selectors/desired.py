"""A connector's desired spec and its rendered config (decrypted only inside the calling process)."""

from __future__ import annotations

from connectors.catalog import get_type
from connectors.catalog.error_handling import ErrorHandling, error_handling_from_request
from connectors.catalog.registry import EXACTLY_ONCE, ConnectorType, Implementation
from connectors.models import Connector
from connectors.rendering import ClientPrincipal, RenderCluster, render_connector_config
from connectors.selectors.plugins import implementation_on
from connectors.spec import ConnectorSpec
from connectors.state_machine import SETTLED_STATES, DesiredState, State
from controlplane.crypto import decrypt_secrets
from controlplane.naming import choose_topic_prefix
from tenants.models import Cluster, Tenant, TenantPrincipal
from tenants.selectors import topic_prefixes_of


def connector_secrets(*, connector: Connector) -> dict[str, str]:
    return decrypt_secrets(connector.secrets_encrypted)


def secrets_to_scrub(*, cluster: Cluster, secrets: dict[str, str], tenant: Tenant | None = None) -> dict[str, str]:
    """Every secret that could appear in an error about a connector on `cluster`: its own `secrets`,
    its cluster's (e.g. the Kafka API key rendered into Confluent Cloud configs) and, given its `tenant`,
    the password of the tenant's Kafka principal there. Only for masking."""
    principal = {}
    if tenant is not None and (found := client_principal_of(cluster=cluster, tenant=tenant)):
        principal = {"principal.password": found.password}
    return {**{f"cluster.{key}": value for key, value in cluster.secrets().items()}, **principal, **secrets}


def client_principal_of(*, cluster: Cluster, tenant: Tenant) -> ClientPrincipal | None:
    """The tenant's Kafka principal on the cluster, decrypted; None when connectors act as the worker there or
    the principal is not provisioned yet (connectors.services.principals provisions it)."""
    if cluster.connector_principals != Cluster.ConnectorPrincipals.TENANT:
        return None
    stored = TenantPrincipal.objects.filter(cluster=cluster, tenant=tenant).first()
    if stored is None:
        return None
    return ClientPrincipal(username=stored.username, password=stored.password(), mechanism=cluster.principal_mechanism)


def topic_prefix_for(*, tenant: Tenant, topics: list[str]) -> str:
    """The tenant prefix a connector's topics live under; its dead letter queue goes there too."""
    return choose_topic_prefix(prefixes=topic_prefixes_of(tenant=tenant), topics=topics, fallback=f"{tenant.slug}.")


def render_cluster(
    *, cluster: Cluster, tenant: Tenant | None = None, placeholder_principal: bool = False
) -> RenderCluster:
    """`placeholder_principal`: where the tenant's principal is not provisioned yet, render a stand-in (for
    Connect's validation only, which checks the overrides but does not log in)."""
    secrets = cluster.secrets()
    tenant_principals = cluster.connector_principals == Cluster.ConnectorPrincipals.TENANT
    principal = client_principal_of(cluster=cluster, tenant=tenant) if tenant_principals and tenant else None
    if tenant_principals and principal is None and placeholder_principal:
        principal = ClientPrincipal(username="not-provisioned", password="not-provisioned")
    return RenderCluster(
        bootstrap_servers=cluster.bootstrap_servers,
        dlq_replication_factor=cluster.dlq_replication_factor,
        kafka_api_key=secrets.get("kafka_api_key", ""),
        kafka_api_secret=secrets.get("kafka_api_secret", ""),
        service_account_id=cluster.cloud_service_account_id,
        tenant_principals=tenant_principals,
        client_principal=principal,
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
        delivery_guarantee=connector.delivery_guarantee,
    )


class ClusterRendering:
    """Renders connectors' specs for one cluster. Rendering many (the health sweep's drift check of every
    connector) works out once what they share: the cluster's render settings (its secrets decrypted once)
    and each tenant's principal and topic prefixes, the plugin that runs each type, each distinct error
    handling. One per pass: nothing is kept beyond it, so a change to the cluster or a tenant is seen by
    the next pass."""

    def __init__(self, *, cluster: Cluster, for_validation: bool = False) -> None:
        self.cluster, self.for_validation = cluster, for_validation
        self._clusters: dict[int | None, RenderCluster] = {}
        self._prefixes: dict[int, list[str]] = {}
        self._implementations: dict[str, Implementation] = {}
        self._error_handlings: dict[tuple, ErrorHandling] = {}

    def render(self, *, spec: ConnectorSpec, name: str) -> dict[str, str]:
        """The exact config Connect receives for `spec` on the cluster; it holds plaintext secrets."""
        connector_type = get_type(spec.type_key)
        return render_connector_config(
            name=name,
            connector_type=connector_type,
            flavour=self.cluster.connect_flavour,
            config=spec.config,
            secrets=spec.credentials,
            topics=spec.topics,
            transforms=spec.transforms,
            error_handling=self._error_handling(kind=connector_type.kind, data=spec.error_handling),
            tasks_max=spec.tasks_max,
            delivery_guarantee=spec.delivery_guarantee,
            topic_prefix=self._topic_prefix(tenant=spec.tenant, topics=spec.topics),
            cluster=self._render_cluster(tenant=spec.tenant),
            implementation=self._implementation(connector_type),
        )

    def _render_cluster(self, *, tenant: Tenant | None) -> RenderCluster:
        key = tenant.pk if tenant is not None else None
        if key not in self._clusters:
            self._clusters[key] = render_cluster(
                cluster=self.cluster, tenant=tenant, placeholder_principal=self.for_validation
            )
        return self._clusters[key]

    def _topic_prefix(self, *, tenant: Tenant, topics: list[str]) -> str:
        if tenant.pk not in self._prefixes:
            self._prefixes[tenant.pk] = topic_prefixes_of(tenant=tenant)
        return choose_topic_prefix(prefixes=self._prefixes[tenant.pk], topics=topics, fallback=f"{tenant.slug}.")

    def _implementation(self, connector_type: ConnectorType) -> Implementation:
        if connector_type.key not in self._implementations:  # an error (Connect unreachable) is raised each time
            self._implementations[connector_type.key] = implementation_on(
                connector_type=connector_type, cluster=self.cluster
            )
        return self._implementations[connector_type.key]

    def _error_handling(self, *, kind: str, data: dict | None) -> ErrorHandling:
        try:
            key = (kind, tuple(sorted((data or {}).items())))
            hash(key)
        except (AttributeError, TypeError):  # not an object of scalars (invalid: error_handling_from_request says why)
            return error_handling_from_request(kind=kind, data=data)
        if key not in self._error_handlings:
            self._error_handlings[key] = error_handling_from_request(kind=kind, data=data)
        return self._error_handlings[key]


def render_spec(*, spec: ConnectorSpec, name: str, cluster: Cluster, for_validation: bool = False) -> dict[str, str]:
    """The exact config Connect receives for `spec` on `cluster`; it holds plaintext secrets."""
    return ClusterRendering(cluster=cluster, for_validation=for_validation).render(spec=spec, name=name)


def connector_desired_config(
    *, connector: Connector, secrets: dict[str, str] | None = None, rendering: ClusterRendering | None = None
) -> dict[str, str]:
    """The stored connector rendered for its cluster; it never leaves the worker. `rendering`: a pass over
    many connectors of that cluster shares one."""
    spec = connector_spec(connector=connector, secrets=secrets)
    rendering = rendering or ClusterRendering(cluster=connector.cluster)
    return rendering.render(spec=spec, name=connector.name)


def connector_delivery(*, connector: Connector) -> dict[str, str]:
    """The connector's effective delivery guarantee and what consumers of its topics must expect."""
    connector_type = get_type(connector.type_key)
    expectations = connector_type.consumer_expectations
    if connector.delivery_guarantee == EXACTLY_ONCE:
        expectations = (
            "Each record is committed once, in a Kafka transaction per poll: consumers read it exactly once with "
            "isolation.level=read_committed (read_uncommitted consumers may also see aborted records). " + expectations
        ).strip()
    return {"guarantee": connector.delivery_guarantee, "consumer_expectations": expectations}


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
