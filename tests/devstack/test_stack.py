"""The local stack's lifecycle: `up`, `status`, `down`, on its own free ports and run directory.

Every test builds its own LocalStack (own run_dir, ports and Connect group), so the shared stack on
the default ports is never touched. Each `up` starts a real Apache Kafka broker (KRaft) and Kafka
Connect worker from the Maven-built jars.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from devstack.build import STAMP, poms_hash
from devstack.processes import ManagedProcess
from devstack.stack import LocalStack, StackConfig, StackError
from tests.conftest import records_in, wait_for
from tests.system import free_ports, is_alive, processes_mentioning

pytestmark = pytest.mark.connect

MACHINE_REDIS_URL = "redis://127.0.0.1:6379/0"
UP_TIMEOUT = 120
KAFKA_VERSION = "3.9.1"
FILE_SOURCE = "org.apache.kafka.connect.file.FileStreamSourceConnector"


# --- helpers ------------------------------------------------------------------------------------------
def process_group(pgid: int) -> list[int]:
    """Live members of a process group, from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                members.append(int(entry.name))
    return members


def port_is_bound(port: int) -> bool:
    """Someone listens on the port, or it cannot be bound (as a server would bind it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            return True
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            server.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def get_json(url: str) -> tuple[int, object]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback)
        return response.status, json.loads(response.read())


def redis_ping(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall(b"PING\r\n")
        return sock.recv(64)


def stack_pids(stack: LocalStack) -> dict[str, int | None]:
    return {"broker": stack.broker.pid(), "connect": stack.connect.pid(), "redis": stack.redis.pid()}


def needles(config: StackConfig, *ports: int) -> list[str]:
    """What a leftover process of this stack has in its command line: the run dir or one of its ports."""
    return [str(config.run_dir), *(f":{port}" for port in ports), *(f"--port {port} " for port in ports)]


def assert_stack_is_gone(config: StackConfig, pids: list[int], *ports: int) -> None:
    deadline = time.monotonic() + 5  # the kernel may need a moment to release a listening socket
    while time.monotonic() < deadline and any(port_is_bound(port) for port in ports):
        time.sleep(0.1)
    assert [pid for pid in pids if is_alive(pid)] == []
    assert processes_mentioning(*needles(config, *ports)) == []
    assert [port for port in ports if port_is_bound(port)] == []


@pytest.fixture
def make_stack(tmp_path):
    """Builds stacks on free ports in tmp_path; whatever a test leaves running is stopped afterwards."""
    stacks: list[LocalStack] = []

    def make(
        *,
        redis_url: str = MACHINE_REDIS_URL,
        broker_port: int | None = None,
        connect_port: int | None = None,
        dist_dir: Path | None = None,
    ):
        ports = free_ports(3)
        config = StackConfig(
            run_dir=tmp_path / "stack",
            broker_port=broker_port or ports[0],
            controller_port=ports[1],
            connect_port=connect_port or ports[2],
            redis_url=redis_url,
            dist_dir=dist_dir,
            connect_group=f"devstack-test-{uuid.uuid4().hex[:8]}",
        )
        stacks.append(LocalStack(config))
        return stacks[-1]

    yield make
    for stack in stacks:
        stack.down()


@pytest.fixture
def foreign_listener():
    """A listening socket that is not the stack's: its port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


# --- lifecycle ------------------------------------------------------------------------------------------
def test_up_status_down_and_up_again(make_stack):
    stack = make_stack()
    config = stack.config

    # up: Connect's REST API answers, with its plugins.
    stack.up(timeout=UP_TIMEOUT)
    status, root = get_json(config.connect_url + "/")
    assert status == 200 and root["version"] == KAFKA_VERSION
    status, plugins = get_json(config.connect_url + "/connector-plugins")
    assert status == 200
    assert {
        FILE_SOURCE,
        "io.debezium.connector.postgresql.PostgresConnector",
        "io.debezium.connector.mysql.MySqlConnector",
        "io.debezium.connector.mariadb.MariaDbConnector",
        "io.debezium.connector.jdbc.JdbcSinkConnector",
        "com.snowflake.kafka.connector.SnowflakeSinkConnector",
    } <= {plugin["class"] for plugin in plugins}
    first = stack_pids(stack)
    assert first["broker"] and first["connect"] and is_alive(first["broker"]) and is_alive(first["connect"])
    assert first["redis"] is None  # the machine's Redis answers: nothing embedded is started
    processes_after_first_up = processes_mentioning(*needles(config, config.broker_port, config.connect_port))

    # A second up starts nothing new.
    stack.up(timeout=UP_TIMEOUT)
    assert stack_pids(stack) == first
    assert processes_mentioning(*needles(config, config.broker_port, config.connect_port)) == processes_after_first_up

    # status reports what runs.
    assert stack.status() == {
        "redis": "external at 127.0.0.1:6379",
        "broker": f"running (pid {first['broker']}, port {config.broker_port})",
        "connect": f"running (pid {first['connect']}, port {config.connect_port})",
    }

    # down stops everything: no process left, no port bound.
    assert stack.down() == {"redis": "external at 127.0.0.1:6379", "broker": "stopped", "connect": "stopped"}
    assert_stack_is_gone(config, [first["broker"], first["connect"]], config.broker_port, config.connect_port)
    assert not stack.broker.pid_file.exists() and not stack.connect.pid_file.exists()

    # up again works, with new processes, and down cleans up again.
    stack.up(timeout=UP_TIMEOUT)
    second = stack_pids(stack)
    assert second["broker"] not in (None, first["broker"]) and second["connect"] not in (None, first["connect"])
    assert get_json(config.connect_url + "/")[1]["version"] == KAFKA_VERSION

    stack.down()
    assert_stack_is_gone(config, [second["broker"], second["connect"]], config.broker_port, config.connect_port)


