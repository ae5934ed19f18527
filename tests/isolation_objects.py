"""The objects a victim tenant owns, and every tenant-scoped route to attack them with.

Each later feature adds its routes here; tests/test_tenant_isolation.py fails for a route that is
missing (see COVERED_ROUTE_PATTERNS).
"""

from __future__ import annotations

from audit.models import AuditRecord
from connectors.models import UnmanagedConnector
from governance.models import ChangeRequest
from monitoring.models import Alert, AlertChannel
from tenants.models import Role
from tenants.services import api_key_create
from tests.factories import (
    ConnectorFactory,
    DedicatedClusterFactory,
    MembershipFactory,
    SharedClusterFactory,
    UserFactory,
)

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
    ("get", "/api/v1/connectors/", "empty"),
    ("get", "/api/v1/connectors/{connector}/", "404"),
    ("patch", "/api/v1/connectors/{connector}/", "404"),
    ("delete", "/api/v1/connectors/{connector}/", "404"),
    ("post", "/api/v1/connectors/{connector}/pause", "404"),
    ("post", "/api/v1/connectors/{connector}/resume", "404"),
    ("post", "/api/v1/connectors/{connector}/stop", "404"),
    ("post", "/api/v1/connectors/{connector}/restart", "404"),
    ("get", "/api/v1/connectors/{connector}/status", "404"),
    ("get", "/api/v1/connectors/{connector}/events/", "404"),
    ("get", "/api/v1/unmanaged-connectors/", "empty"),
    ("get", "/api/v1/alerts/", "empty"),
    ("get", "/api/v1/alerts/{alert_id}/", "404"),
    ("post", "/api/v1/alerts/{alert_id}/acknowledge", "404"),
    ("post", "/api/v1/alerts/{alert_id}/mute", "404"),
    ("get", "/api/v1/tenants/{tenant}/alert-channels/", "404"),
    ("post", "/api/v1/tenants/{tenant}/alert-channels/", "404"),
    ("get", "/api/v1/tenants/{tenant}/alert-channels/{channel_id}/", "404"),
    ("patch", "/api/v1/tenants/{tenant}/alert-channels/{channel_id}/", "404"),
    ("delete", "/api/v1/tenants/{tenant}/alert-channels/{channel_id}/", "404"),
    ("get", "/api/v1/connectors/{connector}/monitoring", "404"),
    ("patch", "/api/v1/connectors/{connector}/monitoring", "404"),
    ("get", "/api/v1/connector-types/", "empty-clusters"),
    ("post", "/api/v1/connectors/{connector}/promote", "404"),
    ("get", "/api/v1/tenants/{tenant}/usage", "404"),
    ("get", "/api/v1/change-requests/", "empty"),
    ("get", "/api/v1/change-requests/{change_request_id}/", "404"),
    ("post", "/api/v1/change-requests/{change_request_id}/approve", "404"),
    ("post", "/api/v1/change-requests/{change_request_id}/decline", "404"),
    ("get", "/api/v1/audit/", "empty"),
    ("get", "/api/v1/audit/{audit_record_id}/", "404"),
]

# A fragment of each covered route's URL pattern.
COVERED_ROUTE_PATTERNS = [
    "^tenants/$",
    "^tenants/(?P<slug>",
    "^clusters/",
    "/api-keys/",
    "/members/",
    "^connectors/",
    "^unmanaged-connectors/",
    "connector-types/",
    "^alerts/",
    "/alert-channels",
    "connectors/<slug:name>/monitoring",
    "/usage/",
    "^change-requests/",
    "^audit/",
]


def build_victim_objects(*, tenant) -> dict:
    shared = SharedClusterFactory(name="victim-shared", tenants=[tenant])
    dedicated = DedicatedClusterFactory(name="victim-dedicated", owner_tenant=tenant)
    api_key, _ = api_key_create(tenant=tenant, name="victim-key", role=Role.ADMIN)
    membership = MembershipFactory(user=UserFactory(username="victim"), tenant=tenant, role=Role.VIEWER)
    connector = ConnectorFactory(
        tenant=tenant, cluster=shared, connector_id="victim", name="edh-shared-sales-dev-victim-connector"
    )
    UnmanagedConnector.objects.create(cluster=dedicated, name="victim-unmanaged", connector_class="x")
    alert = Alert.objects.create(connector=connector, tenant=tenant, state="FAILED", message="victim failure")
    channel = AlertChannel.objects.create(tenant=tenant, name="victim-hook", kind="webhook")
    change_request = ChangeRequest.objects.create(
        tenant=tenant,
        kind="create",
        target_name="edh-shared-sales-run-victim-connector",
        author="user:victim",
        author_principal="user:victim",
    )
    audit_record = AuditRecord.objects.filter(tenant=tenant).latest("id")
    return {
        "tenant": tenant.slug,
        "shared_cluster": shared.name,
        "dedicated_cluster": dedicated.name,
        "api_key_id": api_key.pk,
        "membership_id": membership.pk,
        "connector": connector.name,
        "alert_id": alert.pk,
        "channel_id": channel.pk,
        "change_request_id": change_request.pk,
        "audit_record_id": audit_record.pk,
        "victim_marker": "victim",
    }
