"""Every connector type the platform offers, as data.

Sources for the keys, required flags and enums: connect_api_reference.md §2.4 (Confluent Cloud
`config/validate` dumps), §3 (Debezium PostgreSQL) and the plugins' own configuration references.

Adding a type means adding a `ConnectorType` here and to `ALL_TYPES`; nothing else changes.
"""

from __future__ import annotations

from connectors.catalog.policy import CLOUD_CONVERTER_OPTIONS, with_plugin_definitions
from connectors.catalog.registry import (
    AT_LEAST_ONCE,
    CDC_CONSUMER_EXPECTATIONS,
    EXACTLY_ONCE,
    SINK,
    SOURCE,
    ConnectorType,
    Dependency,
    FieldSpec,
    Implementation,
)
from connectors.catalog.values import case_insensitive
from controlplane.flavours import CONFLUENT_CLOUD, SELF_MANAGED

SM = frozenset({SELF_MANAGED})
CC = frozenset({CONFLUENT_CLOUD})

JSON_CONVERTER = "org.apache.kafka.connect.json.JsonConverter"
STRING_CONVERTER = "org.apache.kafka.connect.storage.StringConverter"
BYTE_ARRAY_CONVERTER = "org.apache.kafka.connect.converters.ByteArrayConverter"
SNOWFLAKE_JSON_CONVERTER = "com.snowflake.kafka.connector.records.SnowflakeJsonConverter"


def json_converters(*, schemas: bool) -> dict[str, str]:
    """JsonConverter for key and value. With schemas (CDC, JDBC) the records keep their Connect
    schema in an envelope, so a schema-aware sink can rebuild them; without, plain JSON."""
    flag = "true" if schemas else "false"
    return {
        "key.converter": JSON_CONVERTER,
        "key.converter.schemas.enable": flag,
        "value.converter": JSON_CONVERTER,
        "value.converter.schemas.enable": flag,
    }


# Confluent-licensed self-managed plugins keep their licence in a topic on the cluster.
CONFLUENT_LICENSE_TOPIC = {
    "confluent.topic.bootstrap.servers": "{bootstrap_servers}",
    "confluent.topic.replication.factor": "{replication_factor}",
}

# Topics the platform names for a connector always live inside the tenant's topic prefix.
SCHEMA_HISTORY_TOPIC = "{topic_namespace}schema-history.{connector_name}"
SUCCESS_TOPIC = "{topic_namespace}success.{connector_name}"
ERROR_TOPIC = "{topic_namespace}error.{connector_name}"


def output_data_format(*, default: str, values: tuple[str, ...]) -> FieldSpec:
    return FieldSpec(
        "output.data.format",
        "string",
        default=default,
        enum=values,
        flavours=CC,
        help="Format of the records written to Kafka. AVRO, JSON_SR and PROTOBUF need Schema Registry.",
    )


def input_data_format(*, values: tuple[str, ...], default: str | None) -> FieldSpec:
    return FieldSpec(
        "input.data.format",
        "string",
        required=default is None,
        default=default,
        enum=values,
        flavours=CC,
        help=(
            "Format of the records read (sinks) or of the stored objects (S3). "
            "AVRO, JSON_SR and PROTOBUF need Schema Registry."
        ),
    )


# How Debezium CDC connectors snapshot and mark deletes: the same on PostgreSQL and MySQL.
DEBEZIUM_STREAM_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "snapshot.mode",
        "string",
        default="initial",
        enum=("initial", "initial_only", "no_data", "when_needed"),
        enum_ignore_case=True,  # Debezium parses its enumerations in any case
        help="initial: snapshot the tables once, then stream changes; no_data: stream changes only.",
    ),
    FieldSpec(
        "tombstones.on.delete",
        "boolean",
        default=True,
        help="Follow each delete event with a tombstone (same key, null value) so compaction can drop the row.",
    ),
)


def port(default: int) -> FieldSpec:
    return FieldSpec("database.port", "integer", default=default, minimum=1, maximum=65535, help="Database port.")


# Confluent Cloud's managed CDC connectors: a password, or a cloud identity through a provider integration
# (Google service account impersonation for Cloud SQL, an AWS IAM role for RDS), one of them.
def cloud_database_authentication(*, identity: str) -> tuple[FieldSpec, ...]:
    return (
        FieldSpec(
            "authentication.method",
            "string",
            default="Password",
            enum=("Password", identity),
            render_default=False,
            flavours=CC,
            help=f"Password (database.password) or {identity} (provider.integration.id).",
        ),
        FieldSpec("database.password", "password", secret=True, flavours=CC, help="Password of database.user."),
        FieldSpec(
            "provider.integration.id",
            "string",
            flavours=CC,
            help=f"A Confluent provider integration for {identity}.",
        ),
    )


def cloud_database_dependencies(*, identity: str) -> tuple[Dependency, ...]:
    return (
        Dependency("authentication.method", ("Password",), ("database.password",)),
        Dependency("authentication.method", (identity,), ("provider.integration.id",)),
    )


GOOGLE_IMPERSONATION = "Google service account impersonation"
AWS_IAM_ROLES = "IAM Roles"

# --- Change data capture (Debezium) ---------------------------------------------------------------

