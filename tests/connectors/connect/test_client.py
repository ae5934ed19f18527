"""Tests of the Kafka Connect REST client (connectors.connect).

Two kinds of tests:

* ``@pytest.mark.connect`` tests drive the real local Apache Kafka Connect 3.9 worker (``local_stack``):
  lifecycle, bulk status, validation, missing plugins, 404s. Connect's behaviour is asserted, not assumed.
* ``test_protocol_*`` tests run the client against a real loopback HTTP server (``http.server`` in a
  thread) for what the local worker cannot produce on demand: a 409 rebalance that clears, and the
  whole Confluent Cloud flavour (path prefix, Basic auth with the Cloud API key, its three error-body
  shapes, 429 with Retry-After). Confluent Cloud itself cannot be reached from this machine, so the
  cloud flavour is tested at protocol level only; the bodies follow Confluent's connect/v1 OpenAPI spec.
"""

from __future__ import annotations

import base64
import logging
import socket
import time
from collections.abc import Callable, Iterator

import pytest

from connectors.connect import (
    CONFLUENT_CLOUD,
    SELF_MANAGED,
    TRANSIENT_CONNECT_ERRORS,
    ConnectAuthError,
    ConnectClient,
    ConnectConflict,
    ConnectEndpoint,
    ConnectError,
    ConnectorNotFound,
    ConnectServerError,
    ConnectUnreachable,
    InvalidConnectorConfig,
    OffsetsRequestFailed,
    OperationNotSupported,
    PluginNotInstalled,
    connect_client,
)
from tests.loopback import Answer, LoopbackServer, Seen

SECRET = "s3cr3t-Zq7x-do-not-leak"
MISSING_CLASS = "io.confluent.connect.jdbc.JdbcSourceConnector"
CLOUD_PREFIX = "/connect/v1/environments/env-1/clusters/lkc-1"
RETRY_LOGGER = "connectors.connect.client"


# -- helpers -----------------------------------------------------------------------------------


@pytest.fixture
def client(local_stack) -> Iterator[ConnectClient]:
    endpoint = ConnectEndpoint(flavour=SELF_MANAGED, url=local_stack.config.connect_url, backoff=0.2)
    with connect_client(endpoint) as connect:
        yield connect


@pytest.fixture
def connector_name(client, unique_name) -> Iterator[str]:
    """A unique connector name, deleted after the test whatever happened."""
    name = unique_name("client-test")
    yield name
    try:
        client.delete(name)
    except ConnectorNotFound:
        pass


def states(status: dict) -> tuple[str, list[str]]:
    return status["connector"]["state"], [task["state"] for task in status["tasks"]]


def wait_for_states(client: ConnectClient, name: str, expected: tuple[str, list[str]], timeout: float = 30) -> dict:
    """Status is published asynchronously (and 404s just after a create), so poll."""
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        try:
            last = client.status(name)
        except ConnectorNotFound:
            last = None
        if last is not None and states(last) == expected:
            return last
        time.sleep(0.2)
    pytest.fail(f"{name} did not reach {expected} within {timeout}s; last status: {last}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def scripted(*answers: Answer) -> Callable[[Seen], Answer]:
    """Answer with each of ``answers`` in turn, then keep repeating the last one."""
    queue = list(answers)
    return lambda _request: queue.pop(0) if len(queue) > 1 else queue[0]


def cloud_endpoint(url: str, **overrides) -> ConnectEndpoint:
    values = dict(
        flavour=CONFLUENT_CLOUD,
        url=url,
        username="CLOUDKEY1",
        password=SECRET,
        environment_id="env-1",
        cluster_id="lkc-1",
        max_retries=2,
        backoff=0.01,
    )
    return ConnectEndpoint(**{**values, **overrides})


def retry_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == RETRY_LOGGER and r.levelno == logging.WARNING]


# -- the real worker ---------------------------------------------------------------------------


@pytest.mark.connect
def test_server_info_and_plugins_of_the_real_worker(client):
    assert client.server_info()["version"] == "3.9.1"
    classes = {plugin["class"] for plugin in client.plugins()}
    assert {
        "org.apache.kafka.connect.file.FileStreamSourceConnector",
        "io.debezium.connector.postgresql.PostgresConnector",
    } <= classes
    assert {"source", "sink"} == {plugin["type"] for plugin in client.plugins()}
    assert "transformation" in {plugin["type"] for plugin in client.plugins(connectors_only=False)}


