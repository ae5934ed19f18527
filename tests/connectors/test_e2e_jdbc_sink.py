"""JDBC Sink end to end, through the API, on the real local worker: Confluent's JDBC sink is not on Maven
Central, so the cluster runs the type with Debezium's (open source). The request keeps the catalog's one
shape (Confluent's names); the records of a tenant topic are upserted into a PostgreSQL table by key, and a
tombstone deletes the row."""

from __future__ import annotations

import json
import uuid

import psycopg
import pytest
from confluent_kafka import Producer
from psycopg import sql

from tenants.models import Role
from tests.conftest import wait_for
from tests.connectors.conftest import POSTGRES, drop_database

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.connect]

DEBEZIUM_JDBC = "io.debezium.connector.jdbc.JdbcSinkConnector"
KEY_SCHEMA = {"type": "struct", "optional": False, "fields": [{"field": "id", "type": "int32", "optional": False}]}
VALUE_SCHEMA = {
    "type": "struct",
    "optional": False,
    "fields": [
        {"field": "id", "type": "int32", "optional": False},
        {"field": "item", "type": "string", "optional": True},
        {"field": "qty", "type": "int32", "optional": True},
    ],
}


@pytest.fixture
def warehouse():
    """An empty database owned by a login role: the sink creates its table there."""
    suffix = uuid.uuid4().hex[:10]
    role, password, dbname = f"writer_{suffix}", f"Wr1ter-{uuid.uuid4()}", f"warehouse_{suffix}"
    with psycopg.connect(**POSTGRES) as admin:
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(role), sql.Literal(password)))
        admin.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(dbname), sql.Identifier(role)))
    yield {"role": role, "password": password, "dbname": dbname}
    drop_database(dbname, role)


def jdbc_sink_request(connector_id: str, topic: str, warehouse: dict, **config) -> dict:
    return {
        "type": "jdbc-sink",
        "cluster": "local",
        "stage": "dev",
        "id": connector_id,
        "config": {
            "connection.url": f"jdbc:postgresql://127.0.0.1:5432/{warehouse['dbname']}",
            "connection.user": warehouse["role"],
            "insert.mode": "upsert",
            "pk.mode": "record_key",
            "delete.enabled": True,
            "auto.create": True,
            "table.name.format": "orders",
            **config,
        },
        "credentials": {"connection.password": warehouse["password"]},
        "topics": [topic],
        "create_topics": True,
    }


def rows(warehouse: dict) -> list[tuple]:
    try:
        with psycopg.connect(**{**POSTGRES, "dbname": warehouse["dbname"]}) as connection:
            return connection.execute("SELECT id, item, qty FROM orders ORDER BY id").fetchall()
    except psycopg.errors.UndefinedTable:
        return []


def envelope(schema: dict, payload: dict) -> bytes:
    return json.dumps({"schema": schema, "payload": payload}).encode()


def test_the_catalog_says_the_local_cluster_runs_the_jdbc_sink_with_debezium(client_for, tenant, local_cluster):
    response = client_for(tenant, Role.VIEWER).get("/api/v1/connector-types/")
    types = {item["key"]: item for item in response.json()["results"]}

    [local] = types["jdbc-sink"]["clusters"]
    assert local["plugin_installed"] is True
    assert local["implementation"] == {"class": DEBEZIUM_JDBC, "name": "Debezium JDBC sink", "primary": False}
    [file_sink] = types["file-sink"]["clusters"]
    assert file_sink["implementation"]["primary"] is True


def test_a_field_debeziums_sink_cannot_honour_is_a_400_naming_the_cluster_and_the_plugin(
    client_for, tenant, local_cluster, warehouse, unique_name
):
    topic = f"sales.{unique_name('orders')}"
    request = jdbc_sink_request(unique_name("dwh"), topic, warehouse, **{"auto.evolve": True})

    response = client_for(tenant, Role.DEVELOPER).post("/api/v1/connectors/", request, format="json")

    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    assert list(errors) == ["config.auto.evolve"], errors
    [message] = errors["config.auto.evolve"]
    assert f"cluster local runs JDBC Sink with Debezium JDBC sink ({DEBEZIUM_JDBC})" in message


def test_records_of_a_tenant_topic_are_upserted_by_key_into_postgresql_and_a_tombstone_deletes_the_row(
    client_for, tenant, local_cluster, local_stack, celery_worker_process, warehouse, unique_name
):
    client = client_for(tenant, Role.DEVELOPER)
    connector_id = unique_name("dwh")
    topic = f"sales.{connector_id}"

    created = client.post("/api/v1/connectors/", jdbc_sink_request(connector_id, topic, warehouse), format="json")
    assert created.status_code == 202, created.json()
    name = created.json()["name"]
    wait_for(lambda: client.get(f"/api/v1/connectors/{name}/").json()["state"] == "RUNNING", message="RUNNING")
    live = client.get(f"/api/v1/connectors/{name}/status").json()
    assert warehouse["password"] not in json.dumps(live)

    producer = Producer({"bootstrap.servers": local_stack.config.bootstrap_servers})
    for key, value in [
        ({"id": 1}, {"id": 1, "item": "first", "qty": 1}),
        ({"id": 2}, {"id": 2, "item": "second", "qty": 2}),
        ({"id": 1}, {"id": 1, "item": "first, changed", "qty": 10}),
    ]:
        producer.produce(topic, key=envelope(KEY_SCHEMA, key), value=envelope(VALUE_SCHEMA, value))
    assert producer.flush(10) == 0

    wait_for(lambda: rows(warehouse) == [(1, "first, changed", 10), (2, "second", 2)], timeout=90, message="upserts")

    producer.produce(topic, key=envelope(KEY_SCHEMA, {"id": 2}), value=None)  # a tombstone
    assert producer.flush(10) == 0
    wait_for(lambda: rows(warehouse) == [(1, "first, changed", 10)], timeout=60, message="the row deleted")

    assert client.delete(f"/api/v1/connectors/{name}/").status_code == 202
    wait_for(lambda: client.get(f"/api/v1/connectors/{name}/").json()["state"] == "DELETED", message="DELETED")


def test_a_debezium_jdbc_sink_config_imports_as_the_catalogs_request_and_renders_back(
    client_for, tenant, local_cluster, warehouse, unique_name
):
    topic = f"sales.{unique_name('orders')}"
    debezium_config = {
        "connector.class": DEBEZIUM_JDBC,
        "tasks.max": "1",
        "connection.url": f"jdbc:postgresql://127.0.0.1:5432/{warehouse['dbname']}",
        "connection.username": warehouse["role"],
        "connection.password": warehouse["password"],
        "insert.mode": "upsert",
        "primary.key.mode": "record_key",
        "delete.enabled": "true",
        "schema.evolution": "basic",
        "collection.name.format": "orders",
        "topics": topic,
    }
    answer = client_for(tenant, Role.DEVELOPER).post(
        "/api/v1/connectors/import?dry_run=true",
        {
            "cluster": "local",
            "stage": "dev",
            "id": unique_name("imported"),
            "config": debezium_config,
            "create_topics": True,
        },
        format="json",
    )

    body = answer.json()
    assert answer.status_code == 200, (body.get("errors"), body.get("report"))
    assert body["valid"] is True
    assert body["request"]["config"]["connection.user"] == warehouse["role"]
    assert body["request"]["config"]["pk.mode"] == "record_key"
    # The local worker runs the type with Debezium's plugin: rendered back in Debezium's names.
    assert body["rendered"]["connection.username"] == warehouse["role"]
    assert body["rendered"]["schema.evolution"] == "basic" and body["rendered"]["primary.key.mode"] == "record_key"
