"""Four-eyes approval: on a landing zone that asks for it, a create or promotion into run waits as a
change request; its author cannot approve it; another admin's approval provisions, a decline does not
and its author reads why."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from connectors.models import Connector, ConnectorEvent
from governance.models import ChangeRequest, LandingZonePolicy
from governance.services.quotas import quota_set
from monitoring.models import Alert, Delivery
from monitoring.services.channels import channel_save
from monitoring.services.deliveries import delivery_send
from tenants.models import Membership, Role
from tenants.services import api_key_create
from tests.factories import ConnectorFactory, SharedClusterFactory, UserFactory
from tests.monitoring.conftest import WebhookReceiver

pytestmark = pytest.mark.django_db

CONNECTORS = "/api/v1/connectors/"


@pytest.fixture
def four_eyes_cluster(tenant):
    cluster = SharedClusterFactory(name="offline", connect_url="http://127.0.0.1:9", tenants=[tenant])
    LandingZonePolicy.objects.create(landing_zone=cluster.landing_zone, four_eyes=True, run_gate_enabled=False)
    return cluster


@pytest.fixture
def admin_as(tenant, api_client):
    """admin_as(username) -> a client with an admin key created by that (admin) user."""
    from rest_framework.test import APIClient

    def make(username: str):
        user = UserFactory(username=username)
        Membership.objects.get_or_create(user=user, tenant=tenant, defaults={"role": Role.ADMIN})
        _, raw = api_key_create(
            tenant=tenant, name=f"{username}-key-{timezone.now().timestamp()}", role=Role.ADMIN, created_by=user
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    return make


def _run_request(tenant, connector_id="crm"):
    return {
        "type": "file-source",
        "cluster": "offline",
        "stage": "run",
        "id": connector_id,
        "config": {"file": str(tenant.file_sandbox / "crm.txt")},
        "topics": ["sales.crm"],
        "create_topics": True,
    }


def test_a_create_into_run_waits_and_only_another_admin_can_approve_it(tenant, four_eyes_cluster, admin_as):
    alice, bob = admin_as("alice"), admin_as("bob")
    held = alice.post(CONNECTORS, _run_request(tenant), format="json")
    assert held.status_code == 202, held.json()
    assert held.json()["code"] == "approval_required"
    request_id = held.json()["change_request"]["id"]
    assert not Connector.objects.exists(), "nothing is provisioned before approval"

    # The author, even with a second key of their own, cannot approve.
    assert alice.post(f"/api/v1/change-requests/{request_id}/approve", {}, format="json").status_code == 403
    assert admin_as("alice").post(f"/api/v1/change-requests/{request_id}/approve", {}, format="json").status_code == 403

    approved = bob.post(f"/api/v1/change-requests/{request_id}/approve", {"reason": "looks right"}, format="json")
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "approved" and approved.json()["decided_by"].startswith("api_key:")
    connector = Connector.objects.get(stage="run")
    assert connector.operation == "provision" and connector.created_by.startswith("api_key:")
    assert bob.post(f"/api/v1/change-requests/{request_id}/approve", {}, format="json").status_code == 409


def test_a_declined_request_provisions_nothing_and_its_author_reads_why(tenant, four_eyes_cluster, admin_as):
    alice, bob = admin_as("alice"), admin_as("bob")
    request_id = alice.post(CONNECTORS, _run_request(tenant), format="json").json()["change_request"]["id"]
    assert bob.post(f"/api/v1/change-requests/{request_id}/decline", {}, format="json").status_code == 400
    declined = bob.post(
        f"/api/v1/change-requests/{request_id}/decline", {"reason": "use the qas one first"}, format="json"
    )
    assert declined.status_code == 200
    assert not Connector.objects.exists()
    seen = alice.get(f"/api/v1/change-requests/{request_id}/").json()
    assert seen["status"] == "declined" and seen["reason"] == "use the qas one first"


def test_a_decline_reaches_the_tenants_alert_channels_with_its_reason(tenant, four_eyes_cluster, admin_as):
    receiver = WebhookReceiver()
    try:
        channel_save(tenant=tenant, data={"name": "oncall", "kind": "webhook", "url": receiver.url("/sales")})
        alice, bob = admin_as("alice"), admin_as("bob")
        request_id = alice.post(CONNECTORS, _run_request(tenant), format="json").json()["change_request"]["id"]
        bob.post(f"/api/v1/change-requests/{request_id}/decline", {"reason": "wait for the freeze"}, format="json")

        [delivery] = Delivery.objects.filter(kind="notice")
        assert (delivery.target, delivery.tenant) == ("webhook:oncall", tenant)
        assert delivery_send(delivery_id=delivery.pk)
        [body] = receiver.bodies("/sales")
        assert body["event"] == "change_request.declined" and body["tenant"] == tenant.slug
        assert body["change_request"]["id"] == request_id
        assert body["change_request"]["reason"] == "wait for the freeze"
        assert body["change_request"]["author"].startswith("api_key:")
        assert not delivery_send(delivery_id=delivery.pk), "a notice goes out once"
    finally:
        receiver.close()


def test_a_developer_cannot_decide_and_a_quota_is_checked_again_on_approval(
    client_for, tenant, four_eyes_cluster, admin_as
):
    alice, bob = admin_as("alice"), admin_as("bob")
    request_id = alice.post(CONNECTORS, _run_request(tenant), format="json").json()["change_request"]["id"]
    developer = client_for(tenant, Role.DEVELOPER)
    assert developer.post(f"/api/v1/change-requests/{request_id}/approve", {}, format="json").status_code == 403
    quota_set(tenant=tenant, max_run_connectors=0)
    refused = bob.post(f"/api/v1/change-requests/{request_id}/approve", {}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "quota_exceeded"
    assert ChangeRequest.objects.get(pk=request_id).status == "pending"
    assert not Connector.objects.exists()


def test_a_promotion_into_run_waits_for_approval_too(tenant, four_eyes_cluster, admin_as):
    alice, bob = admin_as("alice"), admin_as("bob")
    qas = ConnectorFactory(tenant=tenant, cluster=four_eyes_cluster, stage="qas", state="RUNNING", create_topics=True)
    event = ConnectorEvent.objects.create(connector=qas, from_state="PROVISIONING", to_state="RUNNING", actor="t")
    ConnectorEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(days=2))
    promoted = alice.post(f"/api/v1/connectors/{qas.name}/promote", {"stage": "run"}, format="json")
    assert promoted.status_code == 202, promoted.json()
    change = promoted.json()["change_request"]
    assert change["status"] == "pending" and promoted.json()["connector"] is None
    assert not Connector.objects.filter(stage="run").exists()
    assert bob.post(f"/api/v1/change-requests/{change['id']}/approve", {}, format="json").status_code == 200
    assert Connector.objects.filter(stage="run", connector_id=qas.connector_id).exists()


def test_a_platform_admin_decides_in_the_admin_through_the_same_rules(client, tenant, four_eyes_cluster, admin_as):
    request_id = admin_as("alice").post(CONNECTORS, _run_request(tenant), format="json").json()["change_request"]["id"]
    client.force_login(UserFactory(username="platform", is_staff=True, is_superuser=True))
    page = f"/admin/governance/changerequest/{request_id}/change/"
    assert client.get(page).status_code == 200
    client.post(page, {"decision": "decline", "decision_reason": ""})
    assert ChangeRequest.objects.get(pk=request_id).status == "pending", "a decline needs a reason"
    client.post(page, {"decision": "decline", "decision_reason": "not before the freeze ends"})
    declined = ChangeRequest.objects.get(pk=request_id)
    assert (declined.status, declined.decided_by, declined.reason) == (
        "declined",
        "user:platform",
        "not before the freeze ends",
    )
    assert not Connector.objects.exists()
    assert client.get("/admin/governance/changerequest/add/").status_code == 403


def test_a_key_made_with_the_authors_key_is_still_the_author(tenant, four_eyes_cluster, admin_as):
    from rest_framework.test import APIClient

    alice = admin_as("alice")
    request_id = alice.post(CONNECTORS, _run_request(tenant), format="json").json()["change_request"]["id"]
    minted = alice.post("/api/v1/tenants/sales/api-keys/", {"name": "second", "role": "admin"}, format="json")
    assert minted.status_code == 201, minted.json()
    second = APIClient()
    second.credentials(HTTP_AUTHORIZATION=f"Bearer {minted.json()['key']}")
    assert second.post(f"/api/v1/change-requests/{request_id}/approve", {}, format="json").status_code == 403


def _held_promotion(tenant, cluster, author, *, existing_target=False):
    """A qas connector RUNNING for two days, promoted to run by `author`: the pending request's id."""
    qas = ConnectorFactory(tenant=tenant, cluster=cluster, stage="qas", state="RUNNING", create_topics=True)
    event = ConnectorEvent.objects.create(connector=qas, from_state="PROVISIONING", to_state="RUNNING", actor="t")
    ConnectorEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(days=2))
    if existing_target:
        ConnectorFactory(
            tenant=tenant,
            cluster=cluster,
            stage="run",
            connector_id=qas.connector_id,
            state="RUNNING",
            create_topics=True,
        )
    promoted = author.post(f"/api/v1/connectors/{qas.name}/promote", {"stage": "run"}, format="json")
    assert promoted.status_code == 202, promoted.json()
    return qas, promoted.json()["change_request"]["id"]


