"""The control plane's own Kafka AdminClient on a registered cluster, with failures explained.

librdkafka reports why a connection failed (a refused SASL login, a certificate it could not verify) only
through its error callback; the request itself fails with a bare "transport failure". `ClusterAdmin` keeps
what the callback said and turns it into one clear, secret-free sentence.
"""

from __future__ import annotations

import logging

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient

from connectors.clusters import cluster_kafka_config
from connectors.errors import KafkaAccessRefused, TopicsUnavailable
from controlplane.kafka_errors import CERTIFICATE_UNTRUSTED, LOGIN_REFUSED, connection_refusal
from tenants.models import Cluster

ADMIN_TIMEOUT_SECONDS = 10.0
# librdkafka's own log lines would repeat every failed attempt on stderr; its errors reach us through error_cb.
_QUIET = logging.getLogger("connectors.kafka_admin.librdkafka")
_QUIET.setLevel(logging.CRITICAL)


def _refusal(kind: str | None, cluster: Cluster) -> str | None:
    """Why the cluster refused the control plane's connection, or None when it did not refuse it."""
    if kind == LOGIN_REFUSED:
        return (
            f"Kafka on cluster {cluster.name} refused the control plane's {cluster.sasl_mechanism} login as "
            f"'{cluster.sasl_username or '?'}' (wrong user name or password)"
        )
    if kind == CERTIFICATE_UNTRUSTED:
        where = f"the CA bundle {cluster.ssl_ca_location}" if cluster.ssl_ca_location else "the system's CAs"
        return (
            f"the brokers of cluster {cluster.name} presented a certificate that {where} cannot verify; "
            "set the cluster's CA bundle (ssl_ca_location) to the CA that signed it"
        )
    return None


class ClusterAdmin:
    """An AdminClient on `cluster` as the control plane's principal (cluster_kafka_config)."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.errors: list[KafkaError] = []
        self.client = AdminClient(
            {
                **cluster_kafka_config(cluster=cluster),
                "socket.timeout.ms": 5000,
                "error_cb": self.errors.append,
                "logger": _QUIET,
            }
        )

    def failure(self, error: KafkaException, *, doing: str) -> Exception:
        """The error to raise for a failed request: KafkaAccessRefused when the cluster refused the login or
        its certificate was not trusted (no retry helps), TopicsUnavailable otherwise."""
        self.client.poll(0)  # serves error_cb with what the connection attempts saw
        if reason := _refusal(connection_refusal([*self.errors, *error.args[:1]]), self.cluster):
            return KafkaAccessRefused(f"{reason}; could not {doing}")
        return TopicsUnavailable(f"Kafka at {self.cluster.bootstrap_servers} did not answer; could not {doing}")

    def list_topic_names(self) -> set[str]:
        try:
            return set(self.client.list_topics(timeout=ADMIN_TIMEOUT_SECONDS).topics)
        except KafkaException as error:
            raise self.failure(error, doing="list topics") from None
