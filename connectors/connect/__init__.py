"""The one Kafka Connect REST client of the product: ``connect_client(endpoint)`` picks the flavour."""

from __future__ import annotations

from connectors.connect.client import ConnectClient, ValidationResult
from connectors.connect.cloud import ConfluentCloudConnectClient
from connectors.connect.endpoint import CONFLUENT_CLOUD, SELF_MANAGED, ConnectEndpoint
from connectors.connect.errors import (
    TRANSIENT_CONNECT_ERRORS,
    ConnectAuthError,
    ConnectConflict,
    ConnectError,
    ConnectorNotFound,
    ConnectServerError,
    ConnectTimeout,
    ConnectTLSError,
    ConnectUnreachable,
    InvalidConnectorConfig,
    OffsetsRequestFailed,
    OperationNotSupported,
    PluginNotInstalled,
)


def connect_client(endpoint: ConnectEndpoint) -> ConnectClient:
    if endpoint.flavour == CONFLUENT_CLOUD:
        return ConfluentCloudConnectClient(endpoint)
    return ConnectClient(endpoint)


__all__ = [
    "CONFLUENT_CLOUD",
    "SELF_MANAGED",
    "TRANSIENT_CONNECT_ERRORS",
    "ConfluentCloudConnectClient",
    "ConnectAuthError",
    "ConnectClient",
    "ConnectConflict",
    "ConnectEndpoint",
    "ConnectError",
    "ConnectServerError",
    "ConnectTLSError",
    "ConnectTimeout",
    "ConnectUnreachable",
    "ConnectorNotFound",
    "InvalidConnectorConfig",
    "OffsetsRequestFailed",
    "OperationNotSupported",
    "PluginNotInstalled",
    "ValidationResult",
    "connect_client",
]
