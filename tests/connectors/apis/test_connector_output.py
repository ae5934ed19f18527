"""A connector's one rendering: written by hand for speed, held equal to DRF's walk over the declared fields."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from connectors.apis import ConnectorOutputSerializer
from controlplane.crypto import encrypt_secrets
from tenants.models import Role
from tests.factories import ConnectorFactory, SharedClusterFactory

CONNECTORS = "/api/v1/connectors/"


@pytest.fixture
def developer(client_for, tenant):
    return client_for(tenant, Role.DEVELOPER)


def _connectors(tenant):
    cluster = SharedClusterFactory(name="lab", tenants=[tenant])
    plain = ConnectorFactory(tenant=tenant, cluster=cluster)
    busy = ConnectorFactory(
        tenant=tenant,
        cluster=cluster,
        type_key="http-source-v2",
        credential_keys=["http.auth.password", "api.key"],
        secrets_encrypted=encrypt_secrets({"http.auth.password": "hunter2", "api.key": "k"}),
        delivery_guarantee="exactly_once",
        desired_state="paused",
        state="FAILED",
        last_error="Connect said no",
        operation="restart",
        generation=4,
        applied_generation=3,
        observed_at=datetime(2026, 11, 30, 8, 15, 1, 123456, tzinfo=UTC),
        topics=["sales.a", "sales.b"],
        transforms=[{"type": "mask", "fields": ["ssn"]}],
        error_handling={"tolerance": "all"},
        tasks_max=3,
        create_topics=True,
    )
    return [plain, busy]


def test_the_hand_written_rendering_equals_drfs_walk_over_the_declared_fields(tenant):
    request = APIRequestFactory().get(CONNECTORS)
    for connector in _connectors(tenant):
        serializer = ConnectorOutputSerializer(connector, context={"request": request})
        by_hand = serializer.data
        generic = serializers.ModelSerializer.to_representation(serializer, connector)
        assert by_hand == generic
        assert list(by_hand) == list(generic) == ConnectorOutputSerializer.Meta.fields


def test_the_list_and_the_detail_render_the_same_as_one_connector_alone(developer, tenant):
    connectors = _connectors(tenant)
    request = APIRequestFactory().get(CONNECTORS)
    for connector in connectors:
        alone = ConnectorOutputSerializer(connector, context={"request": request}).data
        assert developer.get(f"{CONNECTORS}{connector.name}/").json() == alone
    listed = developer.get(CONNECTORS).json()["results"]
    assert listed == [ConnectorOutputSerializer(c, context={"request": request}).data for c in connectors]


def test_the_list_and_the_detail_read_no_secret_column(developer, tenant):
    connector = _connectors(tenant)[1]
    with CaptureQueriesContext(connection) as queries:
        assert developer.get(CONNECTORS).status_code == 200
        assert developer.get(f"{CONNECTORS}{connector.name}/").status_code == 200
    connector_queries = [query["sql"] for query in queries if 'FROM "connectors_connector"' in query["sql"]]
    assert connector_queries
    assert not any("secrets_encrypted" in sql for sql in connector_queries)
