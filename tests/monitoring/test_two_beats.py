"""Scaled out: two Celery beats and two workers at once (a rolling deploy does exactly that).

Real processes, started once for the module, on a Redis of their own and the test database, against
the real local Kafka Connect: each due sweep runs once per interval (read from the workers' own record
of each sweep task: Celery logs every task's result), and connectors whose task fails on Connect are
each restarted as often as the policy says and alerted once (read from the restart, alert and delivery
rows, from what Connect was asked and from what the tenant's channels received).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest
import requests
from django.core.management import call_command

from monitoring.models import Alert, Delivery, Restart
from tenants.models import Cluster, Role
from tests.conftest import wait_for
from tests.loopback import LoopbackServer, Seen
from tests.monitoring.failing_sinks import block_output, create_file_sink, notices, restart_task_on_connect, state_of
from tests.system import (
    celery_publishing_to,
    free_ports,
    process_group_start,
    process_groups_stop,
    subprocess_database_url,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.connect]

INTERVAL = 2
WINDOW = 21
# Connect is slow to answer the sweep's bulk status call, and answers the calls that came in meanwhile
# together (as it does with requests queued behind a rebalance): SLOW_BULK_ANSWER after the first of
# them, more than an interval, less than the sweep's own timeout (CONNECT_INTERACTIVE_TIMEOUT_SECONDS, 5).
SLOW_BULK_ANSWER = INTERVAL + 0.5
POLICY = {"restart_backoff_seconds": 1, "restart_backoff_max_seconds": 1, "restart_max_attempts": 2}


class Fleet:
    """Two workers and two beats (each its own process group) on a Redis of their own; their logs."""

    def __init__(self, *, run_dir: Path, env: dict[str, str]) -> None:
        self.run_dir, self.env = run_dir, env
        self.processes: dict[str, subprocess.Popen] = {}

    def log_path(self, name: str) -> Path:
        return self.run_dir / f"{name}.log"

    def start(self, commands: dict[str, list[str]]) -> None:
        for name, command in commands.items():
            self.processes[name] = process_group_start(command, env=self.env, log_path=self.log_path(name))
            if name == "redis":
                time.sleep(0.5)

    def stop(self) -> None:
        process_groups_stop(self.processes.values(), timeout=30)

    def mark(self) -> dict[str, int]:
        """Where each log ends now: `log(name, since=mark)` reads only what came after."""
        return {name: self.log_path(name).stat().st_size for name in self.processes}

    def log(self, name: str, *, since: dict[str, int] | None = None) -> str:
        return self.log_path(name).read_bytes()[(since or {}).get(name, 0) :].decode(errors="replace")


@pytest.fixture(scope="module")
def fleet(django_db_setup, django_db_blocker, local_stack, tmp_path_factory):
    """Two beats and two workers for the whole module; this process publishes to their Redis meanwhile."""
    (redis_port,) = free_ports(1)
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    run_dir = tmp_path_factory.mktemp("two-beats")
    fleet = Fleet(
        run_dir=run_dir,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "controlplane.settings.test",
            "DATABASE_URL": subprocess_database_url(),
            "REDIS_URL": redis_url,
            "HEALTH_SWEEP_INTERVAL_SECONDS": str(INTERVAL),
            "CONNECT_MAX_RETRIES": "1",
            "CONNECT_RETRY_BACKOFF_SECONDS": "0.2",
            "CONNECT_REQUEST_TIMEOUT_SECONDS": "5",
        },
    )
    celery = [sys.executable, "-m", "celery", "-A", "controlplane"]
    worker, beat = [*celery, "worker", "--loglevel", "INFO"], [*celery, "beat", "--loglevel", "INFO"]
    try:
        fleet.start(
            {
                "redis": [shutil.which("redis-server"), "--port", str(redis_port), "--save", "", "--appendonly", "no"],
                **{f"worker{index}": [*worker, "-n", f"w{index}-{uuid.uuid4().hex[:6]}@%h"] for index in range(2)},
                **{f"beat{index}": [*beat, "--schedule", str(run_dir / f"beat{index}")] for index in range(2)},
            }
        )
        wait_for(
            lambda: all("ready" in fleet.log(f"worker{i}") for i in range(2))
            and all("beat: Starting" in fleet.log(f"beat{i}") for i in range(2)),
            timeout=90,
            message="two workers and two beats",
        )
        with celery_publishing_to(redis_url):
            yield fleet
    finally:
        fleet.stop()
        # What the processes wrote after the last test's flush (their task outcome counters) goes too.
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)


class SlowConnect:
    """The real local Kafka Connect behind a loopback proxy that is slow to answer the sweep's bulk status
    call and answers those that came in meanwhile together. It records when each bulk call ran and every
    restart it passed on."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.bulk_calls: list[tuple[float, float]] = []  # (asked, answered), time.monotonic()
        self.restarts: list[str] = []  # the connector of each `POST /connectors/<name>/restart`
        self._burst_at = 0.0
        self._lock = threading.Lock()
        self.server = LoopbackServer(self._respond)

    def _respond(self, seen: Seen) -> tuple[int, object, dict[str, str]]:
        asked = time.monotonic()
        bulk = seen.method == "GET" and seen.path.startswith("/connectors?")
        if bulk:
            with self._lock:  # the first call after a burst opens the next one
                if self._burst_at <= asked:
                    self._burst_at = asked + SLOW_BULK_ANSWER
                burst_at = self._burst_at
            time.sleep(burst_at - asked)
        if restart := re.fullmatch(r"/connectors/([^/?]+)/restart(\?.*)?", seen.path):
            self.restarts.append(restart.group(1))
        answer = requests.request(seen.method, self.upstream + seen.path, json=seen.body, timeout=30)
        if bulk:  # recorded before the answer goes out, so before anything the sweep does with it
            self.bulk_calls.append((asked, time.monotonic()))
        return answer.status_code, answer.json() if answer.content else None, {}

    def overlapping_bulk_calls(self) -> list[tuple[tuple[float, float], tuple[float, float]]]:
        return [(one, other) for one, other in pairwise(sorted(self.bulk_calls)) if other[0] < one[1]]


