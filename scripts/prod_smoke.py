"""The production profile, run for real without Docker (`make prod-smoke`, also run by CI).

The production settings, started with exactly the commands docker-compose.yml gives the web, worker
and beat services (read from the file): two gunicorn instances on two loopback ports with TLS (a
self-signed certificate, through GUNICORN_CMD_ARGS), two Celery workers and beat, on PostgreSQL and a
Redis that needs a password, against the real local Kafka and Connect (`manage.py devstack`).

Through it: a connector is created, reaches RUNNING, is paused and deleted; the admin login page
loads with its stylesheet; one gunicorn instance and one worker are killed in the middle of 50
creates, and none of the 50 is lost. Exit status 0 when every check holds.
"""

from __future__ import annotations

import json
import os
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
import yaml
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the checkout's own modules

from devstack.certificates import self_signed_certificate  # noqa: E402

VENV_BIN = ROOT / ".venv" / "bin"
CREATES = 50
TIMEOUT = 240


def log(message: str) -> None:
    print(f"prod-smoke: {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def compose_command(service: dict) -> list[str]:
    """The service's command as docker compose would run it (`$$` is compose's escape for `$`)."""
    command = service["command"]
    words = shlex.split(command) if isinstance(command, str) else list(command)
    return [word.replace("$$", "$") for word in words]


class Processes:
    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs, self.running = env, logs, {}

    def start(self, name: str, command: list[str], **env: str) -> subprocess.Popen:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**self.env, **env},
            stdout=(self.logs / f"{name}.log").open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running[name] = process
        return process

    def kill(self, name: str) -> None:
        os.killpg(self.running.pop(name).pid, signal.SIGKILL)

    def stop_all(self) -> None:
        for process in self.running.values():
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for process in self.running.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    def tail(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")[-3000:]


def wait(predicate, what: str, timeout: float = TIMEOUT):
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except requests.RequestException:
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise SystemExit(f"prod-smoke: FAILED waiting for {what}")
        time.sleep(0.5)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="prod-smoke-"))
    var_dir = work / "var"
    var_dir.mkdir()
    cert, key = self_signed_certificate(work, names=["127.0.0.1"])
    redis_port, redis_password = free_port(), secrets.token_hex(16)
    database = f"controlplane_smoke_{uuid.uuid4().hex[:6]}"
    pg_password = os.environ.get("PGPASSWORD", "postgres")
    ports = [free_port(), free_port()]
    bases = [f"https://127.0.0.1:{port}" for port in ports]
    env = {
        **os.environ,
        "PATH": f"{VENV_BIN}:{os.environ['PATH']}",  # `python`, `celery`, `gunicorn` as in the image
        "DJANGO_SETTINGS_MODULE": "controlplane.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "CONNECTOR_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DATABASE_URL": f"postgres://postgres:{pg_password}@127.0.0.1:5432/{database}",
        "REDIS_URL": f"redis://:{redis_password}@127.0.0.1:{redis_port}/0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CSRF_TRUSTED_ORIGINS": ",".join(bases),
        "CONTROLPLANE_VAR_DIR": str(var_dir),
        "CONNECTOR_FILE_SANDBOX_ROOT": str(ROOT / "var" / "file-sandbox"),
        "HEALTH_SWEEP_INTERVAL_SECONDS": "3",
        # A killed worker's unacknowledged task comes back soon (default 300 s), and its claim is stale soon.
        "CELERY_VISIBILITY_TIMEOUT_SECONDS": "20",
        "CELERY_TASK_SOFT_TIME_LIMIT": "25",
        "CELERY_TASK_TIME_LIMIT": "30",
        "GUNICORN_CMD_ARGS": f"--certfile {cert} --keyfile {key}",
    }
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    processes = Processes(env, work)
    stack_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "controlplane.settings.local",
        "CONTROLPLANE_VAR_DIR": str(ROOT / "var"),
    }
    stack_was_up = True  # until the stack's status says otherwise: never stop what this run did not start
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would replace the certificate we trust
    session.verify = str(cert)
    try:
        redis = ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", ""]
        processes.start("redis", [*redis, "--requirepass", redis_password])
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {database}"],
            check=True,
            env={**os.environ, "PGPASSWORD": pg_password},
        )
        # The local Kafka and Connect of the checkout; stopped afterwards if this run started them (a stack
        # left behind would hold the ports of the next checkout's run).
        status = subprocess.run(
            [sys.executable, "manage.py", "devstack", "status", "--json"],
            cwd=ROOT,
            env=stack_env,
            capture_output=True,
            text=True,
            check=True,
        )
        stack_was_up = any(json.loads(status.stdout)[part].startswith("running") for part in ("broker", "connect"))
        subprocess.run([sys.executable, "manage.py", "devstack", "up"], cwd=ROOT, check=True, env=stack_env)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, check=True, env=env
        )

        web = compose_command(services["web"])
        for index, port in enumerate(ports):
            processes.start(f"web{index}", web, GUNICORN_BIND=f"127.0.0.1:{port}")
            if index == 0:  # the first one migrates; the second would only find nothing to do
                wait(lambda: session.get(f"{bases[0]}/healthz", timeout=5).ok, "the first gunicorn instance", 120)
        wait(lambda: session.get(f"{bases[1]}/healthz", timeout=5).ok, "the second gunicorn instance", 120)
        for index in range(2):
            processes.start(f"worker{index}", compose_command(services["celery-worker"]))
        processes.start("beat", compose_command(services["celery-beat"]))
        log(f"web on {', '.join(bases)} (TLS), two workers and beat, production settings")

        subprocess.run(
            [sys.executable, "manage.py", "demo_setup", "--host", f"127.0.0.1:{ports[0]}"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        api_key = (var_dir / "demo-api-key").read_text().strip()
        admin_password = (var_dir / "demo-admin-password").read_text().strip()
        session.headers["Authorization"] = f"Bearer {api_key}"
        sandbox = ROOT / "var" / "file-sandbox" / "sales"
        sandbox.mkdir(parents=True, exist_ok=True)
        source = sandbox / "prod-smoke.txt"
        source.write_text("one\ntwo\n")

        def create(base: str, connector_id: str) -> requests.Response:
            body = {
                "type": "file-source",
                "cluster": "local",
                "stage": "dev",
                "id": connector_id,
                "config": {"file": str(source)},
                "topics": ["sales.smoke"],
                "create_topics": True,
            }
            return session.post(f"{base}/api/v1/connectors/", json=body, timeout=60)

        def state(base: str, name: str) -> str:
            return session.get(f"{base}/api/v1/connectors/{name}/", timeout=30).json()["state"]

        # 1. One connector's life, through both instances.
        created = create(bases[0], f"smoke-{uuid.uuid4().hex[:6]}")
        assert created.status_code == 202, created.text
        name = created.json()["name"]
        wait(lambda: state(bases[1], name) == "RUNNING", f"{name} RUNNING")
        assert session.post(f"{bases[1]}/api/v1/connectors/{name}/pause", timeout=30).status_code == 202
        wait(lambda: state(bases[0], name) == "PAUSED", f"{name} PAUSED")
        assert session.delete(f"{bases[0]}/api/v1/connectors/{name}/", timeout=30).status_code == 202
        wait(lambda: state(bases[1], name) == "DELETED", f"{name} DELETED")
        log(f"{name}: RUNNING, PAUSED, DELETED")

        # 2. The admin's login page with its stylesheet, served by the app itself.
        page = requests.get(f"{bases[0]}/admin/login/", verify=str(cert), timeout=30)
        assert page.status_code == 200 and 'name="password"' in page.text, page.status_code
        stylesheet = next(part.split('"')[0] for part in page.text.split('href="')[1:] if "admin/css/base" in part)
        css = requests.get(f"{bases[0]}{stylesheet}", verify=str(cert), timeout=30)
        assert css.status_code == 200 and css.headers["Content-Type"].startswith("text/css"), css.status_code
        assert "max-age" in css.headers.get("Cache-Control", ""), css.headers
        login = requests.Session()
        login.trust_env = False
        login.verify = str(cert)
        login.get(f"{bases[0]}/admin/login/", timeout=30)
        answer = login.post(
            f"{bases[0]}/admin/login/?next=/admin/",
            data={"username": "admin", "password": admin_password, "csrfmiddlewaretoken": login.cookies["csrftoken"]},
            headers={"Referer": f"{bases[0]}/admin/login/"},
            timeout=30,
        )
        assert answer.status_code == 200 and "Log out" in answer.text, answer.status_code
        log(f"admin login works; stylesheet {stylesheet} served with {css.headers['Cache-Control']}")

        # 3. Fifty creates while one gunicorn instance and one worker die.
        ids = [f"load-{uuid.uuid4().hex[:6]}-{index}" for index in range(CREATES)]
        alive = list(bases)
        done, done_lock, a_third_done = [], threading.Lock(), threading.Event()

        def create_with_failover(connector_id: str) -> str:
            # As a load balancer would: a request that meets a dead instance goes to the other one. A
            # retry of a request the dead instance had already stored is a 409 naming the same connector.
            for _ in range(6):
                base = alive[hash(connector_id) % len(alive)]
                try:
                    response = create(base, connector_id)
                except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
                    # The instance died before or while answering.
                    if base in alive and len(alive) > 1:
                        alive.remove(base)
                    continue
                if response.status_code in (202, 409):
                    with done_lock:
                        done.append(connector_id)
                        if len(done) == CREATES // 3:
                            a_third_done.set()
                    return connector_id
                raise AssertionError(f"{connector_id}: {response.status_code} {response.text}")
            raise AssertionError(f"{connector_id}: no instance answered")

        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = [pool.submit(create_with_failover, connector_id) for connector_id in ids]
            a_third_done.wait(timeout=120)  # then kill, with two thirds of the creates still to come
            processes.kill("web0")
            processes.kill("worker0")
            log(f"killed one gunicorn instance and one Celery worker after {len(done)} of {CREATES} creates")
            accepted = [future.result() for future in futures]
        assert len(accepted) == CREATES
        names = [f"edh-shared-sales-dev-{connector_id}-connector" for connector_id in ids]

        def all_running() -> bool:
            states = [state(bases[1], name) for name in names]
            return all(value == "RUNNING" for value in states)

        wait(all_running, f"all {CREATES} connectors RUNNING", timeout=300)
        listed = session.get(f"{bases[1]}/api/v1/connectors/?search=load-&limit=200", timeout=30).json()
        assert sorted(item["name"] for item in listed["results"]) == sorted(names), listed["count"]
        log(f"{CREATES} creates: {CREATES} connectors RUNNING, none lost, none twice")
        for name in names:
            session.delete(f"{bases[1]}/api/v1/connectors/{name}/", timeout=30)
        wait(lambda: all(state(bases[1], name) == "DELETED" for name in names), "the load connectors DELETED", 300)
        log("passed")
    except BaseException:
        for name in processes.running:
            print(f"--- {name} log (tail) ---\n{processes.tail(name)}", file=sys.stderr)
        raise
    finally:
        processes.stop_all()
        if not stack_was_up:
            subprocess.run([sys.executable, "manage.py", "devstack", "down"], cwd=ROOT, check=False, env=stack_env)
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"],
            env={**os.environ, "PGPASSWORD": pg_password},
            check=False,
        )


if __name__ == "__main__":
    main()
