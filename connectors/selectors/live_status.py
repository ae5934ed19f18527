"""A connector's stored lifecycle together with what Connect reports now, safe to show its tenant."""

from __future__ import annotations

from collections.abc import Callable

from connectors.clusters import cluster_connect_endpoint
from connectors.connect import ConnectError, ConnectorNotFound, connect_client
from connectors.models import Connector
from connectors.selectors.desired import connector_secrets, secrets_to_scrub
from connectors.state_machine import State
from connectors.status import scrub_status, trimmed_status
from controlplane.crypto import DecryptionError

# Sections other apps add to a connector's status without connectors importing them (monitoring adds
# "health": staleness, Connect's task states, sink lag, auto-restarts). Registered in AppConfig.ready().
STATUS_SECTIONS: dict[str, Callable[[Connector], dict]] = {}


def register_status_section(key: str, provider: Callable[[Connector], dict]) -> None:
    STATUS_SECTIONS[key] = provider


def connector_live_status(*, connector: Connector) -> dict:
    """Traces trimmed and scrubbed: Connect's stack traces can quote the config."""
    live, live_error = None, None
    if connector.state != State.DELETED:
        try:
            endpoint = cluster_connect_endpoint(cluster=connector.cluster, interactive=True)
            status_now = connect_client(endpoint).status(connector.name)
            secrets = secrets_to_scrub(cluster=connector.cluster, secrets=connector_secrets(connector=connector))
            live = scrub_status(trimmed_status(status_now), secrets)
        except ConnectorNotFound:
            live_error = "not found on Connect"
        except (ConnectError, DecryptionError) as error:
            live_error = type(error).__name__
    body = {
        "name": connector.name,
        "state": connector.state,
        "desired_state": connector.desired_state,
        "last_error": connector.last_error,
        "operation_in_flight": connector.operation,
        "observed_at": connector.observed_at,
        "connect": live,
        "connect_error": live_error,
    }
    for key, provider in STATUS_SECTIONS.items():
        body[key] = provider(connector)
    return body
