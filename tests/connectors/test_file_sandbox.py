"""File Source and File Sink read and write only inside the tenant's directory of the file sandbox,
and only on clusters where a platform admin enabled worker files (issue 9)."""

import os

import pytest
from django.conf import settings

from connectors.clusters import cluster_connect_endpoint
from connectors.connect import ConnectorNotFound, connect_client
from connectors.models import Connector
from connectors.services.converge import connector_converge
from connectors.state_machine import State
from tenants.models import Cluster, Role
from tests.connectors.apis.test_connector_create import CONNECTORS, VALIDATE, assert_rejected, file_source
from tests.factories import ConnectorFactory, SharedClusterFactory

pytestmark = [pytest.mark.django_db, pytest.mark.connect]


@pytest.fixture
def developer(client_for, tenant):
    return client_for(tenant, Role.DEVELOPER)


def file_sink(connector_id: str, path: str) -> dict:
    return {**file_source(connector_id), "type": "file-sink", "config": {"file": path}, "create_topics": False}


@pytest.mark.parametrize(
    "outside",
    [
        "/etc/passwd",
        str(settings.VAR_DIR / "encryption.key"),
        "{root}/scada/orders.txt",  # another tenant's directory
        "{root}/orders.txt",  # the sandbox root itself, outside any tenant's directory
        "{root}/sales-evil/orders.txt",  # a sibling whose name starts like the tenant's
    ],
)
def test_a_file_source_outside_the_tenants_sandbox_is_a_400_on_config_file(developer, local_cluster, outside):
    path = outside.format(root=settings.CONNECTOR_FILE_SANDBOX_ROOT)
    errors = assert_rejected(developer, {**file_source("crm"), "config": {"file": path}})
    assert list(errors) == ["config.file"] and "outside your file sandbox" in errors["config.file"][0]


def test_a_file_sink_cannot_write_over_the_control_planes_own_files(developer, local_cluster):
    errors = assert_rejected(developer, file_sink("leak", str(settings.VAR_DIR / "demo-api-key")))
    assert list(errors) == ["config.file"]


@pytest.mark.parametrize("kind", ["directory", "file"])
def test_a_symlink_out_of_the_sandbox_is_a_400_on_config_file(developer, local_cluster, file_sandbox, kind):
    if kind == "directory":
        os.symlink("/etc", file_sandbox / "etc")
        path = file_sandbox / "etc" / "passwd"
    else:
        path = file_sandbox / "passwd.txt"
        os.symlink("/etc/passwd", path)

    errors = assert_rejected(developer, {**file_source("crm"), "config": {"file": str(path)}})

    assert list(errors) == ["config.file"] and "symbolic link" in errors["config.file"][0]


@pytest.mark.parametrize("dots", ["{sandbox}/../scada/orders.txt", "{sandbox}/sub/../orders.txt", "{sandbox}/./x"])
def test_a_dot_dot_path_is_a_400_on_config_file(developer, local_cluster, file_sandbox, dots):
    path = dots.format(sandbox=file_sandbox)
    errors = assert_rejected(developer, {**file_source("crm"), "config": {"file": path}})
    assert list(errors) == ["config.file"]


def test_a_relative_path_is_a_400_on_config_file(developer, local_cluster):
    errors = assert_rejected(developer, {**file_source("crm"), "config": {"file": "orders.txt"}})
    assert list(errors) == ["config.file"] and "relative" in errors["config.file"][0]


def test_a_file_inside_the_tenants_sandbox_is_accepted(developer, local_cluster, file_sandbox):
    (file_sandbox / "orders.txt").write_text("one\n")
    payload = {**file_source("crm"), "config": {"file": str(file_sandbox / "orders.txt")}}
    assert developer.post(VALIDATE, payload, format="json").json()["valid"] is True
    assert developer.post(CONNECTORS, payload, format="json").status_code == 202


def test_a_patch_to_a_path_outside_the_sandbox_is_refused_and_changes_nothing(developer, tenant, local_cluster):
    created = developer.post(CONNECTORS, file_source("crm"), format="json").json()
    response = developer.patch(f"{CONNECTORS}{created['name']}/", {"config": {"file": "/etc/shadow"}}, format="json")
    assert response.status_code == 400 and list(response.json()["errors"]) == ["config.file"]
    assert Connector.objects.get(name=created["name"]).config == created["config"]


def test_file_types_are_offered_only_where_a_platform_admin_enabled_them(client_for, tenant, local_stack):
    SharedClusterFactory(
        name="no-files",
        tenants=[tenant],
        worker_files_enabled=False,
        connect_url=local_stack.config.connect_url,
        bootstrap_servers=local_stack.config.bootstrap_servers,
    )
    developer = client_for(tenant, Role.DEVELOPER)

    errors = assert_rejected(developer, {**file_source("crm"), "cluster": "no-files"})

    assert list(errors) == ["type"] and "not enabled on cluster no-files" in errors["type"][0]
    catalog = {item["key"]: item for item in developer.get("/api/v1/connector-types/").json()["results"]}
    assert catalog["file-source"]["clusters"] == [
        {"cluster": "no-files", "offered": False, "plugin_installed": None, "implementation": None}
    ]
    assert catalog["jdbc-source"]["clusters"][0]["offered"] is True


@pytest.mark.parametrize("path", ["/etc/passwd", "{sandbox}/../scada/x"])
def test_a_stored_connector_outside_the_sandbox_fails_instead_of_being_provisioned(local_cluster, tenant, path):
    """Stored before the sandbox existed, or its path went bad since: checked again before Connect sees it."""
    connector = ConnectorFactory(
        tenant=tenant, cluster=local_cluster, config={"file": path.format(sandbox=tenant.file_sandbox)}
    )

    converged = connector_converge(connector_id=connector.pk, settle_timeout=1)

    assert converged.state == State.FAILED and "config.file" in converged.last_error
    with pytest.raises(ConnectorNotFound):
        connect_client(cluster_connect_endpoint(cluster=local_cluster)).get_config(connector.name)


def test_a_stored_file_connector_fails_once_its_cluster_no_longer_allows_worker_files(local_cluster, tenant):
    connector = ConnectorFactory(tenant=tenant, cluster=local_cluster)
    Cluster.objects.filter(pk=local_cluster.pk).update(worker_files_enabled=False)

    converged = connector_converge(connector_id=connector.pk, settle_timeout=1)

    assert converged.state == State.FAILED and "not enabled on cluster local" in converged.last_error
