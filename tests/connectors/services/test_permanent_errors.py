"""A permanent error waits for the user: nothing retries it, the reconciler does not loop on it,
and the user's next command (update, action, delete) lets it be tried again."""

import pytest

from connectors.models import Connector, ConnectorEvent
from connectors.selectors import connector_needs_work
from connectors.services.commands import connector_request_action, connector_update
from connectors.services.converge import connector_converge
from connectors.services.reconcile import drifted_keys, reconcile_cluster
from connectors.state_machine import State
from controlplane.exceptions import Conflict, ValidationFailed
from tests.factories import ConnectorFactory, SharedClusterFactory

pytestmark = [pytest.mark.django_db, pytest.mark.connect]


@pytest.fixture
def rejected(local_cluster, tenant, unique_name):
    """A connector whose class is not installed on the local worker: Connect refuses it for good."""
    connector = ConnectorFactory(
        tenant=tenant,
        cluster=local_cluster,
        type_key="file-source",
        connector_id=unique_name("missing"),
        config={"file": "/tmp/x"},
        topics=["sales.x"],
    )
    # Point the stored type at a plugin the worker lacks, as a catalog/cluster mismatch would.
    Connector.objects.filter(pk=connector.pk).update(type_key="snowflake-sink", config={}, topics=["sales.x"])
    return Connector.objects.get(pk=connector.pk)


def test_a_permanent_error_fails_once_and_blocks_retries(rejected):
    connector = connector_converge(connector_id=rejected.pk, settle_timeout=1)
    assert connector.state == State.FAILED
    connector.refresh_from_db()
    assert connector.retry_blocked and connector.applied_generation == connector.generation
    assert not connector_needs_work(connector)
    events_before = ConnectorEvent.objects.filter(connector=connector).count()

    reconcile_cluster(cluster=connector.cluster)
    reconcile_cluster(cluster=connector.cluster)

    connector.refresh_from_db()
    assert connector.state == State.FAILED and connector.operation == ""
    assert ConnectorEvent.objects.filter(connector=connector).count() == events_before  # no FAILED<->PROVISIONING loop


def test_the_users_next_command_unblocks_it(rejected):
    connector_converge(connector_id=rejected.pk, settle_timeout=1)
    connector = connector_request_action(
        connector=Connector.objects.get(pk=rejected.pk), action="delete", actor="user:a"
    )
    assert not connector.retry_blocked and connector_needs_work(connector)


def test_an_update_based_on_a_stale_read_is_refused(local_cluster, tenant, file_sandbox):
    (file_sandbox / "a").write_text("x\n")
    connector = ConnectorFactory(
        tenant=tenant,
        cluster=local_cluster,
        config={"file": str(file_sandbox / "a")},
        topics=["sales.a"],
        state="RUNNING",
    )
    stale = Connector.objects.get(pk=connector.pk)
    Connector.objects.filter(pk=connector.pk).update(generation=2)  # another update landed meanwhile
    with pytest.raises(Conflict, match="changed by another request"):
        connector_update(connector=stale, changes={"tasks_max": 1, "create_topics": True}, actor="user:a")


def test_confluent_cloud_connectors_cannot_be_stopped(tenant):
    cloud = SharedClusterFactory(
        name="cloud",
        connect_flavour="confluent_cloud",
        connect_url="https://api.confluent.cloud",
        cloud_environment_id="env-1",
        cloud_cluster_id="lkc-1",
        tenants=[tenant],
    )
    connector = ConnectorFactory(tenant=tenant, cluster=cloud, type_key="datagen-source", state="RUNNING")
    with pytest.raises(ValidationFailed) as error:
        connector_request_action(connector=connector, action="stop", actor="user:a")
    assert "pause" in error.value.errors["desired_state"][0]


def test_keys_confluent_cloud_adds_on_read_are_not_drift():
    desired = {"name": "c", "tasks.max": "1"}
    live = {**desired, "cloud.environment": "prod", "cloud.provider": "aws", "kafka.endpoint": "x", "kafka.region": "y"}
    assert drifted_keys(desired=desired, live=live) == []
    assert drifted_keys(desired=desired, live={**live, "tasks.max": "2", "transforms": "evil"}) == [
        "tasks.max",
        "transforms",
    ]


def test_a_connector_connect_does_not_know_yet_is_retried_not_failed(local_cluster, tenant, unique_name):
    from connectors.connect import ConnectorNotFound

    # Marked as applied, but absent from Connect: resume answers 404, as it can right after a create.
    connector = ConnectorFactory(
        tenant=tenant, cluster=local_cluster, connector_id=unique_name("ghost"), state="PROVISIONING"
    )
    Connector.objects.filter(pk=connector.pk).update(applied_generation=connector.generation)
    with pytest.raises(ConnectorNotFound):
        connector_converge(connector_id=connector.pk, settle_timeout=1)
    connector.refresh_from_db()
    assert connector.state == State.PROVISIONING and not connector.retry_blocked
