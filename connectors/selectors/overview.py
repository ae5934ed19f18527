"""Reads for the platform team's overview: connectors by state, what needs attention, open alerts."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from connectors.models import Connector
from connectors.state_machine import State

TROUBLE_STATES = (State.FAILED, State.DEGRADED, State.DRIFTED)


def alert_model():
    """The Alert model, reached through its relation to connectors (`Connector.alerts`), so that
    these reads do not depend on which app keeps alerts."""
    return Connector.alerts.rel.related_model


def open_alerts() -> QuerySet:
    """Alerts not yet resolved, newest first."""
    return alert_model().objects.filter(resolved_at__isnull=True).order_by("-opened_at", "-id")


def connectors_with_open_alert(queryset: QuerySet[Connector]) -> QuerySet[Connector]:
    """Annotate `has_open_alert` in the same query (no query per row)."""
    return queryset.annotate(has_open_alert=Exists(open_alerts().filter(connector=OuterRef("pk"))))


def needs_attention_filter() -> Q:
    """In trouble (FAILED, DEGRADED, DRIFTED), waiting for a person after a permanent error, or with an
    open alert. Needs `connectors_with_open_alert` on the queryset."""
    return (Q(state__in=TROUBLE_STATES) | Q(retry_blocked=True) | Q(has_open_alert=True)) & ~Q(state=State.DELETED)


def connector_counts_by_state(*, cluster_ids: list[int] | None = None) -> dict[int, dict[str, int]]:
    """cluster id -> {state: count} for connectors that are not deleted; one query."""
    rows = Connector.objects.exclude(state=State.DELETED)
    if cluster_ids is not None:
        rows = rows.filter(cluster_id__in=cluster_ids)
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in rows.values("cluster_id", "state").annotate(count=Count("id")).order_by("cluster_id", "state"):
        counts[row["cluster_id"]][row["state"]] = row["count"]
    return dict(counts)


def connectors_waiting_for_a_person() -> QuerySet[Connector]:
    """Connectors whose permanent error stops every retry until someone updates, restarts or deletes them."""
    return (
        Connector.objects.filter(retry_blocked=True)
        .exclude(state=State.DELETED)
        .select_related("tenant", "cluster")
        .order_by("-updated_at")
    )
