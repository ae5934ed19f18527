"""What a connector leaves behind outside Connect, removed on delete.

A Debezium PostgreSQL connector keeps a replication slot (which holds WAL on the source database
until dropped) and a publication. Connect's DELETE leaves both; we drop them, or say why we could not.
"""

from __future__ import annotations

import logging
import time

import psycopg
from psycopg import sql

logger = logging.getLogger(__name__)
SLOT_RELEASE_TIMEOUT_SECONDS = 20.0


def cleanup_after_delete(*, connector, secrets: dict[str, str]) -> str:
    from connectors.selectors import connector_desired_config

    config = connector_desired_config(connector=connector, secrets=secrets)
    if "slot.name" not in config or "database.hostname" not in config:
        return ""
    return drop_replication_slot(config=config)


def drop_replication_slot(*, config: dict[str, str]) -> str:
    slot, publication = config["slot.name"], config.get("publication.name", "")
    try:
        with psycopg.connect(
            host=config["database.hostname"],
            port=int(config.get("database.port", "5432")),
            user=config.get("database.user", ""),
            password=config.get("database.password", ""),
            dbname=config.get("database.dbname", ""),
            connect_timeout=5,
            autocommit=True,
        ) as connection:
            # The slot stays active until Connect's task has shut down: wait for it to be released.
            deadline = time.monotonic() + SLOT_RELEASE_TIMEOUT_SECONDS
            while True:
                row = connection.execute(
                    "SELECT active FROM pg_replication_slots WHERE slot_name = %s", (slot,)
                ).fetchone()
                if row is None:
                    dropped = f"replication slot {slot} was already absent"
                    break
                if not row[0]:
                    connection.execute("SELECT pg_drop_replication_slot(%s)", (slot,))
                    dropped = f"replication slot {slot} dropped"
                    break
                if time.monotonic() >= deadline:
                    return (
                        f"replication slot {slot} NOT dropped: still active after {SLOT_RELEASE_TIMEOUT_SECONDS:.0f}s"
                    )
                time.sleep(0.5)
            if publication:
                connection.execute(sql.SQL("DROP PUBLICATION IF EXISTS {}").format(sql.Identifier(publication)))
            return dropped
    except psycopg.Error as error:
        # Never leak the connection password: report the error class and the server's short message.
        message = getattr(getattr(error, "diag", None), "message_primary", None) or type(error).__name__
        return f"replication slot {slot} NOT dropped: {message}"
