"""The control plane's own Kafka clients (topic checks and creation) over the local broker's SASL_SSL listener:
SCRAM-SHA-512, SCRAM-SHA-256 and PLAIN against the stack's CA; a wrong password, an untrusted certificate and a
missing CA bundle each refused with a clear error that names no secret, never retried without TLS (issue 14)."""

from __future__ import annotations

import uuid

import pytest
from confluent_kafka.admin import AdminClient
from django.core.exceptions import ValidationError

from connectors.errors import KafkaAccessRefused, KafkaClientMisconfigured
from connectors.services.request_validation import validate_connector_spec
from connectors.services.topics import create_topics, existing_topics
from controlplane.crypto import encrypt_secrets
from tenants.models import Cluster
from tests.factories import SharedClusterFactory

pytestmark = [pytest.mark.django_db, pytest.mark.connect]


def sasl_ssl_cluster(local_stack, *, mechanism="SCRAM-SHA-512", password=None, ca=None) -> Cluster:
    if password is None:
        password = local_stack.plain_password() if mechanism == "PLAIN" else local_stack.sasl_password()
    return SharedClusterFactory(
        name=f"tls-{uuid.uuid4().hex[:8]}",
        bootstrap_servers=local_stack.config.sasl_ssl_bootstrap_servers,
        security_protocol="SASL_SSL",
        sasl_mechanism=mechanism,
        sasl_username=local_stack.config.sasl_username,
        ssl_ca_location=str(local_stack.ca_file) if ca is None else ca,
        secrets_encrypted=encrypt_secrets({"sasl_password": password}),
    )


@pytest.mark.parametrize("mechanism", ["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"])
def test_topic_checks_and_creation_work_over_sasl_ssl_with_each_mechanism(local_stack, mechanism):
    cluster = sasl_ssl_cluster(local_stack, mechanism=mechanism)
    name = f"secured.{uuid.uuid4().hex[:8]}"

    assert existing_topics(cluster=cluster, names=[name]) == set()
    create_topics(cluster=cluster, names=[name])

    assert existing_topics(cluster=cluster, names=[name]) == {name}
    AdminClient({"bootstrap.servers": local_stack.config.bootstrap_servers}).delete_topics([name])


def test_a_wrong_password_is_a_clear_refusal_that_names_no_secret(local_stack):
    cluster = sasl_ssl_cluster(local_stack, password="not-the-Password-42")

    with pytest.raises(KafkaAccessRefused) as refused:
        existing_topics(cluster=cluster, names=["sales.crm"])

    message = str(refused.value)
    assert "refused the control plane's SCRAM-SHA-512 login as 'controlplane'" in message
    assert "not-the-Password-42" not in message and local_stack.sasl_password() not in message


def test_a_certificate_the_ca_bundle_cannot_verify_is_refused_not_downgraded(local_stack):
    cluster = sasl_ssl_cluster(local_stack, ca="/etc/ssl/certs/ca-certificates.crt")  # the system's CAs: wrong

    with pytest.raises(KafkaAccessRefused, match="cannot verify; set the cluster's CA bundle"):
        create_topics(cluster=cluster, names=[f"secured.{uuid.uuid4().hex[:8]}"])


def test_a_missing_ca_file_is_refused_before_any_connection(local_stack, tmp_path):
    cluster = sasl_ssl_cluster(local_stack, ca=str(tmp_path / "gone.pem"))

    with pytest.raises(KafkaClientMisconfigured, match="gone.pem is missing or unreadable"):
        existing_topics(cluster=cluster, names=["sales.crm"])


def test_a_sink_request_on_a_cluster_that_refuses_the_login_is_warned_with_the_reason(
    local_stack, tenant, unique_name
):
    from connectors.spec import ConnectorSpec

    cluster = sasl_ssl_cluster(local_stack, password="wrong-one")
    cluster.allowed_tenants.add(tenant)
    spec = ConnectorSpec(
        tenant=tenant, type_key="file-sink", cluster_name=cluster.name, stage="dev", connector_id=unique_name("s"),
        config={"file": str(tenant.file_sandbox / "out.txt")}, credentials={}, topics=["sales.crm"],
        create_topics=False, transforms=[], error_handling={}, tasks_max=1,
    )  # fmt: skip

    outcome = validate_connector_spec(spec=spec, check_cluster=False)

    assert any("refused the control plane's SCRAM-SHA-512 login" in warning for warning in outcome.warnings)
    assert "wrong-one" not in str(outcome.warnings)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"security_protocol": "SASL_SSL", "sasl_mechanism": "", "sasl_username": "cp"}, "sasl_mechanism"),
        ({"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "PLAIN", "sasl_username": ""}, "sasl_username"),
        ({"security_protocol": "PLAINTEXT", "sasl_mechanism": "PLAIN"}, "sasl_mechanism"),
        ({"security_protocol": "PLAINTEXT", "ssl_ca_location": "/etc/ca.pem"}, "ssl_ca_location"),
        ({"security_protocol": "PLAINTEXT", "connector_principals": "tenant"}, "connector_principals"),
    ],
)
def test_a_cluster_whose_security_settings_contradict_each_other_is_refused_on_the_field(fields, field):
    cluster = SharedClusterFactory.build(name="contradiction", **fields)

    with pytest.raises(ValidationError) as refused:
        cluster.clean()

    assert field in refused.value.message_dict


def test_mysql_cdc_is_refused_where_connectors_act_as_their_tenant_until_its_schema_history_can(
    local_stack, tenant, unique_name
):
    from connectors.spec import ConnectorSpec

    cluster = sasl_ssl_cluster(local_stack)
    cluster.connector_principals = Cluster.ConnectorPrincipals.TENANT
    cluster.save()
    cluster.allowed_tenants.add(tenant)
    spec = ConnectorSpec(
        tenant=tenant, type_key="mysql-cdc-source", cluster_name=cluster.name, stage="dev",
        connector_id=unique_name("m"), topics=["sales.shop"],
        config={"database.hostname": "db", "database.port": 3306, "database.user": "cdc",
                "database.server.id": 184054, "table.include.list": "shop.orders"},
        credentials={"database.password": "pw"},
    )  # fmt: skip

    outcome = validate_connector_spec(spec=spec, check_cluster=False)

    assert "schema history clients would not log in as the tenant" in " ".join(outcome.errors["type"])
