"""Adopt connectors' Alert (its model state was removed by connectors 0004): same table, renamed to
monitoring_alert, rows kept. The next migration widens it."""

import django.db.models.deletion
from django.db import migrations, models

STATES = [
    ("REQUESTED", "Requested"),
    ("PROVISIONING", "Provisioning"),
    ("RUNNING", "Running"),
    ("DEGRADED", "Degraded"),
    ("FAILED", "Failed"),
    ("PAUSED", "Paused"),
    ("STOPPED", "Stopped"),
    ("UPDATING", "Updating"),
    ("DELETING", "Deleting"),
    ("DELETED", "Deleted"),
    ("DRIFTED", "Drifted"),
]


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("connectors", "0004_alert_moves_to_monitoring"),
        ("tenants", "0002_topic_prefix_length"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Alert",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("state", models.CharField(choices=STATES, max_length=16)),
                        ("message", models.TextField(blank=True)),
                        ("opened_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        ("resolved_at", models.DateTimeField(blank=True, null=True)),
                        ("notified_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "connector",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="alerts",
                                to="connectors.connector",
                            ),
                        ),
                        (
                            "tenant",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="alerts", to="tenants.tenant"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "connectors_alert",
                        "ordering": ["-opened_at", "-id"],
                        "indexes": [
                            models.Index(fields=["tenant", "resolved_at"], name="connectors__tenant__e5a2cd_idx")
                        ],
                    },
                ),
            ]
        ),
        migrations.AlterModelTable(name="alert", table=None),
    ]
