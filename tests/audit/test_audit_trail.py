"""The audit trail: written by the services for API, admin and command changes; append-only; read by
tenant admins through the API and by platform admins in a read-only admin page."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from audit.models import AppendOnly, AuditRecord
from tenants.models import Role, Tenant
from tests.audit.secret_scan import secrets_in_audit_rows
from tests.factories import ConnectorFactory, SharedClusterFactory, TenantFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def offline_cluster(tenant):
    return SharedClusterFactory(name="offline", connect_url="http://127.0.0.1:9", tenants=[tenant])


def test_an_api_change_is_audited_with_its_actor_request_and_source(client_for, tenant, offline_cluster):
    client = client_for(tenant, Role.DEVELOPER)
    answer = client.post(
        "/api/v1/connectors/",
        {
            "type": "postgres-cdc-source",
            "cluster": "offline",
            "stage": "dev",
            "id": "orders",
            "config": {
                "database.hostname": "db.internal",
                "database.port": 5432,
                "database.user": "cdc",
                "database.dbname": "shop",
                "table.include.list": "public.orders",
            },
            "credentials": {"database.password": "s3cret-value-42"},
            "topics": ["sales.shop"],
            "create_topics": True,
        },
        format="json",
        REMOTE_ADDR="10.1.2.3",
    )
    assert answer.status_code == 202, answer.json()
    record = AuditRecord.objects.get(action="connector.create")
    assert record.actor.startswith("api_key:") and record.tenant == tenant and record.channel == "api"
    assert record.request_id == answer["X-Request-ID"] and record.source == "10.1.2.3"
    assert record.object_id == answer.json()["name"] and record.before is None
    assert record.after["credentials"] == {"database.password": "********"}
    assert "s3cret-value-42" not in str(record.after)
    assert secrets_in_audit_rows() == (AuditRecord.objects.count(), [])


def test_each_audit_row_is_also_an_event_in_the_outbox_written_in_its_transaction(client_for, tenant):
    from monitoring.events import AUDIT_RECORDED
    from monitoring.models import OutboxEvent

    admin = client_for(tenant, Role.ADMIN)
    answer = admin.post(
        f"/api/v1/tenants/{tenant.slug}/alert-channels/",
        {"name": "oncall", "kind": "webhook", "url": "https://hooks.example/T0/s3cret-token"},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    record = AuditRecord.objects.get(action="alert_channel.create")
    [event] = OutboxEvent.objects.filter(type=AUDIT_RECORDED, data__audit_id=record.pk)
    assert event.subject == "oncall"
    assert (event.data["action"], event.data["tenant"], event.data["request_id"]) == (
        "alert_channel.create",
        tenant.slug,
        answer["X-Request-ID"],
    )
    assert event.data["after"]["url_set"] is True and "s3cret-token" not in str(event.data)

    with pytest.raises(RuntimeError), transaction.atomic():  # a rolled-back change leaves neither
        admin.delete(f"/api/v1/tenants/{tenant.slug}/alert-channels/{answer.json()['id']}/")
        raise RuntimeError
    assert not OutboxEvent.objects.filter(data__action="alert_channel.delete").exists()


def test_updates_actions_members_and_keys_are_audited(client_for, tenant, offline_cluster):
    connector = ConnectorFactory(tenant=tenant, cluster=offline_cluster, create_topics=True)
    admin = client_for(tenant, Role.ADMIN)
    assert admin.patch(f"/api/v1/connectors/{connector.name}/", {"tasks_max": 1}, format="json").status_code == 202
    type(connector).objects.filter(pk=connector.pk).update(operation="")
    assert admin.post(f"/api/v1/connectors/{connector.name}/pause").status_code == 202
    member = admin.post("/api/v1/tenants/sales/members/", {"username": "carol", "role": "viewer"}, format="json")
    admin.patch(f"/api/v1/tenants/sales/members/{member.json()['id']}/", {"role": "operator"}, format="json")
    admin.delete(f"/api/v1/tenants/sales/members/{member.json()['id']}/")
    key = admin.post("/api/v1/tenants/sales/api-keys/", {"name": "ci", "role": "viewer"}, format="json").json()
    admin.delete(f"/api/v1/tenants/sales/api-keys/{key['id']}/")
    actions = list(AuditRecord.objects.order_by("id").values_list("action", flat=True))
    assert actions[-7:] == [
        "connector.update",
        "connector.pause",
        "membership.create",
        "membership.update",
        "membership.delete",
        "api_key.create",
        "api_key.revoke",
    ]
    pause = AuditRecord.objects.get(action="connector.pause")
    assert pause.before["desired_state"] == "running" and pause.after["desired_state"] == "paused"
    role_change = AuditRecord.objects.get(action="membership.update")
    assert (role_change.before, role_change.after) == (
        {"username": "carol", "role": "viewer"},
        {"username": "carol", "role": "operator"},
    )
    assert key["key"] not in str(list(AuditRecord.objects.values_list("after", flat=True)))


def test_a_management_command_is_audited_with_the_command_as_source():
    call_command("create_tenant", "finance")
    record = AuditRecord.objects.get(action="tenant.create")
    assert record.channel == "command" and record.source == "manage.py create_tenant"
    assert record.actor.startswith("cli:") and record.tenant == Tenant.objects.get(slug="finance")


def test_an_admin_change_is_audited(client, tenant):
    staff = UserFactory(username="platform", is_staff=True, is_superuser=True)
    client.force_login(staff)
    answer = client.post("/admin/tenants/landingzone/add/", {"slug": "edh-extra", "name": "Extra", "description": ""})
    assert answer.status_code == 302, answer.content[:500]
    record = AuditRecord.objects.get(action="landingzone.create")
    assert record.actor == "user:platform" and record.channel == "admin" and record.request_id


def test_audit_rows_cannot_be_changed_or_deleted(client, tenant):
    call_command("create_tenant", "finance")
    record = AuditRecord.objects.latest("id")
    original = record.action
    record.action = "forged"
    with pytest.raises(AppendOnly):
        record.save()
    with pytest.raises(AppendOnly):
        record.delete()
    with pytest.raises(AppendOnly):
        AuditRecord.objects.filter(pk=record.pk).update(action="forged")
    with pytest.raises(AppendOnly):
        AuditRecord.objects.all().delete()
    # Below the ORM too: PostgreSQL refuses.
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditrecord SET action = 'forged' WHERE id = %s", [record.pk])
    # And the admin offers nothing but reading, to platform admins included.
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    assert client.get(f"/admin/audit/auditrecord/{record.pk}/change/").status_code == 200
    assert client.post(f"/admin/audit/auditrecord/{record.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/audit/auditrecord/add/").status_code == 403
    assert AuditRecord.objects.filter(pk=record.pk, action=original).exists()


def test_the_audit_api_is_tenant_scoped_filterable_and_for_admins(client_for, tenant, other_tenant):
    call_command("add_member", "sales", "dora", "--role", "viewer")
    call_command("add_member", "scada", "erin", "--role", "viewer")
    admin = client_for(tenant, Role.ADMIN)
    rows = admin.get("/api/v1/audit/", {"action": "membership.create"}).json()["results"]
    assert [row["object_id"] for row in rows] == ["dora"]
    assert all(row["tenant"] == "sales" for row in admin.get("/api/v1/audit/").json()["results"])
    page = admin.get("/api/v1/audit/", {"limit": 1}).json()
    assert len(page["results"]) == 1 and page["count"] >= 2
    theirs = AuditRecord.objects.get(object_id="erin")
    assert admin.get(f"/api/v1/audit/{theirs.pk}/").status_code == 404
    assert client_for(tenant, Role.DEVELOPER).get("/api/v1/audit/").json()["results"] == []


@pytest.mark.planted_audit_secret
def test_the_scan_finds_a_secret_in_an_audit_row(tenant):
    from audit.services import audit_record

    TenantFactory(slug="leaky")
    audit_record(action="test.leak", object_type="test", after={"note": "token cp_1a2b3c4d_" + "x" * 30})
    rows, problems = secrets_in_audit_rows()
    assert rows >= 1 and any("raw API key" in problem for problem in problems)


def test_making_a_platform_admin_in_the_admin_is_audited_without_the_password(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    answer = client.post(
        "/admin/auth/user/add/",
        {
            "username": "newadmin",
            "password1": "Very-long-pass-123",
            "password2": "Very-long-pass-123",
            "usable_password": "true",
        },
    )
    assert answer.status_code == 302, answer.content[:300]
    record = AuditRecord.objects.get(action="user.create")
    assert record.object_id == "newadmin" and record.tenant is None
    assert "password" not in record.after and "Very-long-pass-123" not in str(record.after)
