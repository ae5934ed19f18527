"""Connectors (the desired configuration and the observed lifecycle) and their transition history."""

from __future__ import annotations

from django.db import models

from connectors.state_machine import DesiredState, State
from tenants.models import Cluster, Tenant


class Connector(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="connectors")
    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="connectors")
    type_key = models.CharField(max_length=64)
    stage = models.CharField(max_length=3)
    connector_id = models.CharField(max_length=63, help_text="The descriptive id part of the name.")
    name = models.CharField(max_length=63)

    # Desired configuration, as the user asked for it (secrets apart, encrypted).
    config = models.JSONField(default=dict, blank=True)
    secrets_encrypted = models.TextField(blank=True, default="", editable=False)
    credential_keys = models.JSONField(
        default=list, blank=True, help_text="Names of the stored secrets (values encrypted)."
    )
    topics = models.JSONField(default=list, blank=True)
    transforms = models.JSONField(default=list, blank=True)
    error_handling = models.JSONField(default=dict, blank=True)
    tasks_max = models.PositiveSmallIntegerField(default=1)
    create_topics = models.BooleanField(default=False)

    # Desired vs observed: `generation` grows with every accepted change; `applied_generation` is
    # the generation last written to Connect. The reconciler acts where they, or the states, differ.
    desired_state = models.CharField(max_length=10, choices=DesiredState.choices, default=DesiredState.RUNNING)
    state = models.CharField(max_length=16, choices=State.choices, default=State.REQUESTED)
    generation = models.PositiveIntegerField(default=1)
    applied_generation = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # One operation at a time per connector; a worker that dies leaves it to expire and be redone.
    operation = models.CharField(max_length=16, blank=True)
    operation_started_at = models.DateTimeField(null=True, blank=True)
    observed_at = models.DateTimeField(null=True, blank=True)
    pending_restart = models.BooleanField(default=False)
    # With pending_restart: restart only the failed connector and tasks, not every task.
    restart_only_failed = models.BooleanField(default=False)
    # A permanent error (invalid config, plugin missing, refused credentials) waits for the user:
    # nothing retries it until an update, an action or a delete clears this.
    retry_blocked = models.BooleanField(default=False)

    created_by = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "name"],
                condition=~models.Q(state=State.DELETED),
                name="connector_name_unique_per_cluster",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "state"]), models.Index(fields=["cluster", "state"])]

    def __str__(self) -> str:
        return self.name


class ConnectorEvent(models.Model):
    """One lifecycle transition: append-only; error texts are stored without secrets."""

    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=16, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=State.choices)
    reason = models.CharField(max_length=200, blank=True)
    actor = models.CharField(max_length=120)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.connector_id}: {self.from_state or '∅'} -> {self.to_state}"


class UnmanagedConnector(models.Model):
    """A connector found on a cluster that the control plane does not manage; listed for import, never touched."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="unmanaged_connectors")
    name = models.CharField(max_length=255)
    connector_class = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=32, blank=True)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["cluster__name", "name"]
        constraints = [models.UniqueConstraint(fields=["cluster", "name"], name="unmanaged_connector_unique")]

    def __str__(self) -> str:
        return f"{self.cluster.name}/{self.name}"
