"""The local stack: a single-node Apache Kafka broker (KRaft, combined broker and controller), one Kafka
Connect distributed worker of the same release with its plugins, and, where nothing answers at REDIS_URL,
a Redis of its own.

The jars come from Maven (devstack/maven, built by devstack.build). The broker's log directory is under the
run directory, so topics, Connect's configs, offsets and statuses survive `down` and `up`. Besides the
PLAINTEXT listener, an optional SASL_SSL listener takes SCRAM-SHA-512 logins with a certificate signed by
a self-signed CA (devstack.tls); ACLs are enforced by StandardAuthorizer, with the control plane's own
principal as super user.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import ssl
import subprocess
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from devstack.build import Dist, ensure_dist
from devstack.errors import StackError
from devstack.processes import ManagedProcess, port_is_open, wait_until

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
SCRAM_MECHANISM = "SCRAM-SHA-512"
# Every mechanism the SASL_SSL listener takes; the control plane's principal has a credential for each.
SASL_MECHANISMS = ("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN")
SCRAM_ITERATIONS = 8192
# Small heaps and a quick-starting JIT: this is a development stack on a small machine.
JVM_OPTIONS = ["-Xms128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true"]


@dataclass(frozen=True)
class StackConfig:
    run_dir: Path  # pid files, logs, generated properties, the broker's data and TLS material
    broker_port: int  # PLAINTEXT
    controller_port: int  # KRaft controller listener
    connect_port: int
    redis_url: str
    dist_dir: Path | None = None  # the Maven-built jars (libs/, plugins/); default: devstack.build.default_dist_dir()
    sasl_ssl_port: int | None = None  # SASL_SSL + SCRAM-SHA-512 listener; none when unset
    sasl_username: str = "controlplane"  # the control plane's own principal, a super user
    connect_group: str = "controlplane-devstack"
    # A second Connect worker group beside the first: exactly.once.source.support=enabled, its own internal
    # topics, and its connectors' clients on the SASL_SSL listener as the principal `connector_principal`
    # (no ACLs) unless the control plane renders a tenant's principal into their overrides, the only
    # overrides its policy (Principal) allows. Not started when unset; needs sasl_ssl_port.
    eos_connect_port: int | None = None
    eos_connect_group: str = "controlplane-devstack-eos"
    connector_principal: str = "connect"
    plugin_discovery: str = "service_load"
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
    def sasl_ssl_bootstrap_servers(self) -> str | None:
        return f"127.0.0.1:{self.sasl_ssl_port}" if self.sasl_ssl_port else None

    @property
    def connect_url(self) -> str:
        scheme = "https" if self.tls_keystore else "http"
        return f"{scheme}://127.0.0.1:{self.connect_port}"

    @property
    def eos_connect_url(self) -> str | None:
        return f"http://127.0.0.1:{self.eos_connect_port}" if self.eos_connect_port else None

    @property
    def data_dir(self) -> Path:
        return self.run_dir / "kraft-logs"

    @property
    def security_dir(self) -> Path:
        return self.run_dir / "security"

    @classmethod
    def from_settings(cls) -> StackConfig:
        from django.conf import settings

        return cls(
            run_dir=Path(settings.VAR_DIR) / "devstack",
            broker_port=settings.DEVSTACK_BROKER_PORT,
            controller_port=settings.DEVSTACK_CONTROLLER_PORT,
            sasl_ssl_port=settings.DEVSTACK_SASL_SSL_PORT,
            connect_port=settings.DEVSTACK_CONNECT_PORT,
            eos_connect_port=settings.DEVSTACK_EOS_CONNECT_PORT or None,
            redis_url=settings.REDIS_URL,
            dist_dir=Path(settings.DEVSTACK_DIST_DIR) if settings.DEVSTACK_DIST_DIR else None,
            plugin_discovery=settings.DEVSTACK_PLUGIN_DISCOVERY,
        )


def find_java() -> str:
    java = shutil.which("java")
    if not java:
        raise StackError("Java 17 is needed for Kafka: `apt-get install -y openjdk-17-jre-headless`.")
    return java


def find_redis_server() -> str:
    redis_server = shutil.which("redis-server")
    if not redis_server:
        raise StackError("No Redis answers and redis-server is not installed: `apt-get install -y redis-server`.")
    return redis_server


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


def kafka_cluster_id() -> str:
    """A cluster id as `kafka-storage random-uuid` makes one: 16 random bytes, URL-safe base64, no padding."""
    while True:
        value = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not value.startswith("-"):  # Kafka avoids ids that look like a command-line option
            return value


def write_properties(path: Path, properties: dict[str, str], *, private: bool = False) -> Path:
    """A Java properties file; `private` ones (they hold a password) are readable by their owner only."""
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o644)
    with os.fdopen(fd, "w") as file:
        file.write("".join(f"{key}={value}\n" for key, value in properties.items()))
    return path


def log4j_properties(path: Path, *, quiet: dict[str, str]) -> Path:
    """A reload4j (log4j 1) configuration: INFO to stdout, which ManagedProcess sends to the log file."""
    lines = [
        "log4j.rootLogger=INFO, stdout",
        "log4j.appender.stdout=org.apache.log4j.ConsoleAppender",
        "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout",
        "log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n",
        *(f"log4j.logger.{name}={level}" for name, level in quiet.items()),
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


class LocalStack:
    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.broker = ManagedProcess("broker", config.run_dir)
        self.connect = ManagedProcess("connect", config.run_dir)
        self.eos_connect = ManagedProcess("connect-eos", config.run_dir)
        self.redis = ManagedProcess("redis", config.run_dir)
        self.dist: Dist | None = None  # the Maven-built jars, resolved by `up`

    # --- public ---------------------------------------------------------------------------------
    def up(self, *, timeout: float = 120.0) -> dict[str, str]:
        self.config.run_dir.mkdir(parents=True, exist_ok=True)
        if self.config.eos_connect_port and not self.config.sasl_ssl_port:
            raise StackError("The exactly-once worker (DEVSTACK_EOS_CONNECT_PORT) needs DEVSTACK_SASL_SSL_PORT.")
        for process, main_class in (
            (self.broker, "kafka.Kafka"),
            (self.connect, "ConnectDistributed"),
            (self.eos_connect, "ConnectDistributed"),
        ):
            if process.is_running() and main_class not in process.command_line():
                raise StackError(
                    f"The {process.name} recorded in {process.pid_file} (pid {process.pid()}) is not this stack's "
                    f"({main_class}): an older local stack still runs. Stop it with `manage.py devstack down`."
                )
        # Every port is checked before anything starts, so a refused `up` leaves nothing running.
        if not self.broker.is_running():
            for port, what, setting in self._broker_ports():
                self._refuse_foreign_listener(port, what, setting)
        if not self.connect.is_running():
            self._refuse_foreign_listener(self.config.connect_port, "Kafka Connect", "DEVSTACK_CONNECT_PORT")
        if self.config.eos_connect_port and not self.eos_connect.is_running():
            self._refuse_foreign_listener(
                self.config.eos_connect_port, "exactly-once Kafka Connect", "DEVSTACK_EOS_CONNECT_PORT"
            )
        self.dist = ensure_dist(self.config.dist_dir)
        self._up_redis()
        self._up_broker(timeout=timeout)
        self._up_connect(timeout=timeout)
        if self.config.eos_connect_port:
            self._up_connect(timeout=timeout, exactly_once=True)
        return self.status()

    def down(self) -> dict[str, str]:
        # Connect first, so it does not spin on a vanished broker.
        self.eos_connect.stop()
        self.connect.stop()
        self.broker.stop(timeout=30)
        self.redis.stop()
        return self.status()

    def status(self) -> dict[str, str]:
        return {
            "redis": self._redis_status(),
            "broker": self._describe(self.broker, self.config.broker_port),
            "connect": self._connect_status(),
            **({"connect-eos": self._eos_connect_status()} if self.config.eos_connect_port else {}),
        }

    def connect_is_ready(self) -> bool:
        code, body = http_json(f"{self.config.connect_url}/connector-plugins", ca_file=self.config.tls_ca_file)
        return code == 200 and isinstance(body, list) and len(body) > 0

    def eos_connect_is_ready(self) -> bool:
        code, body = http_json(f"{self.config.eos_connect_url}/connector-plugins")
        return code == 200 and isinstance(body, list) and len(body) > 0

    def broker_is_ready(self) -> bool:
        from confluent_kafka.admin import AdminClient

        if not port_is_open(self.config.broker_port):
            return False
        admin = AdminClient({"bootstrap.servers": self.config.bootstrap_servers, "socket.timeout.ms": 2000})
        try:
            return bool(admin.list_topics(timeout=2).brokers)
        except Exception:  # noqa: BLE001 (any failure means: not ready yet)
            return False

    def sasl_password(self) -> str:
        """The SCRAM password of the control plane's principal (made on the first `up`, kept in a 0600 file)."""
        return self._secret(f"{self.config.sasl_username}.password")

    def plain_password(self) -> str:
        """The control plane principal's SASL PLAIN password (PLAIN users live in the broker's JAAS, so it is not
        the SCRAM password: server.properties never holds that one)."""
        return self._secret(f"{self.config.sasl_username}-plain.password")

    def connector_principal_password(self) -> str:
        """The SCRAM password of the exactly-once worker's default connector principal (it has no ACLs)."""
        return self._secret(f"{self.config.connector_principal}.password")

    def _secret(self, name: str) -> str:
        """A random secret kept in security_dir, readable by its owner only; made on first use."""
        path = self.config.security_dir / name
        if not path.exists():
            self.config.security_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_urlsafe(24))
        return path.read_text().strip()

    @property
    def ca_file(self) -> Path:
        """The PEM CA that signed the SASL_SSL listener's certificate (clients: ``ssl.ca.location``)."""
        return self.config.security_dir / "ca.pem"

    def sasl_ssl_client_config(
        self, *, password: str | None = None, mechanism: str = SCRAM_MECHANISM
    ) -> dict[str, str]:
        """librdkafka settings for the SASL_SSL listener as the control plane's principal."""
        if not self.config.sasl_ssl_port:
            raise StackError("This stack has no SASL_SSL listener (set DEVSTACK_SASL_SSL_PORT).")
        if password is None:
            password = self.plain_password() if mechanism == "PLAIN" else self.sasl_password()
        return {
            "bootstrap.servers": self.config.sasl_ssl_bootstrap_servers,
            "security.protocol": "SASL_SSL",
            "sasl.mechanism": mechanism,
            "sasl.username": self.config.sasl_username,
            "sasl.password": password,
            "ssl.ca.location": str(self.ca_file),
        }

    # --- components -----------------------------------------------------------------------------
    def _broker_ports(self) -> list[tuple[int, str, str]]:
        ports = [
            (self.config.broker_port, "broker", "DEVSTACK_BROKER_PORT"),
            (self.config.controller_port, "KRaft controller", "DEVSTACK_CONTROLLER_PORT"),
        ]
        if self.config.sasl_ssl_port:
            ports.append((self.config.sasl_ssl_port, "broker's SASL_SSL listener", "DEVSTACK_SASL_SSL_PORT"))
        return ports

    def _redis_address(self) -> tuple[str, int]:
        parsed = urlparse(self.config.redis_url)
        return parsed.hostname or "127.0.0.1", parsed.port or 6379

    def _up_redis(self) -> None:
        host, port = self._redis_address()
        if port_is_open(port, host):
            return
        if host not in LOOPBACK_HOSTS:
            raise StackError(f"Redis at {self.config.redis_url} does not answer and is not local; start it.")
        command = [find_redis_server(), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.redis.start(command, cwd=self.config.run_dir)
        if not wait_until(lambda: port_is_open(port, host), timeout=15):
            raise StackError(f"The stack's Redis did not start:\n{self.redis.log_tail()}")

    def _classpath(self) -> str:
        return str(self.dist.libs / "*")

    def _java(self, main: str, *arguments: str, log4j: Path, heap: str) -> list[str]:
        return [
            find_java(),
            *JVM_OPTIONS,
            f"-Xmx{heap}",
            f"-Dlog4j.configuration=file:{log4j}",
            "-cp",
            self._classpath(),
            main,
            *arguments,
        ]

    def _up_broker(self, *, timeout: float) -> None:
        if not self.broker.is_running():
            properties = self._write_server_properties()
            log4j = log4j_properties(
                self.config.run_dir / "broker-log4j.properties",
                quiet={"kafka": "WARN", "org.apache.kafka": "WARN", "state.change.logger": "WARN"},
            )
            if not (self.config.data_dir / "meta.properties").exists():
                self._format_storage(properties, log4j)
            self.broker.start(self._java("kafka.Kafka", str(properties), log4j=log4j, heap="512m"))
        wait_until(lambda: self.broker_is_ready() or not self.broker.is_running(), timeout=timeout, interval=0.25)
        if not self.broker_is_ready():
            state = "is running" if self.broker.is_running() else "has exited"
            raise StackError(
                f"The broker did not answer on port {self.config.broker_port} (it {state}):\n{self.broker.log_tail()}"
            )
        if self.config.sasl_ssl_port:
            self._upsert_scram_user()

    def _format_storage(self, properties: Path, log4j: Path) -> None:
        command = self._java(
            "kafka.tools.StorageTool",
            "format",
            "--cluster-id",
            kafka_cluster_id(),
            "--config",
            str(properties),
            "--ignore-formatted",
            log4j=log4j,
            heap="256m",
        )
        result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
        if result.returncode != 0:
            raise StackError(f"Formatting the broker's log directory failed:\n{result.stdout}{result.stderr}")

    def _upsert_scram_user(self) -> None:
        """The control plane's principal gets its SCRAM credential (idempotent) over PLAINTEXT, where the
        caller is ANONYMOUS, a super user; the password never appears on a command line."""
        from confluent_kafka.admin import (
            AdminClient,
            ScramCredentialInfo,
            ScramMechanism,
            UserScramCredentialUpsertion,
        )

        admin = AdminClient({"bootstrap.servers": self.config.bootstrap_servers})
        users = [(self.config.sasl_username, self.sasl_password())]
        if self.config.eos_connect_port:
            users.append((self.config.connector_principal, self.connector_principal_password()))
        # One request per mechanism: the broker refuses to alter a user twice in one request.
        for mechanism in (ScramMechanism.SCRAM_SHA_512, ScramMechanism.SCRAM_SHA_256):
            upsertions = [
                UserScramCredentialUpsertion(user, ScramCredentialInfo(mechanism, SCRAM_ITERATIONS), password.encode())
                for user, password in users
            ]
            for future in admin.alter_user_scram_credentials(upsertions).values():
                future.result(timeout=30)

    def _write_server_properties(self) -> Path:
        config = self.config
        listeners = {
            "PLAINTEXT": f"127.0.0.1:{config.broker_port}",
            "CONTROLLER": f"127.0.0.1:{config.controller_port}",
        }
        protocols = {"CONTROLLER": "PLAINTEXT", "PLAINTEXT": "PLAINTEXT"}
        if config.sasl_ssl_port:
            listeners["SASL_SSL"] = f"127.0.0.1:{config.sasl_ssl_port}"
            protocols["SASL_SSL"] = "SASL_SSL"
        advertised = {name: address for name, address in listeners.items() if name != "CONTROLLER"}
        properties = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@127.0.0.1:{config.controller_port}",
            "listeners": ",".join(f"{name}://{address}" for name, address in listeners.items()),
            "advertised.listeners": ",".join(f"{name}://{address}" for name, address in advertised.items()),
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": ",".join(f"{name}:{proto}" for name, proto in protocols.items()),
            "log.dirs": str(config.data_dir),
            "num.partitions": "1",
            "auto.create.topics.enable": "true",
            # A single node: the internal topics' defaults (replication 3, min ISR 2) would never be met.
            "offsets.topic.replication.factor": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            # Fast groups: no initial rebalance delay, and short session timeouts allowed.
            "group.initial.rebalance.delay.ms": "0",
            "group.min.session.timeout.ms": "1000",
            # ACLs: only super users get access where no ACL matches. The broker's own PLAINTEXT listeners
            # (controller and inter-broker) authenticate as ANONYMOUS, which must therefore be a super user;
            # so are PLAINTEXT clients: ACLs are enforced on the SASL_SSL listener.
            "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            "super.users": f"User:ANONYMOUS;User:{config.sasl_username}",
            "allow.everyone.if.no.acl.found": "false",
        }
        if config.sasl_ssl_port:
            from devstack.tls import ensure_broker_keystore

            keystore = ensure_broker_keystore(config.security_dir, password=self._secret("keystore.password"))
            plain_user = f'user_{config.sasl_username}="{self.plain_password()}"'
            properties |= {
                "sasl.enabled.mechanisms": ",".join(SASL_MECHANISMS),
                **{
                    f"listener.name.sasl_ssl.{mechanism.lower()}.sasl.jaas.config": (
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;"
                    )
                    for mechanism in SASL_MECHANISMS
                    if mechanism.startswith("SCRAM")
                },
                "listener.name.sasl_ssl.plain.sasl.jaas.config": (
                    f"org.apache.kafka.common.security.plain.PlainLoginModule required {plain_user};"
                ),
                "listener.name.sasl_ssl.ssl.keystore.type": "PKCS12",
                "listener.name.sasl_ssl.ssl.keystore.location": str(keystore.keystore),
                "listener.name.sasl_ssl.ssl.keystore.password": keystore.password,
            }
        config.data_dir.mkdir(parents=True, exist_ok=True)
        return write_properties(config.run_dir / "server.properties", properties, private=True)  # keystore password

    def _up_connect(self, *, timeout: float, exactly_once: bool = False) -> None:
        process = self.eos_connect if exactly_once else self.connect
        ready = self.eos_connect_is_ready if exactly_once else self.connect_is_ready
        url = self.config.eos_connect_url if exactly_once else self.config.connect_url
        if not process.is_running():
            properties = self._write_worker_properties(exactly_once=exactly_once)
            log4j = log4j_properties(
                self.config.run_dir / "connect-log4j.properties",
                quiet={
                    "org.apache.kafka": "WARN",
                    "org.apache.kafka.connect": "INFO",
                    "org.reflections": "ERROR",
                    "org.eclipse.jetty": "WARN",
                },
            )
            command = self._java(
                "org.apache.kafka.connect.cli.ConnectDistributed",
                str(properties),
                log4j=log4j,
                heap="512m" if exactly_once else "768m",
            )
            process.start(command, cwd=self.config.run_dir)
        # Stop waiting as soon as the worker has exited: its log says why.
        wait_until(lambda: ready() or not process.is_running(), timeout=timeout, interval=0.5)
        if not ready():
            state = "is running" if process.is_running() else "has exited"
            raise StackError(f"Kafka Connect did not answer at {url} (the worker {state}):\n{process.log_tail()}")

    def _refuse_foreign_listener(self, port: int, what: str, setting: str) -> None:
        if port_is_open(port):
            raise StackError(f"Port {port} for the {what} is taken by another process; free it or set {setting}.")

    def _write_worker_properties(self, *, exactly_once: bool = False) -> Path:
        group = self.config.eos_connect_group if exactly_once else self.config.connect_group
        port = self.config.eos_connect_port if exactly_once else self.config.connect_port
        prefix = f"_{group}"
        properties = {
            "bootstrap.servers": self.config.bootstrap_servers,
            "group.id": group,
            "key.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "config.storage.topic": f"{prefix}-configs",
            "offset.storage.topic": f"{prefix}-offsets",
            "status.storage.topic": f"{prefix}-status",
            "config.storage.replication.factor": "1",
            "offset.storage.replication.factor": "1",
            "status.storage.replication.factor": "1",
            "offset.storage.partitions": "5",
            "status.storage.partitions": "1",
            "listeners": self.config.eos_connect_url if exactly_once else self.config.connect_url,
            "rest.advertised.host.name": "127.0.0.1",
            "rest.advertised.port": str(port),
            "plugin.path": str(self.dist.plugins),
            # service_load finds plugins by their META-INF/services manifests alone, without scanning every
            # class of every plugin (devstack.build writes the missing manifests with ConnectPluginPath).
            "plugin.discovery": self.config.plugin_discovery,
            # Short group timeouts: every rebalance (one per connector created or deleted) stays short.
            "session.timeout.ms": "2000",
            "heartbeat.interval.ms": "500",
            "scheduled.rebalance.max.delay.ms": "0",
            "offset.flush.interval.ms": "1000",
            # Tenants must not override producer/consumer settings (credentials, ACL principal...).
            "connector.client.config.override.policy": "None",
        }
        if exactly_once:
            properties |= self._exactly_once_worker_properties()
        elif self.config.tls_keystore:
            properties |= {
                "listeners.https.ssl.keystore.location": str(self.config.tls_keystore),
                "listeners.https.ssl.keystore.password": self.config.tls_password,
                "listeners.https.ssl.keystore.type": "PKCS12",
                "listeners.https.ssl.key.password": self.config.tls_password,
            }
        name = "worker-eos.properties" if exactly_once else "worker.properties"
        return write_properties(
            self.config.run_dir / name, properties, private=exactly_once or bool(self.config.tls_keystore)
        )

    def _exactly_once_worker_properties(self) -> dict[str, str]:
        """The exactly-once group: its own internal topics (through group.id), KIP-618 exactly-once sources, and
        its connectors' producers, consumers and admin clients on the SASL_SSL listener as a principal without
        ACLs; only the SASL settings a connector's *.override.* may change (policy Principal)."""
        from devstack.tls import ensure_broker_keystore

        stores = ensure_broker_keystore(self.config.security_dir, password=self._secret("keystore.password"))
        jaas = (
            "org.apache.kafka.common.security.scram.ScramLoginModule required "
            f'username="{self.config.connector_principal}" password="{self.connector_principal_password()}";'
        )
        clients = {
            "bootstrap.servers": self.config.sasl_ssl_bootstrap_servers,
            "security.protocol": "SASL_SSL",
            "sasl.mechanism": SCRAM_MECHANISM,
            "sasl.jaas.config": jaas,
            "ssl.truststore.type": "PKCS12",
            "ssl.truststore.location": str(stores.truststore),
            "ssl.truststore.password": stores.password,
        }
        return {
            "exactly.once.source.support": "enabled",
            "connector.client.config.override.policy": "Principal",
            **{
                f"{client}.{key}": value
                for client in ("producer", "consumer", "admin")
                for key, value in clients.items()
            },
        }

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

    def _eos_connect_status(self) -> str:
        base = self._describe(self.eos_connect, self.config.eos_connect_port)
        if self.eos_connect.is_running() and not self.eos_connect_is_ready():
            return base + ", REST not ready"
        return base

    def _redis_status(self) -> str:
        host, port = self._redis_address()
        if self.redis.is_running():
            return f"running embedded (pid {self.redis.pid()}, port {port})"
        return f"external at {host}:{port}" if port_is_open(port, host) else "stopped"
