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


PARKED_QUEUE = "tests-without-a-worker"


@pytest.fixture(autouse=True)
def _tasks_of_tests_without_the_worker_are_parked(request, monkeypatch):
    """Only a test that asks for the session's Celery worker has its tasks run by it. Another test's
    dispatches (a transactional test commits, so they are really published to Redis) go to a queue no
    worker consumes, emptied afterwards: else the worker, once some earlier test started it, would still
    be writing this test's rows while they are flushed, and the flush fails and leaves them for the next
    test (it did in CI: a quota and ten connectors). A test whose Celery processes listen on a broker of
    their own (celery_publishing_to) is left alone."""
    from django.conf import settings

    from controlplane.celery import app

    if "celery_worker_process" in request.fixturenames or app.conf.broker_url != settings.CELERY_BROKER_URL:
        yield
        return
    publish = app.send_task

    def park(name, *args, **options):
        return publish(name, *args, **{**options, "queue": PARKED_QUEUE})

    monkeypatch.setattr(app, "send_task", park)
    yield
    import redis

    try:
        redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2, socket_connect_timeout=2).delete(
            PARKED_QUEUE, f"_kombu.binding.{PARKED_QUEUE}", f"_kombu.binding_permanent.{PARKED_QUEUE}"
        )
    except redis.RedisError:  # a test that stopped Redis: nothing was parked there
        pass


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


def wait_for_state(client, name: str, expected: str, *, timeout: float = 60.0) -> dict:
    """Poll the API until connector `name` is in state `expected` with no operation in flight."""

    def check():
        body = client.get(f"/api/v1/connectors/{name}/").json()
        return body if body["state"] == expected and not body["operation_in_flight"] else None

    return wait_for(check, timeout=timeout, message=f"{name} to reach {expected}")


# --- no secret in any audit row -------------------------------------------------------------------
# After every test that uses the database (the end-to-end tests of every issue included), and before
# its data is rolled back or flushed, every audit row it wrote is scanned for secrets.
audit_scan = {"tests": 0, "rows": 0, "mutations": 0}
MUTATING_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
READ_ONLY_POSTS = ("/validate", "/validate/")  # a dry run of the validation layers changes nothing
ADMIN_SESSION_PATHS = ("/admin/login/", "/admin/logout/")


def _changes_nothing(body: bytes) -> bool:
    """A dry run, or a declarative apply of a spec that is already the connector's (200 unchanged)."""
    compact = body.replace(b" ", b"")
    return b'"dry_run":true' in compact or b'"action":"unchanged"' in compact


def _is_api_mutation(request, response) -> bool:
    return (
        request.method in MUTATING_METHODS
        and request.path.startswith("/api/")
        and 200 <= response.status_code < 300
        and not request.path.endswith(READ_ONLY_POSTS)
        and not _changes_nothing(getattr(response, "content", b""))
    )


def _is_admin_mutation(request, response) -> bool:
    """A form the admin accepted: Django answers a successful change, delete or action with a redirect."""
    return (
        request.method == "POST"
        and request.path.startswith("/admin/")
        and response.status_code == 302
        and not request.path.startswith(ADMIN_SESSION_PATHS)
    )


@pytest.fixture(autouse=True)
def _api_mutations(request, monkeypatch):
    """Every successful mutating request the test sends to the API (in this process), with its request id."""
    from django.core.handlers.base import BaseHandler

    seen: list[tuple[str, str, int, str]] = []
    original = BaseHandler.get_response

    def get_response(self, http_request):
        response = original(self, http_request)
        path = http_request.path
        if _is_api_mutation(http_request, response) or _is_admin_mutation(http_request, response):
            seen.append((http_request.method, path, response.status_code, getattr(http_request, "request_id", "")))
        return response

    monkeypatch.setattr(BaseHandler, "get_response", get_response)
    request.node.api_mutations = seen
    yield


def _unaudited_mutations(item) -> list[str]:
    """In the end-to-end tests (the real stack, fuzzing aside), each change through the API or the admin
    left an audit row."""
    from audit.models import AuditRecord

    end_to_end = item.get_closest_marker("connect") or "local_stack" in getattr(item, "fixturenames", ())
    if not end_to_end or item.module.__name__.endswith("test_api_fuzzing"):
        return []
    mutations = getattr(item, "api_mutations", [])
    audited = set(
        AuditRecord.objects.filter(request_id__in=[m[3] for m in mutations]).values_list("request_id", flat=True)
    )
    audit_scan["mutations"] += len(mutations)
    return [
        f"{method} {path} ({status}) left no audit row" for method, path, status, rid in mutations if rid not in audited
    ]


def _uses_database(item) -> bool:
    return bool(item.get_closest_marker("django_db")) or bool({"db", "transactional_db"} & set(item.fixturenames))


def _scan_audit_rows(item) -> list[str]:
    from django.db import DatabaseError, connection

    if not _uses_database(item) or item.get_closest_marker("planted_audit_secret") or connection.needs_rollback:
        return []
    from tests.audit.secret_scan import secrets_in_audit_rows

    try:
        rows, problems = secrets_in_audit_rows()
        problems += _unaudited_mutations(item)
    except (DatabaseError, RuntimeError):  # a broken transaction, or a database never set up (a setup error)
        return []
    except Exception as error:  # noqa: BLE001 - reported after teardown: raising here would skip the rollback
        return [f"the audit scan failed: {error!r}"]
    audit_scan["tests"] += 1
    audit_scan["rows"] += rows
    return problems


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    problems = _scan_audit_rows(item)
    result = yield
    if problems:
        raise AssertionError("secrets in the audit trail:\n" + "\n".join(problems[:20]))
    return result


def pytest_terminal_summary(terminalreporter):
    if audit_scan["tests"]:
        terminalreporter.write_line(
            f"audit trail: {audit_scan['rows']} audit rows written by {audit_scan['tests']} tests scanned for secrets; "
            f"{audit_scan['mutations']} API and admin changes of the end-to-end tests each found in it"
        )
