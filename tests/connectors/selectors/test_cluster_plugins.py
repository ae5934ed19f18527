"""The plugin list of a cluster is cached; so is, briefly, the fact that the cluster did not answer."""

import pytest

from connectors.selectors import cluster_plugin_classes
from tests.factories import SharedClusterFactory
from tests.system import closed_port

pytestmark = pytest.mark.django_db


@pytest.mark.connect
def test_installed_plugins_come_from_the_cluster(local_stack):
    cluster = SharedClusterFactory(connect_url=local_stack.config.connect_url)
    classes = cluster_plugin_classes(cluster=cluster)
    assert "io.debezium.connector.postgresql.PostgresConnector" in classes


def test_an_unreachable_cluster_is_remembered_briefly_so_it_is_not_asked_again_at_once(monkeypatch):
    import connectors.selectors.plugins as plugins

    cluster = SharedClusterFactory(connect_url=f"http://127.0.0.1:{closed_port()}")
    assert cluster_plugin_classes(cluster=cluster) is None

    def must_not_be_called(endpoint):
        raise AssertionError("the cached failure should have answered")

    monkeypatch.setattr(plugins, "connect_client", must_not_be_called)
    assert cluster_plugin_classes(cluster=cluster) is None
