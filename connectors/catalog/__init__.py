"""The connector catalog: one registry of connector types, as data.

from connectors.catalog import get_type, all_types, SELF_MANAGED, CONFLUENT_CLOUD

pg = get_type("postgres-cdc-source")
pg.connector_class(SELF_MANAGED)  # "io.debezium.connector.postgresql.PostgresConnector"
pg.json_schema(CONFLUENT_CLOUD)   # JSON Schema of the request's config + credentials
"""

from __future__ import annotations

from connectors.catalog.registry import (
    SINK,
    SOURCE,
    CatalogError,
    ConnectorType,
    Dependency,
    FieldSpec,
    Implementation,
    Registry,
    UnknownConnectorType,
    UnsupportedFlavour,
)
from connectors.catalog.types import ALL_TYPES
from controlplane.flavours import CONFLUENT_CLOUD, FLAVOURS, SELF_MANAGED

REGISTRY = Registry(ALL_TYPES)


def get_type(key: str) -> ConnectorType:
    """The connector type called `key`; raises UnknownConnectorType."""
    return REGISTRY.get(key)


def all_types() -> list[ConnectorType]:
    """Every connector type, sorted by key."""
    return REGISTRY.all()


__all__ = [
    "CONFLUENT_CLOUD",
    "FLAVOURS",
    "REGISTRY",
    "SELF_MANAGED",
    "SINK",
    "SOURCE",
    "CatalogError",
    "ConnectorType",
    "Dependency",
    "FieldSpec",
    "Implementation",
    "UnknownConnectorType",
    "UnsupportedFlavour",
    "all_types",
    "get_type",
]