POSTGRES_CDC_SOURCE = ConnectorType(
    key="postgres-cdc-source",
    display_name="PostgreSQL CDC Source",
    kind=SOURCE,
    classes={
        SELF_MANAGED: "io.debezium.connector.postgresql.PostgresConnector",
        CONFLUENT_CLOUD: "PostgresCdcSourceV2",
    },
    fields=(
        FieldSpec("database.hostname", "string", required=True, help="Host name or IP of the PostgreSQL server."),
        port(5432),
        FieldSpec(
            "database.user", "string", required=True, help="A role with REPLICATION LOGIN and SELECT on the tables."
        ),
        FieldSpec(
            "database.password", "password", secret=True, required=True, flavours=SM, help="Password of database.user."
        ),
        *cloud_database_authentication(identity=GOOGLE_IMPERSONATION),
        FieldSpec("database.dbname", "string", required=True, help="The database to capture changes from."),
        FieldSpec(
            "database.sslmode",
            "string",
            default="prefer",
            enum=("disable", "prefer", "require", "verify-ca", "verify-full"),
            enum_ignore_case=True,
            help="TLS to the database server.",
        ),
        FieldSpec(
            "table.include.list",
            "list",
            required=True,
            required_reason="the platform's publication holds only the tables a connector names (filtered)",
            help="Tables to capture: regular expressions matched against 'schema.table', e.g. public.orders.",
        ),
        *DEBEZIUM_STREAM_FIELDS,
        output_data_format(default="JSON", values=("AVRO", "JSON_SR", "PROTOBUF", "JSON")),
    ),
    topic_binding="prefix",
    topic_key="topic.prefix",
    permissions=(
        "REPLICATION LOGIN role",
        "SELECT on captured tables",
        "CREATE on the database (publication)",
        "ownership of the captured tables (to add them to the publication)",
        "server setting wal_level=logical and a free replication slot",
    ),
    docs_url="https://debezium.io/documentation/reference/stable/connectors/postgresql.html",
    fixed_config={
        # pgoutput is built into PostgreSQL 10+; Debezium's own default (decoderbufs) needs a plugin.
        # filtered: the publication holds only the captured tables (all_tables needs a superuser).
        SELF_MANAGED: {"plugin.name": "pgoutput", "publication.autocreate.mode": "filtered"},
        CONFLUENT_CLOUD: {"publication.autocreate.mode": "filtered"},
    },
    converters={SELF_MANAGED: json_converters(schemas=True)},
    dependencies=cloud_database_dependencies(identity=GOOGLE_IMPERSONATION),
    # One slot and one publication per connector (the defaults, 'debezium' / 'dbz_publication',
    # would be shared by every connector on the same database, on both flavours).
    derived_config={
        SELF_MANAGED: {"slot.name": "{replication_slot}", "publication.name": "{publication}"},
        CONFLUENT_CLOUD: {"slot.name": "{replication_slot}", "publication.name": "{publication}"},
    },
    max_tasks=1,
    consumer_expectations=CDC_CONSUMER_EXPECTATIONS,
)

MYSQL_CDC_SOURCE = ConnectorType(
    key="mysql-cdc-source",
    display_name="MySQL CDC Source",
    kind=SOURCE,
    classes={
        SELF_MANAGED: "io.debezium.connector.mysql.MySqlConnector",
        CONFLUENT_CLOUD: "MySqlCdcSourceV2",
    },
    fields=(
        FieldSpec("database.hostname", "string", required=True, help="Host name or IP address of the MySQL server."),
        port(3306),
        FieldSpec(
            "database.user",
            "string",
            required=True,
            help="A user with SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE and REPLICATION CLIENT.",
        ),
        FieldSpec(
            "database.password", "password", secret=True, required=True, flavours=SM, help="Password of database.user."
        ),
        *cloud_database_authentication(identity=AWS_IAM_ROLES),
        FieldSpec(
            "database.server.id",
            "integer",
            required=True,
            minimum=1,
            maximum=4294967295,
            flavours=SM,
            help="A numeric id, unique among all clients of the server's binlog (replicas included).",
        ),
        FieldSpec(
            "database.ssl.mode",
            "string",
            default="preferred",
            enum=("disabled", "preferred", "required", "verify_ca", "verify_identity"),
            enum_ignore_case=True,
            help="TLS to the database server.",
        ),
        FieldSpec("database.include.list", "list", help="Databases to capture (regular expressions)."),
        FieldSpec(
            "table.include.list",
            "list",
            required=True,
            help="Tables to capture: regular expressions matched against 'database.table'.",
        ),
        *DEBEZIUM_STREAM_FIELDS,
        output_data_format(default="JSON", values=("AVRO", "JSON_SR", "PROTOBUF", "JSON")),
    ),
    topic_binding="prefix",
    topic_key="topic.prefix",
    permissions=(
        "SELECT, RELOAD, SHOW DATABASES on the captured databases",
        "REPLICATION SLAVE, REPLICATION CLIENT",
        "server settings binlog_format=ROW and binlog_row_image=FULL",
    ),
    docs_url="https://debezium.io/documentation/reference/stable/connectors/mysql.html",
    converters={SELF_MANAGED: json_converters(schemas=True)},
    dependencies=cloud_database_dependencies(identity=AWS_IAM_ROLES),
    # Debezium MySQL keeps the tables' DDL history in a Kafka topic; keep it inside the tenant's
    # prefix (Confluent Cloud's default, dbhistory.<prefix>.<lcc-id>, would be outside it).
    derived_config={
        SELF_MANAGED: {
            "schema.history.internal.kafka.bootstrap.servers": "{bootstrap_servers}",
            "schema.history.internal.kafka.topic": SCHEMA_HISTORY_TOPIC,
        },
        CONFLUENT_CLOUD: {"schema.history.internal.kafka.topic": SCHEMA_HISTORY_TOPIC},
    },
    max_tasks=1,
    consumer_expectations=CDC_CONSUMER_EXPECTATIONS,
)

# --- Databases by query ----------------------------------------------------------------------------

# Drivers the platform accepts, and driver options that load classes or read/write files on the
# worker (pgjdbc socketFactory/sslfactory/loggerFile, MySQL autoDeserialize/allowLoadLocalInfile,
# interceptors...). Credentials belong in connection.user / connection.password, not in the URL.
JDBC_URL_OPTIONS_REFUSED = (
    "socketfactory",
    "sslfactory",
    "sslhostnameverifier",
    "sslpasswordcallback",
    "authenticationplugin",
    "loggerfile",
    "loggerlevel",
    "autodeserialize",
    "allowloadlocalinfile",
    "allowurlinlocalinfile",
    "interceptors",
    "password",
    "init=",
    "runscript",
)
# In the common subset of Python's re and ECMA-262 (no inline flags): the options in any case.
JDBC_URL_PATTERN = (
    r"jdbc:(?:postgresql|mysql|mariadb|sqlserver|oracle:thin):"
    r"(?!.*(?:" + "|".join(case_insensitive(option) for option in JDBC_URL_OPTIONS_REFUSED) + r"))[^\s]+"
)


def jdbc_url() -> FieldSpec:
    return FieldSpec(
        "connection.url",
        "string",
        required=True,
        pattern=JDBC_URL_PATTERN,
        pattern_help=(
            "use a jdbc:postgresql:, jdbc:mysql:, jdbc:mariadb:, jdbc:sqlserver: or jdbc:oracle:thin: URL, "
            "without a password and without driver options that load classes or files"
        ),
        help="JDBC URL of the database, e.g. jdbc:postgresql://db.example.com:5432/app.",
    )


