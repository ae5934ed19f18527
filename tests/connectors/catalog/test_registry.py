"""The catalog: one registry of connector types, as data."""

from __future__ import annotations

import json

import pytest

from connectors.catalog import (
    CONFLUENT_CLOUD,
    FLAVOURS,
    SELF_MANAGED,
    ConnectorType,
    FieldSpec,
    UnknownConnectorType,
    UnsupportedFlavour,
    all_types,
    get_type,
)
from connectors.catalog.registry import DERIVED_CONFIG_VARIABLES

TYPE_FLAVOURS = [(t.key, flavour) for t in all_types() for flavour in t.flavours]

# From the product guide (Confluent Cloud managed classes).
GUIDE_CLOUD_CLASSES = {
    "snowflake-source": "SnowflakeSource",
    "http-source-v2": "HttpSourceV2",
    "azure-event-hubs-source": "AzureEventHubsSource",
    "datagen-source": "DatagenSource",
    "s3-source": "S3Source",
    "snowflake-sink": "SnowflakeSink",
    "http-sink-v2": "HttpSinkV2",
    "postgres-cdc-source": "PostgresCdcSourceV2",
    "mysql-cdc-source": "MySqlCdcSourceV2",
}

SELF_MANAGED_CLASSES = {
    "postgres-cdc-source": "io.debezium.connector.postgresql.PostgresConnector",
    "mysql-cdc-source": "io.debezium.connector.mysql.MySqlConnector",
    "jdbc-source": "io.confluent.connect.jdbc.JdbcSourceConnector",
    "snowflake-sink": "com.snowflake.kafka.connector.SnowflakeSinkConnector",
    "datagen-source": "io.confluent.kafka.connect.datagen.DatagenConnector",
    "s3-source": "io.confluent.connect.s3.source.S3SourceConnector",
    "http-sink-v2": "io.confluent.connect.http.HttpSinkConnector",
    "jdbc-sink": "io.confluent.connect.jdbc.JdbcSinkConnector",
    "azure-event-hubs-source": "io.confluent.connect.azure.eventhubs.EventHubsSourceConnector",
    "file-source": "org.apache.kafka.connect.file.FileStreamSourceConnector",
    "file-sink": "org.apache.kafka.connect.file.FileStreamSinkConnector",
}


def test_every_type_of_the_guide_is_offered_on_confluent_cloud_with_its_managed_class():
    for key, connector_class in GUIDE_CLOUD_CLASSES.items():
        assert get_type(key).connector_class(CONFLUENT_CLOUD) == connector_class


def test_self_managed_equivalents_use_the_plugins_class():
    for key, connector_class in SELF_MANAGED_CLASSES.items():
        assert get_type(key).connector_class(SELF_MANAGED) == connector_class


def test_the_catalog_holds_exactly_the_known_types():
    assert {t.key for t in all_types()} == set(GUIDE_CLOUD_CLASSES) | set(SELF_MANAGED_CLASSES)


@pytest.mark.parametrize("key,flavour", TYPE_FLAVOURS)
def test_every_type_has_a_class_for_each_flavour_it_offers(key, flavour):
    connector_type = get_type(key)
    assert connector_type.offered_on(flavour)
    assert connector_type.connector_class(flavour)
    assert connector_type.topic_keys(flavour)


def test_all_types_is_sorted_by_key_and_get_type_finds_each():
    keys = [t.key for t in all_types()]
    assert keys == sorted(keys)
    assert all(get_type(key).key == key for key in keys)


def test_get_type_of_an_unknown_key_raises_unknown_connector_type_naming_the_known_ones():
    with pytest.raises(UnknownConnectorType) as raised:
        get_type("oracle-cdc-source")
    assert "oracle-cdc-source" in str(raised.value)
    assert "postgres-cdc-source" in str(raised.value)
    assert isinstance(raised.value, LookupError)


