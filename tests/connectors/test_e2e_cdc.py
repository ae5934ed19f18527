"""Database Write Through, end to end: a PostgreSQL table is the event source, a postgres-cdc-source
created through the API (real Celery worker, real Kafka Connect with Debezium) turns every insert,
update and delete into an event keyed by the row's primary key, then the connector goes through
pause, resume, restart and delete, and its replication slot is dropped."""

from __future__ import annotations

import json
import uuid

import psycopg
import pytest
from confluent_kafka import Consumer, TopicPartition
from psycopg import sql

from connectors.clusters import cluster_connect_endpoint
from connectors.connect import ConnectError, ConnectorNotFound, connect_client
from controlplane.naming import replication_slot_name
from tenants.models import Role
from tests.conftest import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.connect]

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
TABLE = "orders"


def _admin(dbname: str = "postgres") -> psycopg.Connection:
    return psycopg.connect(**PG, dbname=dbname, autocommit=True)


def _drop_slots_of(dbname: str) -> None:
    with _admin() as connection:
        for _ in range(40):  # a slot still held by a Debezium task cannot be dropped yet
            slots = connection.execute(
                "SELECT slot_name, active FROM pg_replication_slots WHERE database = %s", (dbname,)
            ).fetchall()
            if not slots:
                return
            for slot, active in slots:
                if not active:
                    connection.execute("SELECT pg_drop_replication_slot(%s)", (slot,))
            connection.execute("SELECT pg_sleep(0.5)")


@pytest.fixture
def source_database():
    """A database owned by its own REPLICATION LOGIN role, with a table the role owns: what the
    connector type's permissions list asks for. Dropped afterwards, with any slot left on it."""
    suffix = uuid.uuid4().hex[:10]
    dbname, role, password = f"cdc_{suffix}", f"cdc_{suffix}", f"pw-{suffix}"
    with _admin() as connection:
        connection.execute(
            sql.SQL("CREATE ROLE {} WITH REPLICATION LOGIN PASSWORD {}").format(
                sql.Identifier(role), sql.Literal(password)
            )
        )
        connection.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(dbname), sql.Identifier(role)))
    with psycopg.connect(**{**PG, "user": role}, password=password, dbname=dbname, autocommit=True) as connection:
        connection.execute(f"CREATE TABLE public.{TABLE} (id integer PRIMARY KEY, item text NOT NULL, qty integer)")
        connection.execute(f"ALTER TABLE public.{TABLE} REPLICA IDENTITY FULL")
    yield {"dbname": dbname, "user": role, "password": password}
    _drop_slots_of(dbname)
    with _admin() as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))
        connection.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def _execute(database: dict, statement: str, params: tuple = ()) -> None:
    with psycopg.connect(
        **{**PG, "user": database["user"]}, password=database["password"], dbname=database["dbname"], autocommit=True
    ) as connection:
        connection.execute(statement, params)


def _state(client, name: str, expected: str, timeout: float = 90) -> dict:
    def check():
        body = client.get(f"/api/v1/connectors/{name}/").json()
        return body if body["state"] == expected and not body["operation_in_flight"] else None

    return wait_for(check, timeout=timeout, message=f"{name} to reach {expected}")


class TopicReader:
    """Reads a topic from the beginning by assigning all its partitions (no group join to wait for)."""

    def __init__(self, bootstrap_servers: str, topic: str) -> None:
        self.topic = topic
        self.consumer = Consumer(
            {
                "bootstrap.servers": bootstrap_servers,
                "group.id": f"e2e-cdc-{uuid.uuid4().hex[:8]}",
                "enable.auto.commit": False,
                "auto.offset.reset": "earliest",
            }
        )
        self.records: list[dict] = []
        self.assigned = False

    def _assign(self) -> bool:
        metadata = self.consumer.list_topics(self.topic, timeout=5).topics.get(self.topic)
        if metadata is None or metadata.error is not None or not metadata.partitions:
            return False
        self.consumer.assign([TopicPartition(self.topic, p, 0) for p in sorted(metadata.partitions)])
        self.assigned = True
        return True

    def poll(self) -> list[dict]:
        if not self.assigned and not self._assign():
            return self.records
        for message in self.consumer.consume(num_messages=100, timeout=1.0):
            if message.error():
                continue
            key = json.loads(message.key())["payload"] if message.key() else None
            value = json.loads(message.value()) if message.value() is not None else None
            self.records.append(
                {
                    "partition": message.partition(),
                    "offset": message.offset(),
                    "id": key["id"] if key else None,
                    "op": value["payload"]["op"] if value else None,  # None: a tombstone
                    "after": value["payload"]["after"] if value else None,
                }
            )
        return self.records

    def close(self) -> None:
        self.consumer.close()


