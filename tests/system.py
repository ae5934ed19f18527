"""Helpers for tests that start and stop real processes: free ports, and what /proc says is alive.

They read the operating system directly, independent of the code under test.
"""

from __future__ import annotations

import os
import random
import signal
import socket
from contextlib import ExitStack, contextmanager
from pathlib import Path

# Ports for the tests' servers come from below the kernel's ephemeral range (32768-60999 here): a port
# in that range can be taken as the source port of any outgoing connection on the machine, for
# example while a server a test stops and starts again on its port is down.
TEST_PORTS = range(10_000, 32_768)


def free_ports(count: int) -> list[int]:
    """Distinct loopback ports below the ephemeral range that nobody listens on (held open together so they differ)."""
    pick = random.SystemRandom()
    ports: list[int] = []
    with ExitStack() as stack:
        while len(ports) < count:
            port = pick.choice(TEST_PORTS)
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:  # taken (or in TIME_WAIT)
                continue
            ports.append(port)
        return ports


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


@contextmanager
def frozen(process):
    """SIGSTOP a process group (a Celery worker and its children, started in a session of its own) for
    the block, then SIGCONT it."""
    os.killpg(process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.killpg(process.pid, signal.SIGCONT)


def subprocess_database_url() -> str:
    """The URL of the test database, for processes the suite starts (Celery workers) to share it."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class PrivatePostgres:
    """A PostgreSQL cluster of a test's own (initdb in a fresh directory, one free port below the
    ephemeral range, loopback only), which the test may stop and start: the machine's shared cluster on
    5432 holds other engineers' databases and is never touched. The server refuses to run as root, so
    as root it runs as the `postgres` user, in a directory that user owns."""

    def __init__(self, *, port: int, password: str = "private-postgres") -> None:
        import glob
        import tempfile

        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda path: int(Path(path).parent.name))
        if not bins:
            raise RuntimeError("PostgreSQL's server binaries are not installed: run scripts/setup.sh")
        self.bin = Path(bins[-1])
        self.port, self.password = port, password
        # Not under pytest's tmp directory: as root that is private to root, and the server runs as postgres.
        self.root = Path(tempfile.mkdtemp(prefix="private-postgres-"))
        self.data, self.log = self.root / "data", self.root / "server.log"

    def url(self, dbname: str) -> str:
        return f"postgres://postgres:{self.password}@127.0.0.1:{self.port}/{dbname}"

    def _run(self, tool: str, *args: str, timeout: float = 120) -> None:
        import subprocess

        command = [str(self.bin / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
            raise RuntimeError(f"{tool} {' '.join(args)} failed:\n{result.stdout}{result.stderr}\n{log}")

    def init(self) -> None:
        password_file = self.root / "password"
        password_file.write_text(self.password + "\n")
        if os.geteuid() == 0:
            import shutil

            for path in (self.root, password_file):
                shutil.chown(path, "postgres", "postgres")
        self._run(
            "initdb",
            *("-D", str(self.data), "-U", "postgres", f"--pwfile={password_file}", "--auth=scram-sha-256"),
            *("--encoding=UTF8", "--no-sync"),
        )
        password_file.unlink()

    def start(self) -> None:
        """Start and wait until it accepts connections."""
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start")

    def stop(self, *, mode: str = "fast") -> None:
        """`fast`, as a restart does: the server ends every session and shuts down cleanly."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def is_running(self) -> bool:
        pid_file = self.data / "postmaster.pid"
        return pid_file.exists() and is_alive(int(pid_file.read_text().split()[0]))

    def destroy(self) -> None:
        import shutil

        if self.is_running():
            self.stop(mode="immediate")
        shutil.rmtree(self.root, ignore_errors=True)
