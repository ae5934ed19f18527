"""Creating, validating, updating and listing connectors through the API (issue 4), against the real
local Kafka Connect worker and a real PostgreSQL server.

No Celery worker here: a created connector dispatches its provisioning on commit, and each test
runs inside a transaction that is rolled back, so nothing is ever provisioned on Connect.
"""

from __future__ import annotations

import dataclasses
import uuid

import psycopg
import pytest
from confluent_kafka.admin import AdminClient, NewTopic
from django.db import connection
from django.test.utils import CaptureQueriesContext
from psycopg import sql

from connectors.catalog import all_types
from connectors.models import Connector
from connectors.selectors import connector_secrets
from controlplane.crypto import encrypt_secrets
from tenants.models import Role, Tenant
from tests.connectors.conftest import POSTGRES, CdcDatabase, drop_database
from tests.factories import ConnectorFactory, DedicatedClusterFactory, SharedClusterFactory

pytestmark = [pytest.mark.django_db, pytest.mark.connect]

CONNECTORS = "/api/v1/connectors/"
SALES_SANDBOX = Tenant(slug="sales").file_sandbox
VALIDATE = "/api/v1/connectors/validate"


# --- fixtures -------------------------------------------------------------------------------------
@pytest.fixture
def developer(client_for, tenant):
    return client_for(tenant, Role.DEVELOPER)


@pytest.fixture
def locked_database():
    """A LOGIN role and a database it may not connect to (CONNECT revoked from PUBLIC)."""
    suffix = uuid.uuid4().hex[:10]
    database = CdcDatabase(role=f"locked_{suffix}", password=f"pw-{suffix}", dbname=f"locked_{suffix}")
    with psycopg.connect(**POSTGRES) as admin:
        admin.execute(
            sql.SQL("CREATE ROLE {} REPLICATION LOGIN PASSWORD {}").format(
                sql.Identifier(database.role), sql.Literal(database.password)
            )
        )
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database.dbname)))
        admin.execute(sql.SQL("REVOKE CONNECT ON DATABASE {} FROM PUBLIC").format(sql.Identifier(database.dbname)))
    yield database
    drop_database(database.dbname, database.role)


@pytest.fixture
def sales_topic(local_stack, unique_name):
    """An existing topic inside the sales prefix (a sink's topics must exist)."""
    name = f"sales.{unique_name('sink')}"
    admin = AdminClient({"bootstrap.servers": local_stack.config.bootstrap_servers})  # referenced while waiting
    for future in admin.create_topics([NewTopic(name, num_partitions=1, replication_factor=1)]).values():
        future.result(timeout=15)
    yield name
    for future in admin.delete_topics([name]).values():
        future.result(timeout=15)


# --- payloads -------------------------------------------------------------------------------------
def file_source(connector_id: str, **overrides) -> dict:
    payload = {
        "type": "file-source",
        "cluster": "local",
        "stage": "dev",
        "id": connector_id,
        "config": {"file": f"{SALES_SANDBOX}/{connector_id}.txt"},
        "topics": [f"sales.{connector_id}"],
        "create_topics": True,
    }
    return {**payload, **overrides}


def postgres_cdc(connector_id: str, database: CdcDatabase) -> dict:
    return {
        "type": "postgres-cdc-source",
        "cluster": "local",
        "stage": "dev",
        "id": connector_id,
        "config": {
            "database.hostname": "127.0.0.1",
            "database.port": 5432,
            "database.user": database.role,
            "database.dbname": database.dbname,
            "table.include.list": f"public.{database.table}",
        },
        "credentials": {"database.password": database.password},
        "topics": [f"sales.{connector_id}"],
    }


def assert_rejected(client, payload: dict, *, status: int = 400) -> dict:
    """Both the dry run and the create refuse the request, with the same errors; nothing is stored."""
    before = Connector.objects.count()
    validated = client.post(VALIDATE, payload, format="json")
    created = client.post(CONNECTORS, payload, format="json")
    assert created.status_code == status, created.json()
    assert validated.status_code == 400 and validated.json()["valid"] is False, validated.json()
    assert validated.json()["errors"] == created.json()["errors"]
    assert Connector.objects.count() == before
    return created.json()["errors"]


