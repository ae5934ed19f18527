"""A connector's database password goes from the create request into the encrypted column and from
there to Connect, and nowhere else: not in any API answer, log, Celery message or other database row.

End to end: the API, a real Celery worker, the real Kafka Connect worker running Debezium, and a
real PostgreSQL database with a replication role.
"""

from __future__ import annotations

import ast
import json
import logging

import psycopg
import pytest
from celery.signals import before_task_publish
from django.db import connection

from connectors.clusters import cluster_connect_endpoint
from connectors.connect import ConnectorNotFound, connect_client
from connectors.models import Connector
from connectors.selectors import connector_secrets
from tenants.models import Role
from tests.conftest import wait_for
from tests.connectors.conftest import POSTGRES, CdcDatabase

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.connect]


@pytest.fixture
def remove_from_connect(local_cluster, cdc_database):
    """Names to delete from the shared Connect worker should the test stop before its own delete."""
    names: list[str] = []
    yield names
    client = connect_client(cluster_connect_endpoint(cluster=local_cluster))
    for name in names:
        try:
            client.delete(name)
        except ConnectorNotFound:
            pass


@pytest.fixture
def published_messages():
    """The Celery messages this process publishes: (task name, body, headers) as sent to the broker."""
    messages = []

    def record(sender=None, body=None, headers=None, **kwargs):
        messages.append((sender, body, headers))

    before_task_publish.connect(record, weak=False)
    yield messages
    before_task_publish.disconnect(record)


def replication_slots(dbname: str) -> list[tuple[str, bool]]:
    with psycopg.connect(**POSTGRES) as admin:
        return admin.execute(
            "SELECT slot_name, active FROM pg_replication_slots WHERE database = %s", (dbname,)
        ).fetchall()


def publications(database: CdcDatabase) -> list[str]:
    with psycopg.connect(**{**POSTGRES, "dbname": database.dbname}) as conn:
        return [name for (name,) in conn.execute("SELECT pubname FROM pg_publication")]


def database_rows_holding(secret: str) -> list[str]:
    """Every row of every Django table whose text shows the secret (the encrypted column included)."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.django_table_names(only_existing=True):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            columns = [column.name for column in cursor.description]
            for row in cursor.fetchall():
                if secret in str(row):
                    holders = [name for name, value in zip(columns, row, strict=True) if secret in str(value)]
                    found.append(f"{table}.{','.join(holders)}")
    return found


def received_tasks(log_text: str) -> dict[str, dict]:
    """The worker's "Task ... received" entries (JSON log lines with the task's args), by task id."""
    found = {}
    for line in log_text.splitlines():
        line = line.strip("\x00")  # a concurrent truncation leaves NULs before the worker's next write
        if line.startswith("{") and '"celery.worker.strategy"' in line:
            data = json.loads(line)["data"]
            found[data["id"]] = data
    return found


def test_a_cdc_sources_password_is_only_ever_stored_encrypted(
    client_for,
    tenant,
    local_cluster,
    cdc_database,
    celery_worker_process,
    published_messages,
    remove_from_connect,
    caplog,
    settings,
    unique_name,
):
    # Everything the application logs here, every SQL statement with its parameters included.
    settings.DEBUG = True
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    secret = cdc_database.password
    client = client_for(tenant, Role.DEVELOPER)
    responses = []
    # Read right after each operation settles: the log file is shared by every test session on this
    # checkout (conftest's fixed path), and a concurrent session's worker truncates it when it starts.
    worker_log: list[str] = []

    def call(method: str, path: str, data: dict | None = None):
        response = getattr(client, method)(path, data, format="json")
        responses.append((f"{method.upper()} {path}", response))
        return response

    def settled(state: str):
        def check():
            body = call("get", f"/api/v1/connectors/{name}/").json()
            return body if body["state"] == state and not body["operation_in_flight"] else None

        body = wait_for(check, timeout=90, message=f"{name} to reach {state}")
        worker_log.append(celery_worker_process.log_path.read_bytes().decode("utf-8", "replace"))
        return body

    connector_id = unique_name("orders")
    name = f"edh-shared-sales-dev-{connector_id}-connector"
    remove_from_connect.append(name)
    payload = {
        "type": "postgres-cdc-source",
        "cluster": "local",
        "stage": "dev",
        "id": connector_id,
        "config": {
            "database.hostname": "127.0.0.1",
            "database.port": 5432,
            "database.user": cdc_database.role,
            "database.dbname": cdc_database.dbname,
            "table.include.list": f"public.{cdc_database.table}",
        },
        "credentials": {"database.password": secret},
        "topics": [f"sales.{connector_id}"],
    }

    assert call("post", "/api/v1/connectors/validate", payload).status_code == 200
    assert call("post", "/api/v1/connectors/", payload).status_code == 202
    running = settled("RUNNING")
    assert running["credentials"] == {"database.password": "********"}
    # Debezium really connected with the password: its replication slot exists and is in use.
    slot = name.replace("-", "_")
    wait_for(
        lambda: replication_slots(cdc_database.dbname) == [(slot, True)], timeout=30, message=f"slot {slot} in use"
    )
    assert publications(cdc_database) == [slot]
    call("get", "/api/v1/connectors/")
    call("get", "/api/v1/connectors/", {"search": connector_id})
    assert call("get", f"/api/v1/connectors/{name}/status").json()["connect"]["connector"]["state"] == "RUNNING"
    call("get", f"/api/v1/connectors/{name}/events/")

    connector = Connector.objects.get(name=name)
    assert connector_secrets(connector=connector) == {"database.password": secret}
    assert connector.secrets_encrypted and secret not in connector.secrets_encrypted
    assert database_rows_holding(secret) == []  # the ciphertext included: it is not the plaintext
    assert "connectors_connector.config" in database_rows_holding(cdc_database.role)  # the scan does see rows

    assert call("delete", f"/api/v1/connectors/{name}/").status_code == 202
    deleted = settled("DELETED")
    assert replication_slots(cdc_database.dbname) == []
    assert publications(cdc_database) == []
    events = call("get", f"/api/v1/connectors/{name}/events/").json()["results"]
    assert events[-1]["to_state"] == "DELETED" and events[-1]["reason"] == f"replication slot {slot} dropped"
    assert deleted["credentials"] == {"database.password": "********"}

    # --- the secret appears nowhere ---------------------------------------------------------------
    for request, response in responses:
        assert secret not in response.content.decode(), request
    assert database_rows_holding(secret) == []
    logged = [record.getMessage() for record in caplog.records]
    assert any('INSERT INTO "connectors_connector"' in message for message in logged)  # the capture works
    assert not [message for message in logged if secret in message]

    assert not any(secret in snapshot for snapshot in worker_log)
    received = {task_id: data for snapshot in worker_log for task_id, data in received_tasks(snapshot).items()}

    # Celery messages carry ids only: the connector's primary key, the operation and the actor,
    # as published by this process and as received by the worker.
    converge = [(body, headers) for task, body, headers in published_messages if task == "connectors.converge"]
    assert [body[1]["operation"] for body, _ in converge] == ["provision", "delete"]
    for (args, kwargs, _embed), headers in converge:
        assert args == [connector.pk]
        assert set(kwargs) == {"operation", "actor"} and kwargs["actor"].startswith("api_key:")
        assert secret not in json.dumps([args, kwargs]) and secret not in str(headers)
        entry = received.get(headers["id"])
        assert entry is not None, f"the worker log has no 'received' line for task {headers['id']}"
        assert entry["name"] == "connectors.converge"
        assert ast.literal_eval(entry["args"]) == args and ast.literal_eval(entry["kwargs"]) == kwargs
