"""A cluster's managed connectors, loaded for a pass over all of them (the reconciler's, the health sweep's)."""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Prefetch

from connectors.models import Connector
from connectors.state_machine import State
from tenants.models import Cluster, Tenant, TopicPrefix

UNREAD_COLUMNS = ("credential_keys", "created_by", "created_at", "updated_at", "observed_at")


def managed_connectors(*, cluster: Cluster, ids: Collection[int] | None = None) -> list[Connector]:
    """The cluster's connectors but the deleted ones (only those of `ids` when given), in two queries
    whatever their number: their cluster is the one object given, and each tenant one object shared by its
    connectors, with its topic prefixes (which rendering reads) prefetched once."""
    # Left out: columns no pass reads (a pass reads tens of thousands of rows; every column costs decoding).
    rows = Connector.objects.filter(cluster=cluster).exclude(state=State.DELETED).defer(*UNREAD_COLUMNS)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    connectors = list(rows)
    tenants = Tenant.objects.filter(pk__in={connector.tenant_id for connector in connectors}).prefetch_related(
        Prefetch("topic_prefixes", queryset=TopicPrefix.objects.order_by("prefix"))
    )
    by_id = {tenant.pk: tenant for tenant in tenants}
    # The related objects are put in each row's cache directly: the ids already match, and the descriptors'
    # checks cost more than the rest of a row's loading.
    cluster_field, tenant_field = Connector._meta.get_field("cluster"), Connector._meta.get_field("tenant")
    for connector in connectors:
        cluster_field.set_cached_value(connector, cluster)  # one cluster object (one secrets decryption path)
        tenant_field.set_cached_value(connector, by_id[connector.tenant_id])
    return connectors
