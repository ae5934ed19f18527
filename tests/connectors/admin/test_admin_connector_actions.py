"""Actions on selected connectors, end to end: the admin calls the same services as the API, a real
Celery worker carries them out on the real Kafka Connect worker, and the admin user is the actor."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from connectors.clusters import cluster_connect_endpoint
from connectors.connect import ConnectorNotFound, connect_client
from connectors.models import Connector
from connectors.services.reconcile import reconcile_cluster
from connectors.state_machine import State
from tests.conftest import wait_for
from tests.connectors.conftest import connector_requested
from tests.factories import ConnectorFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.connect]

CHANGELIST = "admin:connectors_connector_changelist"
ACTOR = "user:platform-admin"


def _act(admin_client, action: str, *connectors, **extra):
    return admin_client.post(
        reverse(CHANGELIST), {"action": action, "_selected_action": [c.pk for c in connectors], **extra}
    )


def _settled(connector: Connector, state: str) -> Connector:
    def check():
        connector.refresh_from_db()
        return connector.state == state and not connector.operation

    wait_for(check, timeout=60, message=f"{connector.name} to reach {state}")
    return connector


def _task_states(connect, name: str) -> list[str]:
    return [task["state"] for task in connect.status(name)["tasks"]]


def test_restart_failed_tasks_pause_resume_restart_reconcile_and_delete_from_the_admin(
    admin_client, tenant, local_cluster, celery_worker_process, file_sandbox, unique_name
):
    output_dir = file_sandbox / "not-yet"  # missing: the sink's task fails at start
    connector_id = unique_name("export")
    connector = connector_requested(
        tenant=tenant,
        type_key="file-sink",
        connector_id=connector_id,
        config={"file": str(output_dir / "out.txt")},
        topics=[f"sales.{connector_id}"],
        create_topics=True,
    )
    connect = connect_client(cluster_connect_endpoint(cluster=local_cluster))
    _settled(connector, State.FAILED)
    assert _task_states(connect, connector.name) == ["FAILED"]

    output_dir.mkdir()
    response = _act(admin_client, "restart_failed", connector)
    assert response.status_code == 302
    assert f"Restart of failed tasks queued for 1: {connector.name}." in [
        str(m) for m in get_messages(response.wsgi_request)
    ]
    wait_for(lambda: _task_states(connect, connector.name) == ["RUNNING"], timeout=60, message="task restarted")
    _act(admin_client, "reconcile_now", connector)  # records what Connect now reports
    _settled(connector, State.RUNNING)

    for action, state, connect_state in [
        ("pause", State.PAUSED, "PAUSED"),
        ("resume", State.RUNNING, "RUNNING"),
        ("stop", State.STOPPED, "STOPPED"),
        ("resume", State.RUNNING, "RUNNING"),
    ]:
        _act(admin_client, action, connector)
        _settled(connector, state)
        assert connect.status(connector.name)["connector"]["state"] == connect_state
        assert connector.events.filter(to_state=state).latest("created_at").actor == ACTOR
        page = admin_client.get(reverse("admin:connectors_connector_change", args=[connector.pk])).content.decode()
        assert f"&quot;state&quot;: &quot;{connect_state}&quot;" in page  # what Connect reports now
    history = admin_client.get(reverse("admin:connectors_connector_history", args=[connector.pk])).content.decode()
    assert "Pause queued from the admin." in history and "Resume queued from the admin." in history

    _act(admin_client, "restart_all", connector)
    wait_for(lambda: not Connector.objects.get(pk=connector.pk).pending_restart, timeout=60, message="restart done")
    _settled(connector, State.RUNNING)

    confirmation = _act(admin_client, "delete_connectors", connector)
    assert confirmation.status_code == 200
    assert "Yes, delete them" in confirmation.content.decode() and connector.name in confirmation.content.decode()
    connector.refresh_from_db()
    assert connector.desired_state == "running" and not connector.operation  # asking changed nothing

    _act(admin_client, "delete_connectors", connector, confirm="yes")
    _settled(connector, State.DELETED)
    with pytest.raises(ConnectorNotFound):
        connect.get(connector.name)
    assert connector.events.get(to_state=State.DELETED).actor == ACTOR


def test_an_action_refused_by_the_service_is_reported_and_the_others_are_queued(admin_client, tenant, local_cluster):
    from django.utils import timezone

    busy = ConnectorFactory(
        tenant=tenant,
        cluster=local_cluster,
        state=State.RUNNING,
        operation="update",
        operation_started_at=timezone.now(),
    )
    gone = ConnectorFactory(tenant=tenant, cluster=local_cluster, state=State.DELETED)
    free = ConnectorFactory(tenant=tenant, cluster=local_cluster, state=State.RUNNING)

    response = _act(admin_client, "pause", busy, gone, free)

    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert f"Pause queued for 1: {free.name}." in shown
    assert any(line.startswith(f"Not queued: {busy.name}: 'update' is already in progress") for line in shown)
    assert any(line.startswith(f"Not queued: {gone.name}:") and "deleted" in line for line in shown)
    busy.refresh_from_db(), free.refresh_from_db()
    assert busy.desired_state == "running" and free.desired_state == "paused"


def test_reconcile_now_writes_the_desired_config_back_over_a_hand_made_change(
    admin_client, tenant, local_cluster, celery_worker_process, file_sandbox, unique_name
):
    source = file_sandbox / "crm.txt"
    source.write_text("one\n")
    connector_id = unique_name("crm")
    connector = connector_requested(
        tenant=tenant,
        type_key="file-source",
        connector_id=connector_id,
        config={"file": str(source)},
        topics=[f"sales.{connector_id}"],
        create_topics=True,
    )
    _settled(connector, State.RUNNING)
    connect = connect_client(cluster_connect_endpoint(cluster=local_cluster))
    desired = connect.get_config(connector.name)
    connect.put_config(connector.name, {**desired, "file": str(file_sandbox / "elsewhere.txt")})  # by hand
    reconcile_cluster(cluster=local_cluster)  # the cluster's policy only reports drift
    _settled(connector, State.DRIFTED)

    _act(admin_client, "reconcile_now", connector)

    _settled(connector, State.RUNNING)
    assert connect.get_config(connector.name)["file"] == str(source)
    assert connector.events.filter(to_state=State.UPDATING).latest("created_at").actor == ACTOR
    deleting = _act(admin_client, "delete_connectors", connector, confirm="yes")
    assert deleting.status_code == 302
    _settled(connector, State.DELETED)
