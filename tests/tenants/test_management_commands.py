"""Bootstrapping without the admin: landing zone, tenant, cluster, member, API key, and the demo."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from connectors.clusters import cluster_kafka_config
from tenants.models import ApiKey, Cluster, Membership

pytestmark = pytest.mark.django_db


def run(*args, **kwargs) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


def test_a_platform_engineer_bootstraps_a_tenant_on_a_shared_cluster(monkeypatch):
    run("create_landing_zone", "edh-shared")
    run("create_tenant", "sales", "--topic-prefix", "sales.", "--topic-prefix", "crm.")
    monkeypatch.setenv("CLUSTER_SASL_PASSWORD", "kafka-Secret-1")
    output = run(
        "create_cluster", "prod-shared", "--kind", "shared", "--landing-zone", "edh-shared", "--tenant", "sales",
        "--bootstrap-servers", "kafka:9093", "--connect-url", "https://connect.internal:8083",
        "--security-protocol", "SASL_SSL", "--sasl-mechanism", "SCRAM-SHA-512", "--sasl-username", "cp",
    )  # fmt: skip
    assert "kafka-Secret-1" not in output
    cluster = Cluster.objects.get(name="prod-shared")
    assert cluster.allowed_tenants.get().slug == "sales"
    assert "kafka-Secret-1" not in cluster.secrets_encrypted
    assert cluster_kafka_config(cluster=cluster)["sasl.password"] == "kafka-Secret-1"
    assert cluster.worker_files_enabled is False  # File Source/Sink only where a platform admin says so

    run(
        "create_cluster", "dev-shared", "--kind", "shared", "--landing-zone", "edh-shared", "--tenant", "sales",
        "--bootstrap-servers", "kafka:9093", "--connect-url", "http://connect.dev:8083", "--worker-files",
    )  # fmt: skip
    assert Cluster.objects.get(name="dev-shared").worker_files_enabled is True

    run("add_member", "sales", "alice", "--role", "developer")
    assert Membership.objects.get(user__username="alice").role == "developer"

    raw_key = run("create_api_key", "sales", "--name", "ci", "--role", "operator").strip()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    assert client.get("/api/v1/me").json()["tenants"] == [{"slug": "sales", "role": "operator"}]


def test_commands_refuse_bad_input_clearly():
    with pytest.raises(CommandError, match="business unit"):
        run("create_tenant", "Sales_BU")
    with pytest.raises(CommandError, match="No tenant"):
        run("create_api_key", "ghost", "--name", "x")
    run("create_tenant", "sales")
    with pytest.raises(CommandError, match="overlaps"):
        run("create_tenant", "sales2", "--topic-prefix", "sales.orders.")


def test_a_dedicated_cluster_needs_its_owner():
    with pytest.raises(CommandError):
        run(
            "create_cluster",
            "own",
            "--kind",
            "dedicated",
            "--bootstrap-servers",
            "k:9092",
            "--connect-url",
            "http://c:8083",
        )


def test_the_demo_is_idempotent_and_prints_a_working_key(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    first = run("demo_setup")
    second = run("demo_setup")
    key = (tmp_path / "demo-api-key").read_text().strip()
    assert key in second and "curl -H 'Authorization: Bearer" in second and key not in first
    assert Cluster.objects.filter(name="local").count() == 1
    assert ApiKey.objects.filter(name__startswith="demo", revoked_at__isnull=True).count() == 1
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert [c["name"] for c in client.get("/api/v1/clusters/").json()["results"]] == ["local"]
    assert (tmp_path / "demo-admin-password").exists()
