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
from tests.loopback import Seen, confluent_cloud_cluster

pytestmark = [pytest.mark.django_db]

IMPORT = "/api/v1/connectors/import"
CLOUD_PREFIX = "/connect/v1/environments/env-1/clusters/lkc-1"
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
    with confluent_cloud_cluster(confluent_cloud, tenants=[tenant]) as cluster:
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
            "database.sslrootcert": (
                "-----BEGIN CERTIFICATE-----MIIEBjCCAu6gAwIBAgIJAMc0ZzaSUK51-----END CERTIFICATE-----"
            ),
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

MYSQL_CDC_SOURCE = [
    pytest.param(
        {
            "connector.class": "MySqlCdcSourceV2",
            "name": "MySqlCdcSourceV2Connector_0",
            **KAFKA,
            "database.hostname": "mysql.example.com",
            "database.port": "3306",
            "database.user": "debezium",
            "database.password": "dbz",
            "database.include.list": "inventory",
            "table.include.list": "inventory.orders",
            "topic.prefix": "sales.dev.mysql",
            "output.data.format": "JSON",
            "tasks.max": "1",
        },
        id="mysql-cdc-v2-password",
    ),
    pytest.param(
        {
            "connector.class": "MySqlCdcSourceV2",
            "name": "MySqlCdcSourceV2Connector_1",
            "kafka.auth.mode": "SERVICE_ACCOUNT",
            "kafka.service.account.id": "sa-xxxx",
            "authentication.method": "IAM Roles",
            "provider.integration.id": "cspi-7aws34",
            "database.aws.region": "eu-west-1",
            "database.hostname": "shop.cluster-abc123.eu-west-1.rds.amazonaws.com",
            "database.port": "3306",
            "database.user": "iam_cdc",
            "table.include.list": "shop.orders,shop.customers",
            "topic.prefix": "sales.dev.aurora",
            "output.data.format": "AVRO",
            "output.key.format": "AVRO",
            "snapshot.mode": "when_needed",
            "tasks.max": "1",
        },
        id="mysql-cdc-v2-aws-iam-role",
    ),
    pytest.param(
        {
            "connector.class": "MySqlCdcSourceV2",
            "name": "MySqlCdcSourceV2Connector_2",
            **KAFKA,
            "authentication.method": "Password",
            "database.hostname": "mysql.example.com",
            "database.port": "3306",
            "database.user": "debezium",
            "database.password": "dbz",
            "database.ssl.mode": "verify_identity",
            "database.ssl.truststore": "data:text/plain;base64,MIIKDgIBAzCCCcoGCSqGSIb3DQEHAaCCCbsEggm3",
            "database.ssl.truststore.password": "changeit",
            "table.include.list": "inventory.orders",
            "topic.prefix": "sales.dev.mysql-tls",
            "after.state.only": "true",
            "snapshot.locking.mode": "none",
            "schema.history.internal.skip.unparseable.ddl": "true",
            "driver.connectionTimeZone": "UTC",
            "output.data.format": "JSON_SR",
            "tasks.max": "1",
        },
        id="mysql-cdc-v2-password-verify-identity",
    ),
]

SNOWFLAKE_SINK = [
    pytest.param(
        {
            "connector.class": "SnowflakeSink",
            "name": "SnowflakeSinkConnector_0",
            **KAFKA,
            "topics": "sales.dev.orders",
            "input.data.format": "JSON",
            "snowflake.url.name": "https://wm83168.us-central1.gcp.snowflakecomputing.com:443",
            "snowflake.user.name": "KAFKA_WRITER",
            "snowflake.private.key": "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC0",
            "snowflake.database.name": "SALES",
            "snowflake.schema.name": "RAW",
            "tasks.max": "1",
        },
        id="snowflake-sink-key-pair-snowpipe",
    ),
    pytest.param(
        {
            "connector.class": "SnowflakeSink",
            "name": "SnowflakeSinkConnector_1",
            "kafka.auth.mode": "SERVICE_ACCOUNT",
            "kafka.service.account.id": "sa-xxxx",
            "topics": "sales.dev.orders,sales.dev.refunds",
            "input.data.format": "AVRO",
            "snowflake.url.name": "https://myaccount.eu-west-1.snowflakecomputing.com:443",
            "authentication.method": "Password",
            "snowflake.user.name": "KAFKA_WRITER",
            "snowflake.private.key": "MIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI",
            "snowflake.private.key.passphrase": "correct horse battery staple",
            "snowflake.role.name": "KAFKA_CONNECTOR",
            "snowflake.database.name": "SALES",
            "snowflake.schema.name": "STREAMING",
            "snowflake.topic2table.map": "sales.dev.orders:ORDERS,sales.dev.refunds:REFUNDS",
            "snowflake.ingestion.method": "SNOWPIPE_STREAMING",
            "snowflake.enable.schematization": "true",
            "buffer.flush.time": "10",
            "buffer.count.records": "10000",
            "tasks.max": "2",
        },
        id="snowflake-sink-encrypted-key-pair-snowpipe-streaming",
    ),
    pytest.param(
        {
            "connector.class": "SnowflakeSink",
            "name": "SnowflakeSinkConnector_2",
            **KAFKA,
            "topics": "sales.dev.orders",
            "input.data.format": "JSON_SR",
            "snowflake.url.name": "https://myaccount.eu-west-1.snowflakecomputing.com:443",
            "authentication.method": "OAuth 2.0",
            "oauth.client.id": "kafka-connector-integration",
            "oauth.client.secret": "integration-secret",
            "oauth.refresh.token": "ver:2-hint:1234-ETMsDgAAAZ",
            "oauth.token.endpoint": "https://myaccount.eu-west-1.snowflakecomputing.com:443/oauth/token-request",
            "snowflake.user.name": "KAFKA_WRITER",
            "snowflake.role.name": "KAFKA_CONNECTOR",
            "snowflake.database.name": "SALES",
            "snowflake.schema.name": "RAW",
            "snowflake.metadata.offset.and.partition": "false",
            "tasks.max": "1",
        },
        id="snowflake-sink-oauth",
    ),
]

