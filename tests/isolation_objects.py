"""The objects a victim tenant owns, and every tenant-scoped route to attack them with.

Each later feature adds its routes here; tests/test_tenant_isolation.py fails for a route that is
missing (see COVERED_ROUTE_PATTERNS).
"""

from __future__ import annotations

from tenants.models import Role
from tenants.services import api_key_create
from tests.factories import DedicatedClusterFactory, MembershipFactory, SharedClusterFactory, UserFactory

# (method, url template, expectation): "404" or "empty" (a list that must not show the victim's data).
ISOLATION_CASES = [
    ("get", "/api/v1/tenants/", "empty"),
    ("get", "/api/v1/tenants/{tenant}/", "404"),
    ("get", "/api/v1/clusters/", "empty"),
    ("get", "/api/v1/clusters/{shared_cluster}/", "404"),
    ("get", "/api/v1/clusters/{dedicated_cluster}/", "404"),
    ("get", "/api/v1/tenants/{tenant}/api-keys/", "404"),
    ("post", "/api/v1/tenants/{tenant}/api-keys/", "404"),
    ("get", "/api/v1/tenants/{tenant}/api-keys/{api_key_id}/", "404"),
    ("delete", "/api/v1/tenants/{tenant}/api-keys/{api_key_id}/", "404"),
    ("get", "/api/v1/tenants/{tenant}/members/", "404"),
    ("post", "/api/v1/tenants/{tenant}/members/", "404"),
    ("get", "/api/v1/tenants/{tenant}/members/{membership_id}/", "404"),
    ("patch", "/api/v1/tenants/{tenant}/members/{membership_id}/", "404"),
    ("delete", "/api/v1/tenants/{tenant}/members/{membership_id}/", "404"),
]

# A fragment of each covered route's URL pattern.
COVERED_ROUTE_PATTERNS = ["^tenants/$", "^tenants/(?P<slug>", "^clusters/", "/api-keys/", "/members/"]


def build_victim_objects(*, tenant) -> dict:
    shared = SharedClusterFactory(name="victim-shared", tenants=[tenant])
    dedicated = DedicatedClusterFactory(name="victim-dedicated", owner_tenant=tenant)
    api_key, _ = api_key_create(tenant=tenant, name="victim-key", role=Role.ADMIN)
    membership = MembershipFactory(user=UserFactory(username="victim"), tenant=tenant, role=Role.VIEWER)
    return {
        "tenant": tenant.slug,
        "shared_cluster": shared.name,
        "dedicated_cluster": dedicated.name,
        "api_key_id": api_key.pk,
        "membership_id": membership.pk,
        "victim_marker": "victim",
    }