JDBC_SOURCE = ConnectorType(
    key="jdbc-source",
    display_name="JDBC Source",
    kind=SOURCE,
    classes={SELF_MANAGED: "io.confluent.connect.jdbc.JdbcSourceConnector"},
    fields=(
        jdbc_url(),
        FieldSpec("connection.user", "string", required=True, help="Database user with SELECT on the tables."),
        FieldSpec("connection.password", "password", secret=True, required=True, help="Password of connection.user."),
        FieldSpec(
            "mode",
            "string",
            required=True,
            enum=("bulk", "incrementing", "timestamp", "timestamp+incrementing"),
            help="How new rows are found: bulk re-reads whole tables; the others follow a column.",
        ),
        FieldSpec("table.whitelist", "list", required=True, help="Tables to copy."),
        FieldSpec("incrementing.column.name", "string", help="Strictly increasing column (incrementing modes)."),
        FieldSpec("timestamp.column.name", "list", help="Timestamp column(s) of the last change (timestamp modes)."),
        FieldSpec(
            "poll.interval.ms",
            "integer",
            default=5000,
            minimum=100,
            maximum=86_400_000,
            help="How often each table is polled (ms).",
        ),
    ),
    topic_binding="prefix",
    topic_key="topic.prefix",
    permissions=("SELECT on the listed tables",),
    docs_url="https://docs.confluent.io/kafka-connectors/jdbc/current/source-connector/source_config_options.html",
    converters={SELF_MANAGED: json_converters(schemas=True)},
    dependencies=(
        Dependency("mode", ("incrementing", "timestamp+incrementing"), ("incrementing.column.name",)),
        Dependency("mode", ("timestamp", "timestamp+incrementing"), ("timestamp.column.name",)),
    ),
)

# Debezium's JDBC sink (open source, on Maven Central) runs the JDBC Sink where Confluent's is not installed.
# The request keeps Confluent's names; these are Debezium's for the same settings.
DEBEZIUM_JDBC_SINK = Implementation(
    connector_class="io.debezium.connector.jdbc.JdbcSinkConnector",
    name="Debezium JDBC sink",
    renames={
        "connection.user": "connection.username",
        "pk.mode": "primary.key.mode",
        "pk.fields": "primary.key.fields",
        "table.name.format": "collection.name.format",
        "auto.create": "schema.evolution",
    },
    values={"auto.create": {"true": "basic", "false": "none"}},
    unsupported={
        "auto.evolve": "it creates and evolves tables together (schema.evolution=basic): set auto.create instead",
    },
)

JDBC_SINK = ConnectorType(
    key="jdbc-sink",
    display_name="JDBC Sink",
    kind=SINK,
    classes={SELF_MANAGED: "io.confluent.connect.jdbc.JdbcSinkConnector"},
    alternatives={SELF_MANAGED: (DEBEZIUM_JDBC_SINK,)},
    fields=(
        jdbc_url(),
        FieldSpec("connection.user", "string", required=True, help="Database user that writes the tables."),
        FieldSpec("connection.password", "password", secret=True, required=True, help="Password of connection.user."),
        FieldSpec(
            "insert.mode",
            "string",
            default="insert",
            enum=("insert", "upsert", "update"),
            help="insert: plain INSERTs; upsert: insert or update by primary key; update: UPDATEs only.",
        ),
        FieldSpec(
            "pk.mode",
            "string",
            default="none",
            enum=("none", "kafka", "record_key", "record_value"),
            help="Where the primary key comes from: the record's key, its value, or its Kafka coordinates.",
        ),
        FieldSpec("pk.fields", "list", help="The primary key's fields (all of the key's fields when empty)."),
        FieldSpec(
            "delete.enabled", "boolean", default=False, help="A tombstone deletes the row (needs pk.mode=record_key)."
        ),
        FieldSpec("auto.create", "boolean", default=False, help="Create the table when it does not exist."),
        FieldSpec("auto.evolve", "boolean", default=False, help="Add columns the records have and the table lacks."),
        FieldSpec(
            "table.name.format",
            "string",
            default="${topic}",
            placeholders=("${topic}",),
            help="Target table; ${topic} stands for the record's topic.",
        ),
    ),
    topic_binding="topics",
    topic_key="topics",
    permissions=(
        "INSERT on the target tables (UPDATE for upsert and update, DELETE for delete.enabled)",
        "CREATE on the schema for auto.create, ALTER on the tables for auto.evolve",
    ),
    docs_url="https://docs.confluent.io/kafka-connectors/jdbc/current/sink-connector/sink_config_options.html",
    # Records carry their schema (JsonConverter envelopes): the sink builds its columns from it.
    converters={SELF_MANAGED: json_converters(schemas=True)},
)

SNOWFLAKE_SOURCE = ConnectorType(
    key="snowflake-source",
    display_name="Snowflake Source",
    kind=SOURCE,
    classes={CONFLUENT_CLOUD: "SnowflakeSource"},
    fields=(
        FieldSpec(
            "connection.url",
            "string",
            required=True,
            help="Account URL without scheme: <org>_<account>.snowflakecomputing.com.",
        ),
        FieldSpec("connection.user", "string", required=True, help="Snowflake user (key-pair authentication)."),
        FieldSpec(
            "connection.credentials.source",
            "string",
            default="PRIVATE_KEY",
            enum=("PRIVATE_KEY", "PRIVATE_KEY_PASSPHRASE"),
            help="PRIVATE_KEY_PASSPHRASE when the private key is encrypted.",
        ),
        FieldSpec(
            "connection.private.key",
            "password",
            secret=True,
            required=True,
            required_reason="Snowflake Source authenticates with a key pair only",
            help="The user's private key.",
        ),
        FieldSpec("connection.private.key.passphrase", "password", secret=True, help="Passphrase of an encrypted key."),
        FieldSpec(
            "mode",
            "string",
            required=True,
            enum=("BULK", "TIMESTAMP", "INCREMENTING", "TIMESTAMP+INCREMENTING"),
            enum_ignore_case=True,  # Confluent's JDBC-based source parses the mode in any case
            help="How new rows are found.",
        ),
        FieldSpec(
            "table.include.list",
            "list",
            required=True,
            required_reason="a connector copies only the tables its tenant names, never a whole account",
            help="Tables to copy (DATABASE.SCHEMA.TABLE).",
        ),
        FieldSpec("timestamp.columns.mapping", "string", help="Timestamp column per table (timestamp modes)."),
        FieldSpec("incrementing.column.mapping", "string", help="Incrementing column per table (incrementing modes)."),
        # Required, with no default, by Confluent: a guessed zone would shift every timestamp offset.
        FieldSpec(
            "db.timezone",
            "string",
            required=True,
            help="Time zone of the timestamp columns, e.g. UTC or Europe/Zurich (the Snowflake account's zone).",
        ),
        output_data_format(default="AVRO", values=("AVRO", "JSON_SR", "PROTOBUF")),
    ),
    topic_binding="prefix",
    topic_key="topic.prefix",
    permissions=(
        "USAGE on the warehouse, database and schema",
        "SELECT on the listed tables",
        "key-pair authentication: the RSA public key set on the user",
    ),
    docs_url="https://docs.confluent.io/cloud/current/connectors/cc-snowflake-source.html",
    dependencies=(
        Dependency(
            "connection.credentials.source", ("PRIVATE_KEY_PASSPHRASE",), ("connection.private.key.passphrase",)
        ),
        Dependency("mode", ("TIMESTAMP", "TIMESTAMP+INCREMENTING"), ("timestamp.columns.mapping",)),
        Dependency("mode", ("INCREMENTING", "TIMESTAMP+INCREMENTING"), ("incrementing.column.mapping",)),
    ),
)

