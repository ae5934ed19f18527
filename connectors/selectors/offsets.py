"""A connector's offsets as Connect reports them now, and its recent offsets requests."""

from __future__ import annotations

from connectors.clusters import cluster_connect_endpoint
from connectors.connect import ConnectError, ConnectorNotFound, connect_client
from connectors.models import Connector, OffsetsRequest
from connectors.state_machine import State

RECENT_REQUESTS = 5


def connector_live_offsets(*, connector: Connector) -> dict:
    """Per Kafka partition for a sink, per source partition for a source; `offsets` is None when
    Connect could not be asked (`connect_error` says why)."""
    offsets, error = None, None
    if connector.state != State.DELETED:
        try:
            offsets = connect_client(cluster_connect_endpoint(cluster=connector.cluster, interactive=True)).offsets(
                connector.name
            )
        except ConnectorNotFound:
            error = "not found on Connect"
        except ConnectError as failure:
            error = type(failure).__name__
    requests = OffsetsRequest.objects.filter(connector=connector)[:RECENT_REQUESTS]
    return {
        "name": connector.name,
        "state": connector.state,
        "offsets": offsets,
        "connect_error": error,
        "requests": [offsets_request_view(request) for request in requests],
    }


def offsets_request_view(request: OffsetsRequest) -> dict:
    return {
        "id": request.pk,
        "kind": request.kind,
        "offsets": request.offsets,
        "stopped_first": request.stopped_first,
        "status": request.status,
        "message": request.message,
        "requested_by": request.requested_by,
        "created_at": request.created_at,
        "finished_at": request.finished_at,
    }
