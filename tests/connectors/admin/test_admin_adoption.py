"""Adopting an unmanaged connector from the admin, against the real Kafka Connect worker: taken over
under its own name only if the name and topics obey the tenant's rules; otherwise the page says why
and nothing changes, here or on Connect."""

from pathlib import Path

import pytest
from django.urls import reverse

from connectors.clusters import cluster_connect_endpoint
from connectors.connect import ConnectorNotFound, connect_client
from connectors.models import Connector, UnmanagedConnector
from connectors.services.reconcile import reconcile_cluster
from connectors.state_machine import State
from tests.conftest import forget_on_connect, wait_for
from tests.factories import DedicatedClusterFactory, SharedClusterFactory
from tests.system import closed_port

pytestmark = pytest.mark.django_db

FILE_SOURCE = "org.apache.kafka.connect.file.FileStreamSourceConnector"


def _running(connect, name: str) -> bool:
    try:
        return connect.status(name)["connector"]["state"] == "RUNNING"
    except ConnectorNotFound:  # "No status found" for a moment after creation
        return False


@pytest.fixture
def hand_made(local_cluster, file_sandbox):
    """make(name, topic, source, extra): a file source created on Connect by hand (with the `extra`
    properties), then seen by the reconciler."""
    connect = connect_client(cluster_connect_endpoint(cluster=local_cluster))
    created = []

    def make(name: str, topic: str, source: Path | None = None, extra: dict | None = None) -> UnmanagedConnector:
        source = source or file_sandbox / f"{name}.txt"
        source.write_text("one\n")
        connect.put_config(
            name,
            {"connector.class": FILE_SOURCE, "file": str(source), "topic": topic, "tasks.max": "1", **(extra or {})},
        )
        created.append(name)
        wait_for(lambda: _running(connect, name), timeout=30, message=name)
        reconcile_cluster(cluster=local_cluster)
        return UnmanagedConnector.objects.get(cluster=local_cluster, name=name)

    make.connect = connect
    yield make
    forget_on_connect(connect, created)


def _adopt(admin_client, unmanaged, tenant, stage="dev"):
    return admin_client.post(
        reverse("admin:connectors_unmanaged_adopt", args=[unmanaged.pk]), {"tenant": tenant.pk, "stage": stage}
    )


@pytest.mark.connect
def test_a_connector_named_by_the_convention_with_its_tenants_topics_is_adopted(
    admin_client, tenant, hand_made, unique_name
):
    connector_id = unique_name("legacy")
    name = f"edh-shared-sales-dev-{connector_id}-connector"
    unmanaged = hand_made(name, "sales.legacy")
    live_before = hand_made.connect.get_config(name)
    assert "adopt…" in admin_client.get(reverse("admin:connectors_unmanagedconnector_changelist")).content.decode()

    response = _adopt(admin_client, unmanaged, tenant)

    connector = Connector.objects.get(name=name)
    assert response.status_code == 302 and response["Location"].endswith(f"/{connector.pk}/change/")
    assert (connector.tenant, connector.stage, connector.connector_id) == (tenant, "dev", connector_id)
    assert (connector.type_key, connector.topics, connector.state) == ("file-source", ["sales.legacy"], State.RUNNING)
    assert connector.config == {"file": live_before["file"]}
    assert connector.events.get().actor == "user:platform-admin"
    assert not UnmanagedConnector.objects.filter(name=name).exists()
    assert hand_made.connect.get_config(name) == live_before  # adopting wrote nothing to Connect

    reconcile_cluster(cluster=connector.cluster)  # from now on the reconciler manages it
    assert not UnmanagedConnector.objects.filter(name=name).exists()
    connector.refresh_from_db()
    assert connector.observed_at is not None or connector.state == State.DRIFTED