# Mutual TLS as the HTTP V2 connectors take it: the key and trust stores themselves (Confluent Cloud has no files).
MUTUAL_TLS = {
    "https.ssl.enabled": "true",
    "https.ssl.truststorefile": "data:text/plain;base64,MIIKDgIBAzCCCcoGCSqGSIb3DQEHAaCCCbsEggm3",
    "https.ssl.truststore.password": "confluent",
    "https.ssl.keystorefile": "data:text/plain;base64,MIIKDgIBAzCCCcoGCSqGSIb3DQEHAaCCCbsEggm4",
    "https.ssl.keystore.password": "confluent",
    "https.ssl.key.password": "confluent",
}
HTTP_SINK = {"connector.class": "HttpSinkV2", **KAFKA, "topics": "sales.dev.orders", "input.data.format": "JSON"}
HTTP_SINK_V2 = [
    pytest.param(
        {
            **HTTP_SINK,
            "name": "HttpSinkV2Connector_0",
            "http.api.base.url": "https://api.example.com",
            "behavior.on.error": "FAIL",
            "apis.num": "1",
            "api1.http.api.path": "/orders",
            "api1.topics": "sales.dev.orders",
            "api1.request.body.format": "JSON",
            "api1.http.request.headers": "Content-Type: application/json",
            "api1.test.api": "false",
            "tasks.max": "1",
        },
        id="http-sink-v2-no-authentication",
    ),
    pytest.param(
        {
            **HTTP_SINK,
            "name": "HttpSinkV2Connector_1",
            "http.api.base.url": "https://api.example.com/v1",
            "auth.type": "BASIC",
            "connection.user": "kafka",
            "connection.password": "basic-secret",
            "api1.http.api.path": "/orders/${key}",
            "api1.topics": "sales.dev.orders",
            "api1.http.request.method": "PUT",
            "api1.max.batch.size": "10",
            "api1.batch.json.as.array": "true",
            "api1.max.retries": "3",
            "api1.retry.on.status.codes": "408,429,500-",
            "api1.test.api": "false",
            "tasks.max": "1",
        },
        id="http-sink-v2-basic",
    ),
    pytest.param(
        {
            **HTTP_SINK,
            "name": "HttpSinkV2Connector_2",
            "http.api.base.url": "https://api.example.com",
            "auth.type": "OAUTH2",
            "oauth2.token.url": "https://login.example.com/oauth/token",
            "oauth2.client.id": "kc-client",
            "oauth2.client.secret": "kc-secret",
            "oauth2.client.scope": "orders.write",
            "oauth2.client.auth.mode": "header",
            "api1.http.api.path": "/api/messages",
            "api1.topics": "sales.dev.orders",
            "api1.behavior.on.null.values": "DELETE",
            "report.errors.as": "http_response",
            "tasks.max": "1",
        },
        id="http-sink-v2-oauth2-client-credentials",
    ),
    pytest.param(
        {
            **HTTP_SINK,
            "name": "HttpSinkV2Connector_3",
            "http.api.base.url": "https://api.example.com",
            "auth.type": "API_KEY",
            "api.key.location": "HEADER",
            "api.key.name": "X-API-KEY",
            "api.key.value": "key-123",
            "api1.http.api.path": "/events",
            "api1.topics": "sales.dev.orders",
            "api1.http.request.method": "POST",
            "tasks.max": "1",
        },
        id="http-sink-v2-api-key",
    ),
    pytest.param(
        {
            **HTTP_SINK,
            "name": "HttpSinkV2Connector_4",
            "input.data.format": "AVRO",
            "http.api.base.url": "https://mtls.example.com:8443",
            "auth.type": "BEARER",
            "bearer.token": "eyJhbGciOiJIUzI1NiJ9",
            "behavior.on.error": "FAIL",
            "api1.http.api.path": "/api/messages",
            "api1.topics": "sales.dev.orders",
            "api1.request.body.format": "JSON",
            "api1.test.api": "false",
            **MUTUAL_TLS,
            "https.ssl.protocol": "TLSv1.2",
            "https.host.verifier.enabled": "false",
            "tasks.max": "1",
        },
        id="http-sink-v2-bearer-with-mutual-tls",
    ),
]

