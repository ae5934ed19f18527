"""No input is silently dropped or changed: unknown fields, a topic that is only a prefix and an id
with trailing whitespace are each a 400 on that field, and nothing is stored."""

import pytest

from connectors.models import Connector
from tenants.models import Role
from tests.connectors.apis.test_connector_create import CONNECTORS, VALIDATE, assert_rejected, file_source
from tests.factories import ConnectorFactory, SharedClusterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def developer(client_for, tenant):
    return client_for(tenant, Role.DEVELOPER)


@pytest.mark.parametrize("path", [CONNECTORS, VALIDATE])
def test_unknown_top_level_fields_are_a_400_naming_each(developer, tenant, path):
    payload = {**file_source("crm"), "tenat": "sales", "desired_stat": "paused"}
    response = developer.post(path, payload, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"tenat", "desired_stat"}
    assert not Connector.objects.exists()


def test_an_unknown_field_in_a_patch_is_a_400_and_changes_nothing(developer, tenant):
    connector = ConnectorFactory(tenant=tenant, cluster=SharedClusterFactory(tenants=[tenant]))
    response = developer.patch(f"{CONNECTORS}{connector.name}/", {"taks_max": 3}, format="json")
    assert response.status_code == 400 and set(response.json()["errors"]) == {"taks_max"}
    connector.refresh_from_db()
    assert connector.generation == 1


@pytest.mark.connect
def test_a_topic_that_is_only_the_tenants_prefix_is_refused(developer, local_cluster):
    errors = assert_rejected(developer, file_source("crm", topics=["sales."]))
    assert set(errors) == {"topics[0]"}


@pytest.mark.connect
@pytest.mark.parametrize("connector_id", ["crm\n", " crm", "crm "])
def test_an_id_is_taken_as_sent_so_whitespace_around_it_is_refused(developer, local_cluster, connector_id):
    payload = file_source(connector_id, topics=["sales.crm"], config=file_source("crm")["config"])
    errors = assert_rejected(developer, payload)
    assert set(errors) == {"id"}


@pytest.mark.connect
def test_a_topic_with_a_trailing_newline_is_refused(developer, local_cluster):
    errors = assert_rejected(developer, file_source("crm", topics=["sales.crm\n"]))
    assert set(errors) == {"topics[0]"}


def test_deleted_connectors_are_listed_only_when_asked_for(developer, tenant):
    cluster = SharedClusterFactory(tenants=[tenant])
    live = ConnectorFactory(tenant=tenant, cluster=cluster, state="RUNNING")
    gone = ConnectorFactory(tenant=tenant, cluster=cluster, state="DELETED")

    default = developer.get(CONNECTORS).json()
    asked = developer.get(f"{CONNECTORS}?state=DELETED").json()

    assert [item["name"] for item in default["results"]] == [live.name] and default["count"] == 1
    assert [item["name"] for item in asked["results"]] == [gone.name]
    assert developer.get(f"{CONNECTORS}{gone.name}/").json()["state"] == "DELETED"
