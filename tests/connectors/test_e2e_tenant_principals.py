"""Per-tenant Kafka principals, enforced by the real broker (issue 14).

The cluster `secured` is the local stack's exactly-once worker group: its connectors' clients use the broker's
SASL_SSL listener, as a principal without ACLs unless the control plane renders the tenant's own principal into
their overrides (the worker's override policy is Principal). The control plane itself talks SCRAM over TLS.
"""

from __future__ import annotations

import json
import time
import uuid

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition
from confluent_kafka.admin import (
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    AdminClient,
    ResourcePatternType,
    ResourceType,
)

from connectors.connect import ConnectEndpoint, connect_client
from connectors.models import Connector
from connectors.selectors import connector_desired_config
from connectors.services.principals import cluster_principals_converge
from connectors.services.reconcile import reconcile_cluster
from controlplane.crypto import encrypt_secrets
from monitoring.models import Alert
from monitoring.services.sweep import sweep_all
from tenants.models import Cluster, Role, TenantPrincipal, TopicPrefix
from tests.conftest import wait_for
from tests.factories import LandingZoneFactory, SharedClusterFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.connect]
LINES = ["one", "two", "three"]


def secured_cluster_for(local_stack, tenants, **overrides) -> Cluster:
    config = local_stack.config
    return SharedClusterFactory(
        name="secured",
        landing_zone=LandingZoneFactory(slug="edh-shared"),
        bootstrap_servers=config.sasl_ssl_bootstrap_servers,
        security_protocol="SASL_SSL",
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username=config.sasl_username,
        ssl_ca_location=str(local_stack.ca_file),
        secrets_encrypted=encrypt_secrets({"sasl_password": local_stack.sasl_password()}),
        connect_url=config.eos_connect_url,
        connector_principals=Cluster.ConnectorPrincipals.TENANT,
        connect_group_id=config.eos_connect_group,
        exactly_once_source_support=True,
        tenants=tenants,
        **overrides,
    )


@pytest.fixture
def secured_cluster(local_stack, tenant, other_tenant, db):
    cluster = secured_cluster_for(local_stack, [tenant, other_tenant])
    yield cluster
    cluster.allowed_tenants.clear()
    cluster_principals_converge(cluster_id=cluster.pk)  # the broker forgets both principals again


def acls_of(local_stack, username: str) -> set[tuple[str, str, str]]:
    admin = AdminClient({"bootstrap.servers": local_stack.config.bootstrap_servers})
    acl_filter = AclBindingFilter(
        ResourceType.ANY, None, ResourcePatternType.ANY, f"User:{username}", None, AclOperation.ANY,
        AclPermissionType.ANY,
    )  # fmt: skip
    return {
        (binding.restype.name, binding.name, binding.operation.name)
        for binding in admin.describe_acls(acl_filter).result(timeout=15)
    }