def test_file_types_are_offered_on_self_managed_clusters_only():
    for key in ("file-source", "file-sink"):
        connector_type = get_type(key)
        assert connector_type.flavours == (SELF_MANAGED,)
        assert not connector_type.offered_on(CONFLUENT_CLOUD)


def test_asking_for_a_class_on_a_flavour_the_type_lacks_raises_unsupported_flavour_with_a_clear_message():
    with pytest.raises(UnsupportedFlavour) as raised:
        get_type("file-source").connector_class(CONFLUENT_CLOUD)
    message = str(raised.value)
    assert "File Source" in message and "confluent_cloud" in message and "self_managed" in message
    with pytest.raises(UnsupportedFlavour, match="Unknown cluster flavour 'kubernetes'"):
        get_type("file-source").connector_class("kubernetes")


def test_cdc_connectors_run_a_single_task():
    assert get_type("postgres-cdc-source").max_tasks == 1
    assert get_type("mysql-cdc-source").max_tasks == 1


def test_s3_source_needs_the_guides_iam_permissions_and_aws_keys_as_secrets():
    s3 = get_type("s3-source")
    assert set(s3.permissions) == {"s3:GetObject", "s3:GetBucketLocation", "s3:ListBucket"}
    assert {spec.name for spec in s3.secret_fields(CONFLUENT_CLOUD)} == {
        "aws.access.key.id",
        "aws.secret.access.key",
        "s3.sse.customer.key",  # PASSWORD-typed in Confluent Cloud's definitions: a credential
    }
    assert s3.topic_binding == "regex_map" and s3.topic_keys(CONFLUENT_CLOUD) == ("topic.regex.list",)


def test_postgres_cdc_writes_under_a_topic_prefix_with_pgoutput_and_a_filtered_publication():
    pg = get_type("postgres-cdc-source")
    assert pg.topic_binding == "prefix" and pg.topic_keys(SELF_MANAGED) == ("topic.prefix",)
    assert pg.fixed_config[SELF_MANAGED] == {"plugin.name": "pgoutput", "publication.autocreate.mode": "filtered"}
    assert pg.field_spec("database.port").default == 5432
    assert [spec.name for spec in pg.secret_fields(SELF_MANAGED)] == ["database.password"]
    # Confluent Cloud takes the TLS material itself (PASSWORD-typed there), the self-managed worker would read files.
    assert {spec.name for spec in pg.secret_fields(CONFLUENT_CLOUD)} == {
        "database.password",
        "database.sslrootcert",
        "database.sslcert",
        "database.sslkey",
        "database.sslpassword",
    }
    assert "REPLICATION LOGIN role" in pg.permissions


def test_mysql_cdc_needs_a_server_id_on_self_managed_clusters_only():
    mysql = get_type("mysql-cdc-source")
    assert mysql.field_spec("database.server.id", SELF_MANAGED).required
    assert mysql.field_spec("database.server.id", CONFLUENT_CLOUD) is None


def test_every_self_managed_flavour_sets_its_converters_and_cloud_uses_data_format_fields_instead():
    for connector_type in all_types():
        if connector_type.offered_on(SELF_MANAGED):
            converters = connector_type.converters[SELF_MANAGED]
            assert {"key.converter", "value.converter"} <= set(converters), connector_type.key
        assert CONFLUENT_CLOUD not in connector_type.converters, connector_type.key


def test_cdc_keeps_json_schemas_and_file_types_write_plain_json():
    assert get_type("postgres-cdc-source").converters[SELF_MANAGED]["value.converter.schemas.enable"] == "true"
    assert get_type("file-sink").converters[SELF_MANAGED]["value.converter.schemas.enable"] == "false"


@pytest.mark.parametrize("key,flavour", TYPE_FLAVOURS)
def test_field_names_are_unique_per_flavour_and_never_platform_keys(key, flavour):
    connector_type = get_type(key)
    names = [spec.name for spec in connector_type.fields_for(flavour)]
    assert len(names) == len(set(names))
    assert not set(names) & set(connector_type.platform_keys(flavour))


