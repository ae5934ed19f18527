"""Background processes that survive the command that started them, tracked by pid files.

Each process runs in its own session (process group), so `stop` takes down the whole group and
leaves no orphan behind, and a second `start` of a live process starts nothing.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


def port_is_open(port: int, host: str = "127.0.0.1", timeout: float = 0.3) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        return sock.connect_ex((host, port)) == 0


def pid_is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped) counts as dead.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def live_group_members(pgid: int) -> list[int]:
    """The processes of process group `pgid` that have not exited (zombies excluded), from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def process_start_time(pid: int) -> str | None:
    """When the process started (clock ticks since boot, /proc/<pid>/stat field 22): with the pid, it names
    one process, so a pid reused by another process after a reboot is not taken for ours."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


@dataclass(frozen=True)
class ManagedProcess:
    name: str
    run_dir: Path

    @property
    def pid_file(self) -> Path:
        return self.run_dir / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return self.run_dir / f"{self.name}.log"

    def pid(self) -> int | None:
        try:
            recorded = self.pid_file.read_text().split()  # "<pid> <start time>", or "<pid>" from older versions
            pid = int(recorded[0])
        except (FileNotFoundError, ValueError, IndexError):
            return None
        if not pid_is_alive(pid):
            return None
        if len(recorded) > 1 and recorded[1] != process_start_time(pid):
            return None  # the pid now belongs to another process
        return pid

    def is_running(self) -> bool:
        return self.pid() is not None

    def command_line(self) -> str:
        """The running process's command line ("" when it does not run)."""
        pid = self.pid()
        try:
            return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, TypeError):
            return ""

    def start(self, command: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None) -> bool:
        """Start the process unless it already runs; return whether it was started now."""
        if self.is_running():
            return False
        self.run_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_file, "ab") as log:
            process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, **(env or {})},
                cwd=cwd,
                start_new_session=True,
            )
        start_time = process_start_time(process.pid)
        self.pid_file.write_text(f"{process.pid} {start_time}" if start_time else str(process.pid))
        return True

    def stop(self, *, timeout: float = 20.0) -> bool:
        """Stop the process group: SIGTERM, then SIGKILL after `timeout`. Return whether it was running."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        # The process leads its own group (start_new_session): wait for every member, not only the leader.
        self._signal_group(pid, signal.SIGTERM)
        if not wait_until(lambda: not live_group_members(pid), timeout=timeout, interval=0.1):
            self._signal_group(pid, signal.SIGKILL)
            wait_until(lambda: not live_group_members(pid), timeout=10, interval=0.05)
        self.pid_file.unlink(missing_ok=True)
        return True

    @staticmethod
    def _signal_group(pid: int, sig: signal.Signals) -> None:
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            pass
        except PermissionError:
            os.kill(pid, sig)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""


def wait_until(predicate, *, timeout: float, interval: float = 0.25) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