# --- HTTP --------------------------------------------------------------------------------------------

HTTP_AUTH_DEPENDENCIES = (
    Dependency("auth.type", ("BASIC",), ("connection.user", "connection.password")),
    Dependency("auth.type", ("BEARER",), ("bearer.token",)),
    Dependency("auth.type", ("OAUTH2",), ("oauth2.token.url", "oauth2.client.id", "oauth2.client.secret")),
    Dependency("auth.type", ("API_KEY",), ("api.key.name", "api.key.value")),
)


def http_auth_fields(*, flavours: frozenset[str] | None, types: tuple[str, ...]) -> tuple[FieldSpec, ...]:
    """auth.type and the credentials of each method in `types`, offered on `flavours`."""
    fields = [
        FieldSpec("auth.type", "string", default="NONE", enum=types, flavours=flavours, help="How to authenticate."),
    ]
    if "BASIC" in types:
        fields += [
            FieldSpec("connection.user", "string", flavours=flavours, help="User name (BASIC)."),
            FieldSpec("connection.password", "password", secret=True, flavours=flavours, help="Password (BASIC)."),
        ]
    if "BEARER" in types:
        fields.append(FieldSpec("bearer.token", "password", secret=True, flavours=flavours, help="Token (BEARER)."))
    if "OAUTH2" in types:
        fields += [
            FieldSpec("oauth2.token.url", "string", flavours=flavours, help="Token endpoint (OAUTH2)."),
            FieldSpec("oauth2.client.id", "string", flavours=flavours, help="Client id (OAUTH2)."),
            FieldSpec("oauth2.client.secret", "password", secret=True, flavours=flavours, help="Secret (OAUTH2)."),
            FieldSpec("oauth2.client.scope", "string", flavours=flavours, help="Scope requested (OAUTH2)."),
        ]
    if "API_KEY" in types:
        fields += [
            FieldSpec(
                "api.key.location", "string", enum=("HEADER", "QUERY"), flavours=flavours, help="Where the key goes."
            ),
            FieldSpec("api.key.name", "string", flavours=flavours, help="Header or query parameter name (API_KEY)."),
            FieldSpec("api.key.value", "password", secret=True, flavours=flavours, help="The API key (API_KEY)."),
        ]
    return tuple(fields)


HTTP_URL = r"https?://[^\s]+"

HTTP_SOURCE_V2 = ConnectorType(
    key="http-source-v2",
    display_name="HTTP Source V2",
    kind=SOURCE,
    classes={CONFLUENT_CLOUD: "HttpSourceV2"},
    fields=(
        FieldSpec(
            "http.api.base.url",
            "string",
            required=True,
            pattern=HTTP_URL,
            pattern_help="use an http:// or https:// URL",
            help="Base URL of the API, e.g. https://api.example.com/v1.",
        ),
        *http_auth_fields(flavours=None, types=("NONE", "BASIC", "BEARER", "OAUTH2", "API_KEY")),
        FieldSpec(
            "api1.http.api.path",
            "string",
            required=True,
            placeholders=("${offset}",),
            help="Path under the base URL; may contain ${offset}.",
        ),
        FieldSpec("api1.http.request.method", "string", default="GET", enum=("GET", "POST"), help="HTTP method."),
        FieldSpec("api1.http.request.headers", "string", help="Headers 'Name:value', separated by '|'."),
        FieldSpec(
            "api1.http.request.parameters",
            "string",
            placeholders=("${offset}",),
            help="Query parameters 'name=value', separated by '&'; may contain ${offset}.",
        ),
        FieldSpec("api1.http.request.body", "string", placeholders=("${offset}",), help="Body of POST requests."),
        FieldSpec(
            "api1.http.offset.mode",
            "string",
            default="SIMPLE_INCREMENTING",
            enum=("SIMPLE_INCREMENTING", "CHAINING", "CURSOR_PAGINATION", "SNAPSHOT_PAGINATION"),
            help="How the next request's offset is computed.",
        ),
        FieldSpec("api1.http.initial.offset", "string", help="Offset of the first request."),
        FieldSpec("api1.http.response.data.json.pointer", "string", help="JSON pointer to the records in a response."),
        FieldSpec("api1.http.offset.json.pointer", "string", help="JSON pointer to a record's offset (CHAINING)."),
        FieldSpec(
            "api1.http.next.page.json.pointer", "string", help="JSON pointer to the next page (CURSOR_PAGINATION)."
        ),
        FieldSpec(
            "api1.request.interval.ms",
            "integer",
            default=60000,
            minimum=100,
            help="Time between requests (ms).",
        ),
        output_data_format(default="JSON_SR", values=("AVRO", "JSON_SR", "PROTOBUF")),
    ),
    topic_binding="topic",
    topic_key="api1.topics",
    permissions=(
        "credentials allowed to read the API's endpoints",
        "network access from Confluent Cloud to the API",
    ),
    docs_url="https://docs.confluent.io/cloud/current/connectors/cc-http-source-v2.html",
    fixed_config={CONFLUENT_CLOUD: {"apis.num": "1"}},
    derived_config={CONFLUENT_CLOUD: {"reporter.error.topic.name": ERROR_TOPIC}},
    dependencies=(
        *HTTP_AUTH_DEPENDENCIES,
        Dependency("api1.http.offset.mode", ("CHAINING", "SNAPSHOT_PAGINATION"), ("api1.http.offset.json.pointer",)),
        Dependency("api1.http.offset.mode", ("CURSOR_PAGINATION",), ("api1.http.next.page.json.pointer",)),
    ),
)