def test_approving_a_promotion_checks_the_run_gate_again(tenant, four_eyes_cluster, admin_as):
    LandingZonePolicy.objects.filter(landing_zone=four_eyes_cluster.landing_zone).update(run_gate_enabled=True)
    alice, bob = admin_as("alice"), admin_as("bob")
    qas, request_id = _held_promotion(tenant, four_eyes_cluster, alice)
    Alert.objects.create(connector=qas, tenant=tenant, state="FAILED", message="task 0 failed")  # after the request

    refused = bob.post(f"/api/v1/change-requests/{request_id}/approve", {}, format="json")
    assert refused.status_code == 409, refused.json()
    assert refused.json()["code"] == "promotion_gate"
    assert "alerts" in refused.json()["errors"]["gate"][0]
    assert ChangeRequest.objects.get(pk=request_id).status == "pending"
    assert not Connector.objects.filter(stage="run").exists()


def test_approving_a_promotion_never_reverts_a_change_made_to_the_target_since(tenant, four_eyes_cluster, admin_as):
    alice, bob = admin_as("alice"), admin_as("bob")
    _, request_id = _held_promotion(tenant, four_eyes_cluster, alice, existing_target=True)
    target = Connector.objects.get(stage="run")
    Connector.objects.filter(pk=target.pk).update(generation=target.generation + 1, tasks_max=4)  # someone edits it

    refused = bob.post(f"/api/v1/change-requests/{request_id}/approve", {}, format="json")
    assert refused.status_code == 409, refused.json()
    assert refused.json()["code"] == "target_changed"
    assert refused.json()["errors"]["target"] == [
        f"was changed (generation {target.generation} then, {target.generation + 1} now)"
    ]
    target.refresh_from_db()
    assert target.tasks_max == 4 and ChangeRequest.objects.get(pk=request_id).status == "pending"


