"""The local broker's SASL_SSL listener: SCRAM-SHA-512 logins over TLS with a certificate of the stack's own
CA (made with keytool), and ACLs enforced by StandardAuthorizer with the control plane's principal as super
user. All against the session's real broker."""

from __future__ import annotations

import uuid

import pytest
from confluent_kafka import KafkaError, KafkaException, Producer
from confluent_kafka.admin import (
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    AdminClient,
    NewTopic,
    ResourcePatternType,
    ResourceType,
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialDeletion,
    UserScramCredentialUpsertion,
)

pytestmark = pytest.mark.connect


def produce_one(config: dict[str, str], topic: str) -> list[KafkaError]:
    """Produce one record; return the errors the client saw (delivery and connection-level), [] if delivered."""
    errors: list[KafkaError] = []
    producer = Producer({**config, "error_cb": errors.append, "message.timeout.ms": 8000, "retries": 0})
    producer.produce(topic, b"value", on_delivery=lambda error, _: errors.append(error) if error else None)
    producer.flush(10)
    return errors


@pytest.fixture
def topic(local_stack):
    name = f"secured.{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": local_stack.config.bootstrap_servers})
    admin.create_topics([NewTopic(name, 1, 1)])[name].result(timeout=30)
    yield name
    admin.delete_topics([name])[name].result(timeout=30)


def test_the_control_planes_principal_logs_in_over_sasl_ssl_with_the_right_password(local_stack, topic):
    config = local_stack.sasl_ssl_client_config()
    assert config["bootstrap.servers"] == f"127.0.0.1:{local_stack.config.sasl_ssl_port}"

    assert topic in AdminClient(config).list_topics(timeout=15).topics
    assert produce_one(config, topic) == []


def test_a_wrong_password_is_refused_as_an_authentication_failure(local_stack, topic):
    errors = produce_one(local_stack.sasl_ssl_client_config(password="not-the-password"), topic)

    assert KafkaError._AUTHENTICATION in {error.code() for error in errors}
    with pytest.raises(KafkaException):
        AdminClient(local_stack.sasl_ssl_client_config(password="not-the-password")).list_topics(timeout=5)


def test_the_listener_is_not_trusted_without_the_stacks_ca(local_stack, topic):
    config = {key: value for key, value in local_stack.sasl_ssl_client_config().items() if key != "ssl.ca.location"}

    errors = produce_one(config, topic)

    assert errors and KafkaError._AUTHENTICATION not in {error.code() for error in errors[:1]}
    assert any("certificate verify failed" in error.str() for error in errors), [error.str() for error in errors]


def test_a_principal_without_an_acl_is_denied_until_the_control_plane_grants_one(local_stack, topic):
    admin = AdminClient(local_stack.sasl_ssl_client_config())  # as the super user, over SASL_SSL
    user, password = f"tenant-{uuid.uuid4().hex[:6]}", uuid.uuid4().hex
    credential = ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192)
    for future in admin.alter_user_scram_credentials(
        [UserScramCredentialUpsertion(user, credential, password.encode())]
    ).values():
        future.result(timeout=30)
    tenant = {**local_stack.sasl_ssl_client_config(), "sasl.username": user, "sasl.password": password}
    grant = [
        AclBinding(
            ResourceType.TOPIC,
            topic,
            ResourcePatternType.LITERAL,
            f"User:{user}",
            "*",
            operation,
            AclPermissionType.ALLOW,
        )
        for operation in (AclOperation.WRITE, AclOperation.DESCRIBE)
    ]
    try:
        denied = produce_one(tenant, topic)
        assert KafkaError.TOPIC_AUTHORIZATION_FAILED in {error.code() for error in denied}, denied

        for future in admin.create_acls(grant).values():
            future.result(timeout=30)

        assert produce_one(tenant, topic) == []
    finally:
        acl_filter = AclBindingFilter(
            ResourceType.TOPIC, topic, ResourcePatternType.LITERAL, f"User:{user}", None, AclOperation.ANY,
            AclPermissionType.ANY,
        )  # fmt: skip
        admin.delete_acls([acl_filter])[acl_filter].result(timeout=30)
        deletion = UserScramCredentialDeletion(user, ScramMechanism.SCRAM_SHA_512)
        for future in admin.alter_user_scram_credentials([deletion]).values():
            future.result(timeout=30)


def test_the_stacks_secrets_are_readable_by_their_owner_only_and_never_logged(local_stack):
    config = local_stack.config
    private = [
        config.security_dir / f"{config.sasl_username}.password",
        config.security_dir / "keystore.password",
        config.security_dir / "ca.p12",  # the CA's private key
        config.security_dir / "broker.p12",
        config.run_dir / "server.properties",  # it names the keystore password
    ]

    assert {path.name: oct(path.stat().st_mode & 0o077) for path in private} == {path.name: "0o0" for path in private}
    password = local_stack.sasl_password()
    for text in (local_stack.broker.log_file.read_text(), local_stack.connect.log_file.read_text()):
        assert password not in text
    assert password not in (config.run_dir / "server.properties").read_text()
