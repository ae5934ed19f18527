"""Alert moves to the monitoring app: removed from connectors' model state only; the table is kept and
adopted (and renamed) by monitoring's first migration, so existing alerts survive."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("connectors", "0003_retry_blocked")]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="Alert")]),
    ]
