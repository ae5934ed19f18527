"""Governance through cpctl against the real server, a real Celery worker and the real local Kafka Connect:
promotion (its dry run's diff, layers and gate), four-eyes change requests decided by another admin, and a
tenant's usage against its quotas."""

import json

import pytest
import yaml

from connectors.models import Connector
from governance.models import ChangeRequest, LandingZonePolicy
from governance.services.quotas import quota_set

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.connect]


def name_of(stage: str, connector_id: str) -> str:
    return f"edh-shared-sales-{stage}-{connector_id}-connector"


VERDICTS = "    validation: schema passed, naming passed, topics passed, transforms passed, cluster passed"


def test_a_dev_connector_is_promoted_to_qas_after_a_dry_run_shows_the_diff_layers_and_gate(
    cpctl, connect, applied, local_cluster, celery_worker_process, file_sandbox, unique_name
):
    connector_id = unique_name("crm")
    dev, qas = applied("dev", connector_id), name_of("qas", connector_id)
    (file_sandbox / "qas-input.txt").write_text("to qas\n")
    overrides = ("--set", f"file={file_sandbox / 'qas-input.txt'}", "--topic", f"sales.qas.{connector_id}")

    dry = cpctl("promote", dev, "--to", "qas", *overrides, "--dry-run")
    assert dry.stdout.splitlines() == [
        f"+ {dev} -> {qas}: would create",
        f"    ~ file: {file_sandbox / 'dev.txt'} -> {file_sandbox / 'qas-input.txt'}",
        f"    ~ name: {dev} -> {qas}",
        f"    ~ topic: sales.dev.{connector_id} -> sales.qas.{connector_id}",
        VERDICTS,
        "    gate: not required: no gate before qas",
    ]
    assert not Connector.objects.filter(stage="qas").exists(), "a dry run stores nothing"

    skipped = cpctl("promote", dev, "--to", "run", code=1)
    assert "stage: a dev connector is promoted to qas" in skipped.stderr and "(HTTP 400)" in skipped.stderr

    promoted = cpctl("promote", dev, "--to", "qas", *overrides, "--wait")
    assert promoted.stdout.splitlines() == [f"+ {qas}: created from {dev}"]
    assert f"… {qas}: RUNNING" in promoted.stderr
    assert connect.status(qas)["connector"]["state"] == "RUNNING"
    assert connect.get_config(qas)["file"] == str(file_sandbox / "qas-input.txt")
    assert connect.get_config(dev)["file"] == str(file_sandbox / "dev.txt"), "the source stays as it was"

    again = cpctl("promote", dev, "--to", "qas", *overrides, "--dry-run")
    assert again.stdout.splitlines()[0] == f"~ {dev} -> {qas}: would update"
    for name in (qas, dev):
        cpctl("delete", name, "--wait")


def test_a_credential_is_taken_only_as_an_environment_reference(cpctl, local_cluster, monkeypatch):
    dev = name_of("dev", "crm")
    literal = cpctl("promote", dev, "--to", "qas", "--credential", "database.password=hunter2", code=2)
    assert "give a reference database.password='${env:VARIABLE}'" in literal.output
    assert "hunter2" not in literal.output
    unset = cpctl("promote", dev, "--to", "qas", "--credential", "database.password=${env:CPCTL_TEST_UNSET}", code=2)
    assert "--credential database.password refers to ${env:CPCTL_TEST_UNSET}, which is not set" in unset.output
    bad = cpctl("promote", dev, "--to", "qas", "--set", "no-equals-sign", code=2)
    assert "--set takes KEY=VALUE, not 'no-equals-sign'" in bad.output


