"""GET /connectors/{name}/offsets, POST .../offsets/reset and PATCH .../offsets: who may, and when.

Offsets change only on a stopped connector; asked with stop_first the request stops it first and
says so. What the Celery job then does on the real worker is tested end to end in tests/cli/.
"""

import pytest

from connectors.models import ConnectorEvent, OffsetsRequest
from tenants.models import Role
from tests.factories import ConnectorFactory

pytestmark = [pytest.mark.django_db, pytest.mark.connect]

PARTITION = {"partition": {"kafka_topic": "sales.x", "kafka_partition": 0}, "offset": {"kafka_offset": 0}}


@pytest.fixture
def running(tenant, local_cluster):
    return ConnectorFactory(tenant=tenant, cluster=local_cluster, state="RUNNING", applied_generation=1)


def test_offsets_are_read_from_connect_with_the_recent_requests(client_for, tenant, running):
    OffsetsRequest.objects.create(connector=running, kind="reset", requested_by="user:ann", status="done")
    body = client_for(tenant, Role.VIEWER).get(f"/api/v1/connectors/{running.name}/offsets").json()
    # The factory's connector exists only here, not on the real worker: Connect says so.
    assert (body["offsets"], body["connect_error"]) == (None, "not found on Connect")
    assert [(r["kind"], r["status"], r["requested_by"]) for r in body["requests"]] == [("reset", "done", "user:ann")]


def test_a_running_connector_is_refused_unless_asked_to_stop_first(client_for, tenant, running):
    developer = client_for(tenant, Role.DEVELOPER)

    refused = developer.post(f"/api/v1/connectors/{running.name}/offsets/reset", {}, format="json")
    assert refused.status_code == 409
    assert "stop_first" in refused.json()["errors"]["state"][0]
    running.refresh_from_db()
    assert (running.operation, running.desired_state, running.offsets_requests.count()) == ("", "running", 0)

    accepted = developer.post(f"/api/v1/connectors/{running.name}/offsets/reset", {"stop_first": True}, format="json")
    assert accepted.status_code == 202, accepted.json()
    assert (accepted.json()["kind"], accepted.json()["stopped_first"], accepted.json()["status"]) == (
        "reset",
        True,
        "pending",
    )
    running.refresh_from_db()
    assert (running.operation, running.desired_state) == ("offsets", "stopped")
    note = ConnectorEvent.objects.filter(connector=running).latest("id")
    assert note.reason == "offsets reset requested; stopping the connector first"
    assert note.actor.startswith("api_key:") and note.from_state == note.to_state == "RUNNING"


def test_setting_offsets_needs_offsets_and_the_developer_role(client_for, tenant, running):
    path = f"/api/v1/connectors/{running.name}/offsets"
    assert client_for(tenant, Role.OPERATOR).patch(path, {"offsets": [PARTITION]}, format="json").status_code == 403
    empty = client_for(tenant, Role.DEVELOPER).patch(path, {"offsets": []}, format="json")
    assert empty.status_code == 400 and "offsets" in empty.json()["errors"]
    assert not OffsetsRequest.objects.exists()


def test_another_tenants_connector_offsets_are_a_404(client_for, tenant, other_tenant, local_cluster):
    theirs = ConnectorFactory(tenant=other_tenant, cluster=local_cluster, state="STOPPED", desired_state="stopped")
    developer = client_for(tenant, Role.DEVELOPER)
    assert developer.get(f"/api/v1/connectors/{theirs.name}/offsets").status_code == 404
    assert developer.post(f"/api/v1/connectors/{theirs.name}/offsets/reset", {}, format="json").status_code == 404
    assert not OffsetsRequest.objects.exists()
