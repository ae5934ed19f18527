"""Helpers for tests that start and stop real processes: free ports, what /proc says is alive, and which
broker this process publishes Celery tasks to.

They read the operating system directly, independent of the code under test.
"""

from __future__ import annotations

import os
import random
import signal
import socket
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlparse

# Below Linux's ephemeral range (ip_local_port_range starts at 32768): a port picked here and bound a
# moment later by the process that needs it cannot meanwhile become some outgoing connection's source
# port, nor can it while a server a test stops and starts again on it is down.
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


@contextmanager
def frozen(process):
    """SIGSTOP a process group (a Celery worker and its children, started in a session of its own) for
    the block, then SIGCONT it."""
    os.killpg(process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.killpg(process.pid, signal.SIGCONT)


def process_group_start(command: list[str], *, env: dict[str, str], log_path: Path, cwd=None):
    """Start `command` in a process group of its own (so it can be frozen, stopped or killed with
    its children), its output appended to `log_path`."""
    import subprocess

    with log_path.open("ab") as log:
        return subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def process_groups_stop(processes, *, timeout: float = 20) -> None:
    """SIGTERM each running group, then wait for each; a group still there after `timeout` is killed."""
    import subprocess

    running = [process for process in processes if process is not None and process.poll() is None]
    for process in running:
        os.killpg(process.pid, signal.SIGTERM)
    for process in running:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


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


class PrivatePostgres:
    """A PostgreSQL cluster of a test's own (initdb in a fresh directory, one free port below the
    ephemeral range, loopback only), which the test may stop and start: the machine's shared cluster on
    5432 holds other engineers' databases and is never touched. The server refuses to run as root, so
    as root it runs as the `postgres` user, in a directory that user owns."""

    def __init__(self, *, port: int, password: str = "private-postgres") -> None:
        import glob
        import tempfile

        bins = sorted(
            (
                path
                for path in glob.glob("/usr/lib/postgresql/*/bin")
                if all((Path(path) / tool).exists() for tool in ("initdb", "pg_ctl"))
            ),  # a client-only package's directory has neither
            key=lambda path: int(Path(path).parent.name),
        )
        if not bins:
            raise RuntimeError("PostgreSQL's server binaries are not installed: run scripts/test-services.sh")
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
