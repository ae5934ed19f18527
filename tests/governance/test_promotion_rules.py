"""Promotion's rules without Connect's answer: credentials never copied, the gate's verdicts, an update."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from connectors.models import Connector, ConnectorEvent
from controlplane.crypto import encrypt_secrets
from governance.models import LandingZonePolicy
from governance.selectors import run_gate
from monitoring.models import Alert
from tenants.models import Role
from tests.factories import ConnectorFactory, SharedClusterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def offline_cluster(tenant):
    # Connect refuses at once: layer (e) is skipped with a warning, the rest is checked.
    return SharedClusterFactory(name="offline", connect_url="http://127.0.0.1:9", tenants=[tenant])


def _running_since(connector, when):
    event = connector.events.filter(to_state="RUNNING").first() or ConnectorEvent.objects.create(
        connector=connector, from_state="PROVISIONING", to_state="RUNNING", actor="t"
    )
    ConnectorEvent.objects.filter(pk=event.pk).update(created_at=when)


def test_credentials_are_never_copied_to_the_next_stage(client_for, tenant, offline_cluster):
    source = ConnectorFactory(
        tenant=tenant,
        cluster=offline_cluster,
        type_key="postgres-cdc-source",
        connector_id="orders",
        config={
            "database.hostname": "db.internal",
            "database.port": 5432,
            "database.user": "cdc",
            "database.dbname": "shop",
            "table.include.list": "public.orders",
        },
        topics=["sales.shop"],
        create_topics=True,
        secrets_encrypted=encrypt_secrets({"database.password": "dev-pass-1234"}),
        credential_keys=["database.password"],
    )
    client = client_for(tenant, Role.DEVELOPER)
    answer = client.post(f"/api/v1/connectors/{source.name}/promote", {"stage": "qas"}, format="json")
    assert answer.status_code == 400
    assert "credentials.database.password" in answer.json()["errors"]

    dry = client.post(
        f"/api/v1/connectors/{source.name}/promote",
        {"stage": "qas", "dry_run": True, "credentials": {"database.password": "qas-pass-5678"}},
        format="json",
    )
    assert dry.status_code == 200, dry.json()
    text = dry.content.decode()
    assert "dev-pass-1234" not in text and "qas-pass-5678" not in text
    secret = [entry for entry in dry.json()["diff"] if entry["key"] == "database.password"]
    assert secret == [{"key": "database.password", "source": "********", "target": "********", "secret": True}]


def test_the_run_gate_needs_running_without_alerts_for_the_configured_time(tenant, offline_cluster, settings):
    settings.PROMOTION_GATE_SECONDS = 600
    qas = ConnectorFactory(tenant=tenant, cluster=offline_cluster, stage="qas", state="RUNNING")
    verdict = run_gate(source=qas, target_cluster=offline_cluster)
    assert not verdict.passed and "no recorded start" in verdict.reason

    _running_since(qas, timezone.now() - timedelta(seconds=60))
    verdict = run_gate(source=qas, target_cluster=offline_cluster)
    assert not verdict.passed and "needs 600 s" in verdict.reason

    _running_since(qas, timezone.now() - timedelta(seconds=700))
    assert run_gate(source=qas, target_cluster=offline_cluster).passed

    Alert.objects.create(connector=qas, tenant=tenant, state="DEGRADED", message="slow")
    verdict = run_gate(source=qas, target_cluster=offline_cluster)
    assert not verdict.passed and "alerts" in verdict.reason

    LandingZonePolicy.objects.create(landing_zone=offline_cluster.landing_zone, run_gate_enabled=False)
    verdict = run_gate(source=qas, target_cluster=offline_cluster)
    assert verdict.passed and not verdict.required


def test_a_second_promotion_updates_the_target_and_keeps_its_own_credentials(client_for, tenant, offline_cluster):
    dev = ConnectorFactory(
        tenant=tenant, cluster=offline_cluster, connector_id="crm", topics=["sales.crm"], create_topics=True
    )
    client = client_for(tenant, Role.DEVELOPER)
    first = client.post(f"/api/v1/connectors/{dev.name}/promote", {"stage": "qas"}, format="json")
    assert first.status_code == 202, first.json()
    assert first.json()["action"] == "create"
    Connector.objects.filter(stage="qas").update(operation="")  # no worker here: end the provisioning claim
    dev.tasks_max = 1
    dev.topics = ["sales.crm2"]
    dev.save()
    second = client.post(f"/api/v1/connectors/{dev.name}/promote", {"stage": "qas"}, format="json")
    assert second.status_code == 202, second.json()
    assert second.json()["action"] == "update"
    assert second.json()["connector"]["topics"] == ["sales.crm2"]
    assert second.json()["connector"]["generation"] == 2


def test_a_viewer_cannot_promote_and_another_tenant_cannot_see(client_for, tenant, other_tenant, offline_cluster):
    dev = ConnectorFactory(tenant=tenant, cluster=offline_cluster, create_topics=True)
    assert (
        client_for(tenant, Role.VIEWER)
        .post(f"/api/v1/connectors/{dev.name}/promote", {"stage": "qas"}, format="json")
        .status_code
        == 403
    )
    assert (
        client_for(other_tenant, Role.ADMIN)
        .post(f"/api/v1/connectors/{dev.name}/promote", {"stage": "qas"}, format="json")
        .status_code
        == 404
    )


def test_a_dry_run_of_an_invalid_target_answers_the_layers_verdict_not_a_500(client_for, tenant, offline_cluster):
    dev = ConnectorFactory(tenant=tenant, cluster=offline_cluster, create_topics=True)
    client = client_for(tenant, Role.DEVELOPER)
    body = {"stage": "qas", "error_handling": {"": None}, "transforms": [{}]}
    dry = client.post(f"/api/v1/connectors/{dev.name}/promote", {**body, "dry_run": True}, format="json")
    assert dry.status_code == 200, dry.json()
    assert dry.json()["validation"]["valid"] is False and dry.json()["diff"] == []
    assert dry.json()["validation"]["layers"] == {
        "schema": "failed",  # the error_handling key
        "naming": "passed",
        "topics": "passed",
        "transforms": "failed",
        "cluster": "skipped: earlier layers failed",
    }
    assert client.post(f"/api/v1/connectors/{dev.name}/promote", body, format="json").status_code == 400
