"""A tenant never chooses who its connector logs in to Kafka as: any client override and any key that sets a
client's SASL login is a 400 on that field, on the validate and the create endpoints alike (issue 14)."""

from __future__ import annotations

import pytest

from connectors.models import Connector
from tenants.models import Role

pytestmark = [pytest.mark.django_db, pytest.mark.connect]

LOGIN_KEYS = [
    "producer.override.sasl.jaas.config",
    "consumer.override.sasl.jaas.config",
    "admin.override.sasl.jaas.config",
    "producer.override.bootstrap.servers",
    "sasl.jaas.config",
    "schema.history.internal.producer.sasl.jaas.config",
    "database.history.consumer.sasl.mechanism",
    "security.protocol",
]


@pytest.mark.parametrize("key", LOGIN_KEYS)
def test_a_request_that_sets_a_client_login_itself_is_refused_on_that_field(client_for, tenant, local_cluster, key):
    developer = client_for(tenant, Role.DEVELOPER)
    payload = {
        "type": "file-source",
        "cluster": "local",
        "stage": "dev",
        "id": "crm-login",
        "config": {"file": f"{tenant.file_sandbox}/crm.txt", key: 'ScramLoginModule required username="scada";'},
        "topics": ["sales.crm"],
        "create_topics": True,
    }

    for path in ("/api/v1/connectors/validate", "/api/v1/connectors/"):
        answer = developer.post(path, payload, format="json")
        assert answer.status_code == 400, answer.json()
        messages = " ".join(answer.json()["errors"][f"config.{key}"])
        assert "the platform configures the connector's Kafka clients" in messages
    assert not Connector.objects.exists()
