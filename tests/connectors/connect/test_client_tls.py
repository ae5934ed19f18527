"""The Connect REST client against a real Kafka Connect worker that listens on HTTPS only.

The module starts its own stack (Tansu broker + Connect worker, on free ports in a temporary directory,
with a self-signed certificate made by keytool) and takes it down afterwards; the shared stack is not
used. Redis is the machine's, so no embedded Redis starts.
"""

from __future__ import annotations

import secrets
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from urllib3.exceptions import InsecureRequestWarning

from connectors.connect import (
    SELF_MANAGED,
    TRANSIENT_CONNECT_ERRORS,
    ConnectClient,
    ConnectEndpoint,
    ConnectError,
    ConnectorNotFound,
    ConnectTLSError,
    connect_client,
)
from devstack.stack import LocalStack, StackConfig
from devstack.tls import SelfSignedKeystore, generate_self_signed_keystore
from tests.system import free_ports, is_alive, processes_mentioning

pytestmark = pytest.mark.connect

MACHINE_REDIS_URL = "redis://127.0.0.1:6379/0"
UP_TIMEOUT = 120
FILE_SOURCE = "org.apache.kafka.connect.file.FileStreamSourceConnector"


# --- helpers ------------------------------------------------------------------------------------------
def port_is_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def wait_for_state(client: ConnectClient, name: str, expected: str, timeout: float = 30) -> dict:
    """Status is published asynchronously (and 404s just after a create), so poll."""
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        try:
            last = client.status(name)
        except ConnectorNotFound:
            last = None
        if last and last["connector"]["state"] == expected and [t["state"] for t in last["tasks"]] == [expected]:
            return last
        time.sleep(0.2)
    pytest.fail(f"{name} did not reach {expected} within {timeout}s; last status: {last}")


# --- the HTTPS stack ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def keystore(tmp_path_factory) -> SelfSignedKeystore:
    return generate_self_signed_keystore(tmp_path_factory.mktemp("tls"), password=secrets.token_urlsafe(16))


@pytest.fixture(scope="module")
def tls_stack(tmp_path_factory, keystore) -> Iterator[LocalStack]:
    broker_port, controller_port, connect_port = free_ports(3)
    config = StackConfig(
        run_dir=tmp_path_factory.mktemp("tls-stack"),
        broker_port=broker_port,
        controller_port=controller_port,
        connect_port=connect_port,
        redis_url=MACHINE_REDIS_URL,
        connect_group=f"tls-test-{uuid.uuid4().hex[:8]}",
        tls_keystore=keystore.keystore,
        tls_password=keystore.password,
        tls_ca_file=keystore.certificate,
    )
    stack = LocalStack(config)
    try:
        stack.up(timeout=UP_TIMEOUT)  # returns once the readiness probe answered over verified TLS
        pids = [stack.broker.pid(), stack.connect.pid()]
        assert all(pids) and stack.redis.pid() is None
        yield stack
    finally:
        stack.down()

    deadline = time.monotonic() + 5  # the kernel may need a moment to release a listening socket
    while time.monotonic() < deadline and (port_is_open(broker_port) or port_is_open(connect_port)):
        time.sleep(0.1)
    assert [pid for pid in pids if is_alive(pid)] == []
    assert processes_mentioning(str(config.run_dir), f":{broker_port}", f":{connect_port}") == []
    assert not port_is_open(broker_port) and not port_is_open(connect_port)


def endpoint(stack: LocalStack, **tls: object) -> ConnectEndpoint:
    return ConnectEndpoint(flavour=SELF_MANAGED, url=stack.config.connect_url, backoff=0.01, **tls)


# --- the stack's configuration -------------------------------------------------------------------------
def test_the_worker_listens_on_https_only_with_the_keystore(tls_stack, keystore):
    config = tls_stack.config
    assert config.connect_url == f"https://127.0.0.1:{config.connect_port}"
    assert keystore.password not in repr(config) and keystore.password not in repr(keystore)
    properties = dict(line.split("=", 1) for line in (config.run_dir / "worker.properties").read_text().splitlines())
    assert properties["listeners"] == config.connect_url
    assert properties["listeners.https.ssl.keystore.location"] == str(keystore.keystore)
    assert properties["listeners.https.ssl.keystore.type"] == "PKCS12"
    assert tls_stack.connect_is_ready()
    assert keystore.certificate.read_text().startswith("-----BEGIN CERTIFICATE-----")


