"""Bring your own config: POST /api/v1/connectors/import (issue 11).

Confluent Cloud cannot be reached from here, so the managed cluster is a loopback server speaking Confluent
Cloud's connect/v1 protocol (its plugin list and config/validate); it records what it was asked to validate,
which is exactly what would be created. Everything else (the API, validation, rendering, the database) is
real. The configs are written from the documentation's own examples, one per authentication method.
"""

from __future__ import annotations

import json

import pytest

from connectors.models import Connector
from controlplane.masking import MASK
from tenants.models import Role
from tests.factories import LandingZoneFactory, SharedClusterFactory
from tests.loopback import LoopbackServer, Seen

pytestmark = [pytest.mark.django_db]

IMPORT = "/api/v1/connectors/import"
CLOUD_PREFIX = "/connect/v1/environments/env-imp/clusters/lkc-imp"
MANAGED_PLUGINS = [
    "SnowflakeSource",
    "SnowflakeSink",
    "HttpSourceV2",
    "HttpSinkV2",
    "DatagenSource",
    "S3Source",
    "AzureEventHubsSource",
    "PostgresCdcSourceV2",
    "MySqlCdcSourceV2",
]
KAFKA = {"kafka.auth.mode": "KAFKA_API_KEY", "kafka.api.key": "ABCDEFGH12345678", "kafka.api.secret": "cloud-secret"}


def confluent_cloud(request: Seen):
    """Confluent Cloud's answers: its managed plugins, and a validate that finds nothing wrong."""
    path = request.path.removeprefix(CLOUD_PREFIX)
    if request.method == "GET" and path.startswith("/connector-plugins"):
        return 200, [{"class": name, "type": "source", "version": "0.0.0"} for name in MANAGED_PLUGINS], {}
    if request.method == "PUT" and path.endswith("/config/validate"):
        return 200, {"name": request.body["connector.class"], "error_count": 0, "groups": [], "configs": []}, {}
    return 404, {"error": {"code": 404, "message": "Not Found"}}, {}


@pytest.fixture
def cloud(tenant):
    with LoopbackServer(confluent_cloud) as server:
        cluster = SharedClusterFactory(
            name="cloud",
            landing_zone=LandingZoneFactory(slug="edh-shared"),
            connect_flavour="confluent_cloud",
            connect_url=server.url,
            cloud_environment_id="env-imp",
            cloud_cluster_id="lkc-imp",
            cloud_service_account_id="sa-imp123",
            bootstrap_servers="pkc-imp.eu-west-1.aws.confluent.cloud:9092",
            tenants=[tenant],
        )
        cluster.server = server
        yield cluster


@pytest.fixture
def developer(client_for, tenant):
    return client_for(tenant, Role.DEVELOPER)


def validated_configs(server) -> list[dict]:
    return [seen.body for seen in server.seen if seen.method == "PUT" and seen.path.endswith("/config/validate")]


def post_import(client, config: dict, *, connector_id: str = "imported", dry_run: str | None = "true", **extra):
    url = IMPORT if dry_run is None else f"{IMPORT}?dry_run={dry_run}"
    body = {"cluster": "cloud", "stage": "dev", "id": connector_id, "config": config, "create_topics": True, **extra}
    return client.post(url, body, format="json")