HTTP_SINK_V2 = ConnectorType(
    key="http-sink-v2",
    display_name="HTTP Sink V2",
    kind=SINK,
    classes={
        SELF_MANAGED: "io.confluent.connect.http.HttpSinkConnector",
        CONFLUENT_CLOUD: "HttpSinkV2",
    },
    fields=(
        # Confluent Cloud: HTTP Sink V2 (base URL + one API path).
        FieldSpec(
            "http.api.base.url",
            "string",
            required=True,
            flavours=CC,
            pattern=HTTP_URL,
            pattern_help="use an http:// or https:// URL",
            help="Base URL of the API, e.g. https://api.example.com/v1.",
        ),
        FieldSpec(
            "api1.http.api.path",
            "string",
            required=True,
            flavours=CC,
            placeholders=("${key}", "${topic}"),
            help="Path under the base URL; may contain ${key} and ${topic}.",
        ),
        FieldSpec(
            "api1.http.request.method",
            "string",
            default="POST",
            enum=("POST", "PUT", "PATCH", "GET", "DELETE"),
            flavours=CC,
            help="HTTP method.",
        ),
        FieldSpec(
            "api1.request.body.format",
            "string",
            default="JSON",
            enum=("JSON", "STRING"),
            flavours=CC,
            help="Request body: the record as JSON, or as a string.",
        ),
        FieldSpec("api1.max.batch.size", "integer", default=1, minimum=1, flavours=CC, help="Records per request."),
        FieldSpec(
            "api1.behavior.on.null.values",
            "string",
            default="IGNORE",
            enum=("IGNORE", "DELETE", "FAIL"),
            flavours=CC,
            help="What to do with tombstones (null values).",
        ),
        FieldSpec("api1.http.request.headers", "string", flavours=CC, help="Headers 'Name:value', separated by '|'."),
        *http_auth_fields(flavours=CC, types=("NONE", "BASIC", "BEARER", "OAUTH2", "API_KEY")),
        input_data_format(values=("AVRO", "JSON_SR", "PROTOBUF", "JSON", "BYTES", "STRING"), default="JSON"),
        # Self-managed: Confluent's HTTP Sink (v1 configuration keys).
        FieldSpec(
            "http.api.url",
            "string",
            required=True,
            flavours=SM,
            pattern=HTTP_URL,
            pattern_help="use an http:// or https:// URL",
            placeholders=("${key}", "${topic}"),
            help="Endpoint URL; may contain ${key} and ${topic}.",
        ),
        FieldSpec(
            "request.method", "string", default="POST", enum=("POST", "PUT", "PATCH"), flavours=SM, help="HTTP method."
        ),
        FieldSpec(
            "request.body.format",
            "string",
            default="json",
            enum=("json", "string"),
            flavours=SM,
            help="Request body: the record as JSON, or as a string.",
        ),
        FieldSpec("batch.max.size", "integer", default=1, minimum=1, flavours=SM, help="Records per request."),
        FieldSpec(
            "behavior.on.null.values",
            "string",
            default="ignore",
            enum=("ignore", "delete", "log", "fail"),
            flavours=SM,
            help="What to do with tombstones (null values).",
        ),
        FieldSpec("headers", "string", flavours=SM, help="Headers 'Name:value', separated by '|'."),
        *http_auth_fields(flavours=SM, types=("NONE", "BASIC", "OAUTH2")),
    ),
    topic_binding="topics",
    topic_key={SELF_MANAGED: "topics", CONFLUENT_CLOUD: ("topics", "api1.topics")},
    permissions=(
        "credentials allowed to call the endpoint with the chosen method",
        "network access from the Connect workers to the endpoint",
    ),
    docs_url="https://docs.confluent.io/cloud/current/connectors/cc-http-sink-v2.html",
    fixed_config={CONFLUENT_CLOUD: {"apis.num": "1"}},
    converters={SELF_MANAGED: json_converters(schemas=False)},
    # The sink reports each request's outcome to a success and an error topic: inside the prefix.
    derived_config={
        SELF_MANAGED: {
            **CONFLUENT_LICENSE_TOPIC,
            "reporter.bootstrap.servers": "{bootstrap_servers}",
            "reporter.result.topic.name": SUCCESS_TOPIC,
            "reporter.result.topic.replication.factor": "{replication_factor}",
            "reporter.error.topic.name": ERROR_TOPIC,
            "reporter.error.topic.replication.factor": "{replication_factor}",
        },
        CONFLUENT_CLOUD: {"reporter.result.topic.name": SUCCESS_TOPIC, "reporter.error.topic.name": ERROR_TOPIC},
    },
    dependencies=HTTP_AUTH_DEPENDENCIES,
)

# --- Cloud services ----------------------------------------------------------------------------------