@pytest.fixture
def slow_connect(local_cluster, cleanup_connectors):
    """The cluster `local` reaches Connect through the slow proxy during the test (and directly again
    for the connectors' clean-up)."""
    proxy = SlowConnect(upstream=local_cluster.connect_url)
    with proxy.server:
        Cluster.objects.filter(pk=local_cluster.pk).update(connect_url=proxy.server.url)
        local_cluster.connect_url = proxy.server.url
        yield proxy
        Cluster.objects.filter(pk=local_cluster.pk).update(connect_url=proxy.upstream)
        local_cluster.connect_url = proxy.upstream


def test_two_beats_and_two_workers_run_each_due_sweep_once(fleet):
    mark = fleet.mark()
    time.sleep(WINDOW)

    worker_logs = "".join(fleet.log(f"worker{index}", since=mark) for index in range(2))
    outcomes = re.findall(r"Task monitoring\.sweep\[[^\]]+\] succeeded in [\d.]+s: (\{.*)", worker_logs)
    ran = [outcome for outcome in outcomes if "'clusters'" in outcome]
    skipped = [outcome for outcome in outcomes if "'skipped'" in outcome]
    sent = [fleet.log(f"beat{index}", since=mark).count("Sending due task monitoring-sweep") for index in range(2)]

    assert min(sent) >= WINDOW // INTERVAL - 2, f"both beats send the sweep every interval: {sent}"
    assert skipped, "the second beat's copies found the interval's sweep done"
    # Each interval's sweep ran once: as many sweeps as one beat asks for, not as many as both.
    assert len(ran) <= max(sent) + 1, (len(ran), len(skipped), sent)
    assert len(ran) + len(skipped) <= sum(sent)


def test_two_beats_and_two_workers_restart_each_failed_connector_as_the_policy_says_and_alert_it_once(
    fleet, slow_connect, local_cluster, client_for, tenant, channels, file_sandbox, unique_name
):
    webhook, smtp = channels
    client = client_for(tenant, Role.ADMIN)
    sinks = {}  # name -> output file
    for _ in range(3):
        name, _, output = create_file_sink(client, file_sandbox, unique_name("beats"), POLICY)
        sinks[name] = output
    wait_for(
        lambda: all(state_of(name) == "RUNNING" for name in sinks), timeout=120, message="the fleet to run the sinks"
    )

    for name, output in sinks.items():
        block_output(output)
        restart_task_on_connect(local_cluster, name)

    def alerted_everywhere() -> bool:
        persistent = Alert.objects.filter(connector__name__in=sinks, condition=Alert.Condition.PERSISTENT_FAILURE)
        sent = Delivery.objects.filter(alert__connector__name__in=sinks, status=Delivery.Status.SENT)
        return persistent.count() >= len(sinks) and sent.count() >= 2 * len(sinks)

    wait_for(alerted_everywhere, timeout=90, message="each sink's restarts to run out and its alert to be sent")
    # A second restart or alert of any sink, were there one, would have come by now.
    sweeps_so_far = len(slow_connect.bulk_calls)
    wait_for(lambda: len(slow_connect.bulk_calls) >= sweeps_so_far + 2, timeout=30, message="two more sweeps")

    for name in sinks:
        restarts = Restart.objects.filter(connector__name=name).order_by("attempt")
        assert list(restarts.values_list("attempt", flat=True)) == [1, 2], name
        open_alerts = Alert.objects.filter(connector__name=name, resolved_at__isnull=True)
        assert sorted(open_alerts.values_list("condition", flat=True)) == ["connector_state", "persistent_failure"]
        persistent = open_alerts.get(condition=Alert.Condition.PERSISTENT_FAILURE)
        deliveries = Delivery.objects.filter(alert__connector__name=name)
        assert sorted(deliveries.values_list("alert_id", "target", "kind", "status")) == [
            (persistent.pk, "email:oncall-mail", "alert", "sent"),
            (persistent.pk, "webhook:oncall", "alert", "sent"),
        ]
        [body] = [body for body in notices(webhook, "alert") if body["connector"] == name]
        assert body["condition"] == "persistent_failure" and "Couldn't find or create file" in body["error"]
        assert len([mail for mail in smtp.messages if name in mail["Subject"]]) == 1
    assert Counter(slow_connect.restarts) == {name: 2 for name in sinks}, "Connect was asked twice per sink"
    assert len(webhook.received) == len(sinks), "one notice per sink, nothing else"
    assert not slow_connect.overlapping_bulk_calls(), "one sweep at a time, however long Connect takes"
