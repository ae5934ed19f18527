"""MySQL CDC end to end, through the API, against the suite's private MariaDB (binary log in ROW format,
started by scripts/test-services.sh): the guide's Database Write Through shape. Debezium's MySQL connector
snapshots the table, then every insert, update and delete arrives keyed by the primary key, in order per
row, with a tombstone after the delete."""

from __future__ import annotations

import os
import random
import uuid

import pymysql
import pytest

from tenants.models import Role
from tests.conftest import wait_for
from tests.connectors.test_e2e_cdc import TopicReader

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.connect]

MARIADB = {
    "host": "127.0.0.1",
    "port": int(os.environ.get("MARIADB_PORT", "3307")),
    "user": os.environ.get("MARIADB_USER", "controlplane_test"),
    "password": os.environ.get("MARIADB_PASSWORD", "controlplane_test"),
}


def execute(statements: list[str]) -> None:
    connection = pymysql.connect(**MARIADB, autocommit=True)
    try:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


@pytest.fixture
def shop():
    """A database with a table `orders` holding one row, and a user with exactly the grants Debezium needs."""
    suffix = uuid.uuid4().hex[:10]
    database, user, password = f"shop_{suffix}", f"dbz_{suffix}", f"Dbz-{uuid.uuid4()}"
    execute(
        [
            f"CREATE DATABASE {database}",
            f"CREATE TABLE {database}.orders (id INT PRIMARY KEY, item VARCHAR(64) NOT NULL, qty INT)",
            f"INSERT INTO {database}.orders VALUES (1, 'anvil', 1)",
            f"CREATE USER '{user}'@'127.0.0.1' IDENTIFIED BY '{password}'",
            "GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT "
            f"ON *.* TO '{user}'@'127.0.0.1'",
        ]
    )
    yield {"database": database, "user": user, "password": password}
    execute([f"DROP DATABASE IF EXISTS {database}", f"DROP USER IF EXISTS '{user}'@'127.0.0.1'"])


def test_row_changes_in_mariadb_reach_the_tenant_topic_keyed_by_primary_key_with_a_tombstone_after_delete(
    client_for, tenant, local_cluster, local_stack, celery_worker_process, shop, unique_name
):
    client = client_for(tenant, Role.DEVELOPER)
    connector_id = unique_name("shop")
    prefix = f"sales.{connector_id.replace('-', '')}"
    created = client.post(
        "/api/v1/connectors/",
        {
            "type": "mysql-cdc-source",
            "cluster": "local",
            "stage": "dev",
            "id": connector_id,
            "config": {
                "database.hostname": MARIADB["host"],
                "database.port": MARIADB["port"],
                "database.user": shop["user"],
                "database.server.id": random.randint(10_000, 4_000_000_000),
                "database.include.list": shop["database"],
                "table.include.list": f"{shop['database']}.orders",
            },
            "credentials": {"database.password": shop["password"]},
            "topics": [prefix],
        },
        format="json",
    )
    assert created.status_code == 202, created.json()
    name = created.json()["name"]
    reader = TopicReader(local_stack.config.bootstrap_servers, f"{prefix}.{shop['database']}.orders")
    try:

        def state() -> str:
            return client.get(f"/api/v1/connectors/{name}/").json()["state"]

        wait_for(lambda: state() == "RUNNING", timeout=90, message="RUNNING")
        wait_for(lambda: any(r["op"] == "r" for r in reader.poll()), timeout=60, message="the snapshot event")
        table = f"{shop['database']}.orders"
        execute(
            [
                f"INSERT INTO {table} VALUES (2, 'rope', 5)",
                f"UPDATE {table} SET qty = 2 WHERE id = 1",
                f"UPDATE {table} SET qty = 6 WHERE id = 2",
                f"DELETE FROM {table} WHERE id = 1",
            ]
        )

        def by_row() -> dict | None:
            records = reader.poll()
            rows: dict[int, list[dict]] = {}
            for record in records:
                rows.setdefault(record["id"], []).append(record)
            return rows if len(records) >= 6 else None  # 1: r, u, d + tombstone; 2: c, u

        rows = wait_for(by_row, timeout=60, message="every change event")
        assert len(reader.records) == 6, reader.records
        for changes in rows.values():
            assert len({change["partition"] for change in changes}) == 1, changes
            assert [c["offset"] for c in changes] == sorted(c["offset"] for c in changes)
        assert [(c["op"], c["after"] and c["after"]["qty"]) for c in rows[1]] == [
            ("r", 1),
            ("u", 2),
            ("d", None),
            (None, None),  # the tombstone: same key, null value
        ]
        assert [(c["op"], c["after"]["qty"]) for c in rows[2]] == [("c", 5), ("u", 6)]

        assert client.delete(f"/api/v1/connectors/{name}/").status_code == 202
        wait_for(lambda: state() == "DELETED", message="DELETED")
    finally:
        reader.close()
