"""Cluster secrets: every secret the cluster uses can be set (service, command, admin) and is used."""

import pytest
from django import forms
from django.core.management import call_command

from connectors.clusters import cluster_connect_endpoint
from controlplane.exceptions import ValidationFailed
from tenants.admin import ClusterAdminForm
from tenants.models import Cluster
from tenants.services import cluster_create, cluster_secrets_merge
from tests.factories import LandingZoneFactory

pytestmark = pytest.mark.django_db

CLOUD_KEY, CLOUD_SECRET = "CLOUDKEY123", "cloud-Secret-xyz"


def test_a_confluent_cloud_cluster_authenticates_with_its_cloud_api_key_and_secret():
    cluster = cluster_create(
        name="cc",
        kind=Cluster.Kind.SHARED,
        landing_zone=LandingZoneFactory(),
        bootstrap_servers="pkc-1.confluent.cloud:9092",
        connect_url="https://api.confluent.cloud",
        connect_flavour=Cluster.Flavour.CONFLUENT_CLOUD,
        cloud_environment_id="env-1",
        cloud_cluster_id="lkc-1",
        secrets_values={"cloud_api_key": CLOUD_KEY, "cloud_api_secret": CLOUD_SECRET},
    )

    endpoint = cluster_connect_endpoint(cluster=Cluster.objects.get(pk=cluster.pk))

    assert (endpoint.username, endpoint.password) == (CLOUD_KEY, CLOUD_SECRET)
    assert CLOUD_KEY not in cluster.secrets_encrypted
    assert cluster.secret_flags()["cloud_api_key"] is True


def test_create_cluster_reads_the_cloud_api_key_from_the_environment(monkeypatch):
    LandingZoneFactory(slug="edh-cloud")
    monkeypatch.setenv("CLUSTER_CLOUD_API_KEY", CLOUD_KEY)
    monkeypatch.setenv("CLUSTER_CLOUD_API_SECRET", CLOUD_SECRET)

    call_command(
        "create_cluster", "cc", "--kind", "shared", "--landing-zone", "edh-cloud", "--flavour", "confluent_cloud",
        "--bootstrap-servers", "pkc-1.confluent.cloud:9092", "--connect-url", "https://api.confluent.cloud",
        "--cloud-environment-id", "env-1", "--cloud-cluster-id", "lkc-1",
    )  # fmt: skip

    endpoint = cluster_connect_endpoint(cluster=Cluster.objects.get(name="cc"))
    assert (endpoint.username, endpoint.password) == (CLOUD_KEY, CLOUD_SECRET)


def test_create_cluster_offers_the_cloud_api_key_at_the_prompt(monkeypatch):
    LandingZoneFactory(slug="edh-cloud")
    answers = {"cloud_api_key: ": CLOUD_KEY, "cloud_api_secret: ": CLOUD_SECRET}
    monkeypatch.setattr("getpass.getpass", lambda prompt: answers[prompt])

    call_command(
        "create_cluster", "cc", "--kind", "shared", "--landing-zone", "edh-cloud", "--flavour", "confluent_cloud",
        "--bootstrap-servers", "pkc-1.confluent.cloud:9092", "--connect-url", "https://api.confluent.cloud",
        "--cloud-environment-id", "env-1", "--cloud-cluster-id", "lkc-1",
        "--prompt-secret", "cloud_api_key", "--prompt-secret", "cloud_api_secret",
    )  # fmt: skip

    assert cluster_connect_endpoint(cluster=Cluster.objects.get(name="cc")).username == CLOUD_KEY


def test_the_admin_form_sets_the_cloud_api_key_write_only():
    field = ClusterAdminForm.base_fields["cloud_api_key"]
    assert isinstance(field.widget, forms.PasswordInput) and not field.widget.render_value

    form = ClusterAdminForm(
        data={
            "name": "cc",
            "kind": Cluster.Kind.SHARED,
            "landing_zone": LandingZoneFactory().pk,
            "bootstrap_servers": "pkc-1.confluent.cloud:9092",
            "security_protocol": "SASL_SSL",
            "connect_url": "https://api.confluent.cloud",
            "connect_flavour": Cluster.Flavour.CONFLUENT_CLOUD,
            "cloud_environment_id": "env-1",
            "cloud_cluster_id": "lkc-1",
            "drift_policy": Cluster.DriftPolicy.REPORT,
            "dlq_replication_factor": 3,
            "is_active": "on",
            "cloud_api_key": CLOUD_KEY,
            "cloud_api_secret": CLOUD_SECRET,
        }
    )
    assert form.is_valid(), form.errors
    cluster = form.save()

    endpoint = cluster_connect_endpoint(cluster=cluster)
    assert (endpoint.username, endpoint.password) == (CLOUD_KEY, CLOUD_SECRET)
    assert CLOUD_KEY not in ClusterAdminForm(instance=cluster).as_p()


def test_an_unknown_cluster_secret_is_still_refused():
    cluster = Cluster(name="x")
    with pytest.raises(ValidationFailed) as raised:
        cluster_secrets_merge(cluster, {"cloud_api_token": "x"})
    assert raised.value.errors == {"cloud_api_token": ["not a cluster secret"]}