AZURE_EVENT_HUBS_SOURCE = ConnectorType(
    key="azure-event-hubs-source",
    display_name="Azure Event Hubs Source",
    kind=SOURCE,
    classes={
        SELF_MANAGED: "io.confluent.connect.azure.eventhubs.EventHubsSourceConnector",
        CONFLUENT_CLOUD: "AzureEventHubsSource",
    },
    fields=(
        FieldSpec("azure.eventhubs.namespace", "string", required=True, help="Event Hubs namespace."),
        FieldSpec("azure.eventhubs.hub.name", "string", required=True, help="Event hub to read from."),
        FieldSpec("azure.eventhubs.sas.keyname", "string", required=True, help="Shared access policy name."),
        FieldSpec("azure.eventhubs.sas.key", "password", secret=True, required=True, help="Shared access key."),
        FieldSpec("azure.eventhubs.consumer.group", "string", default="$Default", help="Consumer group to read as."),
        FieldSpec(
            "azure.eventhubs.partition.starting.position",
            "string",
            default="START_OF_STREAM",
            enum=("START_OF_STREAM", "END_OF_STREAM"),
            help="Where to start when no offset is stored.",
        ),
        FieldSpec(
            "azure.eventhubs.transport.type",
            "string",
            default="AMQP",
            enum=("AMQP", "AMQP_WEB_SOCKETS"),
            help="Transport to Event Hubs.",
        ),
        FieldSpec(
            "azure.eventhubs.offset.type", "string", default="OFFSET", flavours=CC, help="How positions are tracked."
        ),
        FieldSpec("max.events", "integer", default=50, minimum=1, help="Events read per partition poll."),
    ),
    topic_binding="topic",
    topic_key="kafka.topic",
    permissions=("a shared access policy with the Listen claim on the event hub",),
    docs_url="https://docs.confluent.io/cloud/current/connectors/cc-azure-event-hubs-source.html",
    converters={SELF_MANAGED: {"key.converter": STRING_CONVERTER, "value.converter": BYTE_ARRAY_CONVERTER}},
    derived_config={SELF_MANAGED: dict(CONFLUENT_LICENSE_TOPIC)},
)

DATAGEN_QUICKSTARTS = (
    "ORDERS",
    "USERS",
    "PAGEVIEWS",
    "CLICKSTREAM",
    "CLICKSTREAM_USERS",
    "CLICKSTREAM_CODES",
    "RATINGS",
    "USERS_ARRAY_MAP",
    "STOCK_TRADES",
    "INVENTORY",
    "PRODUCT",
    "PURCHASES",
    "TRANSACTIONS",
    "STORES",
    "CREDIT_CARDS",
)

DATAGEN_SOURCE = ConnectorType(
    key="datagen-source",
    display_name="Datagen Source",
    kind=SOURCE,
    classes={
        SELF_MANAGED: "io.confluent.kafka.connect.datagen.DatagenConnector",
        CONFLUENT_CLOUD: "DatagenSource",
    },
    fields=(
        FieldSpec("quickstart", "string", enum=DATAGEN_QUICKSTARTS, help="A built-in schema (or set schema.string)."),
        FieldSpec("schema.string", "string", help="An Avro schema as JSON (or set quickstart)."),
        FieldSpec("schema.keyfield", "string", help="Field used as the record key."),
        FieldSpec("max.interval", "integer", default=1000, minimum=1, help="Maximum time between records (ms)."),
        output_data_format(default="JSON", values=("AVRO", "JSON_SR", "PROTOBUF", "JSON")),
    ),
    topic_binding="topic",
    topic_key="kafka.topic",
    permissions=(),
    docs_url="https://docs.confluent.io/cloud/current/connectors/cc-datagen-source.html",
    converters={SELF_MANAGED: json_converters(schemas=False)},
    one_of=(("quickstart", "schema.string"),),
)

S3_SOURCE = ConnectorType(
    key="s3-source",
    display_name="Amazon S3 Source",
    kind=SOURCE,
    classes={
        SELF_MANAGED: "io.confluent.connect.s3.source.S3SourceConnector",
        CONFLUENT_CLOUD: "S3Source",
    },
    fields=(
        FieldSpec("s3.bucket.name", "string", required=True, help="Bucket to read."),
        FieldSpec("s3.region", "string", required=True, help="AWS region of the bucket, e.g. eu-west-1."),
        FieldSpec("aws.access.key.id", "password", secret=True, required=True, flavours=SM, help="AWS access key id."),
        FieldSpec(
            "aws.secret.access.key", "password", secret=True, required=True, flavours=SM, help="AWS secret access key."
        ),
        # Confluent Cloud: access keys, or an IAM role through a provider integration (one of them).
        FieldSpec(
            "authentication.method",
            "string",
            default="Access Keys",
            enum=("Access Keys", "IAM Roles"),
            render_default=False,
            flavours=CC,
            help="Access Keys (aws.access.key.id and aws.secret.access.key) or IAM Roles (provider.integration.id).",
        ),
        FieldSpec("aws.access.key.id", "password", secret=True, flavours=CC, help="AWS access key id (Access Keys)."),
        FieldSpec(
            "aws.secret.access.key", "password", secret=True, flavours=CC, help="AWS secret access key (Access Keys)."
        ),
        FieldSpec(
            "provider.integration.id",
            "string",
            flavours=CC,
            help="A Confluent provider integration whose IAM role may read the bucket, e.g. cspi-abc123 (IAM Roles).",
        ),
        FieldSpec("topics.dir", "string", default="topics", help="Top-level directory of the objects in the bucket."),
        input_data_format(values=("AVRO", "JSON", "BYTES"), default=None),
        FieldSpec(
            "output.data.format",
            "string",
            enum=("AVRO", "JSON", "JSON_SR", "PROTOBUF", "STRING", "BYTES"),
            flavours=CC,
            help="Format written to Kafka; defaults to input.data.format.",
        ),
        FieldSpec(
            "format.class",
            "string",
            default="io.confluent.connect.s3.format.json.JsonFormat",
            enum=(
                "io.confluent.connect.s3.format.json.JsonFormat",
                "io.confluent.connect.s3.format.avro.AvroFormat",
                "io.confluent.connect.s3.format.bytearray.ByteArrayFormat",
            ),
            flavours=SM,
            help="Format of the stored objects.",
        ),
    ),
    topic_binding="regex_map",
    topic_key="topic.regex.list",
    permissions=("s3:GetObject", "s3:GetBucketLocation", "s3:ListBucket"),
    docs_url="https://docs.confluent.io/cloud/current/connectors/cc-s3-source.html",
    # GENERIC: read any objects and route them with topic.regex.list (the default mode restores
    # a bucket written by the S3 Sink, topic names included).
    fixed_config={SELF_MANAGED: {"mode": "GENERIC"}},
    converters={SELF_MANAGED: json_converters(schemas=False)},
    derived_config={SELF_MANAGED: dict(CONFLUENT_LICENSE_TOPIC)},
    dependencies=(
        Dependency("authentication.method", ("Access Keys",), ("aws.access.key.id", "aws.secret.access.key")),
        Dependency("authentication.method", ("IAM Roles",), ("provider.integration.id",)),
    ),
)

