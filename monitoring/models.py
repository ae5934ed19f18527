"""Health monitoring: what the sweep keeps per cluster and connector, alerts and their deliveries,
tenants' alert channels, auto-restarts, the events outbox and Celery task outcome counters."""

from __future__ import annotations

import uuid

from django.db import models

from connectors.models import Connector
from connectors.state_machine import State
from controlplane.crypto import decrypt_secrets
from tenants.models import Cluster, Tenant


class Fault(models.TextChoices):
    """Whose move it is: a user fault (credentials refused, a missing table or bucket, an invalid
    config) waits for the user and is never restarted; a platform fault may be."""

    NONE = "", "None"
    USER = "user", "User must act"
    PLATFORM = "platform", "Platform (may be restarted)"


class ClusterHealth(models.Model):
    """The last sweep of one cluster. While it does not answer, its connectors keep their last known
    state, shown as stale."""

    cluster = models.OneToOneField(Cluster, on_delete=models.CASCADE, related_name="health")
    reachable = models.BooleanField(default=True)
    unreachable_since = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True, help_text="The error's kind, never a URL.")
    last_sweep_at = models.DateTimeField(null=True, blank=True)
    last_sweep_seconds = models.FloatField(null=True, blank=True)
    connectors_seen = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.cluster.name}: {'reachable' if self.reachable else 'unreachable'}"


class ConnectorHealth(models.Model):
    """Monitoring's view of one connector: its overrides (null = the stage's default) and what the
    sweep keeps between sweeps (Connect's task states, the restart count, sink lag)."""

    connector = models.OneToOneField(Connector, on_delete=models.CASCADE, primary_key=True, related_name="health")

    # --- overrides -------------------------------------------------------------------------------
    auto_restart = models.BooleanField(null=True, blank=True)
    restart_max_attempts = models.PositiveSmallIntegerField(null=True, blank=True)
    restart_backoff_seconds = models.FloatField(null=True, blank=True)
    restart_backoff_max_seconds = models.FloatField(null=True, blank=True)
    healthy_window_seconds = models.FloatField(null=True, blank=True)
    lag_threshold_records = models.PositiveBigIntegerField(null=True, blank=True)
    lag_threshold_seconds = models.FloatField(null=True, blank=True)
    channels = models.ManyToManyField(
        "AlertChannel",
        blank=True,
        related_name="connector_overrides",
        help_text="If any, alerts of this connector go to these channels instead of the tenant's defaults.",
    )

    # --- kept by the sweep -----------------------------------------------------------------------
    tasks = models.JSONField(default=list, blank=True, help_text="Connect's task states as last reported.")
    fault = models.CharField(max_length=8, choices=Fault.choices, blank=True, default=Fault.NONE)
    restart_attempts = models.PositiveSmallIntegerField(default=0)
    next_restart_at = models.DateTimeField(null=True, blank=True)
    healthy_since = models.DateTimeField(null=True, blank=True)
    persistent_failure = models.BooleanField(default=False)
    lag_records = models.BigIntegerField(null=True, blank=True)
    lag_seconds = models.FloatField(null=True, blank=True)
    lag_partitions = models.JSONField(default=list, blank=True)
    lag_measured_at = models.DateTimeField(null=True, blank=True)
    caught_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "connector health"

    def __str__(self) -> str:
        return f"health of {self.connector_id}"


