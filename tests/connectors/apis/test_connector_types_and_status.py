"""The catalog asks every cluster for its plugins at once; the live status never shows a secret."""

import threading
import time

import pytest

from connectors.clusters import cluster_connect_endpoint
from connectors.connect import ConnectorNotFound, connect_client
from connectors.selectors import cluster_plugin_classes, connector_desired_config, plugins
from connectors.selectors.plugins import plugin_classes_by_cluster
from connectors.status import scrub_status
from controlplane.concurrency import MAX_PARALLEL_CALLS
from controlplane.crypto import encrypt_secrets
from tenants.models import Role
from tests.conftest import wait_for
from tests.factories import ConnectorFactory, SharedClusterFactory

pytestmark = pytest.mark.django_db

SECRET = "S3cr3t-db-pass"
CLUSTER_SECRET = "kafka-Secret-9"


# --- the catalog ----------------------------------------------------------------------------------
def test_the_clusters_plugin_lists_are_fetched_in_parallel(monkeypatch):
    clusters = [SharedClusterFactory() for _ in range(4)]
    all_asking = threading.Barrier(len(clusters), timeout=5)

    def fetch(*, cluster):
        all_asking.wait()  # a sequential loop would break the barrier: every call must be in flight at once
        return {f"org.example.{cluster.name}"}

    monkeypatch.setattr(plugins, "cluster_plugin_classes", fetch)

    assert plugin_classes_by_cluster(clusters) == {c.name: {f"org.example.{c.name}"} for c in clusters}


def test_at_most_eight_clusters_are_asked_at_a_time(monkeypatch):
    clusters = [SharedClusterFactory() for _ in range(MAX_PARALLEL_CALLS + 4)]
    lock, running, peak = threading.Lock(), [0], [0]

    def fetch(*, cluster):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return set()

    monkeypatch.setattr(plugins, "cluster_plugin_classes", fetch)

    assert len(plugin_classes_by_cluster(clusters)) == len(clusters)
    assert peak[0] == MAX_PARALLEL_CALLS == 8


@pytest.mark.connect
def test_asking_a_cluster_for_its_plugins_makes_no_database_query(local_stack, django_assert_num_queries):
    """So the worker threads never open database connections of their own."""
    cluster = SharedClusterFactory(
        connect_url=local_stack.config.connect_url, secrets_encrypted=encrypt_secrets({"connect_password": "x"})
    )
    with django_assert_num_queries(0):
        classes = cluster_plugin_classes(cluster=cluster)
    assert "org.apache.kafka.connect.file.FileStreamSinkConnector" in classes


def test_a_cluster_whose_secrets_cannot_be_decrypted_does_not_break_the_catalog(client_for, tenant):
    SharedClusterFactory(name="broken", secrets_encrypted="not-a-fernet-token", tenants=[tenant])

    response = client_for(tenant, Role.VIEWER).get("/api/v1/connector-types/")

    assert response.status_code == 200
    availability = response.json()["results"][0]["clusters"]
    assert availability == [{"cluster": "broken", "offered": True, "plugin_installed": None, "implementation": None}]


# --- the live status ------------------------------------------------------------------------------
def test_scrub_status_masks_secrets_in_every_trace_and_message():
    status = {
        "connector": {"state": "FAILED", "worker_id": "w:8083", "trace": f"SQLException: login {SECRET} refused"},
        "tasks": [
            {"id": 0, "state": "FAILED", "trace": "org.apache.kafka...: password=hunter2 rejected"},
            {"id": 1, "state": "USER_ACTIONABLE_ERROR", "msg": f"bad credentials {SECRET}"},
            {"id": 2, "state": "RUNNING", "worker_id": "w:8083"},
        ],
        "type": "source",
    }

    scrubbed = scrub_status(status, {"database.password": SECRET})

    assert SECRET not in str(scrubbed) and "hunter2" not in str(scrubbed)
    assert scrubbed["connector"] == {
        "state": "FAILED",
        "worker_id": "w:8083",
        "trace": "SQLException: login ******** refused",
    }
    assert scrubbed["tasks"][0]["trace"] == "org.apache.kafka...: password=******** rejected"
    assert scrubbed["tasks"][1]["msg"] == "bad credentials ********"
    assert scrubbed["tasks"][2] == status["tasks"][2]
    assert scrubbed["type"] == "source"


@pytest.mark.connect
def test_the_status_endpoint_masks_the_clusters_secrets_in_a_real_trace(client_for, tenant, local_stack, unique_name):
    """A File Sink whose directory is missing fails its task with the path in Connect's trace; the
    path is made of the cluster's stored Connect password, so the trace really carries a secret."""
    cluster_secret = f"S3cretDir{unique_name('x').replace('-', '')}"
    cluster = SharedClusterFactory(
        connect_url=local_stack.config.connect_url,
        bootstrap_servers=local_stack.config.bootstrap_servers,
        secrets_encrypted=encrypt_secrets({"connect_password": cluster_secret}),
    )
    connector = ConnectorFactory(
        tenant=tenant,
        cluster=cluster,
        type_key="file-sink",
        connector_id=unique_name("leaky"),
        config={"file": f"/nonexistent-{cluster_secret}/out.txt"},
        topics=[f"{tenant.slug}.leaky"],
        state="RUNNING",
    )
    connect = connect_client(cluster_connect_endpoint(cluster=cluster))
    connect.put_config(connector.name, connector_desired_config(connector=connector))

    def task_failed() -> bool:
        try:  # Connect answers 404 "No status found" for a moment after creation
            return any(t.get("state") == "FAILED" for t in connect.status(connector.name).get("tasks", []))
        except ConnectorNotFound:
            return False

    try:
        wait_for(task_failed, timeout=60, message="the sink task to fail")
        assert cluster_secret in str(connect.status(connector.name))  # the raw trace does carry it

        response = client_for(tenant, Role.VIEWER).get(f"/api/v1/connectors/{connector.name}/status")

        assert response.status_code == 200
        live = response.json()["connect"]
        assert cluster_secret not in str(live)
        assert "********" in live["tasks"][0]["trace"]
    finally:
        connect.delete(connector.name)
