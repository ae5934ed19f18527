"""Helpers for tests that start and stop real processes: free ports, and what /proc says is alive.

They read the operating system directly, independent of the code under test.
"""

from __future__ import annotations

import os
import socket
from contextlib import ExitStack
from pathlib import Path


def free_ports(count: int) -> list[int]:
    """Distinct loopback ports nobody listens on (held open together so they differ)."""
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]


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
