"""End to end through the API, a real Celery worker and the real Kafka Connect worker:
create -> RUNNING -> pause -> resume -> stop -> resume -> restart -> delete."""

import pytest

from connectors.clusters import cluster_connect_endpoint
from connectors.connect import ConnectorNotFound, connect_client
from tenants.models import Role
from tests.conftest import wait_for, wait_for_state
from tests.factories import file_source_request

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.connect]


_state = wait_for_state


def test_a_file_source_goes_through_its_whole_lifecycle(
    client_for, tenant, local_cluster, local_stack, celery_worker_process, file_sandbox, unique_name
):
    source_file = file_sandbox / "crm.txt"
    source_file.write_text("one\ntwo\n")
    client = client_for(tenant, Role.DEVELOPER)
    connector_id = unique_name("crm")
    created = client.post(
        "/api/v1/connectors/",
        file_source_request(connector_id=connector_id, source=source_file),
        format="json",
    )
    assert created.status_code == 202, created.json()
    body = created.json()
    name = f"edh-shared-sales-dev-{connector_id}-connector"
    assert body["name"] == name and body["state"] == "REQUESTED"
    assert body["links"]["status"].endswith(f"/api/v1/connectors/{name}/status")

    _state(client, name, "RUNNING")
    connect = connect_client(cluster_connect_endpoint(cluster=local_cluster))
    assert connect.status(name)["connector"]["state"] == "RUNNING"

    for action, expected, connect_state in [
        ("pause", "PAUSED", "PAUSED"),
        ("resume", "RUNNING", "RUNNING"),
        ("stop", "STOPPED", "STOPPED"),
        ("resume", "RUNNING", "RUNNING"),
        ("restart", "RUNNING", "RUNNING"),
    ]:
        response = client.post(f"/api/v1/connectors/{name}/{action}")
        assert response.status_code == 202, response.json()
        _state(client, name, expected)
        wait_for(
            lambda s=connect_state: connect.status(name)["connector"]["state"] == s, timeout=30, message=connect_state
        )

    status = client.get(f"/api/v1/connectors/{name}/status").json()
    assert status["state"] == "RUNNING" and status["connect"]["connector"]["state"] == "RUNNING"

    assert client.delete(f"/api/v1/connectors/{name}/").status_code == 202
    _state(client, name, "DELETED")
    with pytest.raises(ConnectorNotFound):
        connect.get(name)

    events = client.get(f"/api/v1/connectors/{name}/events/").json()["results"]
    transitions = [(e["from_state"], e["to_state"]) for e in events]
    assert transitions[0] == ("", "REQUESTED")
    assert ("REQUESTED", "PROVISIONING") in transitions and ("PROVISIONING", "RUNNING") in transitions
    assert ("RUNNING", "PAUSED") in transitions and ("PAUSED", "RUNNING") in transitions
    assert ("RUNNING", "STOPPED") in transitions and transitions[-1] == ("DELETING", "DELETED")
    assert any(e["actor"].startswith("api_key:") for e in events if e["to_state"] == "PAUSED")


def test_a_second_operation_while_one_is_in_flight_is_a_409(client_for, tenant, local_cluster):
    from django.utils import timezone

    from tests.factories import ConnectorFactory

    connector = ConnectorFactory(
        tenant=tenant, cluster=local_cluster, state="RUNNING", operation="update", operation_started_at=timezone.now()
    )
    response = client_for(tenant, Role.OPERATOR).post(f"/api/v1/connectors/{connector.name}/pause")
    assert response.status_code == 409
    assert response.json()["code"] == "operation_in_flight"