HTTP_SOURCE = {"connector.class": "HttpSourceV2", **KAFKA, "output.data.format": "AVRO", "tasks.max": "1"}
HTTP_SOURCE_V2 = [
    pytest.param(
        {
            **HTTP_SOURCE,
            "name": "HttpSourceV2Connector_0",
            "http.api.base.url": "https://search.example.com",
            "behavior.on.error": "FAIL",
            "apis.num": "1",
            "api1.http.api.path": "/test-index/_search",
            "api1.topics": "sales.dev.http-search",
            "api1.http.request.headers": "Content-Type: application/json",
            "api1.test.api": "false",
            "api1.http.offset.mode": "CHAINING",
            "api1.http.request.method": "POST",
            "api1.http.request.body": '{"size": 100, "sort": [{"@time": "asc"}], "search_after": [${offset}]}',
            "api1.http.initial.offset": "1647948000000",
            "api1.http.response.data.json.pointer": "/hits/hits",
            "api1.http.offset.json.pointer": "/sort/0",
            "api1.request.interval.ms": "5000",
        },
        id="http-source-v2-no-authentication-chaining",
    ),
    pytest.param(
        {
            **HTTP_SOURCE,
            "name": "HttpSourceV2Connector_1",
            "http.api.base.url": "https://crm.example.com/api",
            "auth.type": "BASIC",
            "connection.user": "kafka",
            "connection.password": "basic-secret",
            "api1.http.api.path": "/contacts",
            "api1.topics": "sales.dev.http-contacts",
            "api1.http.offset.mode": "SIMPLE_INCREMENTING",
            "api1.http.initial.offset": "0",
            "api1.http.request.parameters": "page=${offset}",
            "api1.http.response.data.json.pointer": "/data",
        },
        id="http-source-v2-basic",
    ),
    pytest.param(
        {
            **HTTP_SOURCE,
            "name": "HttpSourceV2Connector_2",
            "output.data.format": "JSON_SR",
            "http.api.base.url": "https://storage.example.com",
            "auth.type": "OAUTH2",
            "oauth2.token.url": "https://login.example.com/oauth/token",
            "oauth2.client.id": "kc-client",
            "oauth2.client.secret": "kc-secret",
            "oauth2.client.scope": "objects.read",
            "api1.http.api.path": "/storage/v1/b/test-bucket/o",
            "api1.topics": "sales.dev.http-objects",
            "api1.http.offset.mode": "CURSOR_PAGINATION",
            "api1.http.request.method": "GET",
            "api1.http.request.parameters": "pageToken=${offset}",
            "api1.http.response.data.json.pointer": "/items",
            "api1.http.next.page.json.pointer": "/nextPageToken",
            "api1.request.interval.ms": "1000",
        },
        id="http-source-v2-oauth2-cursor-pagination",
    ),
    pytest.param(
        {
            **HTTP_SOURCE,
            "name": "HttpSourceV2Connector_3",
            "http.api.base.url": "https://weather.example.com",
            "auth.type": "API_KEY",
            "api.key.location": "QUERY",
            "api.key.name": "appid",
            "api.key.value": "key-123",
            "api1.http.api.path": "/data/2.5/weather",
            "api1.topics": "sales.dev.http-weather",
            "api1.http.request.parameters": "q=Zurich",
            "api1.request.interval.ms": "600000",
        },
        id="http-source-v2-api-key-in-query",
    ),
    pytest.param(
        {
            **HTTP_SOURCE,
            "name": "HttpSourceV2Connector_4",
            "http.api.base.url": "https://mtls.example.com:8443",
            "auth.type": "BEARER",
            "bearer.token": "eyJhbGciOiJIUzI1NiJ9",
            **MUTUAL_TLS,
            "api1.http.api.path": "/api/messages",
            "api1.topics": "sales.dev.http-messages",
            "api1.http.offset.mode": "SIMPLE_INCREMENTING",
            "api1.http.initial.offset": "0",
        },
        id="http-source-v2-bearer-with-mutual-tls",
    ),
]

DOCUMENTED_CONFIGS = [
    *HTTP_SOURCE_V2,
    *HTTP_SINK_V2,
    *SNOWFLAKE_SINK,
    *SNOWFLAKE_SOURCE,
    *DATAGEN_SOURCE,
    *S3_SOURCE,
    *AZURE_EVENT_HUBS_SOURCE,
    *POSTGRES_CDC_SOURCE,
    *MYSQL_CDC_SOURCE,
]


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
