"""CloudEvents 1.0 in the JSON structured mode (pure). The envelope is six fields; the SDK would add
a dependency for a dict."""

from __future__ import annotations

from datetime import datetime

SPEC_VERSION = "1.0"
TYPE_PREFIX = "io.connector-controlplane"
TRANSITIONED = f"{TYPE_PREFIX}.connector.transitioned"
RESTART_REQUESTED = f"{TYPE_PREFIX}.connector.restart_requested"
ALERT_OPENED = f"{TYPE_PREFIX}.alert.opened"
ALERT_RESOLVED = f"{TYPE_PREFIX}.alert.resolved"
AUDIT_RECORDED = f"{TYPE_PREFIX}.audit.recorded"


def cloud_event(*, event_id: str, type: str, source: str, subject: str, time: datetime, data: dict) -> dict:
    return {
        "specversion": SPEC_VERSION,
        "id": event_id,
        "source": source,
        "type": type,
        "subject": subject,
        "time": time.isoformat(),
        "datacontenttype": "application/json",
        "data": data,
    }