@pytest.mark.connect
def test_file_source_lifecycle_on_the_real_worker(client, connector_name, tmp_path, unique_name):
    source = tmp_path / "input.txt"
    source.write_text("one\ntwo\nthree\n")
    config = {
        "connector.class": "FileStreamSource",
        "file": str(source),
        "topic": unique_name("topic"),
        "tasks.max": "1",
    }

    assert client.put_config(connector_name, config) is True
    assert client.put_config(connector_name, config) is False  # idempotent: the second PUT updates
    wait_for_states(client, connector_name, ("RUNNING", ["RUNNING"]))

    assert connector_name in client.list_connectors()
    assert client.get(connector_name)["type"] == "source"
    assert client.get_config(connector_name) == {**config, "name": connector_name}
    bulk = client.statuses()[connector_name]
    assert bulk["status"]["connector"]["state"] == "RUNNING"
    assert bulk["info"]["config"]["file"] == str(source)

    client.pause(connector_name)
    wait_for_states(client, connector_name, ("PAUSED", ["PAUSED"]))
    client.resume(connector_name)
    wait_for_states(client, connector_name, ("RUNNING", ["RUNNING"]))

    client.stop(connector_name)
    wait_for_states(client, connector_name, ("STOPPED", []))
    # The stopped task committed how far it read the file (KIP-875 offsets API).
    offsets = client.offsets(connector_name)
    assert offsets == [{"partition": {"filename": str(source)}, "offset": {"position": len("one\ntwo\nthree\n")}}]
    # Only a stopped connector's offsets may change: set one back, then forget them all.
    partition = {"filename": str(source)}
    assert "altered" in client.alter_offsets(connector_name, [{"partition": partition, "offset": {"position": 4}}])
    assert client.offsets(connector_name) == [{"partition": partition, "offset": {"position": 4}}]
    assert "reset" in client.reset_offsets(connector_name)
    # A source's reset writes a tombstone per partition: no offset remains (listed as null, or not at all).
    assert all(entry["offset"] is None for entry in client.offsets(connector_name))

    client.resume(connector_name)  # resume also leaves STOPPED
    wait_for_states(client, connector_name, ("RUNNING", ["RUNNING"]))
    with pytest.raises(InvalidConnectorConfig):  # a running connector's offsets are Connect's to keep
        client.reset_offsets(connector_name)

    restarting = client.restart(connector_name, include_tasks=True)
    assert restarting["connector"]["state"] == "RESTARTING"
    wait_for_states(client, connector_name, ("RUNNING", ["RUNNING"]))
    client.restart_task(connector_name, 0)
    wait_for_states(client, connector_name, ("RUNNING", ["RUNNING"]))

    client.delete(connector_name)
    with pytest.raises(ConnectorNotFound) as not_found:
        client.get(connector_name)
    assert not_found.value.status == 404
    assert connector_name not in client.list_connectors()


@pytest.mark.connect
def test_invalid_config_is_reported_per_field(client, connector_name, tmp_path):
    sink = {
        "connector.class": "FileStreamSink",
        "file": str(tmp_path / "out.txt"),
        "tasks.max": "1",
        "name": connector_name,
    }
    result = client.validate("FileStreamSink", sink)
    assert not result.is_valid and result.error_count > 0
    assert result.errors["topics"] == ["Must configure one of topics or topics.regex"]
    assert "file" not in result.errors and "name" not in result.errors
    assert result.definitions["file"]["name"] == "file"

    source = {"connector.class": "FileStreamSource", "file": str(tmp_path / "in.txt"), "topic": "t", "tasks.max": "abc"}
    assert set(client.validate("FileStreamSource", source).errors) == {"tasks.max", "name"}

    with pytest.raises(InvalidConnectorConfig) as invalid:
        client.put_config(connector_name, source)
    assert invalid.value.status == 400 and invalid.value.attempts == 1  # never retried
    assert list(invalid.value.errors) == ["tasks.max"]
    assert invalid.value.errors["tasks.max"][0].endswith("for configuration tasks.max: Not a number of type INT")

    # Connect's 400 text for a sink without topics names no field: it stays under "__all__".
    with pytest.raises(InvalidConnectorConfig) as invalid_sink:
        client.put_config(connector_name, sink)
    assert invalid_sink.value.errors == {"__all__": ["Must configure one of topics or topics.regex"]}

    with pytest.raises(ConnectorNotFound):
        client.get(connector_name)  # nothing was created


