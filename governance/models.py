"""Governance: per-landing-zone promotion and approval rules, per-tenant quotas, change requests."""

from __future__ import annotations

from django.db import models

from tenants.models import LandingZone, Tenant

STAGES = ("dev", "qas", "run")


class LandingZonePolicy(models.Model):
    """How a landing zone governs its stages (a landing zone without a policy uses the defaults)."""

    landing_zone = models.OneToOneField(LandingZone, on_delete=models.CASCADE, related_name="policy")
    run_gate_enabled = models.BooleanField(
        default=True,
        help_text="A run connector only from a qas connector RUNNING without alerts for the gate time.",
    )
    run_gate_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="How long the qas connector must have run; empty: PROMOTION_GATE_SECONDS."
    )
    four_eyes = models.BooleanField(
        default=False,
        help_text="Creates, promotions and config changes in run wait for another tenant admin's approval.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "landing zone policies"

    def __str__(self) -> str:
        return f"policy of {self.landing_zone}"


class TenantQuota(models.Model):
    """Limits a platform admin sets for a tenant; an empty limit is no limit."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="quota")
    max_dev_connectors = models.PositiveIntegerField(null=True, blank=True)
    max_qas_connectors = models.PositiveIntegerField(null=True, blank=True)
    max_run_connectors = models.PositiveIntegerField(null=True, blank=True)
    max_tasks_per_cluster = models.PositiveIntegerField(
        null=True, blank=True, help_text="The most tasks.max the tenant's connectors may add up to on one cluster."
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"quota of {self.tenant}"

    def max_connectors(self, stage: str) -> int | None:
        return getattr(self, f"max_{stage}_connectors", None)


class ChangeRequest(models.Model):
    """A create, promotion or configuration change into run, held until another tenant admin approves
    or declines it."""

    class Kind(models.TextChoices):
        CREATE = "create"
        PROMOTE = "promote"
        UPDATE = "update"  # a change to a run connector's configuration

    class Status(models.TextChoices):
        PENDING = "pending"
        APPROVED = "approved"
        DECLINED = "declined"

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="change_requests")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    target_name = models.CharField(max_length=63, help_text="The connector the change creates or updates.")
    source_name = models.CharField(max_length=63, blank=True, help_text="For a promotion: the qas connector.")
    # The spec to apply, credentials apart and encrypted (controlplane.crypto).
    spec = models.JSONField(default=dict)
    secrets_encrypted = models.TextField(blank=True, default="", editable=False)
    desired_state = models.CharField(max_length=10, default="running")
    # For a promotion or an update: the target's generation when the request was opened (0: no target),
    # so that an approval never reverts a change made to the target since. Empty on older requests.
    target_generation = models.PositiveIntegerField(null=True, blank=True, editable=False)
    target_pk = models.PositiveBigIntegerField(
        null=True, blank=True, editable=False
    )  # the same connector, not a new one
    author = models.CharField(max_length=120, help_text="Who asked, e.g. user:alice or api_key:cp_1a2b3c4d.")
    # The person behind the author (a key's creator), so one person cannot approve with another key.
    author_principal = models.CharField(max_length=120)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.CharField(max_length=120, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why it was declined (or approved), shown to the author.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "status"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.target_name} ({self.status})"
