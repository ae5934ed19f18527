"""The control plane's own Kafka AdminClient on a registered cluster, with failures explained.

librdkafka reports why a connection failed (a refused SASL login, a certificate it could not verify) only
through its error callback; the request itself fails with a bare "transport failure". `ClusterAdmin` keeps
what the callback said and turns it into one clear, secret-free sentence.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections import deque
from dataclasses import dataclass

from confluent_kafka import KafkaException
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


@dataclass
class _KeptClient:
    pid: int
    fingerprint: str
    client: AdminClient
    errors: deque  # what its error_cb reported (bounded: a kept client lives long)


# One AdminClient per cluster and process, kept between requests: a new client takes about 55 ms to its
# first answer (its connections and their handshakes), a kept one about 1 ms, and a create asks the
# broker on the request path (do the topics exist). A client is replaced when the cluster's Kafka
# settings change (a rotated password or CA bundle), dropped when a request through it fails (so the next
# one connects afresh and its error callback says why it fails), and never used across a fork.
_kept: dict[int, _KeptClient] = {}
_kept_lock = threading.Lock()


def _fingerprint(config: dict[str, str]) -> str:
    """Of the client's settings (secrets included, never kept in clear), and of the CA file's contents' age."""
    ca = config.get("ssl.ca.location")
    stamp = os.stat(ca).st_mtime_ns if ca and os.path.exists(ca) else 0
    return hashlib.sha256(json.dumps([sorted(config.items()), stamp]).encode()).hexdigest()


def _kept_client(cluster: Cluster) -> _KeptClient:
    config = cluster_kafka_config(cluster=cluster)
    fingerprint = _fingerprint(config)
    with _kept_lock:
        kept = _kept.get(cluster.pk)
        if kept is None or kept.pid != os.getpid() or kept.fingerprint != fingerprint:
            errors: deque = deque(maxlen=50)
            client = AdminClient({**config, "socket.timeout.ms": 5000, "error_cb": errors.append, "logger": _QUIET})
            kept = _kept[cluster.pk] = _KeptClient(os.getpid(), fingerprint, client, errors)
        kept.client.poll(0)  # hands error_cb what is queued, so that clearing drops it too
        kept.errors.clear()  # what earlier requests met is not this one's failure
        return kept


class ClusterAdmin:
    """An AdminClient on `cluster` as the control plane's principal (cluster_kafka_config), kept per process."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self._kept = _kept_client(cluster)
        self.client, self.errors = self._kept.client, self._kept.errors

    def failure(self, error: Exception, *, doing: str) -> Exception:
        """The error to raise for a failed request: KafkaAccessRefused when the cluster refused the login or
        its certificate was not trusted (no retry helps), TopicsUnavailable otherwise."""
        with _kept_lock:
            if _kept.get(self.cluster.pk) is self._kept:
                del _kept[self.cluster.pk]  # the next request connects afresh
        self.client.poll(0)  # serves error_cb with what the connection attempts saw
        if reason := _refusal(connection_refusal([*self.errors, *error.args[:1]]), self.cluster):
            return KafkaAccessRefused(f"{reason}; could not {doing}")
        return TopicsUnavailable(f"Kafka at {self.cluster.bootstrap_servers} did not answer; could not {doing}")

    def list_topic_names(self) -> set[str]:
        try:
            return set(self.client.list_topics(timeout=ADMIN_TIMEOUT_SECONDS).topics)
        except KafkaException as error:
            raise self.failure(error, doing="list topics") from None