# --- Configs as Confluent's documentation writes them (CLI config files: every value a string) ---------------
SNOWFLAKE_SOURCE = [
    pytest.param(
        {
            "connector.class": "SnowflakeSource",
            "name": "SnowflakeSourceConnector_0",
            **KAFKA,
            "connection.url": "myorg_myaccount.snowflakecomputing.com",
            "connection.user": "KAFKA_READER",
            "connection.private.key": "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC0",
            "topic.prefix": "sales.dev.snowflake.",
            "mode": "bulk",
            "table.include.list": "SALES.PUBLIC.ORDERS",
            "db.timezone": "UTC",
            "output.data.format": "AVRO",
            "tasks.max": "1",
        },
        id="snowflake-source-key-pair-bulk",
    ),
    pytest.param(
        {
            "connector.class": "SnowflakeSource",
            "name": "SnowflakeSourceConnector_1",
            **KAFKA,
            "connection.url": "myorg_myaccount.snowflakecomputing.com",
            "connection.user": "KAFKA_READER",
            "connection.credentials.source": "PRIVATE_KEY_PASSPHRASE",
            "connection.private.key": "MIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI",
            "connection.private.key.passphrase": "correct horse battery staple",
            "topic.prefix": "sales.dev.snowflake.",
            "mode": "TIMESTAMP+INCREMENTING",
            "table.include.list": "COMPANY.EMPLOYEES.SALARY.*,COMPANY.FINANCE.ACCOUNTS.*",
            "timestamp.columns.mapping": (
                "COMPANY.EMPLOYEES.SALARY.*:[UPDATED_AT|MODIFIED_AT],COMPANY.FINANCE.ACCOUNTS.*:[CHANGED_AT]"
            ),
            "incrementing.column.mapping": "COMPANY.EMPLOYEES.SALARY*:EMP_ID,COMPANY.FINANCE.ACCOUNTS.*:ID",
            "db.timezone": "Europe/Zurich",
            "output.data.format": "JSON_SR",
            "poll.interval.ms": "10000",
            "timestamp.granularity": "CONNECT_LOGICAL",
            "tasks.max": "1",
        },
        id="snowflake-source-encrypted-key-pair-timestamp-incrementing",
    ),
    pytest.param(
        {
            "connector.class": "SnowflakeSource",
            "name": "SnowflakeSourceConnector_2",
            "kafka.auth.mode": "SERVICE_ACCOUNT",
            "kafka.service.account.id": "sa-abc123",
            "connection.url": "xy12345.snowflakecomputing.com",
            "connection.user": "KAFKA_READER",
            "connection.private.key": "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC0",
            "topic.prefix": "sales.dev.snowflake.",
            "mode": "timestamp",
            "table.include.list": "SALES.PUBLIC.ORDERS",
            "table.exclude.list": "SALES.PUBLIC.ORDERS_ARCHIVE",
            "timestamp.columns.mapping": "SALES.PUBLIC.ORDERS:[UPDATED_AT]",
            "timestamp.initial": "-1",
            "db.timezone": "America/New_York",
            "output.data.format": "PROTOBUF",
            "quote.sql.identifiers": "always",
            "tasks.max": "1",
        },
        id="snowflake-source-service-account-timestamp",
    ),
]

DATAGEN_SOURCE = [
    pytest.param(
        {
            "connector.class": "DatagenSource",
            "name": "DatagenSourceConnector_0",
            "kafka.auth.mode": "SERVICE_ACCOUNT",
            "kafka.service.account.id": "sa-xxxx",
            "kafka.topic": "sales.dev.orders",
            "output.data.format": "JSON",
            "quickstart": "ORDERS",
            "tasks.max": "1",
        },
        id="datagen-quickstart-json",
    ),
    pytest.param(
        {
            "connector.class": "DatagenSource",
            "name": "DatagenSourceConnector_1",
            **KAFKA,
            "kafka.topic": "sales.dev.pageviews",
            "output.data.format": "AVRO",
            "schema.string": json.dumps(
                {
                    "type": "record",
                    "name": "pageview",
                    "fields": [{"name": "viewtime", "type": "long"}, {"name": "userid", "type": "string"}],
                }
            ),
            "schema.keyfield": "userid",
            "max.interval": "500",
            "schema.context.name": "default",
            "tasks.max": "1",
        },
        id="datagen-schema-string-avro",
    ),
    pytest.param(
        {
            "connector.class": "DatagenSource",
            "name": "DatagenSourceConnector_2",
            **KAFKA,
            "kafka.topic": "sales.dev.users",
            "output.data.format": "JSON_SR",
            "quickstart": "USERS",
            "max.interval": "100",
            "value.converter.decimal.format": "NUMERIC",
            "auto.restart.on.user.error": "false",
            "tasks.max": "1",
        },
        id="datagen-quickstart-json-sr",
    ),
]

