"""PUT /api/v1/connectors/{name}: declarative apply, against the real Connect worker's validation.

Create or update to exactly the spec; the same spec twice is "unchanged"; a dry run returns the plan
(the rendered config's diff with secrets masked, every layer's verdict) and stores nothing; a
credential given as "********" refers to the secret already stored under that name.
"""

import pytest

from connectors.models import Connector, ConnectorEvent
from controlplane.masking import MASK
from tenants.models import Role
from tests.connectors.apis.test_connector_create import SALES_SANDBOX, file_source, postgres_cdc
from tests.factories import ConnectorFactory

pytestmark = [pytest.mark.django_db, pytest.mark.connect]

LAYERS_PASSED = {layer: "passed" for layer in ("schema", "naming", "topics", "transforms", "cluster")}


def url(name: str, *, dry_run: bool = False) -> str:
    return f"/api/v1/connectors/{name}" + ("?dry_run=true" if dry_run else "")


def name_of(connector_id: str) -> str:
    return f"edh-shared-sales-dev-{connector_id}-connector"


@pytest.fixture
def developer(client_for, tenant):
    return client_for(tenant, Role.DEVELOPER)


def test_a_dry_run_plans_the_create_with_every_layer_and_stores_nothing(developer, local_cluster, unique_name):
    connector_id = unique_name("crm")
    planned = developer.put(url(name_of(connector_id), dry_run=True), file_source(connector_id), format="json")

    assert planned.status_code == 200, planned.json()
    plan = planned.json()
    assert (plan["action"], plan["dry_run"], plan["valid"], plan["connector"]) == ("create", True, True, None)
    assert plan["layers"] == LAYERS_PASSED
    added = {change["key"]: change["to"] for change in plan["changes"]}
    assert {change["change"] for change in plan["changes"]} == {"added"}
    assert added["file"] == f"{SALES_SANDBOX}/{connector_id}.txt" and added["name"] == name_of(connector_id)
    assert not Connector.objects.exists()


def test_applying_the_same_spec_twice_creates_once_then_says_unchanged(developer, local_cluster, unique_name):
    connector_id = unique_name("crm")
    name = name_of(connector_id)

    created = developer.put(url(name), file_source(connector_id), format="json")
    assert created.status_code == 202, created.json()
    assert created.json()["action"] == "create" and created.json()["connector"]["state"] == "REQUESTED"
    Connector.objects.filter(name=name).update(operation="", operation_started_at=None, state="RUNNING")

    again = developer.put(url(name), file_source(connector_id), format="json")
    assert again.status_code == 200, again.json()
    assert (again.json()["action"], again.json()["changes"], again.json()["changed_fields"]) == ("unchanged", [], [])
    connector = Connector.objects.get(name=name)
    assert (connector.generation, connector.operation) == (1, ""), "nothing stored, nothing dispatched"


def test_an_edited_spec_is_planned_as_exactly_that_change_then_updated(developer, local_cluster, unique_name):
    connector_id = unique_name("crm")
    name = name_of(connector_id)
    assert developer.put(url(name), file_source(connector_id), format="json").status_code == 202
    Connector.objects.filter(name=name).update(operation="", operation_started_at=None, state="RUNNING")
    edited = file_source(connector_id, config={"file": f"{SALES_SANDBOX}/elsewhere.txt"})

    planned = developer.put(url(name, dry_run=True), edited, format="json").json()
    assert (planned["action"], planned["changed_fields"]) == ("update", ["config"])
    assert planned["changes"] == [
        {
            "key": "file",
            "change": "changed",
            "from": f"{SALES_SANDBOX}/{connector_id}.txt",
            "to": f"{SALES_SANDBOX}/elsewhere.txt",
        }
    ]
    assert Connector.objects.get(name=name).generation == 1, "a dry run stores nothing"

    applied = developer.put(url(name), edited, format="json")
    assert applied.status_code == 202, applied.json()
    assert applied.json()["action"] == "update"
    connector = Connector.objects.get(name=name)
    assert (connector.config, connector.generation, connector.operation) == (
        {"file": f"{SALES_SANDBOX}/elsewhere.txt"},
        2,
        "apply",
    )


