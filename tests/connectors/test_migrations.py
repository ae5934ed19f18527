"""A database migrated by an earlier release upgrades: the offsets requests' migration was first
released as 0004_offsets_requests and is 0006 now."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("connectors", "0005_restart_only_failed")]
LATEST = [("connectors", "0007_delivery_guarantee")]


def test_a_database_that_ran_the_first_release_of_the_offsets_migration_upgrades():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    with connection.schema_editor() as editor:  # the table as the first release made it, under its old name
        editor.create_model(
            executor.loader.project_state(("connectors", "0006_offsets_requests")).apps.get_model(
                "connectors", "OffsetsRequest"
            )
        )
    MigrationRecorder(connection).record_applied("connectors", "0004_offsets_requests")
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(LATEST)
        assert "connectors_offsetsrequest" in connection.introspection.table_names()
        applied = MigrationRecorder(connection).applied_migrations()
        assert ("connectors", "0006_offsets_requests") in applied and (
            "connectors",
            "0007_delivery_guarantee",
        ) in applied
    finally:
        MigrationRecorder.Migration.objects.filter(app="connectors", name="0004_offsets_requests").delete()
        MigrationExecutor(connection).migrate(LATEST)
