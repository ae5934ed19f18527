"""Connector plugins' own property definitions, as committed snapshots: the catalog's source of truth.

Each ``<flavour>/<connector class>.json`` holds, for one plugin, every property it defines: name, Connect
type (STRING, INT, LONG, SHORT, DOUBLE, BOOLEAN, PASSWORD, LIST, CLASS), default, required, allowed values,
documentation and group. Self-managed snapshots are taken from a live worker by
``manage.py snapshot_plugin_definitions`` (``GET /connector-plugins/{class}/config`` plus the definitions
and recommended values of a ``config/validate`` answer) and reviewed before they are committed, so the
catalog validates with no cluster answering. The catalog's types (`connectors.catalog.types`) are the
platform's policy on top of them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DEFINITIONS_DIR = Path(__file__).resolve().parent
SNAPSHOT_FORMAT = 1

# Connect's ConfigDef types -> the catalog's field types.
CONNECT_TYPES: dict[str, str] = {
    "STRING": "string",
    "CLASS": "string",
    "PASSWORD": "password",
    "BOOLEAN": "boolean",
    "INT": "integer",
    "SHORT": "integer",
    "LONG": "integer",
    "DOUBLE": "number",
    "LIST": "list",
}


@dataclass(frozen=True)
class PropertyDefinition:
    """One property exactly as the plugin defines it."""

    name: str
    type: str  # Connect's type, e.g. "INT"
    required: bool
    default: str | None
    allowed_values: tuple[str, ...]
    documentation: str
    group: str | None

    @property
    def field_type(self) -> str:
        return CONNECT_TYPES.get(self.type, "string")


@dataclass(frozen=True)
class PluginSnapshot:
    connector_class: str
    version: str
    source: str  # where it was taken from: the cluster's Connect version, or the documentation's URL
    properties: dict[str, PropertyDefinition]


def snapshot_path(*, flavour: str, connector_class: str) -> Path:
    return DEFINITIONS_DIR / flavour / f"{connector_class}.json"


def snapshot_document(
    *, connector_class: str, version: str, source: str, plugin_config: list[dict], validate_definitions: dict
) -> dict[str, Any]:
    """The committed form of a snapshot, from Connect's two answers.

    `plugin_config` is ``GET /connector-plugins/{class}/config``; `validate_definitions` maps each key of a
    ``config/validate`` answer to its definition and recommended values (``{"definition", "recommended"}``).
    Only the plugin's own properties are kept (the framework's common keys, such as ``transforms``, are the
    platform's and not part of a plugin).
    """
    properties = []
    for item in sorted(plugin_config, key=lambda each: each["name"]):
        name = item["name"]
        recommended = validate_definitions.get(name, {}).get("recommended") or []
        properties.append(
            {
                "name": name,
                "type": item.get("type"),
                "required": bool(item.get("required")),
                "default": item.get("default_value"),
                "allowed_values": sorted(str(value) for value in recommended),
                "documentation": item.get("documentation") or "",
                "group": item.get("group"),
            }
        )
    return {
        "format": SNAPSHOT_FORMAT,
        "connector_class": connector_class,
        "version": version,
        "source": source,
        "properties": properties,
    }


@cache
def load_snapshot(*, flavour: str, connector_class: str) -> PluginSnapshot | None:
    """The committed snapshot of a plugin, None when there is none."""
    path = snapshot_path(flavour=flavour, connector_class=connector_class)
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    properties = {
        item["name"]: PropertyDefinition(
            name=item["name"],
            type=item["type"],
            required=item["required"],
            default=item["default"],
            allowed_values=tuple(item["allowed_values"]),
            documentation=item["documentation"],
            group=item["group"],
        )
        for item in data["properties"]
    }
    return PluginSnapshot(
        connector_class=data["connector_class"], version=data["version"], source=data["source"], properties=properties
    )