def test_apply_replaces_the_whole_spec_and_the_desired_state(developer, local_cluster, unique_name):
    connector_id = unique_name("crm")
    name = name_of(connector_id)
    spec = file_source(connector_id, transforms=[{"alias": "tag", "type": "InsertField$Value", "options": {}}])
    spec["transforms"][0]["options"] = {"static.field": "origin", "static.value": "crm"}
    assert developer.put(url(name), spec, format="json").status_code == 202, "created with a transform"
    Connector.objects.filter(name=name).update(operation="", operation_started_at=None, state="RUNNING")

    paused_without_transform = file_source(connector_id, desired_state="paused")
    planned = developer.put(url(name, dry_run=True), paused_without_transform, format="json").json()
    assert planned["changed_fields"] == ["transforms", "desired_state"]
    assert {c["key"]: c["change"] for c in planned["changes"]}["transforms"] == "removed"

    assert developer.put(url(name), paused_without_transform, format="json").status_code == 202
    connector = Connector.objects.get(name=name)
    assert (connector.transforms, connector.desired_state) == ([], "paused")


def test_credentials_refer_to_stored_secrets_and_never_appear_in_a_plan(
    developer, local_cluster, cdc_database, unique_name
):
    connector_id = unique_name("orders")
    name = name_of(connector_id)
    spec = postgres_cdc(connector_id, cdc_database)

    refused = developer.put(url(name), {**spec, "credentials": {"database.password": MASK}}, format="json")
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["credentials.database.password"]
    assert "none stored" in refused.json()["errors"]["credentials.database.password"][0]

    assert developer.put(url(name), spec, format="json").status_code == 202, "the secret is given once"
    Connector.objects.filter(name=name).update(operation="", operation_started_at=None, state="RUNNING")
    from_git = {**spec, "credentials": {"database.password": MASK}}
    again = developer.put(url(name), from_git, format="json")
    assert again.status_code == 200 and again.json()["action"] == "unchanged", again.json()

    rotated = {**spec, "credentials": {"database.password": "An0ther-Secret-Value"}}
    planned = developer.put(url(name, dry_run=True), rotated, format="json")
    body = planned.content.decode()
    assert cdc_database.password not in body and "An0ther-Secret-Value" not in body
    plan = planned.json()
    assert plan["changed_fields"] == ["credentials"]
    assert plan["changes"] == [{"key": "database.password", "change": "changed", "from": MASK, "to": MASK}]
    # Connect itself refuses the wrong password: the cluster layer's verdict, as a field error.
    assert planned.status_code == 400 and plan["code"] == "invalid" and plan["layers"]["cluster"] == "failed"


def test_the_spec_must_name_the_connector_of_the_url(developer, local_cluster, unique_name):
    connector_id = unique_name("crm")
    response = developer.put(url(name_of("something-else")), file_source(connector_id), format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["id"] == [
        f"this spec names the connector {name_of(connector_id)}, not {name_of('something-else')}"
    ]
    assert not Connector.objects.exists()


def test_identity_fields_cannot_change_under_the_same_name(developer, tenant, local_cluster, unique_name):
    connector_id = unique_name("crm")
    name = name_of(connector_id)
    assert developer.put(url(name), file_source(connector_id), format="json").status_code == 202
    as_sink = file_source(connector_id, type="file-sink")
    response = developer.put(url(name, dry_run=True), as_sink, format="json")
    assert response.status_code == 400 and "type" in response.json()["errors"]
    assert response.json()["layers"]["naming"] == "failed"


def test_apply_needs_the_developer_role(client_for, tenant, local_cluster, unique_name):
    connector_id = unique_name("crm")
    response = client_for(tenant, Role.OPERATOR).put(
        url(name_of(connector_id)), file_source(connector_id), format="json"
    )
    assert response.status_code == 403
    assert not Connector.objects.exists()


def test_another_tenants_connector_is_never_touched(client_for, tenant, other_tenant, local_cluster, unique_name):
    theirs = ConnectorFactory(tenant=other_tenant, cluster=local_cluster, state="RUNNING")
    events_before = ConnectorEvent.objects.filter(connector=theirs).count()
    spec = file_source(theirs.connector_id)
    response = client_for(tenant, Role.DEVELOPER).put(url(theirs.name), spec, format="json")
    assert response.status_code == 400  # our spec names our own connector, never theirs
    theirs.refresh_from_db()
    assert (theirs.generation, theirs.config) == (1, {"file": str(other_tenant.file_sandbox / "x")})
    assert ConnectorEvent.objects.filter(connector=theirs).count() == events_before


def test_a_changed_delivery_guarantee_is_a_change_never_unchanged(developer, local_cluster, unique_name):
    connector_id = unique_name("crm")
    name = name_of(connector_id)
    assert developer.put(url(name), file_source(connector_id), format="json").status_code == 202
    planned = developer.put(
        url(name, dry_run=True), file_source(connector_id, delivery_guarantee="exactly_once"), format="json"
    ).json()
    assert planned["action"] == "update" and "delivery_guarantee" in planned["changed_fields"], planned