class AlertChannel(models.Model):
    """Where a tenant's alerts go: a webhook (JSON, or a Slack-compatible body) or email. The webhook
    URL (it often carries a token) and the SMTP password are encrypted like every other secret."""

    class Kind(models.TextChoices):
        WEBHOOK = "webhook", "Webhook"
        EMAIL = "email", "Email"

    class Format(models.TextChoices):
        JSON = "json", "JSON"
        SLACK = "slack", "Slack-compatible"

    SECRET_FIELDS = ("url", "smtp_password")

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="alert_channels")
    name = models.CharField(max_length=63)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    enabled = models.BooleanField(default=True)
    is_default = models.BooleanField(
        default=True, help_text="Used for every connector of the tenant that names no channels of its own."
    )
    format = models.CharField(max_length=8, choices=Format.choices, default=Format.JSON)
    recipients = models.JSONField(default=list, blank=True)
    from_email = models.CharField(max_length=254, blank=True)
    smtp_host = models.CharField(max_length=255, blank=True, help_text="Empty: the EMAIL_* settings.")
    smtp_port = models.PositiveIntegerField(null=True, blank=True)
    smtp_username = models.CharField(max_length=254, blank=True)
    smtp_use_tls = models.BooleanField(default=False)
    secrets_encrypted = models.TextField(blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["tenant__slug", "name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="alert_channel_name_unique")]

    def __str__(self) -> str:
        return f"{self.tenant.slug}/{self.name}"

    def secrets(self) -> dict[str, str]:
        return decrypt_secrets(self.secrets_encrypted)

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.name}"


class Alert(models.Model):
    """Something needs attention. One open alert per (connector or cluster, condition, fingerprint):
    a repeat is the same alert (deduplicated), and one resolved less than ALERT_COOLDOWN_SECONDS ago
    is reopened rather than announced again."""

    class Condition(models.TextChoices):
        CONNECTOR_STATE = "connector_state", "Connector failed, degraded or drifted"
        PERSISTENT_FAILURE = "persistent_failure", "Still failing after the last automatic restart"
        CLUSTER_UNREACHABLE = "cluster_unreachable", "Cluster unreachable"
        SINK_LAG = "sink_lag", "Sink lag over its threshold"

    tenant = models.ForeignKey(Tenant, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts")
    connector = models.ForeignKey(Connector, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts")
    cluster = models.ForeignKey(Cluster, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts")
    condition = models.CharField(max_length=24, choices=Condition.choices, default=Condition.CONNECTOR_STATE)
    state = models.CharField(max_length=16, choices=State.choices, blank=True)
    fault = models.CharField(max_length=8, choices=Fault.choices, blank=True, default=Fault.NONE)
    fingerprint = models.CharField(max_length=40, blank=True)
    message = models.TextField(blank=True, help_text="Scrubbed of secrets.")
    details = models.JSONField(default=dict, blank=True)
    opened_at = models.DateTimeField(auto_now_add=True, db_index=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    recovery_notified_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.CharField(max_length=120, blank=True)
    muted_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "resolved_at"], name="alert_tenant_open_idx"),
            models.Index(fields=["connector", "condition", "resolved_at"], name="alert_connector_open_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.condition} {self.connector or self.cluster}"


class Delivery(models.Model):
    """One notification of one alert to one channel (or the platform webhook), or of a notice that is
    no alert (a declined change request): sent by a task of its own, retried with backoff, every
    attempt recorded."""

    class Kind(models.TextChoices):
        ALERT = "alert", "Alert"
        RECOVERY = "recovery", "Recovery notice"
        NOTICE = "notice", "Notice"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    PLATFORM = "platform-webhook"

    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.ForeignKey(AlertChannel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    tenant = models.ForeignKey(Tenant, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # A notice's own message (subject, text, payload), already free of secrets; empty for an alert's.
    notice = models.JSONField(default=dict, blank=True)
    target = models.CharField(max_length=80, help_text="`platform-webhook` or `<kind>:<channel name>`.")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.ALERT)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["alert", "target", "kind"], name="delivery_once_per_target")]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        what = f"alert {self.alert_id}" if self.alert_id else self.notice.get("subject", "notice")
        return f"{self.kind} of {what} to {self.target}: {self.status}"


class Restart(models.Model):
    """An automatic restart of a connector's failed tasks, with the error it answered."""

    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="auto_restarts")
    attempt = models.PositiveSmallIntegerField()
    error = models.TextField(blank=True, help_text="Scrubbed of secrets.")
    requested_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["requested_at", "id"]

    def __str__(self) -> str:
        return f"restart {self.attempt} of {self.connector_id}"


class OutboxEvent(models.Model):
    """A lifecycle event (transition, alert, restart) waiting to be published as a CloudEvent. Written
    in the transaction of what it announces; a task drains the table in id order."""

    id = models.BigAutoField(primary_key=True)
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(max_length=100)
    subject = models.CharField(max_length=255, help_text="The connector's name (the Kafka key) or the cluster's.")
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["published_at", "id"], name="outbox_pending_idx")]

    def __str__(self) -> str:
        return f"{self.type} {self.subject}"


class TaskOutcome(models.Model):
    """How many times each Celery task succeeded, failed or was retried (for /metrics): counted in
    the database so every worker process adds to the same numbers."""

    task = models.CharField(max_length=100)
    outcome = models.CharField(max_length=16)
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "outcome"], name="task_outcome_unique")]

    def __str__(self) -> str:
        return f"{self.task} {self.outcome}: {self.count}"