@pytest.mark.connect
def test_missing_plugin_raises_plugin_not_installed(client, connector_name):
    config = {"connector.class": MISSING_CLASS, "tasks.max": "1"}
    for call in (lambda: client.validate(MISSING_CLASS, config), lambda: client.put_config(connector_name, config)):
        with pytest.raises(PluginNotInstalled) as missing:
            call()
        assert missing.value.connector_class == MISSING_CLASS
        assert missing.value.attempts == 1  # a 500, but not a transient one
        assert not isinstance(missing.value, TRANSIENT_CONNECT_ERRORS)
        assert "PluginDesc" not in str(missing.value) and "available connectors" not in str(missing.value)


@pytest.mark.connect
def test_unknown_connector_raises_not_found_without_retries(client, unique_name):
    name = unique_name("absent")
    for call in (client.get, client.status, client.delete, client.pause):
        with pytest.raises(ConnectorNotFound) as not_found:
            call(name)
        assert not_found.value.attempts == 1


def test_unreachable_worker_is_retried_then_raises(monkeypatch, caplog):
    client = connect_client(
        ConnectEndpoint(flavour=SELF_MANAGED, url=f"http://127.0.0.1:{free_port()}", max_retries=2, backoff=0.01)
    )
    sent: list[str] = []
    real_request = client.session.request

    def counting_request(method, url, **kwargs):
        sent.append(method)
        return real_request(method, url, **kwargs)

    monkeypatch.setattr(client.session, "request", counting_request)
    with caplog.at_level(logging.WARNING, logger=RETRY_LOGGER), pytest.raises(ConnectUnreachable) as unreachable:
        client.list_connectors()

    assert sent == ["GET", "GET", "GET"]
    assert unreachable.value.attempts == 3 and unreachable.value.status is None
    assert [r.connect_attempt for r in retry_records(caplog)] == [1, 2]
    assert all("GET /connectors" in r.getMessage() for r in retry_records(caplog))


# -- protocol tests on a loopback HTTP server --------------------------------------------------

REBALANCE = {
    "error_code": 409,
    "message": "Cannot complete request momentarily due to no known leader URL, "
    "likely because a rebalance was underway.",
}


def test_protocol_self_managed_409_rebalance_is_retried_until_it_clears(caplog):
    with LoopbackServer(scripted((409, REBALANCE, {}), (409, REBALANCE, {}), (201, {"name": "c"}, {}))) as server:
        client = connect_client(ConnectEndpoint(flavour=SELF_MANAGED, url=server.url, backoff=0.01))
        with caplog.at_level(logging.WARNING, logger=RETRY_LOGGER):
            assert client.put_config("c 1/x", {"connector.class": "FileStreamSource", "file": SECRET}) is True

    assert [(s.method, s.path) for s in server.seen] == [("PUT", "/connectors/c%201%2Fx/config")] * 3
    assert server.seen[0].body == {"connector.class": "FileStreamSource", "file": SECRET}
    assert [r.connect_attempt for r in retry_records(caplog)] == [1, 2]
    assert SECRET not in caplog.text


def test_protocol_self_managed_409_that_persists_raises_conflict():
    with LoopbackServer(scripted((409, REBALANCE, {}))) as server:
        client = connect_client(ConnectEndpoint(flavour=SELF_MANAGED, url=server.url, max_retries=3, backoff=0.01))
        with pytest.raises(ConnectConflict) as conflict:
            client.restart("c")
    assert len(server.seen) == 4 and conflict.value.attempts == 4 and conflict.value.status == 409
    assert server.seen[0].path == "/connectors/c/restart?includeTasks=true&onlyFailed=false"