# --- 1. File Source -------------------------------------------------------------------------------
def test_a_file_source_validates_and_is_accepted_under_its_conventional_name(developer, local_cluster, unique_name):
    connector_id = unique_name("crm")
    name = f"edh-shared-sales-dev-{connector_id}-connector"

    validated = developer.post(VALIDATE, file_source(connector_id), format="json")
    assert validated.status_code == 200, validated.json()
    assert validated.json() == {"valid": True, "name": name, "errors": {}, "warnings": []}
    assert not Connector.objects.exists(), "the dry run stores nothing"

    created = developer.post(CONNECTORS, file_source(connector_id), format="json")
    assert created.status_code == 202, created.json()
    body = created.json()
    assert (body["name"], body["state"], body["cluster"], body["tenant"]) == (name, "REQUESTED", "local", "sales")
    assert body["generation"] == 1 and body["operation_in_flight"] == "provision"
    assert body["links"] == {
        "self": f"http://testserver/api/v1/connectors/{name}/",
        "status": f"http://testserver/api/v1/connectors/{name}/status",
        "events": f"http://testserver/api/v1/connectors/{name}/events/",
    }
    assert Connector.objects.get().name == name


def test_on_a_dedicated_cluster_the_name_has_no_landing_zone(developer, tenant, local_stack, unique_name):
    DedicatedClusterFactory(
        name="sales-dedicated",
        owner_tenant=tenant,
        bootstrap_servers=local_stack.config.bootstrap_servers,
        connect_url=local_stack.config.connect_url,
    )
    connector_id = unique_name("crm")
    payload = file_source(connector_id, cluster="sales-dedicated")

    validated = developer.post(VALIDATE, payload, format="json")
    created = developer.post(CONNECTORS, payload, format="json")

    assert validated.status_code == 200 and validated.json()["name"] == f"sales-dev-{connector_id}-connector"
    assert created.status_code == 202, created.json()
    assert created.json()["name"] == f"sales-dev-{connector_id}-connector"


# --- 2. PostgreSQL CDC Source ---------------------------------------------------------------------
def test_a_postgres_cdc_source_against_a_real_database_validates_and_is_accepted(
    developer, local_cluster, cdc_database, unique_name
):
    connector_id = unique_name("orders")
    payload = postgres_cdc(connector_id, cdc_database)

    validated = developer.post(VALIDATE, payload, format="json")
    assert validated.status_code == 200, validated.json()
    assert validated.json()["valid"] is True

    created = developer.post(CONNECTORS, payload, format="json")
    assert created.status_code == 202, created.json()
    body = created.json()
    assert body["name"] == f"edh-shared-sales-dev-{connector_id}-connector" and body["state"] == "REQUESTED"
    assert body["credentials"] == {"database.password": "********"}
    assert cdc_database.password not in created.content.decode()
    connector = Connector.objects.get(name=body["name"])
    assert connector_secrets(connector=connector) == {"database.password": cdc_database.password}


@pytest.mark.parametrize(
    "case, message",
    [
        ("no CONNECT privilege", 'permission denied for database "{dbname}"'),
        ("wrong password", 'password authentication failed for user "{role}"'),
        # Under password authentication the server does not tell an unknown role from a wrong password.
        ("unknown role", 'password authentication failed for user "{role}"'),
    ],
)
def test_a_database_that_refuses_the_login_is_a_400_with_connects_own_message(
    developer, local_cluster, unique_name, request, case, message
):
    """Debezium's validate opens a real connection and reports a refused login on database.hostname:
    a role without the CONNECT privilege on the database, a wrong password, and a role that does not exist."""
    if case == "unknown role":
        database = CdcDatabase(role=f"nobody_{uuid.uuid4().hex[:8]}", password="x-pw-x", dbname="postgres")
    elif case == "wrong password":
        database = dataclasses.replace(request.getfixturevalue("cdc_database"), password="Wr0ng-pw-x")
    else:
        database = request.getfixturevalue("locked_database")
    payload = postgres_cdc(unique_name("orders"), database)

    errors = assert_rejected(developer, payload)

    expected = message.format(dbname=database.dbname, role=database.role)
    assert list(errors) == ["config.database.hostname"], errors
    [text] = errors["config.database.hostname"]
    assert text.startswith("Error while validating connector config: FATAL: ") and expected in text
    assert database.password not in str(errors)