def send_json(method: str, url: str, body: object) -> tuple[int, object]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
        return response.status, json.loads(response.read() or b"null")


def connector_running(config: StackConfig, name: str) -> bool:
    try:
        status, body = get_json(f"{config.connect_url}/connectors/{name}/status")
    except OSError:
        return False
    return body["connector"]["state"] == "RUNNING" and [task["state"] for task in body["tasks"]] == ["RUNNING"]


def stored_position(config: StackConfig, name: str) -> int | None:
    try:
        _, body = get_json(f"{config.connect_url}/connectors/{name}/offsets")
    except OSError:
        return None
    offsets = body.get("offsets") or []
    return offsets[0]["offset"]["position"] if offsets else None


def test_topics_connectors_and_source_offsets_survive_a_restart_of_the_whole_stack(make_stack, tmp_path):
    stack = make_stack()
    config = stack.config
    stack.up(timeout=UP_TIMEOUT)
    cluster_id = get_json(config.connect_url + "/")[1]["kafka_cluster_id"]
    lines = tmp_path / "lines.txt"
    lines.write_text("one\ntwo\nthree\n")
    connector = {"connector.class": FILE_SOURCE, "file": str(lines), "topic": "persist.lines", "tasks.max": "1"}
    assert send_json("PUT", f"{config.connect_url}/connectors/persist/config", connector)[0] == 201
    wait_for(lambda: records_in(config.bootstrap_servers, "persist.lines") == 3, message="the first 3 records")
    wait_for(lambda: stored_position(config, "persist") == lines.stat().st_size, message="the committed offset")

    stack.down()
    with lines.open("a") as file:
        file.write("four\nfive\n")
    stack.up(timeout=UP_TIMEOUT)

    # Same cluster (the KRaft log directory was kept), the connector is back by itself, and the source goes on
    # from its stored offset: 5 records in all, not 3 + 5.
    assert get_json(config.connect_url + "/")[1]["kafka_cluster_id"] == cluster_id
    wait_for(lambda: connector_running(config, "persist"), message="the connector RUNNING after the restart")
    wait_for(lambda: records_in(config.bootstrap_servers, "persist.lines") >= 5, message="the 2 new records")
    time.sleep(3)  # a source re-reading from the start would have produced its duplicates by now
    assert records_in(config.bootstrap_servers, "persist.lines") == 5


def test_down_on_a_stack_that_never_ran_is_harmless(make_stack):
    stack = make_stack()

    assert stack.down() == {"redis": "external at 127.0.0.1:6379", "broker": "stopped", "connect": "stopped"}


# --- embedded Redis ---------------------------------------------------------------------------------------
def test_up_starts_a_redis_of_its_own_where_nothing_answers_at_redis_url_and_down_stops_it(make_stack):
    (redis_port,) = free_ports(1)
    stack = make_stack(redis_url=f"redis://127.0.0.1:{redis_port}/0")
    config = stack.config

    stack.up(timeout=UP_TIMEOUT)

    redis_pid = stack.redis.pid()
    assert redis_pid and is_alive(redis_pid)
    assert redis_ping(redis_port).startswith(b"+PONG")
    assert stack.status()["redis"] == f"running embedded (pid {redis_pid}, port {redis_port})"
    pids = [redis_pid, stack.broker.pid(), stack.connect.pid()]

    assert stack.down()["redis"] == "stopped"
    assert_stack_is_gone(config, pids, redis_port, config.broker_port, config.connect_port)


# --- refusing taken ports ------------------------------------------------------------------------------
def test_a_broker_port_taken_by_a_foreign_listener_is_refused_naming_the_setting(make_stack, foreign_listener):
    stack = make_stack(broker_port=foreign_listener)

    with pytest.raises(StackError, match=rf"Port {foreign_listener} for the broker is taken .*DEVSTACK_BROKER_PORT"):
        stack.up(timeout=UP_TIMEOUT)

    assert stack_pids(stack) == {"broker": None, "connect": None, "redis": None}
    assert processes_mentioning(str(stack.config.run_dir)) == []


