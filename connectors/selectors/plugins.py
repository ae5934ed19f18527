"""What each cluster can run: its installed connector plugins, and the catalog as a caller sees it."""

from __future__ import annotations

import logging

from django.core.cache import cache

from connectors.catalog import ConnectorType, Implementation, all_types
from connectors.catalog.registry import class_is_installed
from connectors.clusters import cluster_connect_endpoint
from connectors.connect import ConnectError, ConnectUnreachable, connect_client
from connectors.file_sandbox import cluster_offers
from controlplane.concurrency import map_concurrently
from tenants.models import Cluster

logger = logging.getLogger(__name__)

PLUGIN_CACHE_SECONDS = 60
PLUGIN_FAILURE_CACHE_SECONDS = 15
PLUGINS_UNKNOWN = "unknown"


def cluster_plugin_classes(*, cluster: Cluster) -> set[str] | None:
    """Connector classes installed on the cluster (cached briefly), or None if it cannot be asked."""
    key = f"cluster-plugins:{cluster.pk}:{cluster.updated_at.timestamp()}"
    cached = cache.get(key)
    if cached == PLUGINS_UNKNOWN:
        return None
    if cached is not None:
        return set(cached)
    try:
        plugins = connect_client(cluster_connect_endpoint(cluster=cluster, interactive=True)).plugins()
    except ConnectError:
        # Remember the failure briefly too, so a dead cluster does not cost a timeout per request.
        cache.set(key, PLUGINS_UNKNOWN, PLUGIN_FAILURE_CACHE_SECONDS)
        return None
    classes = sorted(plugin["class"] for plugin in plugins)
    cache.set(key, classes, PLUGIN_CACHE_SECONDS)
    return set(classes)


def installed_plugin_classes(cluster: Cluster) -> set[str] | None:
    """The cluster's installed connector classes (cached briefly), None when they cannot be listed."""
    return _plugin_classes_or_none(cluster)


def _plugin_classes_or_none(cluster: Cluster) -> set[str] | None:
    # No database query in here (the cluster row is loaded; its endpoint only decrypts), so the
    # worker threads never open connections of their own.
    try:
        return cluster_plugin_classes(cluster=cluster)
    except Exception:  # noqa: BLE001 - one broken cluster (e.g. undecryptable secrets) must not fail the catalog
        logger.warning("Could not list the plugins of cluster %s", cluster.name, exc_info=True)
        return None


def plugin_classes_by_cluster(clusters: list[Cluster]) -> dict[str, set[str] | None]:
    """Each cluster's installed connector classes (None: unknown), asked of all clusters at once."""
    results = map_concurrently(_plugin_classes_or_none, clusters)
    return {cluster.name: classes for cluster, classes in zip(clusters, results, strict=True)}


def plugin_installed(connector_type: ConnectorType, flavour: str, classes: set[str]) -> bool:
    """Whether the cluster has a plugin that runs the type: its own class or one of its alternatives."""
    return any(
        class_is_installed(implementation.connector_class, classes)
        for implementation in connector_type.implementations(flavour)
    )


def implementation_on(*, connector_type: ConnectorType, cluster: Cluster) -> Implementation:
    """The plugin that will run `connector_type` on `cluster`. Connect is asked (cached) only when the type
    has alternatives on the cluster's flavour. When it cannot be asked, this raises ConnectUnreachable (a
    transient error: provisioning retries) rather than guess a plugin and render a config it cannot run."""
    flavour = cluster.connect_flavour
    if not connector_type.alternatives.get(flavour):
        return connector_type.implementations(flavour)[0]
    installed = _plugin_classes_or_none(cluster)
    if installed is None:
        raise ConnectUnreachable(f"the connector plugins of cluster {cluster.name} could not be listed")
    return connector_type.implementation_for(flavour, installed)


def _implementation_summary(connector_type: ConnectorType, flavour: str, classes: set[str] | None) -> dict | None:
    if classes is None:
        return None
    implementation = connector_type.implementation_for(flavour, classes)
    if not class_is_installed(implementation.connector_class, classes):
        return None
    return {"class": implementation.connector_class, "name": implementation.name, "primary": implementation.primary}


def connector_types_for(*, clusters: list[Cluster]) -> list[dict]:
    """The catalog, each type with whether each of `clusters` offers it and has its plugin installed."""
    installed = plugin_classes_by_cluster(clusters)
    types = []
    for connector_type in all_types():
        availability = []
        for cluster in clusters:
            flavour = cluster.connect_flavour
            offered = cluster_offers(cluster=cluster, connector_type=connector_type)
            classes = installed[cluster.name]
            availability.append(
                {
                    "cluster": cluster.name,
                    "offered": offered,
                    "plugin_installed": (
                        None if classes is None or not offered else plugin_installed(connector_type, flavour, classes)
                    ),
                    # Which plugin will run the type there (None: not offered, not installed, or unknown).
                    "implementation": _implementation_summary(connector_type, flavour, classes) if offered else None,
                }
            )
        types.append(
            {
                "key": connector_type.key,
                "display_name": connector_type.display_name,
                "kind": connector_type.kind,
                "classes": connector_type.classes,
                "alternatives": {
                    flavour: [{"class": each.connector_class, "name": each.name} for each in implementations]
                    for flavour, implementations in connector_type.alternatives.items()
                },
                "permissions": list(connector_type.permissions),
                "docs_url": connector_type.docs_url,
                "topic_binding": connector_type.topic_binding,
                "guarantees": list(connector_type.guarantees),
                "consumer_expectations": connector_type.consumer_expectations,
                "schema": connector_type.json_schema(),
                # Per flavour, exactly what validation accepts there (string-encoded numbers included).
                "schemas": {flavour: connector_type.json_schema(flavour) for flavour in connector_type.flavours},
                "clusters": availability,
            }
        )
    return types
