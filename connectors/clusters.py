"""How the control plane reaches a registered cluster: its Connect REST endpoint and its Kafka clients.

Both decrypt the cluster's secrets inside the calling process only; neither object is ever logged
with its credentials (ConnectEndpoint keeps them out of its repr).
"""

from __future__ import annotations

import os

from django.conf import settings

from connectors.connect import CONFLUENT_CLOUD, ConnectEndpoint
from connectors.errors import KafkaClientMisconfigured
from tenants.models import Cluster


def cluster_connect_endpoint(*, cluster: Cluster, interactive: bool = False) -> ConnectEndpoint:
    """How to reach the cluster's Connect REST API.

    `interactive` is for calls made while a user waits (validation, live status): a short timeout
    and one retry, since the long retries belong to the Celery tasks."""
    secrets = cluster.secrets()
    cloud = cluster.connect_flavour == CONFLUENT_CLOUD
    return ConnectEndpoint(
        flavour=cluster.connect_flavour,
        url=cluster.connect_url,
        username=secrets.get("cloud_api_key", "") if cloud else cluster.connect_username,
        password=secrets.get("cloud_api_secret", "") if cloud else secrets.get("connect_password", ""),
        verify_tls=cluster.connect_verify_tls,
        ca_bundle=cluster.connect_ca_bundle,
        environment_id=cluster.cloud_environment_id,
        cluster_id=cluster.cloud_cluster_id,
        timeout=(
            min(settings.CONNECT_REQUEST_TIMEOUT_SECONDS, settings.CONNECT_INTERACTIVE_TIMEOUT_SECONDS)
            if interactive
            else settings.CONNECT_REQUEST_TIMEOUT_SECONDS
        ),
        max_retries=min(1, settings.CONNECT_MAX_RETRIES) if interactive else settings.CONNECT_MAX_RETRIES,
        backoff=settings.CONNECT_RETRY_BACKOFF_SECONDS,
    )


SASL_PROTOCOLS = {Cluster.SecurityProtocol.SASL_SSL, Cluster.SecurityProtocol.SASL_PLAINTEXT}
TLS_PROTOCOLS = {Cluster.SecurityProtocol.SSL, Cluster.SecurityProtocol.SASL_SSL}


def cluster_kafka_config(*, cluster: Cluster) -> dict[str, str]:
    """librdkafka settings for the control plane's own confluent-kafka clients (topic checks, events, lag).

    TLS always verifies the broker's certificate and host name, against the cluster's CA bundle when it
    names one (else the system's); SASL takes PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 as the cluster says."""
    protocol = cluster.security_protocol
    config = {"bootstrap.servers": cluster.bootstrap_servers, "security.protocol": protocol}
    if protocol in TLS_PROTOCOLS:
        config["enable.ssl.certificate.verification"] = "true"
        config["ssl.endpoint.identification.algorithm"] = "https"
        if cluster.ssl_ca_location:
            if not os.access(cluster.ssl_ca_location, os.R_OK):
                raise KafkaClientMisconfigured(
                    f"cluster {cluster.name}: the CA bundle {cluster.ssl_ca_location} is missing or unreadable; "
                    "the control plane does not connect without verifying the brokers."
                )
            config["ssl.ca.location"] = cluster.ssl_ca_location
    if protocol in SASL_PROTOCOLS and cluster.connect_flavour == CONFLUENT_CLOUD and not cluster.sasl_username:
        secrets = cluster.secrets()  # Confluent Cloud: the cluster's Kafka API key, over SASL PLAIN
        config |= {
            "sasl.mechanism": "PLAIN",
            "sasl.username": secrets.get("kafka_api_key", ""),
            "sasl.password": secrets.get("kafka_api_secret", ""),
        }
    elif protocol in SASL_PROTOCOLS:
        if not cluster.sasl_mechanism or not cluster.sasl_username:
            raise KafkaClientMisconfigured(
                f"cluster {cluster.name}: {protocol} needs a SASL mechanism and user name "
                "(and the sasl_password secret)."
            )
        config["sasl.mechanism"] = cluster.sasl_mechanism
        config["sasl.username"] = cluster.sasl_username
        config["sasl.password"] = cluster.secrets().get("sasl_password", "")
    return config
