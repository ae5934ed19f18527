"""Each plugin's committed snapshot against the catalog: the plugin's definitions are the source of truth.

Every property a snapshotted plugin defines is known to its type (a config field, a credential, owned by the
platform, or refused with a reason), and the type knows no property the plugin does not have.
"""

from __future__ import annotations

import pytest

from connectors.catalog import CONFLUENT_CLOUD, SELF_MANAGED, all_types, get_type
from connectors.catalog.definitions import CONNECT_TYPES, load_snapshot
from connectors.catalog.policy import classification
from connectors.catalog.schema_checks import config_errors


def snapshot_of(connector_type, flavour):
    return load_snapshot(flavour=flavour, connector_class=connector_type.connector_class(flavour))


SNAPSHOTTED = [
    (connector_type, flavour)
    for connector_type in all_types()
    for flavour in connector_type.flavours
    if snapshot_of(connector_type, flavour) is not None
]
IDS = [f"{connector_type.key}-{flavour}" for connector_type, flavour in SNAPSHOTTED]


def test_the_catalog_holds_the_definitions_of_every_installed_plugin_and_the_documented_managed_ones():
    assert sorted(IDS) == [
        "azure-event-hubs-source-confluent_cloud",
        "datagen-source-confluent_cloud",
        "file-sink-self_managed",
        "file-source-self_managed",
        "http-sink-v2-confluent_cloud",
        "http-source-v2-confluent_cloud",
        "mysql-cdc-source-confluent_cloud",
        "mysql-cdc-source-self_managed",
        "postgres-cdc-source-confluent_cloud",
        "postgres-cdc-source-self_managed",
        "s3-source-confluent_cloud",
        "snowflake-sink-confluent_cloud",
        "snowflake-sink-self_managed",
        "snowflake-source-confluent_cloud",
    ]


@pytest.mark.parametrize(("connector_type", "flavour"), SNAPSHOTTED, ids=IDS)
def test_every_property_of_the_plugin_is_known_to_the_catalog(connector_type, flavour):
    unknown = [
        name
        for name in snapshot_of(connector_type, flavour).properties
        if classification(connector_type, flavour=flavour, name=name) is None
    ]
    assert unknown == []


@pytest.mark.parametrize(("connector_type", "flavour"), SNAPSHOTTED, ids=IDS)
def test_the_catalog_knows_no_property_the_plugin_does_not_have(connector_type, flavour):
    properties = snapshot_of(connector_type, flavour).properties
    assert [spec.name for spec in connector_type.fields_for(flavour) if spec.name not in properties] == []
    assert sorted(set(connector_type.refusals(flavour)) - set(properties)) == []


@pytest.mark.parametrize(("connector_type", "flavour"), SNAPSHOTTED, ids=IDS)
def test_every_password_typed_property_is_a_credential_or_kept_from_tenants(connector_type, flavour):
    for name, definition in snapshot_of(connector_type, flavour).properties.items():
        if definition.type == "PASSWORD":
            assert classification(connector_type, flavour=flavour, name=name) != "config", name


@pytest.mark.parametrize(("connector_type", "flavour"), SNAPSHOTTED, ids=IDS)
def test_a_field_taken_from_the_plugin_has_the_plugins_type_and_allowed_values(connector_type, flavour):
    for name, definition in snapshot_of(connector_type, flavour).properties.items():
        spec = connector_type.field_spec(name, flavour)
        if spec is None or not spec.from_plugin:  # hand-written fields are the platform's policy
            continue
        assert spec.type == ("password" if spec.secret else CONNECT_TYPES[definition.type]), name
        if spec.enum:
            assert set(spec.enum) == set(definition.allowed_values), name


def test_documented_debezium_settings_are_accepted_and_compared_as_debezium_does():
    postgres = get_type("postgres-cdc-source")
    config = {
        "database.hostname": "db.internal",
        "database.user": "cdc",
        "database.dbname": "shop",
        "table.include.list": "public.orders",
        "decimal.handling.mode": "STRING",  # Debezium parses its enumerations in any case
        "heartbeat.interval.ms": "10000",
        "snapshot.mode": "INITIAL",
        "slot.drop.on.stop": "false",
    }
    assert (
        config_errors(
            connector_type=postgres, flavour=SELF_MANAGED, config=config, credentials={"database.password": "pw"}
        )
        == {}
    )
    assert postgres.field_spec("decimal.handling.mode", SELF_MANAGED).render("STRING") == "string"
    assert postgres.field_spec("snapshot.mode", SELF_MANAGED).render("INITIAL") == "initial"


def test_a_refused_property_is_a_field_level_error_with_its_reason():
    errors = config_errors(
        connector_type=get_type("postgres-cdc-source"),
        flavour=SELF_MANAGED,
        config={"database.sslrootcert": "/etc/ssl/ca.pem", "topic.naming.strategy": "x.Y", "database.port": 5432},
        credentials={},
    )
    assert "reads a file on the Connect workers" in errors["config.database.sslrootcert"][0]
    assert "Java class" in errors["config.topic.naming.strategy"][0]


def test_a_password_typed_property_in_config_belongs_in_credentials():
    errors = config_errors(
        connector_type=get_type("snowflake-sink"),
        flavour=SELF_MANAGED,
        config={"snowflake.oauth.client.secret": "s3cret"},
        credentials={},
    )
    assert errors["config.snowflake.oauth.client.secret"] == [
        "'snowflake.oauth.client.secret' is a secret: it belongs in credentials, not in config."
    ]


def test_plugin_defaults_are_left_to_the_plugin_when_rendering():
    spec = get_type("snowflake-sink").field_spec("buffer.flush.time", SELF_MANAGED)
    assert spec.from_plugin and spec.default == 120 and not spec.render_default


def test_snowflake_source_requires_db_timezone_as_confluent_does_and_takes_mode_in_any_case():
    source = get_type("snowflake-source")
    config = {
        "connection.url": "myorg_myaccount.snowflakecomputing.com",
        "connection.user": "KAFKA_READER",
        "mode": "timestamp+incrementing",
        "table.include.list": "SALES.PUBLIC.ORDERS",
        "timestamp.columns.mapping": "SALES.PUBLIC.ORDERS:[UPDATED_AT]",
        "incrementing.column.mapping": "SALES.PUBLIC.ORDERS:ID",
    }
    credentials = {"connection.private.key": "MIIEv..."}
    errors = config_errors(connector_type=source, flavour=CONFLUENT_CLOUD, config=config, credentials=credentials)
    assert errors == {"config.db.timezone": ["this field is required."]}
    config["db.timezone"] = "Europe/Zurich"
    assert config_errors(connector_type=source, flavour=CONFLUENT_CLOUD, config=config, credentials=credentials) == {}
    assert source.field_spec("mode", CONFLUENT_CLOUD).render("timestamp+incrementing") == "TIMESTAMP+INCREMENTING"
    assert source.field_spec("db.timezone").default is None