def test_protocol_self_managed_sends_basic_auth_and_tls_settings(tmp_path):
    with LoopbackServer(scripted((200, ["a", "b"], {}))) as server:
        client = connect_client(ConnectEndpoint(flavour=SELF_MANAGED, url=server.url, username="ops", password=SECRET))
        assert client.list_connectors() == ["a", "b"]
    assert server.seen[0].headers["Authorization"] == "Basic " + base64.b64encode(f"ops:{SECRET}".encode()).decode()

    # TLS itself is not exercised here (plain-HTTP worker); check the session is set up as documented.
    mtls = connect_client(
        ConnectEndpoint(
            flavour=SELF_MANAGED,
            url="https://connect.example:8443",
            ca_bundle=str(tmp_path / "ca.pem"),
            client_cert="c.pem",
            client_key="k.pem",
        )
    )
    assert mtls.session.verify == str(tmp_path / "ca.pem") and mtls.session.cert == ("c.pem", "k.pem")
    insecure = connect_client(ConnectEndpoint(flavour=SELF_MANAGED, url="https://connect.example", verify_tls=False))
    assert insecure.session.verify is False and insecure.session.cert is None


def cloud_responder(request: Seen) -> Answer:
    """Confluent Cloud's contract: the env/cluster prefix and Basic auth with the Cloud API key."""
    expected_auth = "Basic " + base64.b64encode(f"CLOUDKEY1:{SECRET}".encode()).decode()
    if request.headers.get("Authorization") != expected_auth:
        return 401, {"error": {"code": 401, "message": "Unauthorized"}}, {}
    if not request.path.startswith(CLOUD_PREFIX + "/"):
        return 404, {"error": {"code": 404, "message": "Not Found"}}, {}
    path = request.path.removeprefix(CLOUD_PREFIX)
    answers: dict[tuple[str, str], Answer] = {
        ("GET", "/connectors"): (200, ["gcs"], {}),
        ("GET", "/connectors?expand=id%2Cinfo%2Cstatus"): (
            200,
            {
                "gcs": {
                    "id": {"id": "lcc-1", "id_type": "ID"},
                    "info": {"name": "gcs", "config": {}, "type": "sink"},
                    "status": {"name": "gcs", "connector": {"state": "RUNNING"}, "tasks": []},
                }
            },
            {},
        ),
        ("PUT", "/connectors/gcs/config"): (200, {"name": "gcs", "config": {}, "tasks": [], "type": "sink"}, {}),
        ("GET", "/connectors/gcs/status"): (200, {"name": "gcs", "connector": {"state": "PROVISIONING"}}, {}),
        ("PUT", "/connectors/gcs/pause"): (202, None, {}),
        ("PUT", "/connectors/gcs/resume"): (202, None, {}),
        ("POST", "/connectors/gcs/restart"): (202, None, {}),
        ("GET", "/connectors/gcs/offsets"): (200, {"name": "gcs", "offsets": []}, {}),
        ("PUT", "/connector-plugins/GcsSink/config/validate"): (
            200,
            {
                "name": "GcsSink",
                "error_count": 1,
                "configs": [
                    {
                        "definition": {"name": "gcs.bucket.name"},
                        "value": {"name": "gcs.bucket.name", "errors": ["required"]},
                    },
                    {"definition": {"name": "topics"}, "value": {"name": "topics", "errors": []}},
                ],
            },
            {},
        ),
        ("DELETE", "/connectors/gcs"): (200, {"error": None}, {}),
    }
    return answers.get((request.method, path), (404, {"error": {"code": 404, "message": "Not Found"}}, {}))


