"""Persistence across a restart of the whole local stack, through the API: a file source created by a
tenant is RUNNING; broker and Connect worker are stopped and started again; the connector comes back
RUNNING by itself (Connect's config topic survived in the broker's log directory) and resumes from its
stored offset, so no line is read twice.

The test runs its own stack (own ports and run directory) so the session's stack is never restarted."""

from __future__ import annotations

import time
import uuid

import pytest

from devstack.stack import LocalStack, StackConfig
from tenants.models import Role
from tests.conftest import records_in, wait_for
from tests.factories import LandingZoneFactory, SharedClusterFactory
from tests.system import free_ports

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.connect]


@pytest.fixture
def restartable_stack(tmp_path):
    broker_port, controller_port, connect_port = free_ports(3)
    stack = LocalStack(
        StackConfig(
            run_dir=tmp_path / "stack",
            broker_port=broker_port,
            controller_port=controller_port,
            connect_port=connect_port,
            redis_url="redis://127.0.0.1:6379/0",  # the machine's: nothing of its own to start
            connect_group=f"persistence-{uuid.uuid4().hex[:8]}",
        )
    )
    try:
        stack.up(timeout=180)
        yield stack
    finally:
        stack.down()


def test_a_source_comes_back_running_after_a_whole_stack_restart_and_resumes_from_its_stored_offset(
    client_for, tenant, restartable_stack, celery_worker_process, file_sandbox, unique_name
):
    stack = restartable_stack
    SharedClusterFactory(
        name="restartable",
        landing_zone=LandingZoneFactory(slug="edh-shared"),
        bootstrap_servers=stack.config.bootstrap_servers,
        connect_url=stack.config.connect_url,
        tenants=[tenant],
    )
    client = client_for(tenant, Role.DEVELOPER)
    lines = file_sandbox / "crm.txt"  # File Source reads only inside its tenant's sandbox
    lines.write_text("one\ntwo\nthree\n")
    connector_id = unique_name("crm")
    topic = f"sales.{connector_id}"
    created = client.post(
        "/api/v1/connectors/",
        {
            "type": "file-source",
            "cluster": "restartable",
            "stage": "dev",
            "id": connector_id,
            "config": {"file": str(lines)},
            "topics": [topic],
            "create_topics": True,
        },
        format="json",
    )
    assert created.status_code == 202, created.json()
    name = created.json()["name"]

    def running_on_connect() -> bool:
        live = client.get(f"/api/v1/connectors/{name}/status").json()["connect"] or {}
        tasks = [task["state"] for task in live.get("tasks", [])]
        return live.get("connector", {}).get("state") == "RUNNING" and tasks == ["RUNNING"]

    wait_for(lambda: client.get(f"/api/v1/connectors/{name}/").json()["state"] == "RUNNING", message="RUNNING")
    wait_for(lambda: records_in(stack.config.bootstrap_servers, topic) == 3, message="the first 3 records")
    time.sleep(2)  # offset.flush.interval.ms is 1 s: the position of line 3 is stored

    stack.down()
    with lines.open("a") as file:
        file.write("four\nfive\n")
    stack.up(timeout=180)

    wait_for(running_on_connect, timeout=60, message="the connector RUNNING again on Connect, by itself")
    wait_for(lambda: records_in(stack.config.bootstrap_servers, topic) >= 5, message="the 2 new lines")
    time.sleep(3)  # a source starting over would have written its duplicates by now
    assert records_in(stack.config.bootstrap_servers, topic) == 5
    assert client.get(f"/api/v1/connectors/{name}/").json()["state"] == "RUNNING"
