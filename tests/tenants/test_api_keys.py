"""API keys: shown once, stored hashed, expiring, revocable, their use recorded."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tenants.models import ApiKey, Role
from tenants.selectors import hash_api_key
from tenants.services import api_key_create, api_key_revoke
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_key_is_stored_only_as_its_hash_with_a_visible_prefix(tenant):
    api_key, raw_key = api_key_create(tenant=tenant, name="ci", role=Role.VIEWER)
    stored = ApiKey.objects.get(pk=api_key.pk)
    assert raw_key not in {stored.key_hash, stored.prefix, stored.name}
    assert stored.key_hash == hash_api_key(raw_key)
    assert raw_key.startswith(stored.prefix + "_")


def test_a_valid_key_authenticates_and_records_its_last_use(client_for, tenant):
    client = client_for(tenant, Role.VIEWER)
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["tenants"] == [{"slug": "sales", "role": "viewer"}]
    assert ApiKey.objects.get(tenant=tenant).last_used_at is not None


def test_a_revoked_key_gets_401(client_for, tenant):
    client = client_for(tenant, Role.ADMIN)
    api_key_revoke(api_key=ApiKey.objects.get(tenant=tenant))
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_key_gets_401(client_for, tenant):
    client = client_for(tenant, Role.ADMIN)
    ApiKey.objects.filter(tenant=tenant).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer cp_deadbeef_wrong", "Bearer "])
def test_a_malformed_or_unknown_key_gets_401(api_client, tenant, header):
    api_client.credentials(HTTP_AUTHORIZATION=header)
    assert api_client.get("/api/v1/me").status_code == 401


def test_no_credentials_get_401(api_client):
    assert api_client.get("/api/v1/tenants/").status_code in (401, 403)


def test_an_admin_creates_a_key_that_is_shown_once(client_for, tenant):
    client = client_for(tenant, Role.ADMIN)
    created = client.post("/api/v1/tenants/sales/api-keys/", {"name": "pipeline", "role": "operator"}, format="json")
    assert created.status_code == 201
    raw_key = created.json()["key"]
    listed = client.get("/api/v1/tenants/sales/api-keys/").json()
    assert raw_key not in str(listed)
    assert "pipeline" in {item["name"] for item in listed["results"]} and len(listed["results"]) == 2


def test_a_key_created_through_the_api_records_its_creator(client_for, tenant, api_client):
    admin = client_for(tenant, Role.ADMIN)
    by_key = admin.post("/api/v1/tenants/sales/api-keys/", {"name": "k1", "role": "viewer"}, format="json").json()
    assert by_key["created_by"] == f"api_key:{admin.raw_key[:11]}"

    user = UserFactory(username="alice")
    MembershipFactory(user=user, tenant=tenant, role=Role.ADMIN)
    api_client.force_authenticate(user)
    by_user = api_client.post("/api/v1/tenants/sales/api-keys/", {"name": "k2", "role": "viewer"}, format="json")
    assert by_user.json()["created_by"] == "user:alice"
    assert admin.get(f"/api/v1/tenants/sales/api-keys/{by_key['id']}/").json()["created_by"] == by_key["created_by"]


@pytest.mark.parametrize("name", ["line\nbreak", "bell\x07", "zero\u200bwidth", "\x1b[31mred"])
def test_a_key_name_with_control_characters_is_refused(client_for, tenant, name):
    response = client_for(tenant, Role.ADMIN).post(
        "/api/v1/tenants/sales/api-keys/", {"name": name, "role": "viewer"}, format="json"
    )
    assert response.status_code == 400 and set(response.json()["errors"]) == {"name"}


def test_two_live_keys_of_a_tenant_cannot_share_a_name(client_for, tenant, other_tenant):
    admin = client_for(tenant, Role.ADMIN)
    first = admin.post("/api/v1/tenants/sales/api-keys/", {"name": "ci", "role": "viewer"}, format="json")
    again = admin.post("/api/v1/tenants/sales/api-keys/", {"name": "ci", "role": "viewer"}, format="json")
    assert first.status_code == 201
    assert again.status_code == 409 and set(again.json()["errors"]) == {"name"}
    # Another tenant may use the name, and a revoked key frees it.
    assert api_key_create(tenant=other_tenant, name="ci", role=Role.VIEWER)[0].name == "ci"
    admin.delete(f"/api/v1/tenants/sales/api-keys/{first.json()['id']}/")
    reused = admin.post("/api/v1/tenants/sales/api-keys/", {"name": "ci", "role": "viewer"}, format="json")
    assert reused.status_code == 201


def test_revoking_answers_200_with_the_revoked_key(client_for, tenant):
    admin = client_for(tenant, Role.ADMIN)
    created = admin.post("/api/v1/tenants/sales/api-keys/", {"name": "gone", "role": "viewer"}, format="json").json()
    revoked = admin.delete(f"/api/v1/tenants/sales/api-keys/{created['id']}/")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/me/"])
def test_me_answers_with_and_without_the_trailing_slash(client_for, tenant, path):
    assert client_for(tenant, Role.VIEWER).get(path).status_code == 200


def test_an_unknown_field_in_a_key_request_is_a_400_naming_it(client_for, tenant):
    response = client_for(tenant, Role.ADMIN).post(
        "/api/v1/tenants/sales/api-keys/", {"name": "x", "role": "viewer", "expires": "never"}, format="json"
    )
    assert response.status_code == 400 and set(response.json()["errors"]) == {"expires"}


def test_revoking_through_the_api_makes_the_key_useless(client_for, tenant, api_client):
    admin = client_for(tenant, Role.ADMIN)
    created = admin.post("/api/v1/tenants/sales/api-keys/", {"name": "tmp", "role": "viewer"}, format="json").json()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {created['key']}")
    assert api_client.get("/api/v1/me").status_code == 200
    revoked = admin.delete(f"/api/v1/tenants/sales/api-keys/{created['id']}/")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert api_client.get("/api/v1/me").status_code == 401


def test_a_key_cannot_outrank_the_person_creating_it(api_client, tenant):
    user = UserFactory(username="dev")
    MembershipFactory(user=user, tenant=tenant, role=Role.DEVELOPER)
    api_client.force_authenticate(user)
    response = api_client.post("/api/v1/tenants/sales/api-keys/", {"name": "x", "role": "admin"}, format="json")
    # Only admins manage keys at all; a developer is refused before the role cap matters.
    assert response.status_code == 403


def test_a_viewer_cannot_create_keys_on_its_own_tenant(client_for, tenant):
    response = client_for(tenant, Role.VIEWER).post(
        "/api/v1/tenants/sales/api-keys/", {"name": "x", "role": "viewer"}, format="json"
    )
    assert response.status_code == 403


def test_key_creation_errors_are_field_level(client_for, tenant):
    response = client_for(tenant, Role.ADMIN).post(
        "/api/v1/tenants/sales/api-keys/", {"role": "emperor"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"name", "role"}


def test_a_key_never_expires_later_than_its_not_after(tenant):
    not_after = timezone.now() + timedelta(days=1)

    unlimited, _ = api_key_create(tenant=tenant, name="a", role=Role.VIEWER, not_after=not_after)
    later, _ = api_key_create(
        tenant=tenant, name="b", role=Role.VIEWER, expires_at=not_after + timedelta(days=30), not_after=not_after
    )
    sooner, _ = api_key_create(
        tenant=tenant, name="c", role=Role.VIEWER, expires_at=not_after - timedelta(hours=1), not_after=not_after
    )

    assert unlimited.expires_at == not_after and later.expires_at == not_after
    assert sooner.expires_at == not_after - timedelta(hours=1)


def test_a_key_created_with_an_expiring_key_does_not_outlive_it(client_for, tenant):
    admin = client_for(tenant, Role.ADMIN)
    parent_expiry = timezone.now() + timedelta(hours=1)
    ApiKey.objects.filter(tenant=tenant).update(expires_at=parent_expiry)

    forever = admin.post("/api/v1/tenants/sales/api-keys/", {"name": "forever", "role": "viewer"}, format="json")
    next_year = admin.post(
        "/api/v1/tenants/sales/api-keys/",
        {"name": "next-year", "role": "viewer", "expires_at": (timezone.now() + timedelta(days=365)).isoformat()},
        format="json",
    )

    assert forever.status_code == next_year.status_code == 201
    assert ApiKey.objects.get(name="forever").expires_at == parent_expiry
    assert ApiKey.objects.get(name="next-year").expires_at == parent_expiry


def test_a_key_created_with_a_non_expiring_key_or_a_session_keeps_what_was_asked(client_for, tenant, api_client):
    admin = client_for(tenant, Role.ADMIN)
    user = UserFactory(username="boss")
    MembershipFactory(user=user, tenant=tenant, role=Role.ADMIN)
    api_client.force_authenticate(user)

    by_key = admin.post("/api/v1/tenants/sales/api-keys/", {"name": "k", "role": "viewer"}, format="json")
    by_session = api_client.post("/api/v1/tenants/sales/api-keys/", {"name": "s", "role": "viewer"}, format="json")

    assert by_key.status_code == by_session.status_code == 201
    assert ApiKey.objects.get(name="k").expires_at is None
    assert ApiKey.objects.get(name="s").expires_at is None
