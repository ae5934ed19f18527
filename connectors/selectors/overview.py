"""Reads for the platform team's overview: connectors by state, what needs attention, open alerts."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from connectors.models import Connector
from connectors.state_machine import State
from tenants.models import Cluster

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


COUNTED_STATES = tuple(state for state in State.values if state != State.DELETED)


def clusters_with_connector_counts(clusters: QuerySet[Cluster]) -> QuerySet[Cluster]:
    """Annotate each cluster with its connectors per state (DELETED left out), in the same query."""
    return clusters.annotate(
        **{
            f"connectors_{state.lower()}": Count("connectors", filter=Q(connectors__state=state))
            for state in COUNTED_STATES
        }
    )


def connector_counts(cluster: Cluster) -> dict[str, int]:
    """{state: count} of a cluster from `clusters_with_connector_counts`, in state order."""
    return {state: getattr(cluster, f"connectors_{state.lower()}") for state in COUNTED_STATES}


def connectors_waiting_for_a_person() -> QuerySet[Connector]:
    """Connectors whose permanent error stops every retry until someone updates, restarts or deletes them."""
    return (
        Connector.objects.filter(retry_blocked=True)
        .exclude(state=State.DELETED)
        .select_related("tenant", "cluster")
        .order_by("-updated_at")
    )
