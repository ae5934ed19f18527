"""Faults, on this module's OWN stack (broker, Kafka Connect, Redis) with its own Celery worker and
beat: Connect down at create, Redis down at create, drift (enforce and report), a worker killed
mid-task, and a connector made behind the control plane's back.

The shared stack on the default ports is never touched: everything here runs on free ports and is
stopped at the end of the module. The reconciler runs every RECONCILE_INTERVAL seconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from connectors.connect import ConnectError, connect_client
from connectors.models import Connector, ConnectorEvent, UnmanagedConnector
from connectors.selectors import connector_desired_config
from connectors.services.reconcile import drifted_keys
from connectors.state_machine import State
from devstack.stack import LocalStack, StackConfig
from tenants.models import Cluster, Role
from tests.conftest import wait_for
from tests.factories import (
    DedicatedClusterFactory,
    LandingZoneFactory,
    SharedClusterFactory,
    file_source_request,
)
from tests.system import (
    celery_publishing_to,
    free_ports,
    process_group_start,
    process_groups_stop,
    subprocess_database_url,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.connect]

RECONCILE_INTERVAL = 3
# A claim is stale after CELERY_TASK_TIME_LIMIT + 30 s: 45 s for this module's workers.
TASK_TIME_LIMIT = 15
STALE_CLAIM_SECONDS = TASK_TIME_LIMIT + 30
CLUSTER = "faults"
FILE_SOURCE = "org.apache.kafka.connect.file.FileStreamSourceConnector"


# --- the module's own stack, broker for Celery, worker and beat --------------------------------------
@pytest.fixture(scope="module")
def fault_stack(tmp_path_factory):
    """Broker + Connect + a Redis of its own (nothing answers on its free port, so `up` starts one)."""
    broker_port, controller_port, connect_port, redis_port = free_ports(4)
    stack = LocalStack(
        StackConfig(
            run_dir=tmp_path_factory.mktemp("fault-stack"),
            broker_port=broker_port,
            controller_port=controller_port,
            connect_port=connect_port,
            redis_url=f"redis://127.0.0.1:{redis_port}/0",
            connect_group=f"faults-{uuid.uuid4().hex[:8]}",
        )
    )
    try:
        stack.up(timeout=180)
        assert stack.redis.is_running(), "the stack must run its own Redis"
        yield stack
    finally:
        stack.down()


@pytest.fixture(scope="module")
def fault_broker(fault_stack):
    with celery_publishing_to(fault_stack.config.redis_url):
        yield fault_stack.config.redis_url


class CeleryProcesses:
    """This module's worker and beat, on its Redis and the test database; started and killed by pid."""

    def __init__(self, *, env: dict[str, str], run_dir: Path) -> None:
        self.env, self.run_dir = env, run_dir
        self.worker: subprocess.Popen | None = None
        self.beat: subprocess.Popen | None = None
        self.worker_log: Path | None = None
        self._count = 0

    def _spawn(self, name: str, args: list[str]) -> tuple[subprocess.Popen, Path]:
        from django.conf import settings

        self._count += 1
        log_path = self.run_dir / f"{name}-{self._count}.log"
        command = [sys.executable, "-m", "celery", "-A", "controlplane", *args]
        return process_group_start(command, env=self.env, log_path=log_path, cwd=settings.BASE_DIR), log_path

    def start_worker(self) -> None:
        self.worker, self.worker_log = self._spawn(
            "worker",
            [
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                "2",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"faults-{self._count}-{os.getpid()}@%h",
            ],
        )
        deadline = time.monotonic() + 60
        while b"ready" not in self.worker_log.read_bytes():
            if self.worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Celery worker did not start:\n{self.worker_log.read_text()[-3000:]}")
            time.sleep(0.2)

    def start_beat(self) -> None:
        self.beat, _ = self._spawn(
            "beat", ["beat", "--loglevel", "INFO", "--schedule", str(self.run_dir / f"beat-schedule-{self._count}")]
        )

    def ensure(self) -> None:
        if self.worker is None or self.worker.poll() is not None:
            self.start_worker()
        if self.beat is None or self.beat.poll() is not None:
            self.start_beat()

    def kill_worker(self) -> None:
        """SIGKILL the worker and its pool children (its own process group), as a crash would."""
        pid = self.worker.pid
        os.killpg(pid, signal.SIGKILL)
        self.worker.wait(timeout=10)
        wait_for(lambda: not _group_alive(pid), timeout=10, message="the killed worker's children to be gone")

    def worker_log_tail(self, size: int = 4000) -> str:
        return self.worker_log.read_text(errors="replace")[-size:] if self.worker_log else ""

    def stop(self) -> None:
        process_groups_stop([self.beat, self.worker])


