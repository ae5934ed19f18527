"""Reads about connectors: desired specs and rendered configs, installed plugins, live status."""

from connectors.selectors.desired import (
    connector_desired_config,
    connector_needs_work,
    connector_secrets,
    connector_spec,
    render_cluster,
    render_spec,
    secrets_to_scrub,
    topic_prefix_for,
)
from connectors.selectors.live_status import connector_live_status
from connectors.selectors.plugins import (
    cluster_plugin_classes,
    connector_types_for,
    implementation_on,
    plugin_classes_by_cluster,
    plugin_installed,
)

__all__ = [
    "cluster_plugin_classes",
    "connector_desired_config",
    "connector_live_status",
    "connector_needs_work",
    "connector_secrets",
    "connector_spec",
    "connector_types_for",
    "implementation_on",
    "plugin_classes_by_cluster",
    "plugin_installed",
    "render_cluster",
    "render_spec",
    "secrets_to_scrub",
    "topic_prefix_for",
]
