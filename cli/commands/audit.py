"""`cpctl audit`: the tenant's audit trail (GET /api/v1/audit/, tenant admins), newest first, every page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import click

from cli import output
from cli.client import ApiError
from cli.common import api, output_option, refused

AUDIT_COLUMNS = ("created_at", "actor", "action", "object_type", "object_id", "channel", "request_id")
DURATION = re.compile(r"^(\d+)([smhdw])$")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def instant(value: str | None, *, now: datetime | None = None) -> str | None:
    """An ISO 8601 time as given (the API checks it), or a duration back from now (30m, 2h, 7d) in UTC."""
    if value is None:
        return None
    match = DURATION.match(value.strip())
    if not match:
        return value
    amount, unit = int(match.group(1)), UNITS[match.group(2)]
    return ((now or datetime.now(UTC)) - timedelta(**{unit: amount})).isoformat()


@click.command()
@click.option("--action", help="e.g. connector.create, connector.promote, change_request.approve")
@click.option("--object", "object_id", help="The object's id: a connector's name, a change request's number…")
@click.option("--object-type", help="e.g. connector, change_request, api_key")
@click.option("--actor", help="e.g. api_key:cp_1a2b3c4d, user:alice")
@click.option("--channel", help="api, admin, command or system")
@click.option("--request-id", help="The X-Request-ID of the answer that made the change.")
@click.option("--tenant", help="The tenant's slug (platform admins: else every tenant's rows and the platform's).")
@click.option("--since", help="Rows written at or after: an ISO 8601 time, or a duration back from now (30m, 2h, 7d).")
@click.option("--until", help="Rows written before: an ISO 8601 time, or a duration back from now.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many rows, the newest (default: all).")
@output_option
@click.pass_context
def audit(ctx, action, object_id, object_type, actor, channel, request_id, tenant, since, until, limit, fmt) -> None:
    """Who changed what, newest first (tenant admins): before/after with secrets censored in -o json|yaml."""
    try:
        rows = api(ctx).list_all(
            "/audit/",
            max_rows=limit,
            action=action,
            object_id=object_id,
            object_type=object_type,
            actor=actor,
            channel=channel,
            request_id=request_id,
            tenant=tenant,
            since=instant(since),
            until=instant(until),
        )
    except ApiError as error:
        raise refused(error) from error
    output.emit(rows, fmt=fmt, columns=AUDIT_COLUMNS, title="audit trail")
