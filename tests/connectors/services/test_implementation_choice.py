"""Which plugin runs a type with alternatives is the cluster's answer, never a guess: when the cluster's
plugins cannot be listed, validation says so as a warning and rendering raises a transient error (the
converge retries) instead of rendering a class the cluster may not have."""

from __future__ import annotations

import pytest

from connectors.catalog import get_type
from connectors.connect import ConnectUnreachable
from connectors.selectors import implementation_on, render_spec
from connectors.services.request_validation import validate_connector_spec
from connectors.spec import ConnectorSpec
from tests.factories import SharedClusterFactory
from tests.system import closed_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def dark_cluster(tenant):
    """A cluster whose Connect does not answer."""
    return SharedClusterFactory(name="dark", connect_url=f"http://127.0.0.1:{closed_port()}", tenants=[tenant])


def jdbc_sink_spec(tenant, **config) -> ConnectorSpec:
    return ConnectorSpec(
        tenant=tenant,
        type_key="jdbc-sink",
        cluster_name="dark",
        stage="dev",
        connector_id="dwh",
        config={"connection.url": "jdbc:postgresql://db:5432/app", "connection.user": "writer", **config},
        credentials={"connection.password": "pw"},
        topics=["sales.orders"],
        create_topics=True,
    )


def test_a_type_with_alternatives_is_not_rendered_while_the_clusters_plugins_are_unknown(tenant, dark_cluster):
    with pytest.raises(ConnectUnreachable, match="plugins of cluster dark could not be listed"):
        implementation_on(connector_type=get_type("jdbc-sink"), cluster=dark_cluster)
    with pytest.raises(ConnectUnreachable):
        render_spec(spec=jdbc_sink_spec(tenant), name="edh-sales-dev-dwh-connector", cluster=dark_cluster)


def test_a_type_without_alternatives_needs_no_answer_from_the_cluster(dark_cluster):
    assert implementation_on(connector_type=get_type("file-sink"), cluster=dark_cluster).primary


def test_validation_warns_instead_of_guessing_and_still_checks_everything_else(tenant, dark_cluster):
    outcome = validate_connector_spec(spec=jdbc_sink_spec(tenant, **{"insert.mode": "merge"}))

    assert list(outcome.errors) == ["config.insert.mode"]  # the schema's own rule, whatever plugin runs it
    assert any("did not list its plugins" in warning for warning in outcome.warnings), outcome.warnings