S3_SOURCE = [
    pytest.param(
        {
            "connector.class": "S3Source",
            "name": "S3SourceConnector_0",
            **KAFKA,
            "topic.regex.list": "sales.dev.s3-orders:.*",
            "input.data.format": "JSON",
            "output.data.format": "JSON",
            "authentication.method": "Access Keys",
            "aws.access.key.id": "AKIAIOSFODNN7EXAMPLE",
            "aws.secret.access.key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "s3.bucket.name": "sales-exports",
            "s3.region": "eu-west-1",
            "topics.dir": "topics",
            "tasks.max": "1",
        },
        id="s3-source-access-keys",
    ),
    pytest.param(
        {
            "connector.class": "S3Source",
            "name": "S3SourceConnector_1",
            "kafka.auth.mode": "SERVICE_ACCOUNT",
            "kafka.service.account.id": "sa-xxxx",
            "topic.regex.list": "sales.dev.s3-avro:.*\\.avro",
            "input.data.format": "AVRO",
            "output.data.format": "AVRO",
            "authentication.method": "IAM Roles",
            "provider.integration.id": "cspi-4q8x2z",
            "s3.bucket.name": "sales-archive",
            "s3.region": "us-east-1",
            "topics.dir": "exports/avro",
            "file.discovery.starting.timestamp": "1717200000000",
            "s3.poll.interval.ms": "300000",
            "tasks.max": "2",
        },
        id="s3-source-iam-role-provider-integration",
    ),
    pytest.param(
        {
            "connector.class": "S3Source",
            "name": "S3SourceConnector_2",
            **KAFKA,
            "topic.regex.list": "sales.dev.s3-raw:.*",
            "input.data.format": "BYTES",
            "output.data.format": "BYTES",
            "aws.access.key.id": "AKIAIOSFODNN7EXAMPLE",
            "aws.secret.access.key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "s3.bucket.name": "sales-raw",
            "s3.region": "eu-central-1",
            "format.bytearray.separator": "\\n",
            "record.batch.max.size": "500",
            "ui.behavior.on.error": "IGNORE",
            "tasks.max": "1",
        },
        id="s3-source-default-access-keys-bytes",
    ),
]

AZURE_EVENT_HUBS_SOURCE = [
    pytest.param(
        {
            "connector.class": "AzureEventHubsSource",
            "name": "AzureEventHubsSourceConnector_0",
            **KAFKA,
            "kafka.topic": "sales.dev.eventhubs",
            "azure.eventhubs.sas.keyname": "RootManageSharedAccessKey",
            "azure.eventhubs.sas.key": "tNmbWhxIDcjKDKPo3pJq1VskXEXAMPLEKEY=",
            "azure.eventhubs.namespace": "sales-ns",
            "azure.eventhubs.hub.name": "orders",
            "tasks.max": "1",
        },
        id="event-hubs-sas-key",
    ),
    pytest.param(
        {
            "connector.class": "AzureEventHubsSource",
            "name": "AzureEventHubsSourceConnector_1",
            "kafka.auth.mode": "SERVICE_ACCOUNT",
            "kafka.service.account.id": "sa-xxxx",
            "kafka.topic": "sales.dev.telemetry",
            "azure.eventhubs.sas.keyname": "kafka-listen",
            "azure.eventhubs.sas.key": "tNmbWhxIDcjKDKPo3pJq1VskXEXAMPLEKEY=",
            "azure.eventhubs.namespace": "sales-telemetry",
            "azure.eventhubs.hub.name": "devices",
            "azure.eventhubs.consumer.group": "kafka-connect",
            "azure.eventhubs.partition.starting.position": "END_OF_STREAM",
            "azure.eventhubs.transport.type": "AMQP_WEB_SOCKETS",
            "max.events": "100",
            "tasks.max": "2",
        },
        id="event-hubs-sas-key-web-sockets-end-of-stream",
    ),
    pytest.param(
        {
            "connector.class": "AzureEventHubsSource",
            "name": "AzureEventHubsSourceConnector_2",
            **KAFKA,
            "kafka.topic": "sales.dev.gov-events",
            "azure.eventhubs.sas.keyname": "kafka-listen",
            "azure.eventhubs.sas.key": "tNmbWhxIDcjKDKPo3pJq1VskXEXAMPLEKEY=",
            "azure.eventhubs.namespace": "sales-gov",
            "azure.eventhubs.hub.name": "events",
            "azure.eventhubs.domain": "servicebus.usgovcloudapi.net",
            "azure.eventhubs.offset.type": "OFFSET",
            "auto.restart.on.user.error": "false",
            "tasks.max": "1",
        },
        id="event-hubs-sas-key-government-cloud",
    ),
]