def _group_alive(pgid: int) -> bool:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                return True
    return False


@pytest.fixture(scope="module")
def celery_processes(django_db_setup, django_db_blocker, fault_stack, fault_broker, tmp_path_factory):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "controlplane.settings.test",
        "DATABASE_URL": subprocess_database_url(),
        "REDIS_URL": fault_broker,
        "CELERY_BROKER_URL": fault_broker,
        "RECONCILE_INTERVAL_SECONDS": str(RECONCILE_INTERVAL),
        "CELERY_TASK_TIME_LIMIT": str(TASK_TIME_LIMIT),
        "CELERY_TASK_SOFT_TIME_LIMIT": str(TASK_TIME_LIMIT - 3),
        "CONNECT_MAX_RETRIES": "1",
        "CONNECT_RETRY_BACKOFF_SECONDS": "0.2",
        "CONNECT_REQUEST_TIMEOUT_SECONDS": "5",
    }
    processes = CeleryProcesses(env=env, run_dir=tmp_path_factory.mktemp("fault-celery"))
    try:
        processes.ensure()
        yield processes
    finally:
        processes.stop()


@pytest.fixture(autouse=True)
def healthy_start(transactional_db, fault_stack, fault_broker, celery_processes, settings):
    """Every test starts with everything up, and leaves no connector behind on the module's Connect."""
    settings.CELERY_BROKER_URL = fault_broker
    settings.CONNECT_MAX_RETRIES = 1
    settings.CONNECT_RETRY_BACKOFF_SECONDS = 0.2
    settings.CONNECT_REQUEST_TIMEOUT_SECONDS = 5
    fault_stack.up(timeout=180)
    celery_processes.ensure()
    yield
    # Forget the connectors first, so the reconciler does not re-provision what is deleted below.
    Connector.objects.all().delete()
    client = connect_client(_endpoint(fault_stack))
    try:
        for name in client.list_connectors():
            client.delete(name)
    except ConnectError:
        pass


def _stop_connect(stack: LocalStack) -> None:
    stack.connect.stop()


def _endpoint(stack: LocalStack):
    from connectors.connect import ConnectEndpoint

    return ConnectEndpoint(flavour="self_managed", url=stack.config.connect_url, timeout=5, max_retries=1, backoff=0.2)


# --- helpers ---------------------------------------------------------------------------------------
def _cluster(stack: LocalStack, tenant, *, drift_policy: str = Cluster.DriftPolicy.REPORT) -> Cluster:
    return SharedClusterFactory(
        name=CLUSTER,
        landing_zone=LandingZoneFactory(slug="edh-shared"),
        bootstrap_servers=stack.config.bootstrap_servers,
        connect_url=stack.config.connect_url,
        drift_policy=drift_policy,
        tenants=[tenant],
    )


def _create_file_source(client, file_sandbox: Path, connector_id: str):
    source = file_sandbox / f"{connector_id}.txt"
    source.write_text("one\ntwo\n")
    return client.post(
        "/api/v1/connectors/",
        file_source_request(connector_id=connector_id, source=source, cluster=CLUSTER),
        format="json",
    )


