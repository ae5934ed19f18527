"""Reads about connectors: desired specs and rendered configs, installed plugins, live status."""

from connectors.selectors.desired import (
    ClusterRendering,
    client_principal_of,
    connector_delivery,
    connector_desired_config,
    connector_needs_work,
    connector_secrets,
    connector_spec,
    render_cluster,
    render_spec,
    secrets_to_scrub,
    topic_prefix_for,
)
from connectors.selectors.live_status import connector_live_status, register_status_section
from connectors.selectors.managed import managed_connectors
from connectors.selectors.offsets import connector_live_offsets, offsets_request_view
from connectors.selectors.plugins import (
    cluster_plugin_classes,
    connector_types_for,
    implementation_on,
    installed_plugin_classes,
    plugin_classes_by_cluster,
    plugin_installed,
)

__all__ = [
    "ClusterRendering",
    "client_principal_of",
    "cluster_plugin_classes",
    "connector_delivery",
    "connector_desired_config",
    "connector_live_offsets",
    "connector_live_status",
    "connector_needs_work",
    "connector_secrets",
    "connector_spec",
    "connector_types_for",
    "implementation_on",
    "offsets_request_view",
    "installed_plugin_classes",
    "managed_connectors",
    "plugin_classes_by_cluster",
    "plugin_installed",
    "register_status_section",
    "render_cluster",
    "render_spec",
    "secrets_to_scrub",
    "topic_prefix_for",
]
