"""Tenant isolation, walked over every API endpoint.

A caller from tenant `scada` uses every route against `sales`' objects and must get a 404 (or an
empty list), exactly as for an object that does not exist. `test_every_api_route_is_covered` fails
when a new route is added without an entry here.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from governance.models import ChangeRequest
from tenants.models import ApiKey, Membership, Role
from tests.factories import MembershipFactory, SharedClusterFactory, UserFactory

pytestmark = pytest.mark.django_db

# Routes that are not tenant data: (route regex fragment) -> why.
UNSCOPED_ROUTES = {
    "me": "describes the caller only",
    "schema/": "the OpenAPI document",
    "docs/": "the API docs page",
}


@pytest.fixture
def sales_objects(tenant, other_tenant):
    """Objects owned by `sales` (the victim); the attacker belongs to `scada` only."""
    from tests.isolation_objects import build_victim_objects

    return build_victim_objects(tenant=tenant)


def _route_cases():
    """(method, url template, expectation) for every tenant-scoped endpoint."""
    from tests.isolation_objects import ISOLATION_CASES

    return ISOLATION_CASES


@pytest.mark.parametrize("method,template,expected", _route_cases(), ids=lambda v: str(v))
def test_a_foreign_tenant_gets_404_or_nothing(client_for, other_tenant, sales_objects, method, template, expected):
    attacker = client_for(other_tenant, Role.ADMIN)  # the highest role, in the wrong tenant
    url = template.format(**sales_objects)
    response = getattr(attacker, method)(url, data={}, format="json")
    if expected == "empty-clusters":
        assert response.status_code == 200
        assert all(
            c["cluster"] not in {"victim-shared", "victim-dedicated"}
            for t in response.json()["results"]
            for c in t["clusters"]
        )
    elif expected == "empty":
        assert response.status_code == 200, response.content
        body = response.json()
        items = body["results"] if isinstance(body, dict) and "results" in body else body
        assert all(sales_objects["victim_marker"] not in str(item) for item in items)
    else:
        assert response.status_code == 404, (url, response.status_code, response.content)
        assert response.json() == {"code": "not_found", "message": "Not found."}


def test_a_missing_object_gives_the_same_404(client_for, tenant):
    response = client_for(tenant, Role.ADMIN).get("/api/v1/tenants/does-not-exist/members/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Not found."}


def test_nothing_of_the_victim_changed(client_for, other_tenant, sales_objects, tenant):
    attacker = client_for(other_tenant, Role.ADMIN)
    for method, template, _ in _route_cases():
        if method != "get":
            getattr(attacker, method)(template.format(**sales_objects), data={"role": "admin"}, format="json")
    assert ApiKey.objects.get(pk=sales_objects["api_key_id"]).revoked_at is None
    assert Membership.objects.get(pk=sales_objects["membership_id"]).role == Role.VIEWER
    assert ChangeRequest.objects.get(pk=sales_objects["change_request_id"]).status == "pending"


def _api_routes(resolver=None, prefix: str = "") -> set[str]:
    resolver = resolver or get_resolver()
    routes: set[str] = set()
    for pattern in resolver.url_patterns:
        text = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes |= _api_routes(pattern, text)
        elif isinstance(pattern, URLPattern) and text.startswith("api/v1/"):
            routes.add(text.removeprefix("api/v1/"))
    return routes


def test_every_api_route_is_covered():
    from tests.isolation_objects import COVERED_ROUTE_PATTERNS

    uncovered = {
        route
        for route in _api_routes()
        if not any(key in route for key in UNSCOPED_ROUTES) and not any(p in route for p in COVERED_ROUTE_PATTERNS)
    }
    assert not uncovered, f"add isolation cases for: {sorted(uncovered)}"


@pytest.fixture
def attacker_user_session(api_client, other_tenant):
    user = UserFactory(username="mallory")
    MembershipFactory(user=user, tenant=other_tenant, role=Role.ADMIN)
    api_client.force_authenticate(user)
    return api_client


def test_session_users_are_isolated_too(attacker_user_session, tenant):
    SharedClusterFactory(name="sales-only", tenants=[tenant])
    assert attacker_user_session.get("/api/v1/clusters/sales-only/").status_code == 404
    assert attacker_user_session.get("/api/v1/tenants/sales/").status_code == 404
