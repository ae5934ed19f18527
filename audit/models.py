"""The audit trail: one append-only row per mutation, written by the service that made it."""

from __future__ import annotations

from django.db import models


class AppendOnly(Exception):
    """Audit rows are never changed or removed, by anyone, through the product."""


class AuditRecordQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("audit records are append-only: they cannot be updated")

    def delete(self):
        raise AppendOnly("audit records are append-only: they cannot be deleted")


class AuditRecord(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Who: "user:alice", "api_key:cp_1a2b3c4d", "cli:root", "system".
    actor = models.CharField(max_length=120)
    # The tenant the object belongs to; empty for platform-wide objects (a landing zone, a cluster).
    tenant = models.ForeignKey(
        "tenants.Tenant", null=True, blank=True, on_delete=models.PROTECT, related_name="audit_records"
    )
    action = models.CharField(max_length=64, help_text="<object type>.<verb>, e.g. connector.create")
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=200, blank=True)
    # Where from: the API's request id and the caller's address, or the management command.
    request_id = models.CharField(max_length=64, blank=True, db_index=True)
    source = models.CharField(max_length=200, blank=True, help_text="source address, or the command")
    channel = models.CharField(max_length=16, help_text="api, admin, command or system")
    # Secrets censored (controlplane.masking) before they are stored.
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    objects = AuditRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "created_at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor} {self.action} {self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("audit records are append-only: they cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("audit records are append-only: they cannot be deleted")
