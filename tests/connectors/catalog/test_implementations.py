"""A type keeps one request shape; the plugin a cluster has installed decides what is rendered.

The JDBC Sink is written with Confluent's names. Where Confluent's JDBC sink is not installed (it is not on
Maven Central) and Debezium's is, the same request renders Debezium's keys, and a field Debezium cannot
honour is a field-level error naming the cluster and the plugin, never dropped.
"""

from __future__ import annotations

import pytest

from connectors.catalog import SELF_MANAGED, get_type
from connectors.catalog.error_handling import error_handling_from_request
from connectors.catalog.schema_checks import implementation_errors
from connectors.rendering import RenderCluster, RenderError, render_connector_config

CONFLUENT_JDBC = "io.confluent.connect.jdbc.JdbcSinkConnector"
DEBEZIUM_JDBC = "io.debezium.connector.jdbc.JdbcSinkConnector"
JDBC_SINK = get_type("jdbc-sink")
REQUEST = {
    "connection.url": "jdbc:postgresql://127.0.0.1:5432/warehouse",
    "connection.user": "writer",
    "insert.mode": "upsert",
    "pk.mode": "record_key",
    "auto.create": True,
    "table.name.format": "orders",
}


def render(config: dict, *, installed: set[str] | None) -> dict[str, str]:
    return render_connector_config(
        name="sales-dev-orders-connector",
        connector_type=JDBC_SINK,
        flavour=SELF_MANAGED,
        config=config,
        secrets={"connection.password": "pw"},
        topics=["sales.orders"],
        transforms=[],
        error_handling=error_handling_from_request(kind="sink", data=None),
        tasks_max=1,
        topic_prefix="sales.",
        cluster=RenderCluster(bootstrap_servers="127.0.0.1:9092", dlq_replication_factor=1),
        implementation=JDBC_SINK.implementation_for(SELF_MANAGED, installed),
    )


@pytest.mark.parametrize(
    ("installed", "expected"),
    [
        ({CONFLUENT_JDBC, DEBEZIUM_JDBC}, CONFLUENT_JDBC),  # the type's own class wins where it is installed
        ({DEBEZIUM_JDBC, "org.apache.kafka.connect.file.FileStreamSinkConnector"}, DEBEZIUM_JDBC),
        (set(), CONFLUENT_JDBC),  # nothing installed: the type's own class, so the error names it
        (None, CONFLUENT_JDBC),  # the cluster could not be asked
    ],
)
def test_the_first_installed_implementation_runs_the_type(installed, expected):
    assert JDBC_SINK.implementation_for(SELF_MANAGED, installed).connector_class == expected


def test_with_confluents_jdbc_sink_the_request_is_rendered_as_written():
    rendered = render(REQUEST, installed={CONFLUENT_JDBC})

    assert rendered["connector.class"] == CONFLUENT_JDBC
    assert {key: rendered[key] for key in ("connection.user", "pk.mode", "auto.create", "auto.evolve")} == {
        "connection.user": "writer",
        "pk.mode": "record_key",
        "auto.create": "true",
        "auto.evolve": "false",
    }


def test_with_debeziums_jdbc_sink_the_same_request_is_rendered_under_debeziums_keys():
    rendered = render(REQUEST, installed={DEBEZIUM_JDBC})

    assert rendered["connector.class"] == DEBEZIUM_JDBC
    assert {
        key: rendered.get(key)
        for key in ("connection.username", "primary.key.mode", "schema.evolution", "collection.name.format")
    } == {
        "connection.username": "writer",
        "primary.key.mode": "record_key",
        "schema.evolution": "basic",
        "collection.name.format": "orders",
    }
    assert rendered["insert.mode"] == "upsert" and rendered["connection.password"] == "pw"
    # Confluent's names are gone, and auto.evolve's default (not the tenant's choice) is left to Debezium.
    assert not {"connection.user", "pk.mode", "auto.create", "auto.evolve", "table.name.format"} & set(rendered)


def test_a_field_debezium_cannot_honour_is_refused_on_that_field_naming_cluster_and_plugin():
    debezium = JDBC_SINK.implementation_for(SELF_MANAGED, {DEBEZIUM_JDBC})

    errors = implementation_errors(
        connector_type=JDBC_SINK,
        flavour=SELF_MANAGED,
        implementation=debezium,
        config={**REQUEST, "auto.evolve": False},
        cluster_name="local",
    )

    assert list(errors) == ["config.auto.evolve"]
    [message] = errors["config.auto.evolve"]
    assert message.startswith(f"cluster local runs JDBC Sink with Debezium JDBC sink ({DEBEZIUM_JDBC})")
    assert "cannot honour 'auto.evolve'" in message
    with pytest.raises(RenderError, match="cannot honour 'auto.evolve'"):
        render({**REQUEST, "auto.evolve": False}, installed={DEBEZIUM_JDBC})


def test_the_type_s_own_class_honours_every_field():
    own = JDBC_SINK.implementation_for(SELF_MANAGED, {CONFLUENT_JDBC})

    assert (
        implementation_errors(
            connector_type=JDBC_SINK,
            flavour=SELF_MANAGED,
            implementation=own,
            config={**REQUEST, "auto.evolve": True},
            cluster_name="local",
        )
        == {}
    )


def test_an_alternative_may_not_rename_a_secret_or_name_an_unknown_field():
    from dataclasses import replace

    from connectors.catalog import Implementation

    renaming_a_secret = Implementation(
        connector_class="x.Sink", name="X", renames={"connection.password": "pass", "no.such.field": "y"}
    )

    with pytest.raises(ValueError) as raised:
        replace(JDBC_SINK, alternatives={SELF_MANAGED: (renaming_a_secret,)})

    assert "X on self_managed names unknown fields ['no.such.field']" in str(raised.value)
    assert "X on self_managed may not translate secrets ['connection.password']" in str(raised.value)
