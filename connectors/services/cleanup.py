"""What a connector leaves behind outside Connect, removed on delete.

A Debezium PostgreSQL connector keeps a replication slot (which holds WAL on the source database
until dropped) and a publication. Connect's DELETE leaves both; we drop them, or say why we could not.
"""

from __future__ import annotations

import logging
import time

import psycopg
from psycopg import sql

from connectors.catalog import get_type
from connectors.models import Connector
from controlplane.naming import publication_name, replication_slot_name

logger = logging.getLogger(__name__)
SLOT_RELEASE_TIMEOUT_SECONDS = 20.0


def cleanup_after_delete(*, connector: Connector, secrets: dict[str, str]) -> str:
    """Drop what the deleted connector left on its source database; a note for the DELETED event."""
    connector_type = get_type(connector.type_key)
    derived = connector_type.derived_config.get(connector.cluster.connect_flavour, {})
    if "slot.name" not in derived:
        return ""  # only a connector whose slot the platform names holds one
    config = connector.config
    port_default = connector_type.field_spec("database.port").default
    return drop_replication_slot(
        slot=replication_slot_name(connector_name=connector.name),
        publication=publication_name(connector_name=connector.name) if "publication.name" in derived else "",
        connection={
            "host": config.get("database.hostname", ""),
            "port": int(config.get("database.port") or port_default or 5432),
            "user": config.get("database.user", ""),
            "password": secrets.get("database.password", ""),
            "dbname": config.get("database.dbname", ""),
        },
    )


def drop_replication_slot(*, slot: str, publication: str, connection: dict) -> str:
    try:
        with psycopg.connect(**connection, connect_timeout=5, autocommit=True) as database:
            # The slot stays active until Connect's task has shut down: wait for it to be released.
            deadline = time.monotonic() + SLOT_RELEASE_TIMEOUT_SECONDS
            while True:
                row = database.execute(
                    "SELECT active FROM pg_replication_slots WHERE slot_name = %s", (slot,)
                ).fetchone()
                if row is None:
                    dropped = f"replication slot {slot} was already absent"
                    break
                if not row[0]:
                    database.execute("SELECT pg_drop_replication_slot(%s)", (slot,))
                    dropped = f"replication slot {slot} dropped"
                    break
                if time.monotonic() >= deadline:
                    return (
                        f"replication slot {slot} NOT dropped: still active after {SLOT_RELEASE_TIMEOUT_SECONDS:.0f}s"
                    )
                time.sleep(0.5)
            if publication:
                database.execute(sql.SQL("DROP PUBLICATION IF EXISTS {}").format(sql.Identifier(publication)))
            return dropped
    except psycopg.Error as error:
        # Never leak the connection password: report the error class and the server's short message.
        message = getattr(getattr(error, "diag", None), "message_primary", None) or type(error).__name__
        return f"replication slot {slot} NOT dropped: {message}"
