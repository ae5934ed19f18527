"""How long the local stack takes to come up and go down, and what the worker's plugin.discovery mode costs.

On free loopback ports and a throwaway run directory (the stack on the default ports is never touched),
for `runs` rounds: `up` from nothing (log directory format, keytool CA and broker keystore, broker, worker),
`down`, `up` again on the kept data, and then the Connect worker alone restarted with each plugin.discovery
mode until its REST API lists the plugins. Prints the median of each and the command that reproduces it.

    .venv/bin/python bench/devstack_start.py        # 3 rounds
    .venv/bin/python bench/devstack_start.py 5
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shlex
import socket
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devstack.stack import LocalStack, StackConfig  # noqa: E402

DISCOVERY_MODES = ("service_load", "hybrid_warn")


def free_ports(count: int) -> list[int]:
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]


def timed(action) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


def one_round(run_dir: Path) -> dict[str, float]:
    broker, controller, sasl, connect = free_ports(4)
    config = StackConfig(
        run_dir=run_dir,
        broker_port=broker,
        controller_port=controller,
        sasl_ssl_port=sasl,
        connect_port=connect,
        redis_url="redis://127.0.0.1:6379/0",
        connect_group=f"bench-{uuid.uuid4().hex[:8]}",
    )
    stack = LocalStack(config)
    figures: dict[str, float] = {}
    try:
        figures["up from nothing"] = timed(lambda: stack.up(timeout=300))
        figures["down"] = timed(stack.down)
        figures["up on kept data"] = timed(lambda: stack.up(timeout=300))
        for mode in DISCOVERY_MODES:
            stack.connect.stop()
            worker = LocalStack(dataclasses.replace(config, plugin_discovery=mode))
            figures[f"worker REST ready, plugin.discovery={mode}"] = timed(lambda w=worker: w.up(timeout=300))
    finally:
        stack.down()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="?", type=int, default=3)
    arguments = parser.parse_args()
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "controlplane.settings.local")
    django.setup()  # the jar folder's default location comes from the settings
    rounds = []
    for _ in range(arguments.runs):
        with tempfile.TemporaryDirectory(prefix="devstack-bench-") as run_dir:
            rounds.append(one_round(Path(run_dir)))
    print(f"local stack, median of {arguments.runs} rounds (seconds):")
    for name in rounds[0]:
        print(f"  {name:48} {statistics.median(r[name] for r in rounds):6.1f}")
    print("reproduce:", shlex.join([".venv/bin/python", "bench/devstack_start.py", str(arguments.runs)]))


if __name__ == "__main__":
    main()
