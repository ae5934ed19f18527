"""Promotion dev -> qas -> run through the API, with a real Celery worker and the real Kafka Connect
worker: the dry run's diff, credentials never copied, and the run gate."""

from __future__ import annotations

import pytest

from connectors.models import Connector
from governance.models import LandingZonePolicy
from tenants.models import Role
from tests.conftest import wait_for, wait_for_state

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.connect]


def _state(client, name, expected):
    return wait_for_state(client, name, expected, timeout=90)


def _promote(client, name, **body):
    return client.post(f"/api/v1/connectors/{name}/promote", body, format="json")


def test_a_dev_connector_is_promoted_to_qas_and_after_the_gate_to_run(
    client_for, tenant, local_cluster, celery_worker_process, file_sandbox, unique_name
):
    LandingZonePolicy.objects.create(landing_zone=local_cluster.landing_zone, run_gate_seconds=4)
    (file_sandbox / "dev.txt").write_text("one\n")
    (file_sandbox / "qas.txt").write_text("two\n")
    client = client_for(tenant, Role.DEVELOPER)
    connector_id = unique_name("crm")
    created = client.post(
        "/api/v1/connectors/",
        {
            "type": "file-source",
            "cluster": "local",
            "stage": "dev",
            "id": connector_id,
            "config": {"file": str(file_sandbox / "dev.txt")},
            "topics": [f"sales.dev.{connector_id}"],
            "create_topics": True,
        },
        format="json",
    )
    assert created.status_code == 202, created.json()
    dev = created.json()["name"]
    _state(client, dev, "RUNNING")

    overrides = {"config": {"file": str(file_sandbox / "qas.txt")}, "topics": [f"sales.qas.{connector_id}"]}
    dry = _promote(client, dev, stage="qas", dry_run=True, **overrides)
    assert dry.status_code == 200, dry.json()
    body = dry.json()
    qas = f"edh-shared-sales-qas-{connector_id}-connector"
    assert body["target"] == qas and body["action"] == "create" and body["validation"]["valid"] is True
    changed = {entry["key"]: (entry["source"], entry["target"]) for entry in body["diff"]}
    # Exactly the stage-specific changes: the name, the file, the topic.
    assert changed == {
        "name": (dev, qas),
        "file": (str(file_sandbox / "dev.txt"), str(file_sandbox / "qas.txt")),
        "topic": (f"sales.dev.{connector_id}", f"sales.qas.{connector_id}"),
    }
    assert not Connector.objects.filter(name=qas).exists(), "a dry run stores nothing"

    skipped = _promote(client, dev, stage="run")
    assert skipped.status_code == 400 and "stage" in skipped.json()["errors"]

    promoted = _promote(client, dev, stage="qas", **overrides)
    assert promoted.status_code == 202, promoted.json()
    assert promoted.json()["connector"]["name"] == qas
    _state(client, qas, "RUNNING")

    too_early = _promote(client, qas, stage="run", topics=[f"sales.run.{connector_id}"])
    assert too_early.status_code == 409, too_early.json()
    assert too_early.json()["code"] == "promotion_gate"
    assert "RUNNING for" in too_early.json()["errors"]["gate"][0]
    assert not Connector.objects.filter(stage="run").exists()

    gate = wait_for(
        lambda: (answer := _promote(client, qas, stage="run", dry_run=True).json())["gate"]["passed"] and answer,
        timeout=30,
        message="the run gate to open",
    )
    assert gate["gate"]["required"] is True
    ran = _promote(client, qas, stage="run", topics=[f"sales.run.{connector_id}"])
    assert ran.status_code == 202, ran.json()
    run = f"edh-shared-sales-run-{connector_id}-connector"
    assert ran.json()["connector"]["name"] == run
    _state(client, run, "RUNNING")

    actions = list(tenant.audit_records.order_by("id").values_list("action", "object_id"))
    assert ("connector.promote", dev) in actions and ("connector.promote", qas) in actions
    assert ("connector.create", run) in actions