def test_a_keystore_without_the_certificate_clients_trust_is_refused(tmp_path):
    with pytest.raises(ValueError, match="tls_keystore needs tls_ca_file"):
        StackConfig(
            run_dir=tmp_path,
            broker_port=1,
            controller_port=3,
            connect_port=2,
            redis_url="",
            tls_keystore=tmp_path / "k.p12",
        )


# --- (a) verified TLS ------------------------------------------------------------------------------------
def test_with_the_worker_certificate_as_ca_bundle_the_client_works(tls_stack, keystore, tmp_path):
    with connect_client(endpoint(tls_stack, ca_bundle=str(keystore.certificate))) as client:
        assert client.server_info()["version"] == "3.9.1"
        assert FILE_SOURCE in {plugin["class"] for plugin in client.plugins()}

        name = f"tls-source-{uuid.uuid4().hex[:10]}"
        source = tmp_path / "input.txt"
        source.write_text("one\ntwo\n")
        config = {"connector.class": FILE_SOURCE, "file": str(source), "topic": name, "tasks.max": "1"}
        try:
            assert client.put_config(name, config) is True
            wait_for_state(client, name, "RUNNING")
        finally:
            client.delete(name)
        with pytest.raises(ConnectorNotFound):
            client.get(name)
        assert name not in client.list_connectors()


# --- (b) an untrusted certificate is a permanent, named failure --------------------------------------------
@pytest.fixture(scope="module")
def other_certificate(tmp_path_factory) -> Path:
    """A self-signed certificate that did not sign the worker's."""
    return generate_self_signed_keystore(tmp_path_factory.mktemp("other-tls"), password="other-secret").certificate


@pytest.mark.parametrize("trust", ["system CAs", "another certificate"])
def test_an_untrusted_worker_certificate_raises_tls_error_without_retries(tls_stack, other_certificate, trust):
    ca_bundle = str(other_certificate) if trust == "another certificate" else ""
    client = connect_client(endpoint(tls_stack, verify_tls=True, ca_bundle=ca_bundle, max_retries=4))

    started = time.monotonic()
    with pytest.raises(ConnectTLSError) as failed:
        client.server_info()

    error = failed.value
    assert isinstance(error, ConnectError) and not isinstance(error, TRANSIENT_CONNECT_ERRORS)
    assert error.attempts == 1 and error.status is None
    assert time.monotonic() - started < 5  # no backoff was slept
    assert str(error).startswith("GET /: TLS certificate verification failed (self-signed certificate)")
    assert "ca_bundle" in str(error)


def test_a_ca_bundle_path_that_does_not_exist_raises_tls_error_without_retries(tls_stack, tmp_path):
    missing = tmp_path / "absent-ca.pem"
    client = connect_client(endpoint(tls_stack, ca_bundle=str(missing)))

    with pytest.raises(ConnectTLSError) as failed:
        client.list_connectors()

    assert failed.value.attempts == 1
    assert str(failed.value) == (
        f"GET /connectors: TLS settings unusable: Could not find a suitable TLS CA certificate bundle, "
        f"invalid path: {missing}"
    )


# --- (c) no verification: development only ----------------------------------------------------------------
def test_without_verification_the_client_works_and_warns_on_every_request(tls_stack):
    """verify_tls=False accepts any certificate, a man in the middle's too: for local development only."""
    client = connect_client(endpoint(tls_stack, verify_tls=False))

    with pytest.warns(InsecureRequestWarning):
        assert client.server_info()["version"] == "3.9.1"
    with pytest.warns(InsecureRequestWarning):
        assert FILE_SOURCE in {plugin["class"] for plugin in client.plugins()}


# --- the environment does not override the endpoint ----------------------------------------------------------
def test_the_endpoint_tls_settings_win_over_a_ca_bundle_set_in_the_environment(
    tls_stack, keystore, other_certificate, monkeypatch
):
    """requests lets these variables replace Session.verify (psf/requests#3829): the client passes it per request."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(other_certificate))
    monkeypatch.setenv("CURL_CA_BUNDLE", str(other_certificate))

    assert connect_client(endpoint(tls_stack, ca_bundle=str(keystore.certificate))).server_info()["version"] == "3.9.1"
    with pytest.warns(InsecureRequestWarning):
        assert connect_client(endpoint(tls_stack, verify_tls=False)).server_info()["version"] == "3.9.1"
    # With neither, the environment's bundle is the trust store, and it does not hold the worker's certificate.
    with pytest.raises(ConnectTLSError):
        connect_client(endpoint(tls_stack)).server_info()