@pytest.mark.connect
@pytest.mark.parametrize(
    ("name", "topic", "stage", "reason"),
    [
        ("hand-made-{id}", "sales.legacy", "dev", "does not follow the naming convention of tenant sales in dev"),
        ("edh-shared-sales-dev-{id}-connector", "sales.legacy", "qas", "expected edh-shared-sales-qas-<id>-connector"),
        ("edh-shared-sales-dev-{id}-connector", "scada.meters", "dev", "outside your tenant's topic prefixes"),
    ],
    ids=["foreign-name", "other-stage", "other-tenants-topic"],
)
def test_a_connector_that_breaks_the_tenants_rules_is_refused_and_left_alone(
    admin_client, tenant, hand_made, unique_name, name, topic, stage, reason
):
    name = name.format(id=unique_name("legacy"))
    unmanaged = hand_made(name, topic)
    live_before = hand_made.connect.get_config(name)

    response = _adopt(admin_client, unmanaged, tenant, stage)

    [said] = response.context["form"].non_field_errors()
    assert response.status_code == 200 and said.startswith("Not adopted, nothing changed") and reason in said
    assert "Not adopted, nothing changed" in response.content.decode()
    assert not Connector.objects.filter(name=name).exists()
    assert UnmanagedConnector.objects.filter(pk=unmanaged.pk).exists()
    assert hand_made.connect.get_config(name) == live_before
    assert hand_made.connect.status(name)["connector"]["state"] == "RUNNING"


@pytest.mark.parametrize("kind", ["dedicated to another tenant", "shared but not opened to it"])
def test_a_tenant_cannot_adopt_on_a_cluster_not_open_to_it_and_connect_is_not_even_asked(
    admin_client, tenant, other_tenant, kind
):
    unreachable = f"http://127.0.0.1:{closed_port()}"  # asking it would fail differently
    if kind.startswith("dedicated"):
        cluster = DedicatedClusterFactory(name="theirs", owner_tenant=other_tenant, connect_url=unreachable)
        name = "sales-dev-legacy-connector"
    else:
        cluster = SharedClusterFactory(name="closed", connect_url=unreachable, tenants=[other_tenant])
        name = "edh-shared-sales-dev-legacy-connector"
    unmanaged = UnmanagedConnector.objects.create(cluster=cluster, name=name, connector_class=FILE_SOURCE)

    response = _adopt(admin_client, unmanaged, tenant)

    [said] = response.context["form"].non_field_errors()
    assert f"cluster {cluster.name} is not open to tenant sales" in said
    assert UnmanagedConnector.objects.filter(pk=unmanaged.pk).exists() and not Connector.objects.exists()


@pytest.mark.connect
@pytest.mark.parametrize(
    ("outside_the_sandbox", "extra", "reason"),
    [
        (True, None, "config.file: is outside your file sandbox"),
        # Connect runs it with a property its plugin does not know; the platform would render the
        # connector without it, so adopting it would silently change what runs.
        (False, {"legacy.owner": "team-a"}, "config.legacy.owner: unknown property"),
    ],
    ids=["reads-outside-the-sandbox", "a-property-the-platform-would-not-keep"],
)
def test_a_config_the_platform_would_not_keep_as_it_is_is_refused_never_changed(
    admin_client, tenant, hand_made, tmp_path, unique_name, outside_the_sandbox, extra, reason
):
    name = f"edh-shared-sales-dev-{unique_name('legacy')}-connector"
    source = tmp_path / "outside.txt" if outside_the_sandbox else None
    unmanaged = hand_made(name, "sales.legacy", source=source, extra=extra)

    response = _adopt(admin_client, unmanaged, tenant)

    [said] = response.context["form"].non_field_errors()
    assert reason in said
    assert not Connector.objects.filter(name=name).exists() and UnmanagedConnector.objects.filter(pk=unmanaged.pk)


@pytest.mark.connect
def test_a_connector_with_transforms_is_adopted_with_them(admin_client, tenant, hand_made, unique_name):
    name = f"edh-shared-sales-dev-{unique_name('legacy')}-connector"
    header = {
        "transforms": "origin",
        "transforms.origin.type": "org.apache.kafka.connect.transforms.InsertHeader",
        "transforms.origin.header": "origin",
        "transforms.origin.value.literal": "crm",
    }
    unmanaged = hand_made(name, "sales.legacy", extra=header)

    assert _adopt(admin_client, unmanaged, tenant).status_code == 302
    connector = Connector.objects.get(name=name)
    assert connector.state == State.RUNNING
    [transform] = connector.transforms
    assert transform["alias"] == "origin" and transform["type"].endswith("InsertHeader")
    assert transform["options"] == {"header": "origin", "value.literal": "crm"}
    # The platform renders the transform as it runs: whatever else it sets its own way, not that.
    reconcile_cluster(cluster=connector.cluster)
    drifts = list(
        connector.events.filter(reason__startswith="live config differs on:").values_list("reason", flat=True)
    )
    assert not [reason for reason in drifts if "transforms" in reason], drifts