def test_a_promotion_into_run_waits_for_another_admin_who_approves_it_with_cpctl(
    cpctl, connect, applied, admin_key, local_cluster, celery_worker_process, file_sandbox, unique_name
):
    LandingZonePolicy.objects.create(landing_zone=local_cluster.landing_zone, four_eyes=True, run_gate_enabled=False)
    alice, bob = admin_key("alice"), admin_key("bob")
    connector_id = unique_name("erp")
    qas, run = applied("qas", connector_id), name_of("run", connector_id)
    to_run = ("--topic", f"sales.run.{connector_id}")

    dry = cpctl("promote", qas, "--to", "run", *to_run, "--dry-run", key=alice)
    assert dry.stdout.splitlines()[-1] == "    gate: not required: the run gate is switched off for this landing zone"

    held = cpctl("promote", qas, "--to", "run", *to_run, key=alice)
    [change_request] = ChangeRequest.objects.all()
    assert held.stdout.splitlines() == [
        f"… {run}: waits for approval: change request {change_request.pk} (promote); "
        f"another admin of the tenant runs `cpctl approve {change_request.pk}`"
    ]
    assert not Connector.objects.filter(stage="run").exists(), "nothing is provisioned before approval"
    pending = json.loads(cpctl("change-requests", "--status", "pending", "-o", "json").stdout)
    assert [(row["id"], row["kind"], row["target_name"]) for row in pending] == [(change_request.pk, "promote", run)]
    assert f"{change_request.pk}" in cpctl("change-requests", "--status", "pending").stdout
    assert json.loads(cpctl("change-requests", "--status", "approved", "-o", "json").stdout) == []

    own = cpctl("approve", str(change_request.pk), key=alice, code=1)
    assert "Four eyes: the author of a change request cannot approve or decline it. (HTTP 403)" in own.stderr
    developer = cpctl("approve", str(change_request.pk), code=1)
    assert "(HTTP 403)" in developer.stderr

    approved = cpctl("approve", str(change_request.pk), "--reason", "qas ran clean", "--wait", key=bob)
    assert approved.stdout.splitlines() == [
        f"✓ change request {change_request.pk} approved: promote of {run} carried out"
    ]
    assert f"… {run}: RUNNING" in approved.stderr
    assert connect.status(run)["connector"]["state"] == "RUNNING"
    decided = json.loads(cpctl("change-requests", str(change_request.pk), "-o", "json").stdout)
    assert (decided["status"], decided["reason"]) == ("approved", "qas ran clean")
    assert decided["decided_by"].startswith("api_key:") and decided["decided_by"] != decided["author"]
    assert "(HTTP 409)" in cpctl("approve", str(change_request.pk), key=bob, code=1).stderr

    # An update of run is held too; bob declines it, and alice reads why.
    (file_sandbox / "other.txt").write_text("other\n")
    cpctl("promote", qas, "--to", "run", "--set", f"file={file_sandbox / 'other.txt'}", key=alice)
    second = ChangeRequest.objects.get(status="pending").pk
    assert "Missing option '--reason'" in cpctl("decline", str(second), key=bob, code=2).output
    declined = cpctl("decline", str(second), "--reason", "not during the freeze", key=bob)
    assert declined.stdout.splitlines() == [f"✗ change request {second} declined: promote of {run} is not provisioned"]
    seen = yaml.safe_load(cpctl("change-requests", str(second), key=alice).stdout)
    assert (seen["status"], seen["reason"]) == ("declined", "not during the freeze")
    assert connect.get_config(run)["file"] == str(file_sandbox / "qas.txt"), "a declined change is not carried out"
    for name in (run, qas):
        cpctl("delete", name, "--wait")


def test_usage_shows_each_stage_and_cluster_beside_its_quota(
    cpctl, applied, local_cluster, other_tenant, celery_worker_process, tenant, unique_name
):
    quota_set(tenant=tenant, max_dev_connectors=3, max_tasks_per_cluster=8)
    name = applied("dev", unique_name("crm"))

    table = cpctl("usage").stdout
    lines = [line.split() for line in table.splitlines()]
    assert ["dev", "1", "3"] in lines and ["qas", "0", "unlimited"] in lines and ["run", "0", "unlimited"] in lines
    assert ["local", "1", "8"] in lines
    assert "connectors of sales" in table and "tasks.max summed per cluster" in table
    as_json = json.loads(cpctl("usage", "sales", "-o", "json").stdout)
    assert as_json == {
        "tenant": "sales",
        "connectors_per_stage": {
            "dev": {"used": 1, "limit": 3},
            "qas": {"used": 0, "limit": None},
            "run": {"used": 0, "limit": None},
        },
        "tasks_per_cluster": [{"cluster": "local", "used": 1, "limit": 8}],
        "max_tasks_per_cluster": 8,
    }
    assert "Not found. (HTTP 404)" in cpctl("usage", other_tenant.slug, code=1).stderr, "another tenant is a 404"
    cpctl("delete", name, "--wait")
