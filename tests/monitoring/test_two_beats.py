"""Scaled out: two Celery beats and two workers at once (a rolling deploy does exactly that).

Real processes, started once for the module, on a Redis of their own and the test database: each due
sweep runs once per interval (read from the workers' own record of each sweep task: Celery logs every
task's result).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import wait_for
from tests.system import celery_publishing_to, free_ports, subprocess_database_url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.connect]

INTERVAL = 2
WINDOW = 21


class Fleet:
    """Two workers and two beats (each its own process group) on a Redis of their own; their logs."""

    def __init__(self, *, run_dir: Path, env: dict[str, str]) -> None:
        self.run_dir, self.env = run_dir, env
        self.processes: dict[str, subprocess.Popen] = {}

    def log_path(self, name: str) -> Path:
        return self.run_dir / f"{name}.log"

    def start(self, commands: dict[str, list[str]]) -> None:
        for name, command in commands.items():
            with self.log_path(name).open("wb") as log:
                self.processes[name] = subprocess.Popen(
                    command, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
                )
            if name == "redis":
                time.sleep(0.5)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

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
