"""connectors/config_import.map_config, the pure inverse of rendering: KIP-618's exactly.once.support is
the request's delivery_guarantee, never dropped."""

from __future__ import annotations

import pytest

from connectors.catalog import SELF_MANAGED
from connectors.config_import import map_config

FILE_SOURCE = {
    "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
    "file": "/data/in.txt",
    "topic": "sales.in",
    "tasks.max": "1",
}


@pytest.mark.parametrize(("support", "guarantee"), [("required", "exactly_once"), ("REQUESTED", "at_least_once")])
def test_exactly_once_support_is_the_delivery_guarantee(support, guarantee):
    mapping = map_config(
        config={**FILE_SOURCE, "exactly.once.support": support, "transaction.boundary": "poll"}, flavour=SELF_MANAGED
    )
    assert mapping.delivery_guarantee == guarantee
    assert mapping.mapped["exactly.once.support"] == "delivery_guarantee"
    # The platform sets the boundary itself (one transaction per poll): the service refuses it if it does not.
    assert "transaction.boundary" in mapping.set_by_platform and not mapping.refused


def test_an_unknown_exactly_once_support_is_refused_with_the_values_it_takes():
    mapping = map_config(config={**FILE_SOURCE, "exactly.once.support": "always"}, flavour=SELF_MANAGED)
    assert mapping.refused == {"exactly.once.support": "'always' is not one of required, requested"}
    assert mapping.delivery_guarantee == "at_least_once"


def test_without_it_a_config_is_at_least_once():
    assert map_config(config=FILE_SOURCE, flavour=SELF_MANAGED).delivery_guarantee == "at_least_once"


DEBEZIUM_SINK = {
    "connector.class": "io.debezium.connector.jdbc.JdbcSinkConnector",
    "connection.url": "jdbc:postgresql://db.example.com:5432/sales",
    "topics": "sales.orders",
}


def test_a_debezium_jdbc_sink_config_maps_to_the_jdbc_sink_request_in_its_own_names():
    # Debezium's documented sink config: its names for the JDBC Sink's settings are translated back.
    mapping = map_config(
        config={
            **DEBEZIUM_SINK,
            "tasks.max": "1",
            "connection.username": "writer",
            "connection.password": "s3cret-pass",
            "insert.mode": "upsert",
            "primary.key.mode": "record_key",
            "primary.key.fields": "id",
            "collection.name.format": "orders_${topic}",
            "schema.evolution": "basic",
        },
        flavour=SELF_MANAGED,
    )
    assert mapping.connector_type.key == "jdbc-sink" and not mapping.refused, mapping.refused
    assert mapping.config == {
        "connection.url": "jdbc:postgresql://db.example.com:5432/sales",
        "connection.user": "writer",
        "insert.mode": "upsert",
        "pk.mode": "record_key",
        "pk.fields": "id",
        "table.name.format": "orders_${topic}",
        "auto.create": "true",
    }
    assert mapping.credentials == {"connection.password": "s3cret-pass"}
    assert mapping.mapped["connection.username"] == "config.connection.user"  # the report names the user's key
    assert mapping.mapped["schema.evolution"] == "config.auto.create"
    assert mapping.topics == ["sales.orders"]


def test_a_key_given_in_both_plugins_names_is_refused_not_overwritten():
    mapping = map_config(
        config={**DEBEZIUM_SINK, "connection.user": "writer", "connection.username": "someone-else"},
        flavour=SELF_MANAGED,
    )
    assert mapping.config["connection.user"] == "writer"
    assert mapping.refused == {
        "connection.username": "'connection.user' is set too and means the same: keep one of them"
    }
