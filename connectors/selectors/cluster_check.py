"""The platform team's "test connection": what a cluster's Connect and Kafka answer right now."""

from __future__ import annotations

from dataclasses import dataclass, field

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient

from connectors.catalog import all_types
from connectors.clusters import cluster_connect_endpoint, cluster_kafka_config
from connectors.connect import ConnectError, connect_client
from connectors.errors import KafkaClientMisconfigured
from connectors.selectors.plugins import plugin_installed
from controlplane.masking import scrub
from tenants.models import Cluster

KAFKA_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class InstalledPlugin:
    class_name: str
    kind: str
    version: str
    catalog_types: tuple[str, ...]  # catalog keys this plugin serves on the cluster's flavour


@dataclass
class ClusterCheck:
    cluster: Cluster
    connect_version: str = ""
    kafka_cluster_id: str = ""
    connect_error: str = ""
    plugins: list[InstalledPlugin] = field(default_factory=list)
    catalog_types_missing: list[str] = field(default_factory=list)  # offered on the flavour, plugin absent
    kafka_brokers: int = 0
    kafka_error: str = ""

    @property
    def connect_ok(self) -> bool:
        return not self.connect_error

    @property
    def kafka_ok(self) -> bool:
        return not self.kafka_error


def cluster_connection_check(*, cluster: Cluster) -> ClusterCheck:
    """Ask Connect for its version and plugins, and the Kafka bootstrap servers for their metadata.
    Short timeouts: a person waits. Error texts are scrubbed of the cluster's secrets."""
    check = ClusterCheck(cluster=cluster)
    secrets = cluster.secrets()
    _check_connect(check, secrets)
    _check_kafka(check, secrets)
    return check


def _check_connect(check: ClusterCheck, secrets: dict[str, str]) -> None:
    cluster = check.cluster
    try:
        with connect_client(cluster_connect_endpoint(cluster=cluster, interactive=True)) as client:
            info = client.server_info()
            plugins = client.plugins()
    except ConnectError as error:
        check.connect_error = scrub(f"{type(error).__name__}: {error}", secrets=secrets, limit=500)
        return
    check.connect_version = str(info.get("version", ""))
    check.kafka_cluster_id = str(info.get("kafka_cluster_id", ""))
    flavour = cluster.connect_flavour
    offered = [connector_type for connector_type in all_types() if connector_type.offered_on(flavour)]
    served: set[str] = set()
    for plugin in sorted(plugins, key=lambda plugin: plugin["class"]):
        keys = tuple(t.key for t in offered if plugin_installed(t, flavour, {plugin["class"]}))
        served.update(keys)
        check.plugins.append(
            InstalledPlugin(
                class_name=plugin["class"],
                kind=str(plugin.get("type", "")),
                version=str(plugin.get("version", "")),
                catalog_types=keys,
            )
        )
    check.catalog_types_missing = sorted(t.key for t in offered if t.key not in served)


def _check_kafka(check: ClusterCheck, secrets: dict[str, str]) -> None:
    try:
        config = {**cluster_kafka_config(cluster=check.cluster), "socket.timeout.ms": int(KAFKA_TIMEOUT_SECONDS * 1000)}
        metadata = AdminClient(config).list_topics(timeout=KAFKA_TIMEOUT_SECONDS)
    except KafkaClientMisconfigured as error:  # a CA file missing, SASL without a mechanism: said as is
        check.kafka_error = scrub(str(error), secrets=secrets)
        return
    except KafkaException as error:
        check.kafka_error = scrub(
            f"bootstrap {check.cluster.bootstrap_servers} did not answer: {error}", secrets=secrets
        )
        return
    check.kafka_brokers = len(metadata.brokers)
