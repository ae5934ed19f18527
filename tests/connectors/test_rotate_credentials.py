"""`manage.py rotate_credentials`: every stored secret re-encrypted under the newest key, idempotently."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from connectors.models import Connector
from controlplane.crypto import DecryptionError, decrypt_secrets, encrypt_secrets, is_encrypted_with_newest_key
from tenants.models import Cluster
from tests.factories import ConnectorFactory, SharedClusterFactory

pytestmark = pytest.mark.django_db

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
UNKNOWN_KEY = Fernet.generate_key().decode()

CONNECTOR_SECRETS = [{"database.password": f"connector-pw-{n}"} for n in range(3)]
CLUSTER_SECRETS = [{"sasl_password": f"cluster-pw-{n}", "connect_password": f"connect-pw-{n}"} for n in range(2)]
PLAINTEXTS = [value for secrets in CONNECTOR_SECRETS + CLUSTER_SECRETS for value in secrets.values()]


def _run(*args) -> str:
    out = StringIO()
    call_command("rotate_credentials", *args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def stored_under_old_key(settings):
    """Three connectors and two clusters with secrets under OLD_KEY, one connector without any; then NEW_KEY added."""
    settings.CONNECTOR_ENCRYPTION_KEYS = [OLD_KEY]
    connectors = [ConnectorFactory(secrets_encrypted=encrypt_secrets(secrets)) for secrets in CONNECTOR_SECRETS]
    ConnectorFactory(secrets_encrypted="")
    clusters = [SharedClusterFactory(secrets_encrypted=encrypt_secrets(secrets)) for secrets in CLUSTER_SECRETS]
    settings.CONNECTOR_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    return connectors, clusters


def test_every_secret_is_re_encrypted_under_the_newest_key(settings, stored_under_old_key):
    connectors, clusters = stored_under_old_key

    output = _run()

    assert "connectors_connector: 3 of 3 rows re-encrypted" in output
    assert "tenants_cluster: 2 of 2 rows re-encrypted" in output
    assert output.rstrip().endswith("5 of 5 rows re-encrypted")
    settings.CONNECTOR_ENCRYPTION_KEYS = [NEW_KEY]
    for connector, secrets in zip(connectors, CONNECTOR_SECRETS, strict=True):
        assert decrypt_secrets(Connector.objects.get(pk=connector.pk).secrets_encrypted) == secrets
    for cluster, secrets in zip(clusters, CLUSTER_SECRETS, strict=True):
        assert decrypt_secrets(Cluster.objects.get(pk=cluster.pk).secrets_encrypted) == secrets


def test_a_second_run_changes_nothing(stored_under_old_key):
    _run()
    before = dict(Connector.objects.values_list("pk", "secrets_encrypted"))

    output = _run()

    assert output.rstrip().endswith("0 of 5 rows re-encrypted")
    assert dict(Connector.objects.values_list("pk", "secrets_encrypted")) == before


def test_rows_already_under_the_newest_key_count_as_unchanged(settings, stored_under_old_key):
    connectors, _ = stored_under_old_key
    already_new = encrypt_secrets({"database.password": "already-new"})
    Connector.objects.filter(pk=connectors[0].pk).update(secrets_encrypted=already_new)

    output = _run()

    assert output.rstrip().endswith("4 of 5 rows re-encrypted")
    assert Connector.objects.get(pk=connectors[0].pk).secrets_encrypted == already_new


def test_a_dry_run_reports_but_writes_nothing(stored_under_old_key):
    before = dict(Connector.objects.values_list("pk", "secrets_encrypted"))

    output = _run("--dry-run")

    assert output.rstrip().endswith("5 of 5 rows would be re-encrypted (dry run)")
    assert dict(Connector.objects.values_list("pk", "secrets_encrypted")) == before
    assert not any(is_encrypted_with_newest_key(token) for token in before.values() if token)


def test_a_row_no_key_decrypts_fails_the_command_by_table_and_id_after_rotating_the_others(
    settings, stored_under_old_key
):
    connectors, clusters = stored_under_old_key
    settings.CONNECTOR_ENCRYPTION_KEYS = [UNKNOWN_KEY]
    lost_token = encrypt_secrets({"database.password": "lost-secret-value"})
    settings.CONNECTOR_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    lost = ConnectorFactory(secrets_encrypted=lost_token)
    out = StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("rotate_credentials", stdout=out, stderr=out)

    message = str(raised.value)
    assert f"connectors_connector row id(s) {lost.pk}" in message
    assert "tenants_cluster" not in message
    assert "lost-secret-value" not in message + out.getvalue()
    assert lost_token not in message + out.getvalue()
    assert "connectors_connector: 3 of 4 rows re-encrypted" in out.getvalue()
    assert Connector.objects.get(pk=lost.pk).secrets_encrypted == lost_token
    settings.CONNECTOR_ENCRYPTION_KEYS = [NEW_KEY]
    assert decrypt_secrets(Connector.objects.get(pk=connectors[0].pk).secrets_encrypted) == CONNECTOR_SECRETS[0]
    assert decrypt_secrets(Cluster.objects.get(pk=clusters[0].pk).secrets_encrypted) == CLUSTER_SECRETS[0]


def test_the_old_key_alone_no_longer_opens_rotated_rows(settings, stored_under_old_key):
    connectors, _ = stored_under_old_key
    _run()

    settings.CONNECTOR_ENCRYPTION_KEYS = [OLD_KEY]

    with pytest.raises(DecryptionError):
        decrypt_secrets(Connector.objects.get(pk=connectors[0].pk).secrets_encrypted)


def test_no_plaintext_secret_appears_in_the_output(stored_under_old_key):
    output = _run("--dry-run") + _run() + _run()

    for plaintext in PLAINTEXTS:
        assert plaintext not in output


def test_more_rows_than_one_batch_are_all_rotated(settings, monkeypatch):
    from connectors.management.commands import rotate_credentials

    monkeypatch.setattr(rotate_credentials, "BATCH_SIZE", 2)
    settings.CONNECTOR_ENCRYPTION_KEYS = [OLD_KEY]
    for n in range(5):
        ConnectorFactory(secrets_encrypted=encrypt_secrets({"database.password": f"pw-{n}"}))
    settings.CONNECTOR_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]

    output = _run()

    assert "connectors_connector: 5 of 5 rows re-encrypted" in output
    tokens = Connector.objects.values_list("secrets_encrypted", flat=True)
    assert all(is_encrypted_with_newest_key(token) for token in tokens)


def test_alert_channels_and_change_requests_are_re_encrypted_too(settings, tenant):
    from governance.models import ChangeRequest
    from monitoring.models import AlertChannel
    from monitoring.services.channels import channel_save

    settings.CONNECTOR_ENCRYPTION_KEYS = [OLD_KEY]
    channel = channel_save(
        tenant=tenant, data={"name": "oncall", "kind": "webhook", "url": "https://hooks.example/T0/x"}
    )
    change = ChangeRequest.objects.create(
        tenant=tenant,
        kind="create",
        target_name="t",
        author="a",
        author_principal="a",
        secrets_encrypted=encrypt_secrets({"connection.password": "held-pw"}),
    )
    settings.CONNECTOR_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]

    output = _run()

    assert "monitoring_alertchannel: 1 of 1 rows re-encrypted" in output
    assert "governance_changerequest: 1 of 1 rows re-encrypted" in output
    settings.CONNECTOR_ENCRYPTION_KEYS = [NEW_KEY]  # the old key retired: both still open
    assert AlertChannel.objects.get(pk=channel.pk).secrets()["url"] == "https://hooks.example/T0/x"
    assert decrypt_secrets(ChangeRequest.objects.get(pk=change.pk).secrets_encrypted) == {
        "connection.password": "held-pw"
    }