def _wait_state(name: str, expected: str, *, timeout: float, processes: CeleryProcesses | None = None) -> Connector:
    def check():
        connector = Connector.objects.get(name=name)
        return connector if connector.state == expected and not connector.operation else None

    try:
        return wait_for(check, timeout=timeout, message=f"{name} to reach {expected}")
    except pytest.fail.Exception:
        connector = Connector.objects.get(name=name)
        events = [(e.from_state, e.to_state, e.actor, e.reason) for e in connector.events.all()]
        log = processes.worker_log_tail() if processes else ""
        pytest.fail(f"{name} is {connector.state} (operation {connector.operation!r}); events {events}\n{log}")


def _to_states(name: str) -> list[str]:
    events = ConnectorEvent.objects.filter(connector__name=name).order_by("created_at", "id")
    return list(events.values_list("to_state", flat=True))


# --- Connect down at create ---------------------------------------------------------------------------
def test_a_create_while_connect_is_down_is_accepted_and_provisioned_when_connect_is_back(
    fault_stack, celery_processes, client_for, tenant, file_sandbox, unique_name
):
    _cluster(fault_stack, tenant)
    client = client_for(tenant, Role.DEVELOPER)
    _stop_connect(fault_stack)

    response = _create_file_source(client, file_sandbox, unique_name("nocon"))

    assert response.status_code == 202, response.json()
    assert any("validation was skipped" in warning for warning in response.json()["warnings"])
    name = response.json()["name"]
    for _ in range(8):  # nothing can be provisioned while Connect is down
        assert Connector.objects.get(name=name).state in {State.REQUESTED, State.PROVISIONING}
        time.sleep(0.5)

    fault_stack.up(timeout=180)
    _wait_state(name, State.RUNNING, timeout=90, processes=celery_processes)
    assert connect_client(_endpoint(fault_stack)).status(name)["connector"]["state"] == "RUNNING"
    assert _to_states(name) == [State.REQUESTED, State.PROVISIONING, State.RUNNING]


# --- Redis down at create ----------------------------------------------------------------------------
def test_a_create_while_redis_is_down_is_stored_and_dispatched_by_the_reconciler_when_redis_is_back(
    fault_stack, celery_processes, client_for, tenant, file_sandbox, unique_name
):
    _cluster(fault_stack, tenant)
    client = client_for(tenant, Role.DEVELOPER)
    fault_stack.redis.stop()

    started = time.monotonic()
    response = _create_file_source(client, file_sandbox, unique_name("noredis"))
    elapsed = time.monotonic() - started

    assert response.status_code == 202, response.json()
    assert elapsed < 5, f"the create took {elapsed:.1f}s with Redis down"
    name = response.json()["name"]
    stored = Connector.objects.get(name=name)
    # Stored, and the claim released because nothing could be published (proof that this process
    # publishes to the module's Redis, which is down).
    assert stored.state == State.REQUESTED and stored.operation == ""

    fault_stack.up(timeout=60)
    assert fault_stack.redis.is_running()
    _wait_state(name, State.RUNNING, timeout=60, processes=celery_processes)
    provisioning = ConnectorEvent.objects.get(connector__name=name, to_state=State.PROVISIONING)
    assert provisioning.actor == "system"  # dispatched by the reconciler, not by the API request


# --- drift ----------------------------------------------------------------------------------------
def _running_connector(stack, client, file_sandbox, connector_id, processes) -> tuple[str, dict]:
    response = _create_file_source(client, file_sandbox, connector_id)
    assert response.status_code == 202, response.json()
    name = response.json()["name"]
    _wait_state(name, State.RUNNING, timeout=60, processes=processes)
    connector = Connector.objects.select_related("cluster", "tenant").get(name=name)
    return name, connector_desired_config(connector=connector)


