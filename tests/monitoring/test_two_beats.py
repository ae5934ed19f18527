"""Scaled out: two Celery beats and two workers at once (a rolling deploy) sweep once per interval.

Real processes on a Redis of their own and the test database; the test reads the workers' own
record of each sweep task (Celery logs every task's result).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid

import pytest

from tests.conftest import wait_for
from tests.system import free_ports, subprocess_database_url

pytestmark = pytest.mark.django_db(transaction=True)

INTERVAL = 2
WINDOW = 21


def test_two_beats_and_two_workers_run_each_due_sweep_once(tmp_path, local_stack):
    (redis_port,) = free_ports(1)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "controlplane.settings.test",
        "DATABASE_URL": subprocess_database_url(),
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "HEALTH_SWEEP_INTERVAL_SECONDS": str(INTERVAL),
    }
    celery = [sys.executable, "-m", "celery", "-A", "controlplane"]
    commands = {
        "redis": [shutil.which("redis-server"), "--port", str(redis_port), "--save", "", "--appendonly", "no"],
        **{
            f"worker{index}": [*celery, "worker", "--loglevel", "INFO", "-n", f"w{index}-{uuid.uuid4().hex[:6]}@%h"]
            for index in range(2)
        },
        **{
            f"beat{index}": [*celery, "beat", "--loglevel", "INFO", "--schedule", str(tmp_path / f"beat{index}")]
            for index in range(2)
        },
    }
    processes = {}
    try:
        for name, command in commands.items():
            processes[name] = subprocess.Popen(
                command, env=env, stdout=(tmp_path / f"{name}.log").open("wb"), stderr=subprocess.STDOUT
            )
            if name == "redis":
                time.sleep(0.5)
        logs = {name: tmp_path / f"{name}.log" for name in commands}
        wait_for(
            lambda: all(b"ready" in logs[f"worker{i}"].read_bytes() for i in range(2))
            and all(b"beat: Starting" in logs[f"beat{i}"].read_bytes() for i in range(2)),
            timeout=90,
            message="two workers and two beats",
        )
        time.sleep(WINDOW)
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            process.wait(timeout=30)

    worker_logs = "".join((tmp_path / f"worker{index}.log").read_text() for index in range(2))
    outcomes = re.findall(r"Task monitoring\.sweep\[[^\]]+\] succeeded in [\d.]+s: (\{.*)", worker_logs)
    ran = [outcome for outcome in outcomes if "'clusters'" in outcome]
    skipped = [outcome for outcome in outcomes if "'skipped'" in outcome]
    sent = [
        (tmp_path / f"beat{index}.log").read_text().count("Sending due task monitoring-sweep") for index in range(2)
    ]

    assert min(sent) >= WINDOW // INTERVAL - 2, f"both beats send the sweep every interval: {sent}"
    assert skipped, "the second beat's copies found the interval's sweep done"
    # Each interval's sweep ran once: as many sweeps as one beat asks for, not as many as both.
    assert len(ran) <= max(sent) + 1, (len(ran), len(skipped), sent)
    assert len(ran) + len(skipped) <= sum(sent)
