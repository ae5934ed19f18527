"""Shared fixtures. The local stack (Kafka broker + Kafka Connect + Redis) is started once per session."""

from __future__ import annotations

import uuid

import pytest

from devstack.stack import LocalStack, StackConfig


def pytest_configure(config):
    # pytest-django's live server takes bursts of parallel requests (50 creates at once); the backlog
    # socketserver listens with by default (5) would reset most of them before Django saw them.
    from django.core.servers.basehttp import WSGIServer

    WSGIServer.request_queue_size = 128


@pytest.fixture(scope="session")
def local_stack():
    """The real local Kafka Connect stack; left running if it was already up before the session."""
    stack = LocalStack(StackConfig.from_settings())
    was_running = stack.connect.is_running() and stack.broker.is_running()
    stack.up(timeout=180)
    yield stack
    if not was_running:
        stack.down()


@pytest.fixture
def local_cluster(tenant, local_stack):
    """The shared cluster `local` of landing zone edh-shared, on the real local stack, open to `sales`."""
    from tests.factories import LandingZoneFactory, SharedClusterFactory

    return SharedClusterFactory(
        name="local",
        landing_zone=LandingZoneFactory(slug="edh-shared"),
        bootstrap_servers=local_stack.config.bootstrap_servers,
        connect_url=local_stack.config.connect_url,
        tenants=[tenant],
    )


@pytest.fixture
def unique_name():
    def make(prefix: str = "t") -> str:
        return f"{prefix}-{uuid.uuid4().hex[:10]}"

    return make


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def tenant(db):
    from tests.factories import TenantFactory

    return TenantFactory(slug="sales")


@pytest.fixture
def other_tenant(db):
    from tests.factories import TenantFactory

    return TenantFactory(slug="scada")


@pytest.fixture
def file_sandbox(tenant):
    """A fresh directory inside the tenant's file sandbox, where its File Source/Sink may read and write."""
    import shutil

    directory = tenant.file_sandbox / uuid.uuid4().hex[:12]
    directory.mkdir(parents=True)
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def client_for(db):
    """client_for(tenant, role) -> an APIClient authenticated with a fresh API key of that role."""
    from rest_framework.test import APIClient

    from tenants.services import api_key_create

    def make(tenant, role="developer"):
        _, raw_key = api_key_create(tenant=tenant, name=f"test-{role}-{uuid.uuid4().hex[:8]}", role=role)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
        client.raw_key = raw_key
        return client

    return make


@pytest.fixture(scope="session")
def test_redis_url():
    import os

    return os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, local_stack, test_redis_url, tmp_path_factory):
    """A real Celery worker (separate process) on the test database and a real Redis broker.

    Tests that use it must commit their data: mark them django_db(transaction=True).
    """
    import os
    import subprocess
    import sys
    import time

    import redis

    from tests.system import subprocess_database_url

    redis.Redis.from_url(test_redis_url).flushdb()
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    log_path.write_bytes(b"")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "controlplane.settings.test",
        "DATABASE_URL": subprocess_database_url(),
        "REDIS_URL": test_redis_url,
        "CONNECT_MAX_RETRIES": "1",
        "CONNECT_RETRY_BACKOFF_SECONDS": "0.2",
        "CONNECT_REQUEST_TIMEOUT_SECONDS": "5",
    }
    log = open(log_path, "wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "controlplane",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            "2",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"test-{os.getpid()}@%h",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while b"ready" not in log_path.read_bytes():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"Celery worker did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.2)
    process.log_path = log_path
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


def wait_for(predicate, *, timeout: float = 60.0, interval: float = 0.5, message: str = "condition"):
    """Poll until predicate() is truthy; return its value or fail with `message`."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


def records_in(bootstrap: str, topic: str) -> int:
    """How many records the topic's one partition holds (high minus low watermark); 0 while it does not exist."""
    from confluent_kafka import Consumer, TopicPartition

    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"count-{uuid.uuid4().hex[:6]}"})
    try:
        if topic not in consumer.list_topics(timeout=10).topics:
            return 0
        low, high = consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
        return high - low
    finally:
        consumer.close()


def forget_on_connect(connect, names) -> None:
    """Delete `names` from a (shared) Connect worker through the client `connect`, those already gone aside."""
    from connectors.connect import ConnectError

    for name in names:
        try:
            connect.delete(name)
        except ConnectError:
            pass


PLATFORM_ADMIN_PASSWORD = "Adm1n-pass-for-tests"


@pytest.fixture
def platform_admin(db):
    """A staff superuser: a platform admin of the Django admin."""
    from tests.factories import UserFactory

    user = UserFactory(username="platform-admin", is_staff=True, is_superuser=True)
    user.set_password(PLATFORM_ADMIN_PASSWORD)
    user.save()
    return user


@pytest.fixture
def admin_client(client, platform_admin):
    client.force_login(platform_admin)
    return client
