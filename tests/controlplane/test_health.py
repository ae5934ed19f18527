"""/healthz says the process is alive; /readyz checks the database, Redis and every Connect cluster."""

import pytest

from tests.factories import SharedClusterFactory
from tests.system import closed_port

pytestmark = [pytest.mark.django_db, pytest.mark.connect]


def test_healthz_answers_without_authentication(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_reports_database_redis_and_connect_ok(client, local_stack):
    SharedClusterFactory(name="local", connect_url=local_stack.config.connect_url)
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["checks"]["database"]["ok"] and body["checks"]["redis"]["ok"]
    assert body["checks"]["connect"]["local"] == {"ok": True, "version": "3.9.1"}


def test_readyz_is_503_when_a_connect_cluster_is_unreachable(client, local_stack):
    SharedClusterFactory(name="local", connect_url=local_stack.config.connect_url)
    SharedClusterFactory(name="gone", connect_url=f"http://127.0.0.1:{closed_port()}")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["connect"]["gone"] == {"ok": False, "error": "ConnectUnreachable"}


def test_readyz_is_503_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["ok"] is False


def test_readyz_reports_a_cluster_whose_secrets_cannot_be_decrypted_instead_of_failing(client):
    SharedClusterFactory(name="broken", secrets_encrypted="not-a-fernet-token")

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["connect"]["broken"] == {"ok": False, "error": "DecryptionError"}