def _tamper(stack, name: str, file_sandbox: Path) -> dict:
    """Change the connector's config directly on Connect, as someone with access to its REST API would."""
    connect = connect_client(_endpoint(stack))
    tampered = {**connect.get_config(name), "file": str(file_sandbox / "elsewhere.txt"), "tasks.max": "2"}
    (file_sandbox / "elsewhere.txt").write_text("x\n")
    connect.put_config(name, tampered)
    return tampered


def test_drift_is_detected_and_reverted_when_the_cluster_enforces(
    fault_stack, celery_processes, client_for, tenant, file_sandbox, unique_name
):
    _cluster(fault_stack, tenant, drift_policy=Cluster.DriftPolicy.ENFORCE)
    client = client_for(tenant, Role.DEVELOPER)
    name, desired = _running_connector(fault_stack, client, file_sandbox, unique_name("drift"), celery_processes)
    connect = connect_client(_endpoint(fault_stack))

    _tamper(fault_stack, name, file_sandbox)

    drifted = wait_for(
        lambda: ConnectorEvent.objects.filter(connector__name=name, to_state=State.DRIFTED).first(),
        timeout=RECONCILE_INTERVAL + 10,
        message="a DRIFTED event",
    )
    assert drifted.actor == "system:reconciler" and "file" in drifted.reason and "tasks.max" in drifted.reason
    wait_for(
        lambda: not drifted_keys(desired=desired, live=connect.get_config(name)),
        timeout=30,
        message="the desired config to be written back",
    )
    _wait_state(name, State.RUNNING, timeout=30, processes=celery_processes)
    assert connect.get_config(name) == desired
    assert _to_states(name) == [
        State.REQUESTED,
        State.PROVISIONING,
        State.RUNNING,
        State.DRIFTED,
        State.UPDATING,
        State.RUNNING,
    ]


def test_drift_is_only_reported_when_the_cluster_reports(
    fault_stack, celery_processes, client_for, tenant, file_sandbox, unique_name
):
    _cluster(fault_stack, tenant, drift_policy=Cluster.DriftPolicy.REPORT)
    client = client_for(tenant, Role.DEVELOPER)
    name, desired = _running_connector(fault_stack, client, file_sandbox, unique_name("report"), celery_processes)
    connect = connect_client(_endpoint(fault_stack))

    tampered = _tamper(fault_stack, name, file_sandbox)
    _wait_state(name, State.DRIFTED, timeout=RECONCILE_INTERVAL + 10, processes=celery_processes)

    time.sleep(3 * RECONCILE_INTERVAL + 1)  # several reconciles later: still reported, never re-applied
    connector = Connector.objects.get(name=name)
    assert connector.state == State.DRIFTED and connector.applied_generation == connector.generation
    assert connect.get_config(name) == tampered != desired
    assert _to_states(name)[-2:] == [State.RUNNING, State.DRIFTED]


# --- a worker killed mid-task ------------------------------------------------------------------------
def test_a_worker_killed_mid_task_leaves_the_connector_to_be_provisioned_by_the_next_one(
    fault_stack, celery_processes, client_for, tenant, file_sandbox, unique_name
):
    _cluster(fault_stack, tenant)
    client = client_for(tenant, Role.DEVELOPER)
    _stop_connect(fault_stack)  # the converge cannot finish: it retries, holding the claim
    response = _create_file_source(client, file_sandbox, unique_name("killed"))
    assert response.status_code == 202, response.json()
    name = response.json()["name"]
    claimed = wait_for(
        lambda: Connector.objects.filter(name=name, state=State.PROVISIONING).exclude(operation="").first(),
        timeout=30,
        message="the worker to start provisioning",
    )
    assert claimed.operation == "provision"

    celery_processes.kill_worker()
    assert Connector.objects.get(name=name).operation == "provision"  # the dead worker's claim
    fault_stack.up(timeout=180)
    celery_processes.start_worker()

    _wait_state(name, State.RUNNING, timeout=STALE_CLAIM_SECONDS + 45, processes=celery_processes)
    assert connect_client(_endpoint(fault_stack)).status(name)["connector"]["state"] == "RUNNING"
    assert _to_states(name) == [State.REQUESTED, State.PROVISIONING, State.RUNNING]
    # Finished by a converge the reconciler dispatched once the dead worker's claim had gone stale.
    assert ConnectorEvent.objects.get(connector__name=name, to_state=State.RUNNING).actor == "system"


