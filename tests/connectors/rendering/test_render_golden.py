"""The one config renderer, pinned by golden files: golden/<type_key>__<flavour>.json.

Regenerate after an intended change with:  UPDATE_GOLDEN=1 .venv/bin/pytest tests/connectors/rendering
then read the diff: every line is what Kafka Connect / Confluent Cloud will receive.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from connectors.catalog import CONFLUENT_CLOUD, SELF_MANAGED, UnsupportedFlavour, all_types, get_type
from connectors.catalog.error_handling import error_handling_from_request
from connectors.catalog.schema_checks import config_errors, topics_errors
from connectors.catalog.transforms import transforms_errors
from connectors.rendering import (
    RenderCluster,
    RenderError,
    render_connector_config,
    topic_namespace,
)
from controlplane.masking import MASK
from controlplane.naming import dlq_topic_name

GOLDEN_DIR = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"

NAME = "sales-dev-orders-connector"
TOPIC_PREFIX = "sales.dev"
TASKS_MAX = 2
CLUSTERS = {
    SELF_MANAGED: RenderCluster(bootstrap_servers="broker-1:9092,broker-2:9092", dlq_replication_factor=3),
    CONFLUENT_CLOUD: RenderCluster(
        bootstrap_servers="pkc-golden.eu-west-1.aws.confluent.cloud:9092", service_account_id="sa-golden"
    ),
}

# One representative request per type. Keys of either flavour may appear: each flavour keeps the
# ones it offers. Secrets: every required secret plus the ones listed under "secrets".
SAMPLES: dict[str, dict] = {
    "postgres-cdc-source": {
        "config": {
            "database.hostname": "pg.internal.example.com",
            "database.dbname": "orders",
            "database.user": "dbz_sales",
            "table.include.list": ["public.orders", "public.customers"],
            "output.data.format": "AVRO",
        },
        "secrets": ["database.password"],
        "topics": ["sales.dev.pg"],
    },
    "mysql-cdc-source": {
        "config": {
            "database.hostname": "mysql.internal.example.com",
            "database.user": "dbz_sales",
            "database.server.id": 184054,
            "database.include.list": "shop",
            "table.include.list": "shop.orders",
        },
        "secrets": ["database.password"],
        "topics": ["sales.dev.mysql"],
    },
    "jdbc-source": {
        "config": {
            "connection.url": "jdbc:postgresql://db.internal.example.com:5432/app",
            "connection.user": "kafka_reader",
            "mode": "incrementing",
            "table.whitelist": ["orders", "customers"],
            "incrementing.column.name": "id",
        },
        "topics": ["sales.dev.jdbc."],
    },
    "snowflake-source": {
        "config": {
            "connection.url": "myorg_myaccount.snowflakecomputing.com",
            "connection.user": "KAFKA_READER",
            "mode": "INCREMENTING",
            "table.include.list": "SALES.PUBLIC.ORDERS",
            "incrementing.column.mapping": "SALES.PUBLIC.ORDERS:ID",
            "db.timezone": "Europe/Zurich",
        },
        "topics": ["sales.dev.snowflake."],
    },
    "http-source-v2": {
        "config": {
            "http.api.base.url": "https://api.example.com/v1",
            "auth.type": "BEARER",
            "api1.http.api.path": "/orders",
            "api1.http.request.parameters": "since=${offset}",
            "api1.http.initial.offset": "0",
            "api1.http.response.data.json.pointer": "/data",
        },
        "secrets": ["bearer.token"],
        "topics": ["sales.dev.http-orders"],
    },
    "azure-event-hubs-source": {
        "config": {
            "azure.eventhubs.namespace": "sales-ns",
            "azure.eventhubs.hub.name": "orders",
            "azure.eventhubs.sas.keyname": "kafka-listen",
        },
        "topics": ["sales.dev.eventhubs-orders"],
    },
    "datagen-source": {
        "config": {"quickstart": "ORDERS", "max.interval": 500},
        "topics": ["sales.dev.datagen-orders"],
        "transforms": [
            {"alias": "key", "type": "ValueToKey", "options": {"fields": "orderid"}},
            {"alias": "keyId", "type": "ExtractField$Key", "options": {"field": "orderid"}},
        ],
    },
    "s3-source": {
        "config": {"s3.bucket.name": "sales-exports", "s3.region": "eu-west-1", "input.data.format": "JSON"},
        "secrets": ["aws.access.key.id", "aws.secret.access.key"],
        "topics": ["sales.dev.s3-import"],
    },
    "snowflake-sink": {
        "config": {
            "snowflake.url.name": "https://myaccount.eu-west-1.snowflakecomputing.com:443",
            "snowflake.user.name": "KAFKA_WRITER",
            "snowflake.database.name": "SALES",
            "snowflake.schema.name": "RAW",
            "snowflake.role.name": "KAFKA_CONNECTOR",
        },
        "secrets": ["snowflake.private.key"],
        "topics": ["sales.dev.orders", "sales.dev.refunds"],
    },
    "http-sink-v2": {
        "config": {
            "http.api.base.url": "https://hooks.example.com",
            "api1.http.api.path": "/orders/${key}",
            "http.api.url": "https://hooks.example.com/orders/${key}",
            "auth.type": "BASIC",
            "connection.user": "kafka",
        },
        "secrets": ["connection.password"],
        "topics": ["sales.dev.orders"],
    },
    "jdbc-sink": {
        "config": {
            "connection.url": "jdbc:postgresql://pg.internal.example.com:5432/warehouse",
            "connection.user": "kafka_writer",
            "insert.mode": "upsert",
            "pk.mode": "record_key",
            "pk.fields": ["id"],
            "delete.enabled": True,
            "auto.create": True,
            "table.name.format": "orders_${topic}",
        },
        "topics": ["sales.dev.orders"],
    },
    "file-source": {
        "config": {"file": "/var/lib/connect/input/orders.txt"},
        "topics": ["sales.dev.file-lines"],
        "transforms": [
            {"alias": "MakeMap", "type": "HoistField$Value", "options": {"field": "line"}},
            {
                "alias": "InsertSource",
                "type": "org.apache.kafka.connect.transforms.InsertField$Value",
                "options": {"static.field": "data_source", "static.value": "orders-file"},
            },
        ],
    },
    "file-sink": {
        "config": {"file": "/var/lib/connect/output/orders.txt"},
        "topics": ["sales.dev.orders", "sales.dev.refunds"],
        "transforms": [
            {"alias": "DropTombstones", "type": "Filter", "predicate": {"type": "RecordIsTombstone"}},
        ],
    },
}

CASES = [(t.key, flavour) for t in all_types() for flavour in t.flavours]


def golden_secret(name: str) -> str:
    return f"golden-secret-{name}"


def request_for(key: str, flavour: str) -> dict:
    """The sample request for `key`, keeping what `flavour` offers."""
    connector_type = get_type(key)
    sample = SAMPLES[key]
    config = {k: v for k, v in sample["config"].items() if connector_type.field_spec(k, flavour) is not None}
    wanted = set(sample.get("secrets", ()))
    secrets = {
        spec.name: golden_secret(spec.name)
        for spec in connector_type.secret_fields(flavour)
        if spec.required or spec.name in wanted
    }
    return {
        "config": config,
        "secrets": secrets,
        "topics": sample["topics"],
        "transforms": sample.get("transforms", []),
    }


def render(key: str, flavour: str, **overrides) -> dict[str, str]:
    connector_type = get_type(key)
    request = request_for(key, flavour)
    arguments = dict(
        name=NAME,
        connector_type=connector_type,
        flavour=flavour,
        config=request["config"],
        secrets=request["secrets"],
        topics=request["topics"],
        transforms=request["transforms"],
        error_handling=error_handling_from_request(kind=connector_type.kind, data=None),
        tasks_max=TASKS_MAX,
        topic_prefix=TOPIC_PREFIX,
        cluster=CLUSTERS[flavour],
    )
    arguments.update(overrides)
    return render_connector_config(**arguments)


def dump(rendered: dict[str, str]) -> str:
    return json.dumps(rendered, indent=2, sort_keys=True) + "\n"


def test_every_offered_type_and_flavour_has_a_sample():
    assert set(SAMPLES) == {t.key for t in all_types()}


@pytest.mark.parametrize("key,flavour", CASES)
def test_each_sample_request_passes_validation(key, flavour):
    connector_type = get_type(key)
    request = request_for(key, flavour)
    assert (
        config_errors(
            connector_type=connector_type, flavour=flavour, config=request["config"], credentials=request["secrets"]
        )
        == {}
    )
    assert topics_errors(connector_type=connector_type, topics=request["topics"], topic_prefix=TOPIC_PREFIX) == {}
    assert transforms_errors(request["transforms"]) == {}


@pytest.mark.parametrize("key,flavour", CASES)
def test_render_matches_its_golden_file(key, flavour):
    path = GOLDEN_DIR / f"{key}__{flavour}.json"
    text = dump(render(key, flavour))
    if UPDATE:
        GOLDEN_DIR.mkdir(exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"no golden file {path.name}: run with UPDATE_GOLDEN=1 and read the result"
    assert text == path.read_text(), f"{path.name} differs: if intended, regenerate with UPDATE_GOLDEN=1"


def test_there_is_no_golden_file_without_a_case():
    expected = {f"{key}__{flavour}.json" for key, flavour in CASES}
    assert {path.name for path in GOLDEN_DIR.glob("*.json")} == expected


@pytest.mark.parametrize("key,flavour", CASES)
def test_every_value_is_a_string_and_the_basics_are_there(key, flavour):
    rendered = render(key, flavour)
    assert all(isinstance(value, str) for value in rendered.values())
    assert rendered["name"] == NAME
    assert rendered["connector.class"] == get_type(key).connector_class(flavour)
    assert list(rendered) == sorted(rendered)


@pytest.mark.parametrize("key,flavour", CASES)
def test_a_secret_appears_only_under_its_own_key(key, flavour):
    request = request_for(key, flavour)
    rendered = render(key, flavour)
    for name, secret in request["secrets"].items():
        assert [k for k, v in rendered.items() if secret in v] == [name]


# -- what Connect needs, read from the goldens ----------------------------------------------------


def test_self_managed_postgres_cdc_has_pgoutput_its_own_slot_and_publication_and_the_topic_prefix():
    rendered = render("postgres-cdc-source", SELF_MANAGED)
    assert rendered["plugin.name"] == "pgoutput"
    assert rendered["publication.autocreate.mode"] == "filtered"
    assert rendered["slot.name"] == "sales_dev_orders_connector"
    assert rendered["publication.name"] == "sales_dev_orders_connector"
    assert rendered["topic.prefix"] == "sales.dev.pg"
    assert rendered["database.port"] == "5432"
    assert rendered["database.password"] == golden_secret("database.password")
    assert rendered["table.include.list"] == "public.orders,public.customers"
    assert rendered["tasks.max"] == "1"  # capped: Debezium runs one task
    assert rendered["value.converter.schemas.enable"] == "true"
    assert "output.data.format" not in rendered  # a Confluent Cloud field
    assert rendered["errors.tolerance"] == "none"
    assert not [key for key in rendered if key.startswith("errors.deadletterqueue")]


def test_managed_postgres_cdc_uses_its_managed_class_a_service_account_and_no_converters():
    rendered = render("postgres-cdc-source", CONFLUENT_CLOUD)
    assert rendered["connector.class"] == "PostgresCdcSourceV2"
    assert rendered["kafka.auth.mode"] == "SERVICE_ACCOUNT"
    assert rendered["kafka.service.account.id"] == "sa-golden"
    assert rendered["output.data.format"] == "AVRO"
    assert rendered["slot.name"] == "sales_dev_orders_connector"
    assert "plugin.name" not in rendered
    assert not [key for key in rendered if "converter" in key]


def test_self_managed_mysql_cdc_keeps_its_schema_history_inside_the_prefix():
    rendered = render("mysql-cdc-source", SELF_MANAGED)
    assert rendered["schema.history.internal.kafka.bootstrap.servers"] == "broker-1:9092,broker-2:9092"
    assert rendered["schema.history.internal.kafka.topic"] == "sales.dev.schema-history.sales-dev-orders-connector"
    assert rendered["database.server.id"] == "184054"
    assert rendered["topic.prefix"] == "sales.dev.mysql"


def test_file_sink_reads_its_topics_and_sends_bad_records_to_a_dlq_inside_the_prefix():
    rendered = render("file-sink", SELF_MANAGED)
    assert rendered["topics"] == "sales.dev.orders,sales.dev.refunds"
    assert rendered["file"] == "/var/lib/connect/output/orders.txt"
    assert rendered["errors.tolerance"] == "all"
    assert rendered["errors.deadletterqueue.topic.name"] == "sales.dev.dlq.sales-dev-orders-connector"
    assert rendered["errors.deadletterqueue.topic.name"].startswith(TOPIC_PREFIX)
    assert rendered["errors.deadletterqueue.context.headers.enable"] == "true"
    assert rendered["errors.deadletterqueue.topic.replication.factor"] == "3"
    assert rendered["errors.log.include.messages"] == "false"
    assert rendered["value.converter"] == "org.apache.kafka.connect.json.JsonConverter"
    assert rendered["value.converter.schemas.enable"] == "false"
    assert rendered["transforms"] == "DropTombstones"
    assert rendered["predicates.DropTombstonesPredicate.type"].endswith("predicates.RecordIsTombstone")
    assert rendered["tasks.max"] == "2"


def test_file_source_writes_one_topic_with_one_task():
    rendered = render("file-source", SELF_MANAGED)
    assert rendered["topic"] == "sales.dev.file-lines"
    assert rendered["tasks.max"] == "1"
    assert rendered["transforms"] == "MakeMap,InsertSource"


def test_s3_source_maps_every_object_to_its_topic():
    assert render("s3-source", CONFLUENT_CLOUD)["topic.regex.list"] == "sales.dev.s3-import:.*"
    rendered = render("s3-source", SELF_MANAGED)
    assert rendered["mode"] == "GENERIC"
    assert rendered["aws.secret.access.key"] == golden_secret("aws.secret.access.key")


def test_managed_http_sink_binds_its_topics_twice_and_names_its_reporter_topics_inside_the_prefix():
    rendered = render("http-sink-v2", CONFLUENT_CLOUD)
    assert rendered["topics"] == rendered["api1.topics"] == "sales.dev.orders"
    assert rendered["apis.num"] == "1"
    assert rendered["reporter.error.topic.name"] == "sales.dev.error.sales-dev-orders-connector"
    assert rendered["errors.deadletterqueue.topic.name"] == "sales.dev.dlq.sales-dev-orders-connector"
    assert "errors.retry.timeout" not in rendered


def test_tasks_max_is_kept_when_the_type_has_no_limit():
    assert render("snowflake-sink", SELF_MANAGED, tasks_max=4)["tasks.max"] == "4"


def test_cloud_falls_back_to_a_kafka_api_key_kept_out_of_the_clusters_repr():
    cluster = RenderCluster(bootstrap_servers="pkc:9092", kafka_api_key="KEY123", kafka_api_secret="golden-api-secret")
    rendered = render("datagen-source", CONFLUENT_CLOUD, cluster=cluster)
    assert rendered["kafka.auth.mode"] == "KAFKA_API_KEY"
    assert rendered["kafka.api.key"] == "KEY123"
    assert rendered["kafka.api.secret"] == "golden-api-secret"
    assert "golden-api-secret" not in repr(cluster)


def test_cloud_without_kafka_credentials_cannot_be_rendered():
    with pytest.raises(RenderError, match="service account"):
        render("datagen-source", CONFLUENT_CLOUD, cluster=RenderCluster(bootstrap_servers="pkc:9092"))


def test_asking_for_a_file_source_on_confluent_cloud_raises_unsupported_flavour():
    with pytest.raises(UnsupportedFlavour) as raised:
        render_connector_config(
            name=NAME,
            connector_type=get_type("file-source"),
            flavour=CONFLUENT_CLOUD,
            config={"file": "/tmp/x"},
            secrets={},
            topics=["sales.dev.x"],
            transforms=[],
            error_handling=error_handling_from_request(kind="source", data=None),
            tasks_max=1,
            topic_prefix=TOPIC_PREFIX,
            cluster=CLUSTERS[CONFLUENT_CLOUD],
        )
    assert str(raised.value) == (
        "File Source (development) ('file-source') is not offered on confluent_cloud clusters; "
        "it is offered on: self_managed."
    )


def test_the_renderer_refuses_what_validation_would_have_refused():
    with pytest.raises(RenderError, match="not a config field"):
        render("file-sink", SELF_MANAGED, config={"file": "/x", "errors.tolerance": "all"})
    with pytest.raises(RenderError, match="not a secret field"):
        render("file-sink", SELF_MANAGED, secrets={"file": "/x"})
    with pytest.raises(RenderError, match="keep-the-stored-secret"):
        render("postgres-cdc-source", SELF_MANAGED, secrets={"database.password": MASK})
    with pytest.raises(RenderError, match="topic binding"):
        render("file-source", SELF_MANAGED, topics=["a", "b"])
    with pytest.raises(RenderError, match="tasks_max"):
        render("file-sink", SELF_MANAGED, tasks_max=0)


def test_the_topic_namespace_agrees_with_the_dlq_naming_rule():
    for prefix in ("sales.dev", "sales.dev.", "sales-", "sales_"):
        assert dlq_topic_name(topic_prefix=prefix, connector_name=NAME) == f"{topic_namespace(prefix)}dlq.{NAME}"


def test_rendering_is_deterministic():
    assert dump(render("http-sink-v2", SELF_MANAGED)) == dump(render("http-sink-v2", SELF_MANAGED))


def test_values_are_normalised_to_what_connect_parses():
    config = {
        **request_for("postgres-cdc-source", SELF_MANAGED)["config"],
        "table.include.list": " public.orders , public.items",
        "database.port": " 5433 ",
        "tombstones.on.delete": "FALSE",
    }
    rendered = render("postgres-cdc-source", SELF_MANAGED, config=config)
    assert rendered["table.include.list"] == "public.orders,public.items"
    assert rendered["database.port"] == "5433"
    assert rendered["tombstones.on.delete"] == "false"


def test_names_derived_for_one_type_are_not_computed_for_another():
    # A replication slot only exists for CDC: an unusual name must not break a file sink's render.
    assert render("file-sink", SELF_MANAGED, name="Legacy.Sink")["name"] == "Legacy.Sink"