def test_approving_a_promotion_whose_target_did_not_change_updates_it(tenant, four_eyes_cluster, admin_as):
    alice, bob = admin_as("alice"), admin_as("bob")
    _, request_id = _held_promotion(tenant, four_eyes_cluster, alice, existing_target=True)
    target = Connector.objects.get(stage="run")
    approved = bob.post(f"/api/v1/change-requests/{request_id}/approve", {}, format="json")
    assert approved.status_code == 200, approved.json()
    target.refresh_from_db()
    assert target.generation > ChangeRequest.objects.get(pk=request_id).target_generation


def test_approving_a_promotion_of_a_since_deleted_qas_connector_is_refused(tenant, four_eyes_cluster, admin_as):
    alice, bob = admin_as("alice"), admin_as("bob")
    qas, request_id = _held_promotion(tenant, four_eyes_cluster, alice)
    Connector.objects.filter(pk=qas.pk).update(state="DELETED")
    refused = bob.post(f"/api/v1/change-requests/{request_id}/approve", {}, format="json")
    assert refused.status_code == 409 and refused.json()["errors"] == {"source": [f"{qas.name} is deleted"]}
    assert not Connector.objects.filter(stage="run").exists()


def _run_connector(tenant, cluster, **fields):
    return ConnectorFactory(
        tenant=tenant, cluster=cluster, stage="run", state="RUNNING", create_topics=True, tasks_max=1, **fields
    )