SNOWFLAKE_SINK = ConnectorType(
    key="snowflake-sink",
    display_name="Snowflake Sink",
    kind=SINK,
    classes={
        SELF_MANAGED: "com.snowflake.kafka.connector.SnowflakeSinkConnector",
        CONFLUENT_CLOUD: "SnowflakeSink",
    },
    fields=(
        FieldSpec(
            "snowflake.url.name",
            "string",
            required=True,
            help="Account URL: https://<account>.<region>.snowflakecomputing.com:443.",
        ),
        FieldSpec("snowflake.user.name", "string", required=True, help="Snowflake user."),
        # Confluent Cloud: a key pair ("Password", Confluent's name for it) or OAuth 2.0, one of them.
        FieldSpec(
            "authentication.method",
            "string",
            default="Password",
            enum=("Password", "OAuth 2.0"),
            render_default=False,
            flavours=CC,
            help="Password: key pair (snowflake.private.key); OAuth 2.0: a security integration's client and token.",
        ),
        FieldSpec(
            "snowflake.private.key",
            "password",
            secret=True,
            flavours=CC,
            help="The user's private key (Password): the key body only, without the BEGIN/END lines.",
        ),
        FieldSpec("oauth.client.id", "string", flavours=CC, help="Client id of the Snowflake security integration."),
        FieldSpec("oauth.client.secret", "password", secret=True, flavours=CC, help="Its client secret (OAuth 2.0)."),
        FieldSpec("oauth.refresh.token", "password", secret=True, flavours=CC, help="OAuth 2.0 refresh token."),
        # Self-managed: key pair (snowflake_jwt, the plugin's default) or OAuth, one of them.
        FieldSpec(
            "snowflake.authenticator",
            "string",
            default="snowflake_jwt",
            enum=("snowflake_jwt", "oauth"),
            enum_ignore_case=True,
            render_default=False,
            flavours=SM,
            help="snowflake_jwt: key pair (snowflake.private.key); oauth: an OAuth client and its refresh token.",
        ),
        FieldSpec(
            "snowflake.private.key",
            "password",
            secret=True,
            flavours=SM,
            help="The user's private key (snowflake_jwt): the key body only, without the BEGIN/END lines.",
        ),
        FieldSpec("snowflake.oauth.client.id", "string", flavours=SM, help="OAuth client id (oauth)."),
        FieldSpec("snowflake.oauth.client.secret", "password", secret=True, flavours=SM, help="OAuth client secret."),
        FieldSpec(
            "snowflake.oauth.refresh.token", "password", secret=True, flavours=SM, help="OAuth refresh token (oauth)."
        ),
        FieldSpec("snowflake.private.key.passphrase", "password", secret=True, help="Passphrase of an encrypted key."),
        FieldSpec("snowflake.database.name", "string", required=True, help="Target database."),
        FieldSpec("snowflake.schema.name", "string", required=True, help="Target schema."),
        FieldSpec("snowflake.role.name", "string", help="Role to use (required for SNOWPIPE_STREAMING)."),
        FieldSpec("snowflake.topic2table.map", "string", help="topic:table pairs, comma-separated."),
        FieldSpec(
            "snowflake.ingestion.method",
            "string",
            default="SNOWPIPE",
            enum=("SNOWPIPE", "SNOWPIPE_STREAMING"),
            enum_ignore_case=True,  # the plugin reads it in any case (its own default is "snowpipe")
            help="Snowpipe (files) or Snowpipe Streaming (rows).",
        ),
        input_data_format(values=("JSON", "AVRO", "JSON_SR", "PROTOBUF", "STRING"), default="JSON"),
    ),
    topic_binding="topics",
    topic_key="topics",
    permissions=(
        "USAGE on the database",
        "USAGE, CREATE TABLE, CREATE STAGE and CREATE PIPE on the schema",
        "a role granted to the user; key-pair authentication (RSA public key on the user)",
    ),
    docs_url="https://docs.confluent.io/cloud/current/connectors/cc-snowflake-sink/cc-snowflake-sink.html",
    converters={SELF_MANAGED: {"key.converter": STRING_CONVERTER, "value.converter": SNOWFLAKE_JSON_CONVERTER}},
    dependencies=(
        Dependency("snowflake.ingestion.method", ("SNOWPIPE_STREAMING",), ("snowflake.role.name",)),
        Dependency("snowflake.authenticator", ("snowflake_jwt",), ("snowflake.private.key",)),
        Dependency("authentication.method", ("Password",), ("snowflake.private.key",)),
        Dependency(
            "authentication.method", ("OAuth 2.0",), ("oauth.client.id", "oauth.client.secret", "oauth.refresh.token")
        ),
        Dependency(
            "snowflake.authenticator",
            ("oauth",),
            ("snowflake.oauth.client.id", "snowflake.oauth.client.secret", "snowflake.oauth.refresh.token"),
        ),
    ),
)

# --- Development ---------------------------------------------------------------------------------


def _worker_file(use: str) -> FieldSpec:
    return FieldSpec(
        "file",
        "string",
        required=True,
        worker_path=True,
        help=f"Absolute path of the file on the Connect worker, inside your tenant's file sandbox; {use}.",
    )


FILE_SOURCE = ConnectorType(
    key="file-source",
    display_name="File Source (development)",
    kind=SOURCE,
    classes={SELF_MANAGED: "org.apache.kafka.connect.file.FileStreamSourceConnector"},
    fields=(_worker_file("read by line"),),
    topic_binding="topic",
    topic_key="topic",
    permissions=("read access to the file on the Connect worker",),
    docs_url="https://kafka.apache.org/documentation/#connect_running",
    converters={SELF_MANAGED: json_converters(schemas=False)},
    max_tasks=1,  # FileStreamSource only ever runs one task
    guarantees=(AT_LEAST_ONCE, EXACTLY_ONCE),  # FileStreamSourceConnector supports KIP-618's exactly-once mode
)

FILE_SINK = ConnectorType(
    key="file-sink",
    display_name="File Sink (development)",
    kind=SINK,
    classes={SELF_MANAGED: "org.apache.kafka.connect.file.FileStreamSinkConnector"},
    fields=(_worker_file("appended to"),),
    topic_binding="topics",
    topic_key="topics",
    permissions=("write access to the file on the Connect worker",),
    docs_url="https://kafka.apache.org/documentation/#connect_running",
    converters={SELF_MANAGED: json_converters(schemas=False)},
)

# --- The plugins' own definitions under the policy above ----------------------------------------------
# Every property of each self-managed plugin whose snapshot is committed (connectors/catalog/definitions/)
# is known to its type: a field as written above, a field as the plugin defines it, platform-owned, or
# refused with the reason given here or by a rule of connectors.catalog.policy.

