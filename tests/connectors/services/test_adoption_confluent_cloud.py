"""Adopting a connector found on a Confluent Cloud cluster: its config is read as an import is
(every key mapped, set by the platform or refused), the keys Confluent Cloud adds on read are not
the connector's, and a secret that comes back masked cannot be taken over.

Confluent Cloud cannot be reached from here: a loopback server speaks its connect/v1 protocol."""

from __future__ import annotations

import pytest

from connectors.models import Connector, UnmanagedConnector
from connectors.services.adoption import unmanaged_connector_adopt
from controlplane.exceptions import ValidationFailed
from tests.loopback import Seen, confluent_cloud_cluster

pytestmark = pytest.mark.django_db

PREFIX = "/connect/v1/environments/env-1/clusters/lkc-1"
ADDED_ON_READ = {
    "cloud.environment": "prod",
    "cloud.provider": "aws",
    "kafka.endpoint": "SASL_SSL://pkc-1.eu-west-1.aws.confluent.cloud:9092",
    "kafka.region": "eu-west-1",
}
DATAGEN = "edh-shared-sales-dev-orders-connector"
HTTP_SOURCE = "edh-shared-sales-dev-contacts-connector"
LIVE = {
    DATAGEN: {
        "connector.class": "DatagenSource",
        "name": DATAGEN,
        "kafka.auth.mode": "SERVICE_ACCOUNT",
        "kafka.service.account.id": "sa-1",
        "kafka.topic": "sales.dev.orders",
        "output.data.format": "JSON",
        "quickstart": "ORDERS",
        "tasks.max": "1",
        **ADDED_ON_READ,
    },
    HTTP_SOURCE: {
        "connector.class": "HttpSourceV2",
        "name": HTTP_SOURCE,
        "kafka.auth.mode": "SERVICE_ACCOUNT",
        "kafka.service.account.id": "sa-1",
        "output.data.format": "AVRO",
        "tasks.max": "1",
        "http.api.base.url": "https://crm.example.com/api",
        "auth.type": "BASIC",
        "connection.user": "kafka",
        "connection.password": "****************",  # as Confluent Cloud answers a PASSWORD
        "api1.http.api.path": "/contacts",
        "api1.topics": "sales.dev.http-contacts",
        "api1.http.offset.mode": "SIMPLE_INCREMENTING",
        "api1.http.initial.offset": "0",
        **ADDED_ON_READ,
    },
}


def confluent_cloud(request: Seen):
    path = request.path.removeprefix(PREFIX)
    if request.method == "GET" and path.startswith("/connector-plugins"):
        plugins = ["DatagenSource", "HttpSourceV2"]
        return 200, [{"class": name, "type": "source", "version": "0.0.0"} for name in plugins], {}
    for name, config in LIVE.items():
        if request.method == "GET" and path == f"/connectors/{name}/config":
            return 200, config, {}
        if request.method == "GET" and path == f"/connectors/{name}/status":
            running = {"state": "RUNNING", "worker_id": "cloud"}
            return 200, {"name": name, "connector": running, "tasks": [{"id": 0, **running}], "type": "source"}, {}
    return 404, {"error": {"code": 404, "message": "Not Found"}}, {}


@pytest.fixture
def cloud(tenant):
    with confluent_cloud_cluster(confluent_cloud, tenants=[tenant]) as cluster:
        yield cluster


def _found(cluster, name: str) -> UnmanagedConnector:
    return UnmanagedConnector.objects.create(cluster=cluster, name=name, connector_class=LIVE[name]["connector.class"])


def test_a_managed_connector_is_adopted_without_the_keys_confluent_cloud_adds_on_read(tenant, cloud):
    connector = unmanaged_connector_adopt(unmanaged=_found(cloud, DATAGEN), tenant=tenant, stage="dev", actor="t")

    assert (connector.type_key, connector.topics, connector.state) == (
        "datagen-source",
        ["sales.dev.orders"],
        "RUNNING",
    )
    assert connector.config == {"output.data.format": "JSON", "quickstart": "ORDERS"}
    assert not set(ADDED_ON_READ) & set(connector.config)
    assert [seen.method for seen in cloud.server.seen if "/connectors/" in seen.path] == ["GET", "GET"]


def test_a_secret_confluent_cloud_answers_masked_cannot_be_taken_over(tenant, cloud):
    unmanaged = _found(cloud, HTTP_SOURCE)

    with pytest.raises(ValidationFailed) as refused:
        unmanaged_connector_adopt(unmanaged=unmanaged, tenant=tenant, stage="dev", actor="t")

    [reason] = refused.value.errors["config.connection.password"]
    assert "answers this secret masked" in reason
    assert not Connector.objects.exists() and UnmanagedConnector.objects.filter(pk=unmanaged.pk).exists()