def committed_values(bootstrap: str, topic: str) -> list[str]:
    """Every committed record's value in the topic's one partition, as a read_committed consumer sees them
    (a transactional producer's commit markers take offsets too, so watermarks do not count records)."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"read-{uuid.uuid4().hex[:6]}",
            "isolation.level": "read_committed",
            "enable.auto.commit": False,
        }
    )
    try:
        if topic not in consumer.list_topics(timeout=10).topics:
            return []
        partition = TopicPartition(topic, 0, OFFSET_BEGINNING)
        consumer.assign([partition])
        values, deadline = [], time.monotonic() + 10
        _, high = consumer.get_watermark_offsets(partition, timeout=10)
        while time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is not None and not message.error():
                value = json.loads(message.value())
                values.append(value["payload"] if isinstance(value, dict) else value)  # JsonConverter's envelope
            position = consumer.position([partition])[0].offset
            if position >= high:
                break
        return values
    finally:
        consumer.close()


def file_source(tenant, connector_id: str, directory) -> dict:
    path = directory / f"{connector_id}.txt"
    path.write_text("".join(f"{line}\n" for line in LINES))
    return {
        "type": "file-source",
        "cluster": "secured",
        "stage": "dev",
        "id": connector_id,
        "config": {"file": str(path)},
        "topics": [f"{tenant.slug}.{connector_id}"],
        "create_topics": True,
    }


@pytest.fixture
def sandboxes(tenant, other_tenant, unique_name):
    import shutil

    directories = []
    for owner in (tenant, other_tenant):
        directory = owner.file_sandbox / unique_name("p")
        directory.mkdir(parents=True)
        directories.append(directory)
    yield directories
    for directory in directories:
        shutil.rmtree(directory, ignore_errors=True)


def test_the_principals_acls_name_only_the_tenants_prefixes_and_follow_them(local_stack, secured_cluster, tenant):
    principals = {p.tenant.slug: p for p in cluster_principals_converge(cluster_id=secured_cluster.pk)}
    assert set(principals) == {"sales", "scada"}
    sales = principals["sales"].username

    acls = acls_of(local_stack, sales)
    assert {name for kind, name, _ in acls if kind == "TOPIC"} == {"sales."}
    assert {name for kind, name, _ in acls if kind == "GROUP"} == {"connect-edh-shared-sales-", "edh-shared-sales-"}
    transactional_ids = {name for kind, name, _ in acls if kind == "TRANSACTIONAL_ID"}
    assert transactional_ids == {"controlplane-devstack-eos-edh-shared-sales-"}  # <group.id>-<its connector names>

    TopicPrefix.objects.create(tenant=tenant, prefix="crm.")
    sweep_all()  # the periodic pass (beat's health sweep) follows the new prefix, no connector applied
    assert {name for kind, name, _ in acls_of(local_stack, sales) if kind == "TOPIC"} == {"sales.", "crm."}

    secured_cluster.allowed_tenants.remove(tenant)  # sales leaves the cluster
    cluster_principals_converge(cluster_id=secured_cluster.pk)
    assert acls_of(local_stack, sales) == set()
    assert not TenantPrincipal.objects.filter(tenant=tenant, cluster=secured_cluster).exists()


def test_each_tenants_connector_runs_as_its_principal_and_the_broker_keeps_it_off_the_other_tenants_topics(
    local_stack, secured_cluster, tenant, other_tenant, client_for, celery_worker_process, sandboxes, unique_name
):
    names, topics = {}, {}
    for owner, directory in zip((tenant, other_tenant), sandboxes, strict=True):
        request = file_source(owner, unique_name("crm"), directory)
        created = client_for(owner, Role.DEVELOPER).post("/api/v1/connectors/", request, format="json")
        assert created.status_code == 202, created.json()
        names[owner.slug], topics[owner.slug] = created.json()["name"], request["topics"][0]
    for owner in (tenant, other_tenant):
        client = client_for(owner, Role.DEVELOPER)
        wait_for(
            lambda client=client, owner=owner: (
                client.get(f"/api/v1/connectors/{names[owner.slug]}/").json()["state"] in {"RUNNING", "FAILED"}
            ),
            timeout=90,
            message=f"{owner.slug}'s connector settled",
        )
        detail = client.get(f"/api/v1/connectors/{names[owner.slug]}/status").json()
        assert detail["state"] == "RUNNING", detail
        wait_for(
            lambda owner=owner: committed_values(local_stack.config.bootstrap_servers, topics[owner.slug]) == LINES,
            timeout=60,
            message=f"{owner.slug}'s three records",
        )
        assert "not-provisioned" not in json.dumps(detail)
    sales = Connector.objects.get(name=names["sales"])
    desired = connector_desired_config(connector=sales)
    assert desired["producer.override.sasl.jaas.config"].count('username="secured.sales"') == 1

    # Behind the control plane's back: sales's connector, with sales's principal, pointed at scada's topic.
    rogue = {**desired, "topic": topics["scada"]}
    endpoint = ConnectEndpoint(flavour="self_managed", url=local_stack.config.eos_connect_url)
    connect = connect_client(endpoint)
    connect.put_config(sales.name, rogue)
    time.sleep(3)  # the task restarts with the rogue config, then reads the new line
    with open(sales.config["file"], "a") as file:
        file.write("for scada\n")

    def task_trace() -> str:
        tasks = connect.status(sales.name).get("tasks") or []
        return "".join(task.get("trace") or "" for task in tasks if task.get("state") == "FAILED")

    trace = wait_for(task_trace, timeout=90, message="the rogue task failed")
    assert "TopicAuthorizationException" in trace or "Not authorized to access topics" in trace, trace[:2000]
    assert committed_values(local_stack.config.bootstrap_servers, topics["scada"]) == LINES  # nothing of sales's

    reconcile_cluster(cluster=secured_cluster)
    assert Alert.objects.filter(tenant=tenant, connector=sales, resolved_at__isnull=True).exists()
    assert not Alert.objects.filter(tenant=other_tenant).exists()

    for owner in (tenant, other_tenant):
        client_for(owner, Role.DEVELOPER).delete(f"/api/v1/connectors/{names[owner.slug]}/")
    for owner in (tenant, other_tenant):
        wait_for(
            lambda owner=owner: Connector.objects.get(name=names[owner.slug]).state == "DELETED",
            timeout=60,
            message="deleted",
        )


def test_an_exactly_once_file_source_runs_on_the_exactly_once_cluster_and_is_refused_on_the_other(
    local_stack, secured_cluster, local_cluster, tenant, client_for, celery_worker_process, sandboxes, unique_name
):
    developer = client_for(tenant, Role.DEVELOPER)
    request = {**file_source(tenant, unique_name("eos"), sandboxes[0]), "delivery_guarantee": "exactly_once"}

    refused = developer.post("/api/v1/connectors/", {**request, "cluster": "local"}, format="json")
    assert refused.status_code == 400, refused.json()
    assert "does not run exactly-once sources" in " ".join(refused.json()["errors"]["delivery_guarantee"])

    created = developer.post("/api/v1/connectors/", request, format="json")
    assert created.status_code == 202, created.json()
    name = created.json()["name"]
    wait_for(
        lambda: developer.get(f"/api/v1/connectors/{name}/").json()["state"] in {"RUNNING", "FAILED"},
        timeout=90,
        message="the exactly-once source settled",
    )
    detail = developer.get(f"/api/v1/connectors/{name}/").json()
    assert detail["state"] == "RUNNING", detail
    assert detail["delivery"]["guarantee"] == "exactly_once"
    assert "read_committed" in detail["delivery"]["consumer_expectations"]
    rendered = connector_desired_config(connector=Connector.objects.get(name=name))
    assert (rendered["exactly.once.support"], rendered["transaction.boundary"]) == ("required", "poll")

    wait_for(
        lambda: committed_values(local_stack.config.bootstrap_servers, request["topics"][0]) == LINES,
        timeout=60,
        message="every record, read committed",
    )

    assert developer.delete(f"/api/v1/connectors/{name}/").status_code == 202
    wait_for(lambda: Connector.objects.get(name=name).state == "DELETED", timeout=60, message="deleted")