def test_protocol_cloud_flavour_uses_the_environment_cluster_prefix_and_api_key():
    with LoopbackServer(cloud_responder) as server:
        client = connect_client(cloud_endpoint(server.url))
        assert client.server_info()["connectors"] == 1
        assert client.list_connectors() == ["gcs"]
        assert client.statuses()["gcs"]["id"]["id"] == "lcc-1"
        assert client.put_config("gcs", {"connector.class": "GcsSink", "kafka.api.secret": SECRET}) is False
        assert client.status("gcs")["connector"]["state"] == "PROVISIONING"
        client.pause("gcs")
        client.resume("gcs")
        assert client.restart("gcs") == {}
        assert client.offsets("gcs") == []
        result = client.validate("GcsSink", {"topics": "a"})
        assert (result.error_count, result.errors) == (1, {"gcs.bucket.name": ["required"]})
        client.delete("gcs")
        seen_count = len(server.seen)

        wrong_key = connect_client(cloud_endpoint(server.url, password="not-the-secret"))
        with pytest.raises(ConnectAuthError) as denied:
            wrong_key.list_connectors()

    assert all(s.path.startswith(CLOUD_PREFIX + "/") for s in server.seen)
    assert seen_count == 11  # server_info is one GET
    assert server.seen[9].body == {"connector.class": "GcsSink", "topics": "a"}  # the class is put in the body
    assert denied.value.status == 401 and denied.value.attempts == 1


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (404, {"error": {"code": 404, "message": "connector gcs not found"}}, ConnectorNotFound),
        (400, {"code": 400, "message": "tasks.max: must be a positive integer"}, InvalidConnectorConfig),
        (
            500,
            {
                "error_code": 500,
                "message": "Failed to find any class that implements Connector and which name "
                "matches io.confluent.connect.Missing, available connectors are: x",
            },
            PluginNotInstalled,
        ),
        (503, {"error": {"code": 503, "message": "Oops, something went wrong"}}, ConnectServerError),
    ],
    ids=["nested-error-404", "code-message-400", "error_code-message-500", "nested-error-503"],
)
def test_protocol_cloud_error_body_shapes(status, body, expected):
    with LoopbackServer(scripted((status, body, {}))) as server:
        client = connect_client(cloud_endpoint(server.url))
        with pytest.raises(expected) as raised:
            client.put_config("gcs", {"connector.class": "GcsSink"})
    assert raised.value.status == status
    assert len(server.seen) == (3 if expected is ConnectServerError else 1)  # only 5xx is retried here
    if expected is ConnectorNotFound:
        assert "connector gcs not found" in str(raised.value)
    if expected is InvalidConnectorConfig:
        assert raised.value.errors == {"tasks.max": ["tasks.max: must be a positive integer"]}
    if expected is PluginNotInstalled:
        assert raised.value.connector_class == "io.confluent.connect.Missing"


def test_protocol_cloud_429_waits_for_retry_after():
    rate_limited = (429, {"error": {"code": 429, "message": "Too Many Requests"}}, {"Retry-After": "1"})
    with LoopbackServer(scripted(rate_limited, (200, ["gcs"], {}))) as server:
        client = connect_client(cloud_endpoint(server.url))  # backoff=0.01: only Retry-After explains a 1 s wait
        started = time.monotonic()
        assert client.list_connectors() == ["gcs"]
        assert time.monotonic() - started >= 1.0
    assert len(server.seen) == 2

    with LoopbackServer(scripted((429, None, {"Retry-After": "0"}))) as server:
        with pytest.raises(ConnectServerError) as exhausted:
            connect_client(cloud_endpoint(server.url)).list_connectors()
    assert exhausted.value.status == 429 and exhausted.value.attempts == 3


def test_protocol_cloud_offsets_go_through_the_asynchronous_offsets_request():
    """Cloud has no PATCH/DELETE .../offsets: a request is posted, then its status polled until APPLIED."""
    phases = iter(["PENDING", "PENDING_VALIDATION", "APPLIED", "PENDING", "FAILED"])

    def respond(request: Seen) -> Answer:
        path = request.path.removeprefix(CLOUD_PREFIX)
        if (request.method, path) == ("GET", "/connectors/gcs/offsets"):
            offsets = [{"partition": {"kafka_topic": "a", "kafka_partition": 0}, "offset": {"kafka_offset": 7}}]
            return 200, {"name": "gcs", "id": "lcc-1", "offsets": offsets, "metadata": {"observed_at": "now"}}, {}
        if (request.method, path) == ("POST", "/connectors/gcs/offsets/request"):
            return 202, {"name": "gcs", "id": "lcc-1", "type": request.body["type"]}, {}
        if (request.method, path) == ("GET", "/connectors/gcs/offsets/request/status"):
            phase = next(phases)
            message = "bad partition" if phase == "FAILED" else ""
            return 200, {"request": {}, "status": {"phase": phase, "message": message}}, {}
        return 404, {"error": {"code": 404, "message": "Not Found"}}, {}

    with LoopbackServer(respond) as server:
        client = connect_client(cloud_endpoint(server.url))
        client.offsets_poll_seconds = 0.01
        assert client.offsets("gcs")[0]["offset"] == {"kafka_offset": 7}
        new = [{"partition": {"kafka_topic": "a", "kafka_partition": 0}, "offset": {"kafka_offset": 0}}]
        assert "PATCH" in client.alter_offsets("gcs", new)
        with pytest.raises(OffsetsRequestFailed, match="bad partition"):
            client.reset_offsets("gcs")

    posts = [s for s in server.seen if s.method == "POST"]
    assert [p.body for p in posts] == [{"type": "PATCH", "offsets": new}, {"type": "DELETE"}]
    assert all(s.path.startswith(CLOUD_PREFIX + "/") for s in server.seen)
    assert [s.method for s in server.seen].count("GET") == 1 + 5  # the read, then five status polls


