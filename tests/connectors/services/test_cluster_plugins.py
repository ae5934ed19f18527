"""The plugin list of a cluster is cached; so is, briefly, the fact that the cluster did not answer."""

import socket

import pytest

from connectors.services.validation import cluster_plugin_classes
from tests.factories import SharedClusterFactory

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.connect
def test_installed_plugins_come_from_the_cluster(local_stack):
    cluster = SharedClusterFactory(connect_url=local_stack.config.connect_url)
    classes = cluster_plugin_classes(cluster=cluster)
    assert "io.debezium.connector.postgresql.PostgresConnector" in classes


def test_an_unreachable_cluster_is_remembered_briefly_so_it_is_not_asked_again_at_once(monkeypatch):
    import connectors.services.validation as validation

    cluster = SharedClusterFactory(connect_url=f"http://127.0.0.1:{_closed_port()}")
    assert cluster_plugin_classes(cluster=cluster) is None

    def must_not_be_called(endpoint):
        raise AssertionError("the cached failure should have answered")

    monkeypatch.setattr(validation, "connect_client", must_not_be_called)
    assert cluster_plugin_classes(cluster=cluster) is None