POSTGRES_CDC_SOURCE = [
    pytest.param(
        {
            "connector.class": "PostgresCdcSourceV2",
            "name": "PostgresCdcSourceV2Connector_0",
            **KAFKA,
            "database.hostname": "db.example.com",
            "database.port": "5432",
            "database.user": "postgres",
            "database.password": "my-password",
            "database.dbname": "postgres",
            "database.sslmode": "require",
            "topic.prefix": "sales.dev.pg",
            "table.include.list": "public.orders,public.customers",
            "output.data.format": "JSON",
            "tasks.max": "1",
        },
        id="postgres-cdc-v2-password",
    ),
    pytest.param(
        {
            "connector.class": "PostgresCdcSourceV2",
            "name": "PostgresCdcSourceV2Connector_1",
            "kafka.auth.mode": "SERVICE_ACCOUNT",
            "kafka.service.account.id": "sa-xxxx",
            "authentication.method": "Google service account impersonation",
            "provider.integration.id": "cspi-9gcp12",
            "database.hostname": "10.20.30.40",
            "database.port": "5432",
            "database.user": "cdc-sa@sales-project.iam",
            "database.dbname": "shop",
            "topic.prefix": "sales.dev.cloudsql",
            "table.include.list": "public.orders",
            "output.data.format": "AVRO",
            "output.key.format": "AVRO",
            "snapshot.mode": "no_data",
            "tasks.max": "1",
        },
        id="postgres-cdc-v2-google-service-account-impersonation",
    ),
    pytest.param(
        {
            "connector.class": "PostgresCdcSourceV2",
            "name": "PostgresCdcSourceV2Connector_2",
            **KAFKA,
            "authentication.method": "Password",
            "database.hostname": "orders.cluster-abc123.eu-west-1.rds.amazonaws.com",
            "database.port": "5432",
            "database.user": "debezium",
            "database.password": "my-password",
            "database.dbname": "orders",
            "database.sslmode": "verify-full",
            "database.sslrootcert": "-----BEGIN CERTIFICATE-----MIIEBjCCAu6gAwIBAgIJAMc0ZzaSUK51-----END CERTIFICATE-----",
            "topic.prefix": "sales.dev.rds",
            "table.include.list": "public.orders",
            "column.exclude.list": "public.orders.card_number",
            "after.state.only": "true",
            "decimal.handling.mode": "string",
            "heartbeat.interval.ms": "60000",
            "tombstones.on.delete": "false",
            "output.data.format": "JSON_SR",
            "tasks.max": "1",
        },
        id="postgres-cdc-v2-password-verify-full",
    ),
]

DOCUMENTED_CONFIGS = [*SNOWFLAKE_SOURCE, *DATAGEN_SOURCE, *S3_SOURCE, *AZURE_EVENT_HUBS_SOURCE, *POSTGRES_CDC_SOURCE]


TOPIC_AND_IDENTITY_KEYS = {
    "name",
    "connector.class",
    "tasks.max",
    "topic.prefix",
    "topics",
    "kafka.topic",
    "topic.regex.list",
}


def connector_keys(config: dict) -> set[str]:
    """The connector's own properties in a config (not its name, class, Kafka credentials, tasks or topics)."""
    return {
        key for key in config if key not in TOPIC_AND_IDENTITY_KEYS and not key.startswith(("kafka.", "api1.topics"))
    }


@pytest.mark.parametrize("config", DOCUMENTED_CONFIGS)
def test_a_documented_config_imports_on_confluent_cloud_and_renders_what_the_user_set(developer, cloud, config):
    response = post_import(developer, config)

    assert response.status_code == 200, json.dumps(response.json(), indent=1)
    body = response.json()
    assert body["valid"] is True and body["dry_run"] is True and body["report"]["refused"] == {}
    sent = validated_configs(cloud.server)[-1]  # what Confluent Cloud was asked to validate: what would be created
    secrets = set(body["request"]["credentials"])
    for key in connector_keys(config):
        expected = config[key]
        if key == "mode":
            expected = expected.upper()  # rendered in Connect's spelling
        assert sent[key] == expected, key
        assert body["rendered"][key] == (MASK if key in secrets else expected), key
    assert body["report"]["set_by_platform"]["name"]["value"] == body["name"]
    assert body["report"]["set_by_platform"]["kafka.auth.mode"]["value"] == "SERVICE_ACCOUNT"
    assert "cloud-secret" not in response.content.decode() and "MIIE" not in response.content.decode()
    assert not Connector.objects.exists()


def test_a_lower_case_snowflake_mode_is_accepted_and_rendered_in_connects_spelling(developer, cloud):
    config = {**SNOWFLAKE_SOURCE[0].values[0], "mode": "timestamp+incrementing"}
    config.update(
        {
            "timestamp.columns.mapping": "SALES.PUBLIC.ORDERS:[UPDATED_AT]",
            "incrementing.column.mapping": "SALES.PUBLIC.ORDERS:ID",
        }
    )
    body = post_import(developer, config).json()
    assert body["valid"] is True
    assert body["request"]["config"]["mode"] == "timestamp+incrementing"  # the request keeps what was sent
    assert body["rendered"]["mode"] == validated_configs(cloud.server)[-1]["mode"] == "TIMESTAMP+INCREMENTING"