# --- 3. Plugin not installed ----------------------------------------------------------------------
def test_a_datagen_source_on_the_local_cluster_is_refused_because_the_plugin_is_missing(
    developer, local_cluster, sales_topic, unique_name
):
    """Confluent's Datagen lives on Confluent Hub, not Maven Central: the local worker does not have it."""
    payload = {
        "type": "datagen-source",
        "cluster": "local",
        "stage": "dev",
        "id": unique_name("gen"),
        "config": {"quickstart": "ORDERS"},
        "topics": [sales_topic],
    }

    errors = assert_rejected(developer, payload)

    assert list(errors) == ["type"], errors
    [message] = errors["type"]
    assert "io.confluent.kafka.connect.datagen.DatagenConnector" in message
    assert "is not installed on cluster local" in message


def test_a_missing_plugin_is_reported_together_with_missing_fields_and_policy_refusals(
    developer, local_cluster, unique_name
):
    """All errors in one answer: the user learns at once that the cluster lacks the plugin and what the
    request lacks, instead of fixing the fields first to be told about the plugin afterwards."""
    payload = {
        "type": "jdbc-source",
        "cluster": "local",
        "stage": "dev",
        "id": unique_name("jdbc"),
        "config": {"mode": "incrementing", "connection.url": "jdbc:postgresql://db/app?socketFactory=x"},
        "topics": ["sales.dev.jdbc."],
    }

    response = developer.post(VALIDATE, payload, format="json")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "io.confluent.connect.jdbc.JdbcSourceConnector" in errors["type"][0]
    assert "is not installed on cluster local" in errors["type"][0]
    assert errors["config.connection.user"] == ["this field is required."]
    assert errors["config.table.whitelist"] == ["this field is required."]
    assert errors["config.incrementing.column.name"] == ["required when mode is incrementing."]
    assert "driver options" in errors["config.connection.url"][0]
    assert errors["credentials.connection.password"] == ["this secret is required."]


# --- 4. Field-level errors ------------------------------------------------------------------------
def test_a_transform_outside_the_allow_list_is_refused(developer, local_cluster, unique_name):
    payload = file_source(unique_name("crm"), transforms=[{"alias": "evil", "type": "com.evil.Transform"}])

    errors = assert_rejected(developer, payload)

    assert list(errors) == ["transforms[0].type"]
    assert "'com.evil.Transform' is not an allowed transform" in errors["transforms[0].type"][0]


def test_a_topic_outside_the_tenants_prefixes_is_refused(developer, local_cluster, unique_name):
    errors = assert_rejected(developer, file_source(unique_name("crm"), topics=["scada.x"]))

    assert list(errors) == ["topics[0]"]
    assert "'scada.x' is outside your tenant's topic prefixes (sales.)" in errors["topics[0]"][0]


def test_a_missing_required_field_is_refused(developer, local_cluster, unique_name):
    errors = assert_rejected(developer, file_source(unique_name("crm"), config={}))

    assert list(errors) == ["config.file"]


def test_every_error_comes_back_in_one_response(developer, local_cluster):
    payload = file_source(
        "Not_A_Slug",
        stage="prod",
        config={},
        topics=["scada.x"],
        transforms=[{"alias": "evil", "type": "com.evil.Transform"}],
    )

    errors = assert_rejected(developer, payload)

    assert set(errors) == {"config.file", "stage", "id", "topics[0]", "transforms[0].type"}, errors


def test_a_bad_stage_or_id_is_refused_on_that_field(developer, local_cluster, unique_name):
    assert list(assert_rejected(developer, file_source(unique_name("crm"), stage="prod"))) == ["stage"]
    assert list(assert_rejected(developer, file_source("crm-connector"))) == ["id"]
    assert list(assert_rejected(developer, file_source("x" * 60))) == ["id"]


def test_the_same_id_twice_is_a_409_on_id(developer, local_cluster, unique_name):
    payload = file_source(unique_name("crm"))
    assert developer.post(CONNECTORS, payload, format="json").status_code == 202

    again = developer.post(CONNECTORS, payload, format="json")

    assert again.status_code == 409, again.json()
    assert again.json()["code"] == "conflict" and list(again.json()["errors"]) == ["id"]
    assert Connector.objects.count() == 1