def test_a_connect_port_taken_by_a_foreign_listener_is_refused_before_anything_starts(make_stack, foreign_listener):
    stack = make_stack(connect_port=foreign_listener)

    with pytest.raises(StackError, match=rf"Port {foreign_listener} for the Kafka Connect .*DEVSTACK_CONNECT_PORT"):
        stack.up(timeout=UP_TIMEOUT)

    # A failed up leaves nothing running behind it (not even the broker it could have started first).
    assert stack_pids(stack) == {"broker": None, "connect": None, "redis": None}
    assert processes_mentioning(str(stack.config.run_dir), f":{stack.config.broker_port}") == []
    assert not port_is_bound(stack.config.broker_port)


def test_status_tells_a_foreign_listener_from_the_stacks_own_process(make_stack, foreign_listener):
    stack = make_stack(broker_port=foreign_listener)

    assert stack.status()["broker"] == f"listening on port {foreign_listener} (not ours)"


# --- a broker that cannot start ---------------------------------------------------------------------
def test_up_reports_a_broker_that_exits_at_once_without_waiting_the_whole_timeout(make_stack, tmp_path):
    broken = tmp_path / "broken-dist"
    (broken / "libs").mkdir(parents=True)
    (broken / "plugins").mkdir()
    (broken / STAMP).write_text(poms_hash())  # looks built, but holds no jars: java finds no kafka.Kafka
    stack = make_stack(dist_dir=broken)
    started = time.monotonic()

    with pytest.raises(StackError, match=r"(?s)(Formatting the broker's log directory failed|has exited).*kafka"):
        stack.up(timeout=UP_TIMEOUT)

    assert time.monotonic() - started < 30
    assert stack_pids(stack) == {"broker": None, "connect": None, "redis": None}


def test_up_refuses_to_adopt_an_older_stacks_process_recorded_in_its_pid_file_and_down_stops_it(make_stack):
    """The stack before this one (Tansu) kept its broker's pid in the same file: `up` must not take it for Kafka."""
    stack = make_stack()
    stack.broker.start(["sleep", "60"], cwd=stack.config.run_dir)  # a process that is not kafka.Kafka
    old = stack.broker.pid()

    with pytest.raises(StackError, match=r"not this stack's \(kafka\.Kafka\).*devstack down"):
        stack.up(timeout=UP_TIMEOUT)

    assert stack.connect.pid() is None
    stack.down()
    assert not is_alive(old)


# --- pid files ------------------------------------------------------------------------------------------
def test_a_pid_file_naming_a_reused_pid_is_not_taken_for_the_stacks_process(tmp_path):
    """After a reboot the pid in a stale pid file can belong to anyone: `down` must not kill it."""
    stranger = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        time.sleep(0.1)  # the stack's process below starts at a later clock tick than the stranger
        managed = ManagedProcess("broker", tmp_path)
        managed.start(["sleep", "60"], cwd=tmp_path)
        written = managed.pid_file.read_text()
        managed.stop()
        # The pid file exactly as `start` wrote it, as if the stranger had been given that pid since.
        own_pid = written.split()[0]
        managed.pid_file.write_text(written.replace(own_pid, str(stranger.pid), 1))

        assert managed.pid() is None
        assert managed.stop() is False
        assert stranger.poll() is None, "a process that is not the stack's was killed"
        assert not managed.pid_file.exists()
    finally:
        os.killpg(stranger.pid, signal.SIGKILL)
        stranger.wait()


def test_a_pid_file_of_an_older_version_still_names_the_running_process(tmp_path):
    """Pid files written before start times were recorded hold the pid alone (a running stack keeps them)."""
    managed = ManagedProcess("broker", tmp_path)
    managed.start(["sleep", "60"], cwd=tmp_path)
    pid = managed.pid()
    managed.pid_file.write_text(str(pid))

    assert managed.pid() == pid
    assert managed.stop() is True
    assert not is_alive(pid)


def test_a_started_process_is_recognised_and_stopped_with_its_group(tmp_path):
    managed = ManagedProcess("sleeper", tmp_path)

    assert managed.start(["sh", "-c", "sleep 60 & exec sleep 61"], cwd=tmp_path) is True
    pid = managed.pid()
    assert pid and is_alive(pid)
    assert managed.start(["sleep", "60"]) is False  # already running: nothing new
    assert managed.pid() == pid
    deadline = time.monotonic() + 5
    while len(group := process_group(pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(group) == 2  # the shell's background child and the shell itself (now `sleep 61`)

    assert managed.stop() is True
    assert [member for member in group if is_alive(member)] == []
    assert managed.pid() is None and not managed.pid_file.exists()
