"""Clusters in the admin: "test connection" asks the real Connect worker and Kafka broker; a cluster
that does not answer says so; the change page counts its connectors by state."""

import pytest
from django.urls import reverse

from connectors.state_machine import State
from tests.factories import ConnectorFactory, SharedClusterFactory
from tests.system import closed_port

pytestmark = pytest.mark.django_db


@pytest.mark.connect
def test_test_connection_shows_connect_version_plugins_with_their_catalog_types_and_kafka(
    admin_client, local_cluster, local_stack
):
    response = admin_client.get(reverse("admin:tenants_cluster_test_connection", args=[local_cluster.pk]))

    assert response.status_code == 200
    check = response.context["checks"][0]
    assert check.connect_ok and check.connect_version.startswith("3.")
    served = {plugin.class_name: plugin.catalog_types for plugin in check.plugins}
    assert served["org.apache.kafka.connect.file.FileStreamSourceConnector"] == ("file-source",)
    assert served["org.apache.kafka.connect.file.FileStreamSinkConnector"] == ("file-sink",)
    assert check.kafka_ok and check.kafka_brokers >= 1
    html = response.content.decode()
    assert f"answers: version {check.connect_version}" in html
    assert "answers: 1 broker(s)" in html or f"answers: {check.kafka_brokers} broker(s)" in html


@pytest.mark.connect
def test_the_test_connection_action_checks_every_selected_cluster(admin_client, local_cluster):
    dead = SharedClusterFactory(
        name="dead", bootstrap_servers=f"127.0.0.1:{closed_port()}", connect_url=f"http://127.0.0.1:{closed_port()}"
    )

    response = admin_client.post(
        reverse("admin:tenants_cluster_changelist"),
        {"action": "test_connection", "_selected_action": [local_cluster.pk, dead.pk]},
    )

    assert response.status_code == 200
    checks = {check.cluster.name: check for check in response.context["checks"]}
    assert checks["local"].connect_ok and checks["local"].kafka_ok
    assert not checks["dead"].connect_ok and "ConnectUnreachable" in checks["dead"].connect_error
    assert not checks["dead"].kafka_ok and "did not answer" in checks["dead"].kafka_error
    assert "does not answer" in response.content.decode()


@pytest.mark.parametrize("page", ["list", "change"])
def test_the_cluster_list_and_page_count_connectors_by_state(admin_client, tenant, page):
    cluster = SharedClusterFactory(name="counted", tenants=[tenant])
    for state in (State.RUNNING, State.RUNNING, State.FAILED, State.DELETED):
        ConnectorFactory(tenant=tenant, cluster=cluster, state=state)
    SharedClusterFactory(name="empty")
    url = {
        "list": reverse("admin:tenants_cluster_changelist"),
        "change": reverse("admin:tenants_cluster_change", args=[cluster.pk]),
    }[page]

    html = admin_client.get(url).content.decode()

    assert "state-running" in html and "RUNNING</span> 2" in html
    assert "FAILED</span> 1" in html
    assert "DELETED</span>" not in html
    if page == "list":
        assert '<td class="field-connectors_by_state">none</td>' in html  # the empty cluster