def test_a_file_source_on_a_confluent_cloud_cluster_is_refused_on_type(developer, tenant, unique_name):
    SharedClusterFactory(
        name="cloud",
        connect_flavour="confluent_cloud",
        cloud_environment_id="env-1",
        cloud_cluster_id="lkc-1",
        connect_url="https://api.confluent.cloud",
        tenants=[tenant],
    )

    errors = assert_rejected(developer, file_source(unique_name("crm"), cluster="cloud"))

    assert list(errors) == ["type"]
    assert "File Source (development) ('file-source') is not offered on confluent_cloud clusters" in errors["type"][0]


# --- 5. Roles -------------------------------------------------------------------------------------
def test_a_viewer_cannot_create_or_validate(client_for, tenant, local_cluster, unique_name):
    viewer = client_for(tenant, Role.VIEWER)
    payload = file_source(unique_name("crm"))

    assert viewer.post(CONNECTORS, payload, format="json").status_code == 403
    assert viewer.post(VALIDATE, payload, format="json").status_code == 403
    assert not Connector.objects.exists()


def test_an_operator_can_pause_but_not_create(client_for, tenant, local_cluster, unique_name):
    operator = client_for(tenant, Role.OPERATOR)
    existing = ConnectorFactory(tenant=tenant, cluster=local_cluster)

    created = operator.post(CONNECTORS, file_source(unique_name("crm")), format="json")
    paused = operator.post(f"{CONNECTORS}{existing.name}/pause")

    assert created.status_code == 403 and created.json()["code"] == "permission_denied"
    assert Connector.objects.count() == 1
    assert paused.status_code == 202, paused.json()
    assert paused.json()["desired_state"] == "paused"


# --- 6. The catalog -------------------------------------------------------------------------------
def test_the_catalog_lists_every_type_with_its_schema_and_what_the_local_cluster_has_installed(
    developer, local_cluster
):
    response = developer.get("/api/v1/connector-types/")

    assert response.status_code == 200
    types = {item["key"]: item for item in response.json()["results"]}
    assert set(types) == {connector_type.key for connector_type in all_types()}
    for item in types.values():
        assert item["schema"]["type"] == "object" and "config" in item["schema"]["properties"], item["key"]
    assert types["file-source"]["schema"]["properties"]["config"]["required"] == ["file"]
    postgres = types["postgres-cdc-source"]["schemas"]
    assert postgres["self_managed"]["properties"]["credentials"]["required"] == ["database.password"]
    # On Confluent Cloud the password is one of two ways to authenticate: required only with the Password method.
    assert "required" not in postgres["confluent_cloud"]["properties"]["credentials"]
    installed = {key: item["clusters"][0]["plugin_installed"] for key, item in types.items()}
    assert [item["clusters"][0]["cluster"] for item in types.values()] == ["local"] * len(types)
    assert installed["file-source"] is True
    assert installed["postgres-cdc-source"] is True
    assert installed["snowflake-sink"] is True  # Snowflake's own sink, from Maven Central
    assert installed["jdbc-sink"] is True  # by Debezium's JDBC sink, in place of Confluent's
    assert installed["datagen-source"] is False  # Confluent Hub only


# --- 7. PATCH -------------------------------------------------------------------------------------
def test_patching_the_config_bumps_the_generation_and_changes_only_that(developer, tenant, local_cluster):
    connector = ConnectorFactory(
        tenant=tenant, cluster=local_cluster, config={"file": f"{SALES_SANDBOX}/a.txt"}, create_topics=True, tasks_max=1
    )
    before = {field: getattr(connector, field) for field in ("topics", "transforms", "error_handling", "tasks_max")}

    response = developer.patch(
        f"{CONNECTORS}{connector.name}/", {"config": {"file": f"{SALES_SANDBOX}/b.txt"}}, format="json"
    )

    assert response.status_code == 202, response.json()
    assert response.json()["generation"] == 2 and response.json()["config"] == {"file": f"{SALES_SANDBOX}/b.txt"}
    connector.refresh_from_db()
    assert connector.generation == 2 and connector.config == {"file": f"{SALES_SANDBOX}/b.txt"}
    assert {field: getattr(connector, field) for field in before} == before
    assert (connector.name, connector.stage, connector.type_key) == (response.json()["name"], "dev", "file-source")