def test_a_snowflake_source_without_db_timezone_is_a_400_on_that_field(developer, cloud):
    config = {key: value for key, value in SNOWFLAKE_SOURCE[0].values[0].items() if key != "db.timezone"}
    response = post_import(developer, config)
    assert response.status_code == 400
    assert response.json()["errors"] == {"config.db.timezone": ["this field is required."]}


def test_the_report_says_what_is_mapped_set_by_the_platform_and_refused_and_nothing_is_dropped(developer, cloud):
    config = {
        **SNOWFLAKE_SOURCE[0].values[0],
        "errors.tolerance": "all",
        "datapreview.schemas.enable": "true",
        "value.converter.decimal.format": "NUMERIC",
        "offsets.storage.topic": "someone-elses-offsets",
        "no.such.setting": "1",
    }
    response = post_import(developer, config)

    assert response.status_code == 400
    report = response.json()["report"]
    assert report["mapped"]["connection.private.key"] == "credentials.connection.private.key"
    assert report["mapped"]["topic.prefix"] == "topics" and report["mapped"]["tasks.max"] == "tasks_max"
    assert report["mapped"]["errors.tolerance"] == "error_handling.tolerance"
    assert (
        report["set_by_platform"]["kafka.api.secret"]["reason"] == "the platform sets the connector's Kafka credentials"
    )
    assert response.json()["rendered"]["errors.tolerance"] == "all"  # the request's error_handling renders it
    # On Confluent Cloud the converter's options are the tenant's (the platform sets only output.data.format).
    assert report["mapped"]["value.converter.decimal.format"] == "config.value.converter.decimal.format"
    assert set(report["refused"]) == {"datapreview.schemas.enable", "offsets.storage.topic", "no.such.setting"}
    assert "data preview" in report["refused"]["datapreview.schemas.enable"]
    assert "internal topics" in report["refused"]["offsets.storage.topic"]  # owned, and not set: never dropped
    assert set(response.json()["errors"]) == {
        "config.datapreview.schemas.enable",
        "config.offsets.storage.topic",
        "config.no.such.setting",
    }


def test_connects_rest_answer_is_taken_too(developer, cloud):
    config = SNOWFLAKE_SOURCE[0].values[0]
    rest = {
        "name": config["name"],
        "config": config,
        "tasks": [{"connector": config["name"], "task": 0}],
        "type": "source",
    }
    response = post_import(developer, rest)
    assert response.status_code == 200, response.json()
    assert response.json()["request"]["type"] == "snowflake-source"


def test_offsets_are_refused_not_dropped(developer, cloud):
    response = post_import(developer, {"name": "x", "config": SNOWFLAKE_SOURCE[0].values[0], "offsets": []})
    assert response.status_code == 400
    assert "offsets" in response.json()["errors"]["config.offsets"][0]


def test_a_config_without_connector_class_or_of_an_unknown_class_is_a_400(developer, cloud):
    assert post_import(developer, {"name": "x"}).json()["errors"] == {
        "config.connector.class": ["is required: it says which connector this config is for."]
    }
    assert (
        "is not a connector the catalog offers"
        in (post_import(developer, {"connector.class": "GcsSink"}).json()["errors"]["config.connector.class"][0])
    )


def test_without_dry_run_it_creates_through_the_same_service_as_post_connectors(developer, cloud, tenant):
    response = post_import(developer, SNOWFLAKE_SOURCE[0].values[0], dry_run=None)

    assert response.status_code == 202, response.json()
    connector = Connector.objects.get()
    assert response.json()["connector"]["name"] == connector.name == "edh-shared-sales-dev-imported-connector"
    assert connector.type_key == "snowflake-source" and connector.config["mode"] == "bulk"
    assert connector.credential_keys == ["connection.private.key"]
    again = post_import(developer, SNOWFLAKE_SOURCE[0].values[0], dry_run="false")
    assert again.status_code == 409


def test_dry_run_must_be_true_or_false(developer, cloud):
    response = post_import(developer, SNOWFLAKE_SOURCE[0].values[0], dry_run="yes")
    assert response.status_code == 400 and response.json()["errors"] == {"dry_run": ["must be true or false."]}


def test_a_viewer_cannot_import(client_for, tenant, cloud):
    assert post_import(client_for(tenant, Role.VIEWER), SNOWFLAKE_SOURCE[0].values[0]).status_code == 403


def test_an_unknown_top_level_field_is_a_400(developer, cloud):
    response = post_import(developer, SNOWFLAKE_SOURCE[0].values[0], dryrun=True)
    assert response.status_code == 400 and "dryrun" in response.json()["errors"]
