"""What each caller sees: their tenants, the clusters open to them, their role."""

import pytest

from tenants.models import Role
from tests.factories import DedicatedClusterFactory, MembershipFactory, SharedClusterFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_me_lists_the_callers_tenants_and_roles(api_client, tenant, other_tenant):
    user = UserFactory(username="alice")
    MembershipFactory(user=user, tenant=tenant, role=Role.OPERATOR)
    api_client.force_authenticate(user)
    body = api_client.get("/api/v1/me").json()
    assert body["username"] == "alice"
    assert body["tenants"] == [{"slug": "sales", "role": "operator"}]
    assert body["is_platform_admin"] is False


def test_clusters_shows_shared_clusters_opened_to_the_tenant_and_its_dedicated_ones(client_for, tenant, other_tenant):
    SharedClusterFactory(name="shared-open", tenants=[tenant, other_tenant])
    SharedClusterFactory(name="shared-closed", tenants=[other_tenant])
    DedicatedClusterFactory(name="sales-own", owner_tenant=tenant)
    DedicatedClusterFactory(name="scada-own", owner_tenant=other_tenant)
    body = client_for(tenant, Role.VIEWER).get("/api/v1/clusters/").json()
    assert [c["name"] for c in body["results"]] == ["sales-own", "shared-open"]
    assert "secrets_encrypted" not in str(body) and "connect_url" not in body["results"][0]


def test_a_platform_admin_sees_every_tenant(api_client, tenant, other_tenant):
    api_client.force_authenticate(UserFactory(username="root", is_staff=True))
    slugs = [t["slug"] for t in api_client.get("/api/v1/tenants/").json()["results"]]
    assert slugs == ["sales", "scada"]


def test_an_admin_manages_members(client_for, tenant):
    UserFactory(username="bob")
    admin = client_for(tenant, Role.ADMIN)
    added = admin.post("/api/v1/tenants/sales/members/", {"username": "bob", "role": "viewer"}, format="json")
    assert added.status_code == 201
    changed = admin.patch(f"/api/v1/tenants/sales/members/{added.json()['id']}/", {"role": "developer"}, format="json")
    assert changed.json()["role"] == "developer"
    assert admin.delete(f"/api/v1/tenants/sales/members/{added.json()['id']}/").status_code == 204


def test_adding_a_member_does_not_tell_whether_the_username_exists(client_for, tenant, other_tenant):
    """A tenant admin cannot enumerate the platform's users: a known and an unknown username get the
    same answer, and nobody's e-mail address is shown."""
    MembershipFactory(user=UserFactory(username="bob", email="bob@scada.example"), tenant=other_tenant)
    admin = client_for(tenant, Role.ADMIN)

    known = admin.post("/api/v1/tenants/sales/members/", {"username": "bob", "role": "viewer"}, format="json")
    unknown = admin.post("/api/v1/tenants/sales/members/", {"username": "ghost", "role": "viewer"}, format="json")

    assert known.status_code == unknown.status_code == 201
    assert set(known.json()) == set(unknown.json()) == {"id", "username", "role", "created_at"}
    listed = admin.get("/api/v1/tenants/sales/members/").json()["results"]
    assert "bob@scada.example" not in str(listed) and "email" not in listed[0]


def test_a_reserved_username_cannot_sign_in_until_the_platform_sets_it_up(client_for, tenant):
    from django.contrib.auth import get_user_model

    client_for(tenant, Role.ADMIN).post(
        "/api/v1/tenants/sales/members/", {"username": "ghost", "role": "viewer"}, format="json"
    )
    assert get_user_model().objects.get(username="ghost").has_usable_password() is False


def test_a_malformed_username_is_a_field_error(client_for, tenant):
    response = client_for(tenant, Role.ADMIN).post(
        "/api/v1/tenants/sales/members/", {"username": "no spaces/please", "role": "viewer"}, format="json"
    )
    assert response.status_code == 400 and "username" in response.json()["errors"]


def test_an_operator_cannot_manage_members(client_for, tenant):
    assert client_for(tenant, Role.OPERATOR).get("/api/v1/tenants/sales/members/").status_code == 403


def test_the_openapi_schema_and_docs_are_served(client_for, tenant):
    client = client_for(tenant, Role.VIEWER)
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200 and b"/api/v1/clusters/" in schema.content
    assert client.get("/api/v1/docs/").status_code == 200
