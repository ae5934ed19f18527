"""Kafka topics for connectors, through confluent-kafka's AdminClient on the connector's cluster."""

from __future__ import annotations

import logging

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import NewTopic

from connectors.errors import TopicsRefused
from connectors.kafka_admin import ADMIN_TIMEOUT_SECONDS, ClusterAdmin
from tenants.models import Cluster

logger = logging.getLogger(__name__)


# Kafka error codes that no retry will change.
PERMANENT_KAFKA_ERRORS = {
    KafkaError.TOPIC_AUTHORIZATION_FAILED,
    KafkaError.CLUSTER_AUTHORIZATION_FAILED,
    KafkaError.POLICY_VIOLATION,
    KafkaError.TOPIC_EXCEPTION,
    KafkaError.INVALID_REPLICATION_FACTOR,
    KafkaError.INVALID_PARTITIONS,
    KafkaError.INVALID_CONFIG,
}


def existing_topics(*, cluster: Cluster, names: list[str]) -> set[str]:
    """Which of `names` exist. Raises TopicsUnavailable (no answer) or KafkaAccessRefused (login or TLS refused)."""
    if not names:
        return set()
    return set(names) & ClusterAdmin(cluster).list_topic_names()


def create_topics(*, cluster: Cluster, names: list[str]) -> None:
    """Create missing topics with the cluster's defaults (partitions, replication factor)."""
    missing = sorted(set(names) - existing_topics(cluster=cluster, names=names))
    if not missing:
        return
    admin = ClusterAdmin(cluster)  # keep a reference: a collected client cancels its own requests
    futures = admin.client.create_topics([NewTopic(name) for name in missing], request_timeout=ADMIN_TIMEOUT_SECONDS)
    for name, future in futures.items():
        try:
            future.result(timeout=ADMIN_TIMEOUT_SECONDS)
            logger.info("topic created", extra={"topic": name, "cluster": cluster.name})
        except TimeoutError as error:  # no answer in time
            raise admin.failure(error, doing=f"create topic {name}") from None
        except KafkaException as error:
            code = error.args[0].code() if error.args else None
            if code == KafkaError.TOPIC_ALREADY_EXISTS:
                continue
            if code in PERMANENT_KAFKA_ERRORS:
                raise TopicsRefused(f"the cluster refused to create topic {name}: {error.args[0].str()}") from None
            raise admin.failure(error, doing=f"create topic {name}") from None


DLQ_KEY = "errors.deadletterqueue.topic.name"


def ensure_topics(*, connector, desired_config: dict[str, str]) -> None:
    """Create what the connector needs before Connect starts it: the named topics when the request
    asked for them (never prefixes: the connector produces to those), and a sink's dead letter queue
    on self-managed clusters (Confluent Cloud manages its own)."""
    from connectors.catalog import get_type

    names = []
    if connector.create_topics and get_type(connector.type_key).topic_binding in {"topic", "topics"}:
        names.extend(connector.topics)
    if desired_config.get(DLQ_KEY) and connector.cluster.connect_flavour == Cluster.Flavour.SELF_MANAGED:
        names.append(desired_config[DLQ_KEY])
    if names:
        create_topics(cluster=connector.cluster, names=names)
