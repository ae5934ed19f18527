"""manage.py snapshot_plugin_definitions against the real local Connect worker: the committed snapshots are
exactly what the installed plugins define today (a plugin upgrade that changes a property fails here)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from connectors.catalog import SELF_MANAGED
from connectors.catalog.definitions import load_snapshot

pytestmark = pytest.mark.connect


def test_the_committed_snapshots_are_what_the_local_workers_plugins_define(local_stack):
    out = StringIO()
    call_command("snapshot_plugin_definitions", connect_url=local_stack.config.connect_url, check=True, stdout=out)
    # Confluent-licensed plugins are not on Maven Central, so not on this worker: said, not guessed.
    assert "skipped io.confluent.connect.jdbc.JdbcSourceConnector: not installed" in out.getvalue()


def test_a_snapshot_holds_the_plugins_types_defaults_and_recommended_values():
    postgres = load_snapshot(flavour=SELF_MANAGED, connector_class="io.debezium.connector.postgresql.PostgresConnector")
    sslmode = postgres.properties["database.sslmode"]
    assert (sslmode.type, sslmode.default) == ("STRING", "prefer")
    assert "verify-full" in sslmode.allowed_values
    assert postgres.properties["database.password"].type == "PASSWORD"
    assert postgres.source.startswith("Kafka Connect 3.9")


def test_a_worker_that_does_not_answer_is_a_command_error():
    with pytest.raises(CommandError, match="did not answer"):
        call_command("snapshot_plugin_definitions", connect_url="http://127.0.0.1:9", check=True, stdout=StringIO())