def test_a_change_to_a_run_connectors_configuration_waits_for_another_admin(tenant, four_eyes_cluster, admin_as):
    alice, bob = admin_as("alice"), admin_as("bob")
    connector = _run_connector(tenant, four_eyes_cluster)
    held = alice.patch(f"{CONNECTORS}{connector.name}/", {"tasks_max": 1, "config": {"batch.size": 500}}, format="json")
    assert held.status_code == 202, held.json()
    assert held.json()["code"] == "approval_required"
    change = held.json()["change_request"]
    assert (change["kind"], change["target"], change["status"]) == ("update", connector.name, "pending")
    unchanged = Connector.objects.get(pk=connector.pk)
    assert unchanged.generation == connector.generation and "batch.size" not in unchanged.config

    assert alice.post(f"/api/v1/change-requests/{change['id']}/approve", {}, format="json").status_code == 403
    approved = bob.post(f"/api/v1/change-requests/{change['id']}/approve", {}, format="json")
    assert approved.status_code == 200, approved.json()
    updated = Connector.objects.get(pk=connector.pk)
    assert updated.config["batch.size"] == 500 and updated.generation == connector.generation + 1
    assert updated.operation == "update"


def _apply(client, connector, *, config: dict, **fields):
    """PUT the connector's spec as the API shows it, with `config` added and `fields` replaced."""
    current = client.get(f"{CONNECTORS}{connector.name}/").json()
    spec = {key: current[key] for key in ("type", "cluster", "stage", "id", "config", "topics", "create_topics")}
    body = {**spec, "tasks_max": 1, "config": {**spec["config"], **config}, **fields}
    return client.put(f"{CONNECTORS}{connector.name}/", body, format="json")


def test_a_declarative_apply_that_changes_a_run_connector_waits_too(tenant, four_eyes_cluster, admin_as):
    alice = admin_as("alice")
    connector = _run_connector(tenant, four_eyes_cluster)
    answer = _apply(alice, connector, config={"batch.size": 7})
    assert answer.status_code == 202, answer.json()
    assert answer.json()["code"] == "approval_required" and answer.json()["change_request"]["kind"] == "update"
    assert "batch.size" not in Connector.objects.get(pk=connector.pk).config


def test_operations_on_a_run_connector_and_changes_outside_run_are_not_held(tenant, four_eyes_cluster, admin_as):
    alice = admin_as("alice")
    running = _run_connector(tenant, four_eyes_cluster)
    assert alice.post(f"{CONNECTORS}{running.name}/pause", {}, format="json").status_code == 202
    dev = ConnectorFactory(tenant=tenant, cluster=four_eyes_cluster, stage="dev", state="RUNNING", create_topics=True)
    changed = alice.patch(f"{CONNECTORS}{dev.name}/", {"config": {"batch.size": 9}}, format="json")
    assert changed.status_code == 202 and changed.json().get("code") != "approval_required", changed.json()
    assert Connector.objects.get(pk=dev.pk).config["batch.size"] == 9
    assert not ChangeRequest.objects.exists()