def test_row_changes_reach_kafka_as_keyed_ordered_events_and_the_connector_goes_through_its_lifecycle(
    client_for, tenant, local_cluster, local_stack, celery_worker_process, source_database, unique_name
):
    # A row that exists before the connector: it arrives through the initial snapshot (op r).
    _execute(source_database, f"INSERT INTO {TABLE} (id, item, qty) VALUES (1, 'anvil', 1)")
    client = client_for(tenant, Role.DEVELOPER)
    connector_id = unique_name("cdc")
    prefix = f"sales.{connector_id.replace('-', '')}"
    created = client.post(
        "/api/v1/connectors/",
        {
            "type": "postgres-cdc-source",
            "cluster": "local",
            "stage": "dev",
            "id": connector_id,
            "config": {
                "database.hostname": PG["host"],
                "database.port": PG["port"],
                "database.user": source_database["user"],
                "database.dbname": source_database["dbname"],
                "table.include.list": f"public.{TABLE}",
            },
            "credentials": {"database.password": source_database["password"]},
            "topics": [prefix],
        },
        format="json",
    )
    assert created.status_code == 202, created.json()
    name = created.json()["name"]
    assert name == f"edh-shared-sales-dev-{connector_id}-connector"
    assert created.json()["credentials"] == {"database.password": "********"}
    connect = connect_client(cluster_connect_endpoint(cluster=local_cluster))
    slot = replication_slot_name(connector_name=name)
    reader = TopicReader(local_stack.config.bootstrap_servers, f"{prefix}.public.{TABLE}")
    try:
        _state(client, name, "RUNNING")
        assert connect.status(name)["connector"]["state"] == "RUNNING"
        live = connect.get_config(name)
        assert live["slot.name"] == slot and live["topic.prefix"] == prefix and live["plugin.name"] == "pgoutput"

        # Streaming starts after the snapshot: change rows only once it has been read.
        wait_for(lambda: any(r["op"] == "r" for r in reader.poll()), timeout=60, message="the snapshot event")
        _execute(source_database, f"INSERT INTO {TABLE} (id, item, qty) VALUES (2, 'rope', 5)")
        _execute(source_database, f"UPDATE {TABLE} SET qty = 2 WHERE id = 1")
        _execute(source_database, f"UPDATE {TABLE} SET qty = 6 WHERE id = 2")
        _execute(source_database, f"INSERT INTO {TABLE} (id, item, qty) VALUES (3, 'bucket', 1)")
        _execute(source_database, f"DELETE FROM {TABLE} WHERE id = 1")
        _execute(source_database, f"UPDATE {TABLE} SET qty = 7 WHERE id = 2")

        def by_row() -> dict | None:
            records = reader.poll()
            rows: dict[int, list[dict]] = {}
            for record in records:
                rows.setdefault(record["id"], []).append(record)
            # 1: r, u, d + tombstone; 2: c, u, u; 3: c
            return rows if len(records) >= 8 else None

        rows = wait_for(by_row, timeout=60, message="every change event")
        assert len(reader.records) == 8, reader.records
        for changes in rows.values():
            # One row's changes: one partition, in offset order, which is the order they were made.
            assert len({change["partition"] for change in changes}) == 1, changes
            assert [c["offset"] for c in changes] == sorted(c["offset"] for c in changes)
        assert set(rows) == {1, 2, 3}
        assert [(c["op"], c["after"] and c["after"]["qty"]) for c in rows[1]] == [
            ("r", 1),
            ("u", 2),
            ("d", None),
            (None, None),
        ]
        assert [(c["op"], c["after"]["qty"]) for c in rows[2]] == [("c", 5), ("u", 6), ("u", 7)]
        assert [(c["op"], c["after"]["item"]) for c in rows[3]] == [("c", "bucket")]
        # The delete is followed by a tombstone: same key, null value.
        assert rows[1][-1]["id"] == 1 and rows[1][-1]["op"] is None and rows[1][-1]["after"] is None

        for action, expected, connect_state in [
            ("pause", "PAUSED", "PAUSED"),
            ("resume", "RUNNING", "RUNNING"),
            ("restart", "RUNNING", "RUNNING"),
        ]:
            response = client.post(f"/api/v1/connectors/{name}/{action}")
            assert response.status_code == 202, response.json()
            _state(client, name, expected)
            wait_for(
                lambda s=connect_state: connect.status(name)["connector"]["state"] == s,
                timeout=30,
                message=connect_state,
            )

        # Still capturing after the restart.
        _execute(source_database, f"INSERT INTO {TABLE} (id, item, qty) VALUES (4, 'hook', 1)")
        wait_for(lambda: any(r["id"] == 4 and r["op"] == "c" for r in reader.poll()), timeout=60, message="row 4")

        assert client.delete(f"/api/v1/connectors/{name}/").status_code == 202
        _state(client, name, "DELETED")
    finally:
        reader.close()
        try:
            connect.delete(name)  # only if the test failed before the delete
        except ConnectError:
            pass

    with pytest.raises(ConnectorNotFound):
        connect.get(name)
    with _admin() as connection:
        assert connection.execute("SELECT 1 FROM pg_replication_slots WHERE slot_name = %s", (slot,)).fetchone() is None
    with _admin(source_database["dbname"]) as connection:
        assert connection.execute("SELECT 1 FROM pg_publication WHERE pubname = %s", (slot,)).fetchone() is None

    events = client.get(f"/api/v1/connectors/{name}/events/").json()["results"]
    transitions = [(event["from_state"], event["to_state"]) for event in events]
    # Every transition in order, each starting where the previous one ended.
    assert transitions[0] == ("", "REQUESTED")
    assert all(current[0] == previous[1] for previous, current in zip(transitions, transitions[1:], strict=False)), (
        transitions
    )
    to_states = [to for _, to in transitions]
    assert to_states[:5] == ["REQUESTED", "PROVISIONING", "RUNNING", "PAUSED", "RUNNING"], transitions
    assert to_states[-2:] == ["DELETING", "DELETED"], transitions
    assert not {"FAILED", "DEGRADED", "DRIFTED"} & set(to_states), transitions
    assert f"replication slot {slot} dropped" in events[-1]["reason"]
    assert any(e["actor"].startswith("api_key:") for e in events if e["to_state"] == "PAUSED")
