"""The Django admin shows connectors read-only and never their secrets, not even encrypted."""

import pytest
from django.urls import reverse

from connectors.services.transitions import connector_transition
from connectors.state_machine import State
from controlplane.crypto import encrypt_secrets
from tests.factories import ConnectorFactory, SharedClusterFactory

pytestmark = pytest.mark.django_db

SECRET = "S3cr3t-admin-test"


@pytest.fixture
def connector_with_secret(tenant):
    connector = ConnectorFactory(
        tenant=tenant,
        connector_id="orders",
        secrets_encrypted=encrypt_secrets({"database.password": SECRET}),
        config={"file": "/tmp/orders.txt"},
        topics=["sales.orders"],
    )
    connector_transition(connector_id=connector.pk, to=State.PROVISIONING, actor="user:alice", reason="first deploy")
    connector_transition(
        connector_id=connector.pk,
        to=State.FAILED,
        actor="system:reconciler",
        reason="provisioning failed",
        error=f"login failed: {SECRET}",
        secrets={"database.password": SECRET},
    )
    connector.refresh_from_db()
    return connector


def _assert_no_secret(html: str, connector) -> None:
    assert SECRET not in html
    assert connector.secrets_encrypted not in html
    assert connector.secrets_encrypted[:20] not in html


def test_the_changelist_lists_connectors_without_their_secrets(admin_client, connector_with_secret):
    response = admin_client.get(reverse("admin:connectors_connector_changelist"))

    assert response.status_code == 200
    html = response.content.decode()
    assert connector_with_secret.name in html
    assert "stored (encrypted)" in html
    _assert_no_secret(html, connector_with_secret)


def test_the_change_page_shows_config_and_history_but_no_secret(admin_client, connector_with_secret):
    response = admin_client.get(reverse("admin:connectors_connector_change", args=[connector_with_secret.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "/tmp/orders.txt" in html
    assert "sales.orders" in html
    assert "stored (encrypted)" in html
    assert html.index("first deploy") < html.index("provisioning failed")  # events newest last
    _assert_no_secret(html, connector_with_secret)


def test_a_connector_without_secrets_says_none(admin_client, tenant):
    ConnectorFactory(tenant=tenant, secrets_encrypted="")

    response = admin_client.get(reverse("admin:connectors_connector_changelist"))

    assert "stored (encrypted)" not in response.content.decode()


def test_connectors_cannot_be_added_changed_or_deleted_in_the_admin(admin_client, connector_with_secret):
    assert admin_client.get(reverse("admin:connectors_connector_add")).status_code == 403
    url = reverse("admin:connectors_connector_change", args=[connector_with_secret.pk])
    admin_client.post(url, {"state": State.RUNNING, "desired_state": "deleted"})
    connector_with_secret.refresh_from_db()
    assert connector_with_secret.state == State.FAILED
    assert connector_with_secret.desired_state == "running"
    delete_url = reverse("admin:connectors_connector_delete", args=[connector_with_secret.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403


def test_the_unmanaged_connectors_list_renders(admin_client):
    from connectors.models import UnmanagedConnector

    UnmanagedConnector.objects.create(
        cluster=SharedClusterFactory(name="legacy"), name="hand-made-sink", connector_class="FileStreamSink"
    )

    response = admin_client.get(reverse("admin:connectors_unmanagedconnector_changelist"))

    assert response.status_code == 200
    assert "hand-made-sink" in response.content.decode()
    assert admin_client.get(reverse("admin:connectors_unmanagedconnector_add")).status_code == 403


def test_the_event_list_renders_with_its_filters(admin_client, connector_with_secret):
    response = admin_client.get(reverse("admin:connectors_connectorevent_changelist"), {"to_state__exact": "FAILED"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "provisioning failed" in html
    assert SECRET not in html


def test_the_change_page_offers_the_actions_as_buttons_that_go_through_the_services(admin_client, tenant):
    connector = ConnectorFactory(tenant=tenant, state=State.RUNNING)
    page = admin_client.get(reverse("admin:connectors_connector_change", args=[connector.pk])).content.decode()
    for label in ("Pause", "Resume", "Stop", "Restart failed tasks", "Restart all", "Reconcile now", "Delete…"):
        assert f">{label}</button>" in page

    admin_client.post(
        reverse("admin:connectors_connector_changelist"), {"action": "pause", "_selected_action": [connector.pk]}
    )

    connector.refresh_from_db()
    assert (connector.desired_state, connector.operation) == ("paused", "pause")


def test_a_staff_user_who_may_only_view_connectors_can_neither_act_nor_replace_credentials(client, tenant):
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    viewer = UserFactory(username="auditor", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_connector"))
    client.force_login(viewer)
    connector = ConnectorFactory(tenant=tenant, state=State.RUNNING)

    listing = client.get(reverse("admin:connectors_connector_changelist"))
    page = client.get(reverse("admin:connectors_connector_change", args=[connector.pk])).content.decode()
    client.post(
        reverse("admin:connectors_connector_changelist"), {"action": "pause", "_selected_action": [connector.pk]}
    )

    assert listing.status_code == 200 and listing.context["action_form"] is None  # no action offered
    assert ">Pause</button>" not in page
    assert client.get(reverse("admin:connectors_connector_credentials", args=[connector.pk])).status_code == 403
    connector.refresh_from_db()
    assert connector.desired_state == "running" and not connector.operation