def test_an_update_changed_again_before_approval_is_refused(tenant, four_eyes_cluster, admin_as):
    alice, bob = admin_as("alice"), admin_as("bob")
    connector = _run_connector(tenant, four_eyes_cluster)
    first = alice.patch(f"{CONNECTORS}{connector.name}/", {"config": {"batch.size": 1}}, format="json").json()
    second = alice.patch(f"{CONNECTORS}{connector.name}/", {"config": {"batch.size": 2}}, format="json").json()
    assert (
        bob.post(f"/api/v1/change-requests/{second['change_request']['id']}/approve", {}, format="json").status_code
        == 200
    )
    refused = bob.post(f"/api/v1/change-requests/{first['change_request']['id']}/approve", {}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "target_changed", refused.json()
    assert Connector.objects.get(pk=connector.pk).config["batch.size"] == 2


def test_a_change_that_changes_nothing_is_not_held(tenant, four_eyes_cluster, admin_as):
    connector = _run_connector(tenant, four_eyes_cluster)
    answer = admin_as("alice").patch(f"{CONNECTORS}{connector.name}/", {"tasks_max": 1}, format="json")
    assert answer.json().get("code") != "approval_required", answer.json()
    assert not ChangeRequest.objects.exists()


def test_a_held_apply_keeps_the_desired_state_it_asked_for(tenant, four_eyes_cluster, admin_as):
    alice, bob = admin_as("alice"), admin_as("bob")
    connector = _run_connector(tenant, four_eyes_cluster)
    held = _apply(alice, connector, config={"batch.size": 3}, desired_state="paused")
    assert held.status_code == 202 and held.json()["code"] == "approval_required", held.json()
    assert Connector.objects.get(pk=connector.pk).desired_state == "running"  # nothing yet

    change_id = held.json()["change_request"]["id"]
    assert bob.post(f"/api/v1/change-requests/{change_id}/approve", {}, format="json").status_code == 200
    approved = Connector.objects.get(pk=connector.pk)
    assert (approved.config["batch.size"], approved.desired_state) == (3, "paused")


def test_approving_a_held_apply_leaves_a_pause_made_meanwhile(tenant, four_eyes_cluster, admin_as):
    alice, bob = admin_as("alice"), admin_as("bob")
    connector = _run_connector(tenant, four_eyes_cluster)
    held = _apply(alice, connector, config={"batch.size": 4}).json()  # its desired state: running, as it is
    assert alice.post(f"{CONNECTORS}{connector.name}/pause", {}, format="json").status_code == 202  # on-call
    Connector.objects.filter(pk=connector.pk).update(operation="")

    change_id = held["change_request"]["id"]
    assert bob.post(f"/api/v1/change-requests/{change_id}/approve", {}, format="json").status_code == 200
    approved = Connector.objects.get(pk=connector.pk)
    assert (approved.config["batch.size"], approved.desired_state) == (4, "paused")


def test_a_run_connector_deleted_and_created_again_is_not_the_target_approved_for(tenant, four_eyes_cluster, admin_as):
    alice, bob = admin_as("alice"), admin_as("bob")
    connector = _run_connector(tenant, four_eyes_cluster)
    held = alice.patch(f"{CONNECTORS}{connector.name}/", {"config": {"batch.size": 5}}, format="json").json()
    Connector.objects.filter(pk=connector.pk).update(state="DELETED")
    again = _run_connector(tenant, four_eyes_cluster, connector_id=connector.connector_id)  # generation 1 too
    assert again.generation == connector.generation

    refused = bob.post(f"/api/v1/change-requests/{held['change_request']['id']}/approve", {}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "target_changed", refused.json()
    assert refused.json()["errors"]["target"][0].startswith("was deleted and created again")
    assert "batch.size" not in Connector.objects.get(pk=again.pk).config


def test_a_decided_request_keeps_no_credentials(tenant, four_eyes_cluster, admin_as):
    # Approve and decline record their decision the same way (_decide); a decline needs no valid spec.
    from controlplane.crypto import encrypt_secrets

    alice, bob = admin_as("alice"), admin_as("bob")
    connector = _run_connector(tenant, four_eyes_cluster)
    held = alice.patch(f"{CONNECTORS}{connector.name}/", {"config": {"batch.size": 6}}, format="json").json()
    request = ChangeRequest.objects.filter(pk=held["change_request"]["id"])
    request.update(secrets_encrypted=encrypt_secrets({"connection.password": "held-secret"}))  # as a DB sink's

    declined = bob.post(
        f"/api/v1/change-requests/{held['change_request']['id']}/decline", {"reason": "not now"}, format="json"
    )
    assert declined.status_code == 200
    assert request.get().secrets_encrypted == ""