# --- the broker restarted during provisioning ----------------------------------------------------------
def test_a_broker_restart_during_provisioning_loses_nothing(
    fault_stack, celery_processes, client_for, tenant, file_sandbox, unique_name
):
    """The broker goes away with one connector RUNNING and another just asked for: once it is back (its
    KRaft log keeps Connect's topics), both run and the new one went through provisioning once."""
    _cluster(fault_stack, tenant)
    client = client_for(tenant, Role.DEVELOPER)
    running = _create_file_source(client, file_sandbox, unique_name("before")).json()["name"]
    _wait_state(running, State.RUNNING, timeout=90, processes=celery_processes)

    fault_stack.broker.stop()
    response = _create_file_source(client, file_sandbox, unique_name("during"))
    assert response.status_code == 202, response.json()
    created = response.json()["name"]
    time.sleep(3)  # the converge meets the missing broker (its topic cannot be created) and retries
    fault_stack.up(timeout=180)

    _wait_state(created, State.RUNNING, timeout=150, processes=celery_processes)
    _wait_state(running, State.RUNNING, timeout=90, processes=celery_processes)
    connect = connect_client(_endpoint(fault_stack))
    assert {connect.status(name)["connector"]["state"] for name in (running, created)} == {"RUNNING"}
    assert _to_states(created) == [State.REQUESTED, State.PROVISIONING, State.RUNNING]


# --- unmanaged connectors ------------------------------------------------------------------------------
def test_a_connector_made_directly_on_connect_is_listed_as_unmanaged_and_never_touched(
    fault_stack, celery_processes, client_for, tenant, file_sandbox, unique_name
):
    cluster = DedicatedClusterFactory(
        name=CLUSTER,
        owner_tenant=tenant,
        bootstrap_servers=fault_stack.config.bootstrap_servers,
        connect_url=fault_stack.config.connect_url,
        drift_policy=Cluster.DriftPolicy.ENFORCE,
    )
    connect = connect_client(_endpoint(fault_stack))
    name = unique_name("handmade")
    (file_sandbox / "handmade.txt").write_text("a\n")
    config = {
        "connector.class": FILE_SOURCE,
        "tasks.max": "1",
        "file": str(file_sandbox / "handmade.txt"),
        "topic": f"handmade.{name}",
        "name": name,
    }
    connect.put_config(name, config)

    row = wait_for(
        lambda: UnmanagedConnector.objects.filter(cluster=cluster, name=name).first(),
        timeout=RECONCILE_INTERVAL + 10,
        message="the unmanaged connector to be recorded",
    )
    assert row.connector_class == FILE_SOURCE
    first_seen = row.last_seen_at
    wait_for(
        lambda: (
            UnmanagedConnector.objects.get(pk=row.pk).last_seen_at > first_seen
            and UnmanagedConnector.objects.get(pk=row.pk).state == "RUNNING"
        ),
        timeout=3 * RECONCILE_INTERVAL + 10,
        message="later reconciles to see it running",
    )
    time.sleep(2 * RECONCILE_INTERVAL)

    assert connect.get_config(name) == config
    assert connect.status(name)["connector"]["state"] == "RUNNING"
    assert not Connector.objects.filter(name=name).exists()
    listed = client_for(tenant, Role.VIEWER).get("/api/v1/unmanaged-connectors/").json()["results"]
    assert [(row["cluster"], row["name"], row["connector_class"]) for row in listed] == [(CLUSTER, name, FILE_SOURCE)]
