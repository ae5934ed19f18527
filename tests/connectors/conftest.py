"""Fixtures shared by the connector tests."""

import uuid
from dataclasses import dataclass

import psycopg
import pytest
from psycopg import sql

POSTGRES = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "postgres", "autocommit": True}


@dataclass(frozen=True)
class CdcDatabase:
    role: str
    password: str
    dbname: str
    table: str = "orders"


def drop_database(dbname: str, *roles: str) -> None:
    with psycopg.connect(**POSTGRES) as admin:
        # A replication slot on the database blocks DROP DATABASE: stop its walsender, then drop it.
        admin.execute(
            "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = %s AND active",
            (dbname,),
        )
        for (slot,) in admin.execute("SELECT slot_name FROM pg_replication_slots WHERE database = %s", (dbname,)):
            admin.execute("SELECT pg_drop_replication_slot(%s)", (slot,))
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))
        for role in roles:
            admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


@pytest.fixture
def cdc_database():
    """A database Debezium can capture: a REPLICATION LOGIN role (with a recognizable password)
    owning the database and its table `orders`, which holds one row."""
    suffix = uuid.uuid4().hex[:10]
    database = CdcDatabase(role=f"cdc_{suffix}", password=f"Sup3r-S3cret-{uuid.uuid4()}", dbname=f"cdc_{suffix}")
    role, dbname = sql.Identifier(database.role), sql.Identifier(database.dbname)
    with psycopg.connect(**POSTGRES) as admin:
        admin.execute(
            sql.SQL("CREATE ROLE {} REPLICATION LOGIN PASSWORD {}").format(role, sql.Literal(database.password))
        )
        admin.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(dbname, role))
    with psycopg.connect(
        **{**POSTGRES, "user": database.role, "dbname": database.dbname}, password=database.password
    ) as owner:
        owner.execute("CREATE TABLE orders (id integer PRIMARY KEY, item text)")
        owner.execute("INSERT INTO orders VALUES (1, 'first')")
    yield database
    drop_database(database.dbname, database.role)


def connector_requested(*, tenant, type_key: str, connector_id: str, cluster_name: str = "local", **spec):
    """A connector created through the create service (validated, stored, its provisioning queued)."""
    from connectors.services.commands import connector_create
    from connectors.spec import ConnectorSpec

    connector, _ = connector_create(
        spec=ConnectorSpec(
            tenant=tenant,
            type_key=type_key,
            cluster_name=cluster_name,
            stage=spec.pop("stage", "dev"),
            connector_id=connector_id,
            **spec,
        ),
        actor="user:alice",
    )
    return connector
