"""Helpers for tests that start and stop real processes: free ports, what /proc says is alive, and which
broker this process publishes Celery tasks to.

They read the operating system directly, independent of the code under test.
"""

from __future__ import annotations

import os
import random
import socket
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlparse

# Below Linux's ephemeral range (ip_local_port_range starts at 32768): a port picked here and bound a
# moment later by the process that needs it cannot meanwhile become some outgoing connection's source port.
FREE_PORT_RANGE = range(20000, 32768)


def free_ports(count: int) -> list[int]:
    """Distinct loopback ports below the ephemeral range that nobody listens on (held open together so
    they differ)."""
    ports: list[int] = []
    with ExitStack() as stack:
        for port in random.sample(FREE_PORT_RANGE, len(FREE_PORT_RANGE)):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                sock.close()
                continue
            stack.callback(sock.close)
            ports.append(port)
            if len(ports) == count:
                return ports
    raise RuntimeError(f"fewer than {count} free loopback ports in {FREE_PORT_RANGE}")


def closed_port() -> int:
    """A loopback port with nothing behind it: connections are refused."""
    return free_ports(1)[0]


def is_alive(pid: int) -> bool:
    """Alive and not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def processes_mentioning(*needles: str) -> list[tuple[int, str]]:
    """Live processes (other than this one) whose command line contains any of the needles."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        if any(needle in cmdline for needle in needles) and is_alive(int(entry.name)):
            found.append((int(entry.name), cmdline[:200]))
    return found


def subprocess_database_url() -> str:
    """The URL of the test database, for processes the suite starts (Celery workers) to share it."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@contextmanager
def celery_publishing_to(url: str) -> Iterator[None]:
    """Inside, the tasks this process publishes (the API's dispatch) go to the broker at `url`, where
    the Celery processes a test started listen; the previous broker again afterwards."""
    from controlplane.celery import app

    previous = app.conf.broker_url
    _use_broker(url)
    try:
        yield
    finally:
        _use_broker(previous)


def _use_broker(url: str) -> None:
    """Point this process's Celery publishing at `url` (the app caches its connection pools)."""
    from controlplane.celery import app

    app.conf.broker_url = url
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    with app.connection_for_write() as connection:
        assert (connection.hostname, connection.port) == (urlparse(url).hostname, urlparse(url).port), connection