def test_protocol_cloud_refuses_operations_it_does_not_have():
    with LoopbackServer(cloud_responder) as server:
        client = connect_client(cloud_endpoint(server.url))
        for call in (
            lambda: client.stop("gcs"),
            lambda: client.restart_task("gcs", 0),
            lambda: client.restart("gcs", only_failed=True),
        ):
            with pytest.raises(OperationNotSupported):
                call()
    assert server.seen == []


def test_endpoint_rejects_incomplete_settings():
    with pytest.raises(ValueError):
        ConnectEndpoint(flavour=SELF_MANAGED)
    with pytest.raises(ValueError):
        ConnectEndpoint(flavour=CONFLUENT_CLOUD, environment_id="env-1")
    with pytest.raises(ValueError):
        ConnectEndpoint(flavour="kubernetes", url="http://x")
    assert ConnectEndpoint(flavour=CONFLUENT_CLOUD, environment_id="e", cluster_id="c").base_url == (
        "https://api.confluent.cloud"
    )


# -- secrets never leak ------------------------------------------------------------------------


@pytest.mark.connect
def test_secrets_stay_out_of_repr_error_messages_and_logs(local_stack, connector_name, caplog):
    endpoint = ConnectEndpoint(
        flavour=SELF_MANAGED,
        url=local_stack.config.connect_url,
        username=SECRET,
        password=SECRET,
        max_retries=1,
        backoff=0.01,
    )
    client = connect_client(endpoint)
    assert SECRET not in repr(endpoint) and SECRET not in repr(client)

    errors: list[ConnectError] = []

    def collect(call: Callable[[], object]) -> None:
        with pytest.raises(ConnectError) as raised:
            call()
        errors.append(raised.value)

    with caplog.at_level(logging.DEBUG):
        # The real worker echoes the value in its 400 text ("Invalid value s3cr3t... for configuration tasks.max").
        collect(
            lambda: client.put_config(
                connector_name,
                {"connector.class": "FileStreamSource", "tasks.max": SECRET, "file": SECRET, "topic": SECRET},
            )
        )
        assert any(SECRET in line for line in errors[0].errors["tasks.max"])  # detail is kept for the tenant
        collect(lambda: client.put_config(connector_name, {"connector.class": MISSING_CLASS, "password": SECRET}))
        collect(lambda: client.get(connector_name))

        echo = {"error_code": 500, "message": f"boom while using password={SECRET}"}
        with LoopbackServer(scripted((500, echo, {}), (409, {"message": f"conflict on {SECRET}"}, {}))) as server:
            loopback = connect_client(
                ConnectEndpoint(flavour=SELF_MANAGED, url=server.url, password="pw", max_retries=0)
            )
            collect(lambda: loopback.put_config("c", {"database.password": SECRET}))
            collect(lambda: loopback.put_config("c", {"database.password": SECRET}))
            cloud = connect_client(cloud_endpoint(server.url, max_retries=0))
            collect(lambda: cloud.put_config("c", {"kafka.api.secret": SECRET}))
        unreachable = connect_client(
            ConnectEndpoint(
                flavour=SELF_MANAGED,
                url=f"http://127.0.0.1:{free_port()}",
                password=SECRET,
                max_retries=1,
                backoff=0.01,
            )
        )
        collect(unreachable.server_info)

    assert [type(e) for e in errors] == [
        InvalidConnectorConfig,
        PluginNotInstalled,
        ConnectorNotFound,
        ConnectServerError,
        ConnectConflict,
        ConnectConflict,
        ConnectUnreachable,
    ]
    for error in errors:
        assert SECRET not in str(error) and SECRET not in repr(error), error
    assert SECRET not in caplog.text