@pytest.mark.parametrize("key,flavour", TYPE_FLAVOURS)
def test_json_schema_lists_required_fields_and_marks_secrets_write_only(key, flavour):
    connector_type = get_type(key)
    schema = connector_type.json_schema(flavour)
    json.dumps(schema)  # serialisable as is
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    config = schema["properties"]["config"]
    credentials = schema["properties"]["credentials"]
    assert config["additionalProperties"] is False and credentials["additionalProperties"] is False
    fields = connector_type.fields_for(flavour)
    assert set(config["properties"]) == {spec.name for spec in fields if not spec.secret}
    assert set(credentials["properties"]) == {spec.name for spec in fields if spec.secret}
    assert config.get("required", []) == sorted(s.name for s in fields if s.required and not s.secret)
    assert credentials.get("required", []) == sorted(s.name for s in fields if s.required and s.secret)
    for name, prop in credentials["properties"].items():
        assert prop["writeOnly"] is True, name
    for name, prop in config["properties"].items():
        assert "writeOnly" not in prop, name
        spec = connector_type.field_spec(name, flavour)
        if spec.enum:
            assert prop["x-enum"] == list(spec.enum)  # the canonical spellings
        if spec.default is not None:
            assert prop["default"] == spec.default
        assert prop.get("description"), f"{key}: '{name}' has no help"


def test_json_schema_without_a_flavour_marks_flavour_specific_fields_and_requires_only_common_ones():
    schema = get_type("mysql-cdc-source").json_schema()
    server_id = schema["properties"]["config"]["properties"]["database.server.id"]
    assert server_id["x-flavours"] == [SELF_MANAGED]
    assert "database.server.id" not in schema["properties"]["config"]["required"]
    assert "database.hostname" in schema["properties"]["config"]["required"]
    assert schema["x-flavours"] == list(FLAVOURS)


def test_json_schema_of_an_unoffered_flavour_raises_unsupported_flavour():
    with pytest.raises(UnsupportedFlavour):
        get_type("jdbc-source").json_schema(CONFLUENT_CLOUD)


def test_a_secret_field_must_be_typed_password():
    with pytest.raises(ValueError, match="secret"):
        FieldSpec("token", "string", secret=True)
    with pytest.raises(ValueError, match="secret"):
        FieldSpec("token", "password")


def test_a_default_outside_the_enum_is_refused_when_the_catalog_loads():
    with pytest.raises(ValueError, match="enum"):
        FieldSpec("mode", "string", default="fast", enum=("slow",))


def test_derived_config_templates_may_only_use_the_known_variables():
    with pytest.raises(ValueError, match="unknown"):
        ConnectorType(
            key="broken",
            display_name="Broken",
            kind="source",
            classes={SELF_MANAGED: "x.Y"},
            fields=(),
            topic_binding="topic",
            topic_key="topic",
            permissions=(),
            docs_url="",
            derived_config={SELF_MANAGED: {"some.topic": "{tenant_secret}"}},
        )
    assert {"connector_name", "bootstrap_servers", "topic_namespace"} <= DERIVED_CONFIG_VARIABLES


def test_a_field_offered_on_a_flavour_the_type_lacks_is_refused_when_the_catalog_loads():
    with pytest.raises(ValueError, match="flavour the type is not offered on"):
        ConnectorType(
            key="broken",
            display_name="Broken",
            kind="sink",
            classes={SELF_MANAGED: "x.Y"},
            fields=(FieldSpec("x", "string", flavours=frozenset({CONFLUENT_CLOUD})),),
            topic_binding="topics",
            topic_key="topics",
            permissions=(),
            docs_url="",
        )


def test_every_type_documents_its_docs_and_its_kind():
    for connector_type in all_types():
        assert connector_type.docs_url.startswith("https://"), connector_type.key
        assert connector_type.kind in ("source", "sink")
        assert connector_type.display_name
