"""Snapshot each installed plugin's property definitions from a live Connect worker into the catalog's data."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from connectors.catalog import SELF_MANAGED, all_types
from connectors.catalog.definitions import snapshot_document, snapshot_path
from connectors.catalog.registry import class_is_installed
from connectors.connect import ConnectEndpoint, ConnectError, connect_client


def catalog_classes() -> list[str]:
    """Every self-managed class the catalog can run a type with: each type's own class and its alternatives."""
    classes = {
        implementation.connector_class
        for connector_type in all_types()
        if connector_type.offered_on(SELF_MANAGED)
        for implementation in connector_type.implementations(SELF_MANAGED)
    }
    return sorted(classes)


class Command(BaseCommand):
    help = (
        "Write connectors/catalog/definitions/self_managed/<class>.json for each catalog plugin installed on a "
        "Connect worker: its GET /connector-plugins/{class}/config plus config/validate's recommended values. "
        "Review the diff, then commit it."
    )

    def add_arguments(self, parser):
        default_url = f"http://127.0.0.1:{settings.DEVSTACK_CONNECT_PORT}"
        parser.add_argument("--connect-url", default=default_url, help=f"the worker's REST API (default {default_url})")
        parser.add_argument("--class", dest="classes", action="append", help="only this connector class (repeatable)")
        parser.add_argument("--check", action="store_true", help="fail when a committed snapshot differs")

    def handle(self, *args, connect_url: str, classes: list[str] | None, check: bool, **options):
        client = connect_client(ConnectEndpoint(flavour=SELF_MANAGED, url=connect_url))
        try:
            plugins = {plugin["class"]: plugin for plugin in client.plugins()}
            connect_version = client.server_info().get("version", "unknown")
        except ConnectError as error:
            raise CommandError(f"Connect at {connect_url} did not answer: {type(error).__name__}") from error
        wanted = classes or catalog_classes()
        stale = []
        for connector_class in wanted:
            installed = next((name for name in plugins if class_is_installed(connector_class, {name})), None)
            if installed is None:
                self.stdout.write(f"skipped {connector_class}: not installed on {connect_url}")
                continue
            result = client.validate(connector_class, {"name": "snapshot", "connector.class": connector_class})
            validate_definitions = {
                key: {"definition": definition, "recommended": result.recommended_values.get(key)}
                for key, definition in result.definitions.items()
            }
            document = snapshot_document(
                connector_class=connector_class,
                version=plugins[installed].get("version", "unknown"),
                source=f"Kafka Connect {connect_version}",
                plugin_config=client.plugin_config(connector_class),
                validate_definitions=validate_definitions,
            )
            path = snapshot_path(flavour=SELF_MANAGED, connector_class=connector_class)
            text = json.dumps(document, indent=1, sort_keys=True) + "\n"
            if check:
                if not path.exists() or path.read_text(encoding="utf-8") != text:
                    stale.append(connector_class)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            self.stdout.write(f"wrote {path} ({len(document['properties'])} properties)")
        if stale:
            raise CommandError(f"snapshots differ from the worker: {', '.join(stale)}")