def test_patching_with_the_masked_password_keeps_the_stored_secret(developer, tenant, local_cluster, cdc_database):
    connector = ConnectorFactory(
        tenant=tenant,
        cluster=local_cluster,
        type_key="postgres-cdc-source",
        config=postgres_cdc("x", cdc_database)["config"],
        secrets_encrypted=encrypt_secrets({"database.password": cdc_database.password}),
        credential_keys=["database.password"],
        topics=["sales.orders"],
    )

    response = developer.patch(
        f"{CONNECTORS}{connector.name}/",
        {"config": {"snapshot.mode": "no_data"}, "credentials": {"database.password": "********"}},
        format="json",
    )

    assert response.status_code == 202, response.json()
    connector.refresh_from_db()
    assert connector.config["snapshot.mode"] == "no_data" and connector.generation == 2
    assert connector_secrets(connector=connector) == {"database.password": cdc_database.password}


def test_patching_the_stage_is_refused(developer, tenant, local_cluster):
    connector = ConnectorFactory(tenant=tenant, cluster=local_cluster)

    response = developer.patch(f"{CONNECTORS}{connector.name}/", {"stage": "qas"}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["stage"]
    connector.refresh_from_db()
    assert (connector.stage, connector.generation) == ("dev", 1)


# --- 8. The list ----------------------------------------------------------------------------------
def _names(response) -> set[str]:
    assert response.status_code == 200, response.json()
    return {item["name"] for item in response.json()["results"]}


def test_the_list_filters_and_paginates(developer, tenant, other_tenant, local_cluster):
    lab = SharedClusterFactory(name="lab", tenants=[tenant])
    orders = ConnectorFactory(tenant=tenant, cluster=local_cluster, connector_id="orders-feed")
    sink = ConnectorFactory(tenant=tenant, cluster=local_cluster, stage="qas", type_key="file-sink", state="RUNNING")
    elsewhere = ConnectorFactory(tenant=tenant, cluster=lab, state="RUNNING")
    ConnectorFactory(tenant=other_tenant, cluster=local_cluster)  # never listed for sales

    assert _names(developer.get(CONNECTORS)) == {orders.name, sink.name, elsewhere.name}
    assert _names(developer.get(CONNECTORS, {"stage": "dev"})) == {orders.name, elsewhere.name}
    assert _names(developer.get(CONNECTORS, {"state": "REQUESTED"})) == {orders.name}
    assert _names(developer.get(CONNECTORS, {"type": "file-source"})) == {orders.name, elsewhere.name}
    assert _names(developer.get(CONNECTORS, {"cluster": "local"})) == {orders.name, sink.name}
    assert _names(developer.get(CONNECTORS, {"search": "orders-fe"})) == {orders.name}
    assert _names(developer.get(CONNECTORS, {"stage": "dev", "cluster": "lab"})) == {elsewhere.name}
    assert developer.get(CONNECTORS, {"state": "NOPE"}).status_code == 400

    first = developer.get(CONNECTORS, {"limit": 2}).json()
    second = developer.get(CONNECTORS, {"limit": 2, "offset": 2}).json()
    assert first["count"] == second["count"] == 3
    assert len(first["results"]) == 2 and first["next"] and first["previous"] is None
    assert len(second["results"]) == 1 and second["next"] is None
    assert _names_of(first) | _names_of(second) == {orders.name, sink.name, elsewhere.name}


def _names_of(page: dict) -> set[str]:
    return {item["name"] for item in page["results"]}


def test_the_list_costs_the_same_number_of_queries_for_2_and_for_20_connectors(
    developer, tenant, local_cluster, django_assert_num_queries
):
    lab = SharedClusterFactory(name="lab", tenants=[tenant])
    ConnectorFactory.create_batch(2, tenant=tenant, cluster=local_cluster)
    developer.get(CONNECTORS)  # the key's first use records last_used_at: a write the next calls skip

    with CaptureQueriesContext(connection) as for_two:
        response = developer.get(CONNECTORS)
    assert response.json()["count"] == 2

    for index in range(18):
        ConnectorFactory(tenant=tenant, cluster=lab if index % 2 else local_cluster)
    with django_assert_num_queries(len(for_two)):
        response = developer.get(CONNECTORS)
    assert response.json()["count"] == 20 and len(response.json()["results"]) == 20