DEBEZIUM_REFUSED = {
    "database.initial.statements": "statements run on every connection are the database owner's, not a connector's",
    "signal.enabled.channels": "signals are not offered: they would let a connector be steered outside its request",
    "notification.enabled.channels": "notifications are not offered: their channels name topics outside the request",
    "openlineage.integration.enabled": "OpenLineage is not offered: it needs a configuration file on the worker",
    "custom.metric.tags": "the platform tags the connector's metrics",
}

WORKER_PROXY = (
    "it sets the proxy of the whole Connect worker, shared by every tenant's connectors; ask the platform team"
)
SNOWFLAKE_REFUSED = {
    "jvm.proxy.host": WORKER_PROXY,
    "jvm.proxy.port": WORKER_PROXY,
    "jvm.proxy.username": WORKER_PROXY,
    "jvm.proxy.password": WORKER_PROXY,
    "jvm.nonProxy.hosts": WORKER_PROXY,
    "snowflake.test.rebalancing": "a test switch of the plugin, not for connectors in production",
    "enable.mdc.logging": "the platform sets the workers' logging",
    "jmx": "the platform sets the workers' metrics",
}

POSTGRES_CDC_SOURCE = with_plugin_definitions(
    POSTGRES_CDC_SOURCE,
    flavour=SELF_MANAGED,
    refused={**DEBEZIUM_REFUSED, "database.sslpassword": "it unlocks database.sslkey, a file on the Connect workers"},
    enum_ignore_case=True,
)
# Debezium's schema history switches a tenant may set (the history topic itself is the platform's).
SCHEMA_HISTORY_OPTIONS = r"schema\.history\.internal\.(?:skip\.unparseable\.ddl|store\.only\.captured\.\w+\.ddl)"
MYSQL_CDC_SOURCE = with_plugin_definitions(
    MYSQL_CDC_SOURCE,
    flavour=SELF_MANAGED,
    refused=DEBEZIUM_REFUSED,
    enum_ignore_case=True,
    offered=SCHEMA_HISTORY_OPTIONS,
)
MYSQL_CDC_SOURCE = with_plugin_definitions(
    MYSQL_CDC_SOURCE,
    flavour=CONFLUENT_CLOUD,
    enum_ignore_case=True,
    offered=f"{CLOUD_CONVERTER_OPTIONS}|{SCHEMA_HISTORY_OPTIONS}",
)
SNOWFLAKE_SINK = with_plugin_definitions(
    SNOWFLAKE_SINK,
    flavour=SELF_MANAGED,
    refused=SNOWFLAKE_REFUSED,
)
SNOWFLAKE_SINK = with_plugin_definitions(SNOWFLAKE_SINK, flavour=CONFLUENT_CLOUD, offered=CLOUD_CONVERTER_OPTIONS)
ONE_API = "the platform configures one API per connector (apis.num=1): create a connector per API"
OFFSET_TOKENS = ("${offset}",)
HTTP_SOURCE_V2 = with_plugin_definitions(
    HTTP_SOURCE_V2,
    flavour=CONFLUENT_CLOUD,
    offered=CLOUD_CONVERTER_OPTIONS,
    refused={"api.chaining.parent.child.relationship": ONE_API},
    refused_patterns=((r"api(?:[2-9]|1[0-5])\..+", ONE_API),),
    placeholders={"api1.http.path.parameters": OFFSET_TOKENS},
)
RECORD_TOKENS = ("${key}", "${topic}")
HTTP_SINK_V2 = with_plugin_definitions(
    HTTP_SINK_V2,
    flavour=CONFLUENT_CLOUD,
    offered=CLOUD_CONVERTER_OPTIONS,
    refused_patterns=((r"api(?:[2-9]|1[0-5])\..+", ONE_API),),
    placeholders={
        name: RECORD_TOKENS
        for name in (
            "api1.batch.key.pattern",
            "api1.regex.replacements",
            "api1.http.request.body",
            "api1.http.path.parameters",
            "api1.upsert.api.path",
        )
    },
)
SNOWFLAKE_SOURCE = with_plugin_definitions(SNOWFLAKE_SOURCE, flavour=CONFLUENT_CLOUD, offered=CLOUD_CONVERTER_OPTIONS)
DATAGEN_SOURCE = with_plugin_definitions(DATAGEN_SOURCE, flavour=CONFLUENT_CLOUD, offered=CLOUD_CONVERTER_OPTIONS)
S3_SOURCE = with_plugin_definitions(S3_SOURCE, flavour=CONFLUENT_CLOUD, offered=CLOUD_CONVERTER_OPTIONS)
SECRET_MANAGER = "secrets are the request's credentials, kept encrypted by the platform, not a secret manager's"
POSTGRES_CDC_SOURCE = with_plugin_definitions(
    POSTGRES_CDC_SOURCE,
    flavour=CONFLUENT_CLOUD,
    refused={
        "secret.manager.enabled": SECRET_MANAGER,
        "secret.manager": SECRET_MANAGER,
        "secret.manager.managed.configs": SECRET_MANAGER,
        "secret.manager.provider.integration.id": SECRET_MANAGER,
    },
    enum_ignore_case=True,
    offered=CLOUD_CONVERTER_OPTIONS,
)
AZURE_EVENT_HUBS_SOURCE = with_plugin_definitions(
    AZURE_EVENT_HUBS_SOURCE, flavour=CONFLUENT_CLOUD, offered=CLOUD_CONVERTER_OPTIONS
)
FILE_SOURCE = with_plugin_definitions(FILE_SOURCE, flavour=SELF_MANAGED)
FILE_SINK = with_plugin_definitions(FILE_SINK, flavour=SELF_MANAGED)

ALL_TYPES: tuple[ConnectorType, ...] = (
    POSTGRES_CDC_SOURCE,
    MYSQL_CDC_SOURCE,
    JDBC_SOURCE,
    SNOWFLAKE_SOURCE,
    HTTP_SOURCE_V2,
    AZURE_EVENT_HUBS_SOURCE,
    DATAGEN_SOURCE,
    S3_SOURCE,
    SNOWFLAKE_SINK,
    HTTP_SINK_V2,
    JDBC_SINK,
    FILE_SOURCE,
    FILE_SINK,
)
