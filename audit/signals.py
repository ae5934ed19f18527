"""`audit_recorded`: sent by `audit_record` inside the mutation's transaction, with the new row.

The audit trail depends on no app, so other apps listen rather than being called: monitoring
publishes each row as a lifecycle event through its outbox (monitoring/receivers.py)."""

from __future__ import annotations

from django.dispatch import Signal

audit_recorded = Signal()  # kwargs: record (an AuditRecord)
