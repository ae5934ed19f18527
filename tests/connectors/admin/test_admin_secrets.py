"""Secrets in the admin are write-only: a field to replace one, never one that shows it; saving
re-encrypts; no page shows a secret, not the form re-shown with errors, not the change history."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from connectors.selectors import connector_secrets
from controlplane.crypto import encrypt_secrets
from tenants.models import Cluster
from tenants.services import cluster_secrets_merge
from tests.factories import ConnectorFactory, SharedClusterFactory
from tests.system import closed_port

pytestmark = pytest.mark.django_db

OLD, NEW = "Old-S3cret-value-1", "New-S3cret-value-2"


def _cluster_form(cluster: Cluster, **changes) -> dict:
    data = {
        "name": cluster.name,
        "kind": cluster.kind,
        "landing_zone": cluster.landing_zone_id,
        "bootstrap_servers": cluster.bootstrap_servers,
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "PLAIN",
        "sasl_username": "svc",
        "connect_url": cluster.connect_url,
        "connect_flavour": cluster.connect_flavour,
        "connect_verify_tls": "on",
        "drift_policy": cluster.drift_policy,
        "dlq_replication_factor": 1,
        "is_active": "on",
    }
    return {**data, **changes}


@pytest.fixture
def cluster_with_secret():
    cluster = SharedClusterFactory(name="secured")
    cluster_secrets_merge(cluster, {"sasl_password": OLD})
    cluster.save()
    return cluster


def test_the_cluster_form_never_shows_a_secret_and_a_new_one_is_encrypted_on_save(admin_client, cluster_with_secret):
    url = reverse("admin:tenants_cluster_change", args=[cluster_with_secret.pk])
    page = admin_client.get(url).content.decode()
    assert OLD not in page and cluster_with_secret.secrets_encrypted[:20] not in page
    assert 'name="sasl_password"' in page and "Set (leave blank to keep)." in page

    response = admin_client.post(url, _cluster_form(cluster_with_secret, sasl_password=NEW))

    assert response.status_code == 302, response.context["adminform"].form.errors
    cluster = Cluster.objects.get(pk=cluster_with_secret.pk)
    assert cluster.secrets()["sasl_password"] == NEW
    assert NEW not in cluster.secrets_encrypted and cluster.secrets_encrypted != cluster_with_secret.secrets_encrypted
    history = admin_client.get(reverse("admin:tenants_cluster_history", args=[cluster.pk])).content.decode()
    assert "sasl_password" in history.lower() or "sasl password" in history.lower()  # what changed, never to what
    assert NEW not in history and OLD not in history
    assert not any(NEW in entry.change_message for entry in LogEntry.objects.all())


def test_a_blank_secret_keeps_the_stored_one(admin_client, cluster_with_secret):
    url = reverse("admin:tenants_cluster_change", args=[cluster_with_secret.pk])
    admin_client.post(url, _cluster_form(cluster_with_secret, sasl_password=""))

    assert Cluster.objects.get(pk=cluster_with_secret.pk).secrets()["sasl_password"] == OLD


def test_a_form_shown_again_with_errors_does_not_echo_the_secret_typed(admin_client, cluster_with_secret):
    url = reverse("admin:tenants_cluster_change", args=[cluster_with_secret.pk])

    response = admin_client.post(url, _cluster_form(cluster_with_secret, sasl_password=NEW, connect_url="not a url"))

    assert response.status_code == 200 and "Enter a valid URL." in response.content.decode()
    assert NEW not in response.content.decode()
    assert Cluster.objects.get(pk=cluster_with_secret.pk).secrets()["sasl_password"] == OLD


@pytest.fixture
def cdc_connector(tenant):
    # Connect does not answer on this cluster: validation layer (e) is skipped with a warning.
    cluster = SharedClusterFactory(name="offline", connect_url=f"http://127.0.0.1:{closed_port()}", tenants=[tenant])
    return ConnectorFactory(
        tenant=tenant,
        cluster=cluster,
        type_key="postgres-cdc-source",
        connector_id="orders-cdc",
        config={
            "database.hostname": "db.internal",
            "database.port": 5432,
            "database.user": "cdc",
            "database.dbname": "shop",
            "table.include.list": ["public.orders"],
        },
        topics=["sales.shop"],
        create_topics=True,
        secrets_encrypted=encrypt_secrets({"database.password": OLD}),
        credential_keys=["database.password"],
        state="RUNNING",
        generation=1,
        applied_generation=1,
    )


def test_a_connector_credential_is_replaced_through_the_update_service_and_never_shown(admin_client, cdc_connector):
    url = reverse("admin:connectors_connector_credentials", args=[cdc_connector.pk])
    form_page = admin_client.get(url).content.decode()
    assert 'type="password" name="database.password"' in form_page and OLD not in form_page

    response = admin_client.post(url, {"database.password": NEW})

    assert response.status_code == 302
    cdc_connector.refresh_from_db()
    assert connector_secrets(connector=cdc_connector) == {"database.password": NEW}
    assert cdc_connector.generation == 2  # an update: revalidated, and queued to Connect
    assert cdc_connector.operation == "update"
    history = admin_client.get(reverse("admin:connectors_connector_history", args=[cdc_connector.pk]))
    assert "Credentials replaced: database.password" in history.content.decode()
    for page in (
        admin_client.get(reverse("admin:connectors_connector_change", args=[cdc_connector.pk])),
        admin_client.get(reverse("admin:connectors_connector_changelist")),
        admin_client.get(url),
        history,
    ):
        html = page.content.decode()
        assert NEW not in html and OLD not in html and cdc_connector.secrets_encrypted[:20] not in html


def test_a_refused_credential_change_says_why_and_keeps_the_stored_secret(admin_client, cdc_connector):
    cdc_connector.operation = "pause"  # another operation in flight: the update service refuses
    cdc_connector.save()

    response = admin_client.post(
        reverse("admin:connectors_connector_credentials", args=[cdc_connector.pk]), {"database.password": NEW}
    )

    html = response.content.decode()
    assert response.status_code == 200 and "already in progress" in html and NEW not in html
    cdc_connector.refresh_from_db()
    assert connector_secrets(connector=cdc_connector) == {"database.password": OLD}
