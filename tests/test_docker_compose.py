"""docker-compose.yml and the Dockerfile: Docker cannot run here, so what they must contain is checked.

The compose file is parsed with PyYAML; what it points at (Python modules, the Celery app, the
Connect worker properties, files the Dockerfile copies) must exist in the repository.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"

SERVICES = ("postgres", "redis", "kafka", "kafka-connect", "web", "celery-worker", "celery-beat")
APP_SERVICES = ("web", "celery-worker", "celery-beat")
SECRET_NAMES = ("SECRET_KEY", "CONNECTOR_ENCRYPTION_KEYS")
# A mandatory reference with no default: `${NAME:?message}` (a default would be a literal secret).
REQUIRED_REFERENCE = re.compile(r"\$\{(?P<name>[A-Z][A-Z0-9_]*):\?[^}]*\}")
INTERPOLATION = re.compile(r"\$\$|\$\{(?P<name>[A-Z][A-Z0-9_]*)(?:(?P<op>:\?|:-)(?P<arg>[^}]*))?\}")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def environment(service: dict) -> dict[str, str]:
    """A service's environment as a dict, whether written as a mapping or as a list of NAME=value."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {name: "" if value is None else str(value) for name, value in env.items()}


def command_words(service: dict) -> list[str]:
    """The command as words; for `sh -c "a && exec b"` the words of the shell script."""
    command = service["command"]
    words = shlex.split(command) if isinstance(command, str) else list(command)
    if words[:2] == ["sh", "-c"] or words[:2] == ["bash", "-c"]:
        words = shlex.split(words[2])
    return words


def program_arguments(words: list[str], program: str) -> list[str]:
    """The arguments of `program` within a command line (after `exec`, `&&`...)."""
    assert program in words, f"{program} is not run by {' '.join(words)}"
    start = words.index(program) + 1
    rest = words[start:]
    return rest[: rest.index("&&")] if "&&" in rest else rest


def celery_app_and_subcommand(service: dict) -> tuple[str, str]:
    arguments = program_arguments(command_words(service), "celery")
    for flag in ("-A", "--app"):
        if flag in arguments:
            app = arguments[arguments.index(flag) + 1]
            subcommand = arguments[arguments.index(flag) + 2]
            return app, subcommand
    pytest.fail(f"celery is run without -A/--app: {arguments}")


def healthcheck_text(service: dict) -> str:
    test = service["healthcheck"]["test"]
    return test if isinstance(test, str) else " ".join(test)


def interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose's interpolation for the forms this file uses: $$, ${VAR}, ${VAR:?message}, ${VAR:-default}."""

    def replace(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name"), match.group("op"), match.group("arg")
        if variables.get(name):
            return variables[name]
        if op == ":?":
            raise LookupError(f"{name}: {arg}")
        return arg if op == ":-" else ""

    return INTERPOLATION.sub(replace, value)


def read_properties(path: Path) -> dict[str, str]:
    properties = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "!")):
            key, _, value = line.partition("=")
            properties[key.strip()] = value.strip()
    return properties


# --- services ---------------------------------------------------------------------------------------
def test_compose_declares_the_seven_services(services):
    assert set(SERVICES) <= set(services)


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_has_a_healthcheck(services, name):
    healthcheck = services[name].get("healthcheck")

    assert healthcheck and healthcheck.get("test"), f"{name} has no healthcheck"
    assert not healthcheck.get("disable")


def test_postgres_is_version_16_and_checked_with_pg_isready(services):
    assert services["postgres"]["image"].startswith("postgres:16")
    assert "pg_isready" in healthcheck_text(services["postgres"])


def test_redis_is_version_7_and_checked_with_a_ping(services):
    assert services["redis"]["image"].startswith("redis:7")
    assert "redis-cli" in healthcheck_text(services["redis"]) and "ping" in healthcheck_text(services["redis"])


def test_kafka_is_a_single_kraft_node(services):
    kafka = services["kafka"]
    env = environment(kafka)

    assert kafka["image"] == "apache/kafka:3.9.1"
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"].startswith(f"{env['KAFKA_NODE_ID']}@")
    assert not any("ZOOKEEPER" in name for name in env)
    assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "1"


# --- the web service --------------------------------------------------------------------------------
def test_web_runs_gunicorn_on_the_wsgi_application(services):
    arguments = program_arguments(command_words(services["web"]), "gunicorn")

    assert arguments[0] == "controlplane.wsgi:application"
    assert arguments[arguments.index("--bind") + 1] == "0.0.0.0:8000"
    assert arguments[arguments.index("--workers") + 1] == "3"
    assert arguments[arguments.index("--access-logfile") + 1] == "-"


def test_the_wsgi_module_gunicorn_loads_exists_and_defines_application(services):
    module, attribute = program_arguments(command_words(services["web"]), "gunicorn")[0].split(":")

    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin
    tree = ast.parse(Path(spec.origin).read_text())
    assigned = {target.id for node in tree.body if isinstance(node, ast.Assign) for target in node.targets}
    assert attribute in assigned


def test_web_applies_migrations_before_starting_gunicorn(services):
    script = " ".join(command_words(services["web"]))

    assert "python manage.py migrate --noinput" in script
    assert script.index("migrate") < script.index("gunicorn")
    assert "&& exec gunicorn" in script  # a failed migration stops the start; gunicorn gets the signals


def test_web_waits_for_healthy_postgres_and_redis(services):
    depends_on = services["web"]["depends_on"]

    assert depends_on["postgres"]["condition"] == "service_healthy"
    assert depends_on["redis"]["condition"] == "service_healthy"


def test_web_healthcheck_hits_healthz_on_the_gunicorn_port(services):
    check = healthcheck_text(services["web"])

    assert "http://127.0.0.1:8000/healthz" in check


def test_web_healthcheck_host_is_allowed(services):
    """The check sends Host: localhost, which Django rejects unless ALLOWED_HOSTS lists it."""
    assert "'Host': 'localhost'" in healthcheck_text(services["web"])
    assert environment(services["web"])["ALLOWED_HOSTS"].split(",")[-1] == "localhost"


def test_web_publishes_its_port(services):
    assert any(str(port).endswith(":8000") for port in services["web"]["ports"])


# --- celery -------------------------------------------------------------------------------------------
def test_celery_app_named_in_the_commands_exists(services):
    from controlplane.celery import app

    for name in ("celery-worker", "celery-beat"):
        app_name, _ = celery_app_and_subcommand(services[name])
        assert app_name == "controlplane"
    assert importlib.util.find_spec("controlplane.celery") is not None
    assert app.main == "controlplane"


def test_celery_worker_runs_a_worker_and_beat_runs_beat(services):
    assert celery_app_and_subcommand(services["celery-worker"])[1] == "worker"
    assert celery_app_and_subcommand(services["celery-beat"])[1] == "beat"


def test_celery_worker_healthcheck_pings_its_own_node(services):
    check = healthcheck_text(services["celery-worker"])

    assert "celery -A controlplane inspect ping" in check
    # `$$` is compose's escape: the container's shell expands $HOSTNAME, the worker's default node name.
    assert "-d celery@$$HOSTNAME" in check


def test_celery_beat_healthcheck_watches_the_pid_file_beat_writes(services):
    pidfile = program_arguments(command_words(services["celery-beat"]), "celery")
    pidfile = pidfile[pidfile.index("--pidfile") + 1]

    assert pidfile in healthcheck_text(services["celery-beat"])
    assert f"rm -f {pidfile}" in " ".join(command_words(services["celery-beat"]))  # stale after a restart


def test_app_services_share_one_image_and_the_production_settings(services):
    images = {services[name]["image"] for name in APP_SERVICES}

    assert len(images) == 1
    for name in APP_SERVICES:
        assert services[name]["build"] == "."
        assert environment(services[name])["DJANGO_SETTINGS_MODULE"] == "controlplane.settings.production"
    assert importlib.util.find_spec("controlplane.settings.production") is not None


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_get_every_setting_production_needs(services, name):
    env = environment(services[name])

    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "CONNECTOR_ENCRYPTION_KEYS", "ALLOWED_HOSTS"} <= set(env)
    assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://") and "@redis:6379/" in env["REDIS_URL"]


def test_app_environment_interpolated_from_an_env_file_satisfies_production_settings(services):
    """With the variables an operator puts in .env, the production settings load as configured."""
    from cryptography.fernet import Fernet

    dotenv = {
        "SECRET_KEY": "s" * 64,
        "CONNECTOR_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "POSTGRES_PASSWORD": "pgpass",
        "REDIS_PASSWORD": "redispass",
        "ALLOWED_HOSTS": "controlplane.example.com",
    }
    env = {name: interpolate(value, dotenv) for name, value in environment(services["web"]).items()}
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "db = s.DATABASES['default']; "
        "print(json.dumps([db['HOST'], db['NAME'], db['USER'], db['PASSWORD'], s.REDIS_URL, s.ALLOWED_HOSTS, "
        "s.DEBUG, len(s.CONNECTOR_ENCRYPTION_KEYS)]))"
    )
    child_env = {"PATH": os.environ.get("PATH", ""), "CONTROLPLANE_VAR_DIR": str(ROOT / "var"), **env}

    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=child_env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stderr
    host, name, user, password, redis_url, allowed_hosts, debug, key_count = json.loads(result.stdout)
    assert (host, name, user, password) == ("postgres", "controlplane", "controlplane", "pgpass")
    assert redis_url == "redis://:redispass@redis:6379/0"
    assert allowed_hosts == ["controlplane.example.com", "localhost"]
    assert debug is False and key_count == 1


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "CONNECTOR_ENCRYPTION_KEYS", "POSTGRES_PASSWORD", "REDIS_PASSWORD", "ALLOWED_HOSTS"]
)
def test_compose_refuses_to_start_while_a_required_variable_is_missing(services, missing):
    dotenv = {name: "set" for name in ("SECRET_KEY", "CONNECTOR_ENCRYPTION_KEYS", "POSTGRES_PASSWORD")}
    dotenv |= {"REDIS_PASSWORD": "set", "ALLOWED_HOSTS": "set", missing: ""}

    with pytest.raises(LookupError, match=f"^{missing}: set {missing}"):
        for value in environment(services["web"]).values():
            interpolate(value, dotenv)


# --- no literal secrets ------------------------------------------------------------------------------
def secret_values(services: dict) -> list[tuple[str, str, str]]:
    """(service, variable, value) for every variable holding a secret or a URL with a password."""
    found = []
    for service_name, service in services.items():
        for name, value in environment(service).items():
            if name in SECRET_NAMES or "PASSWORD" in name or name.endswith("_AUTH"):
                found.append((service_name, name, value))
            elif "://" in value and "@" in value:
                credentials = value.split("://", 1)[1].rsplit("@", 1)[0]
                if ":" in credentials:
                    found.append((service_name, f"{name} (password)", credentials.split(":", 1)[1]))
    return found


def test_secrets_and_passwords_are_only_references_to_the_env_file(services):
    secrets = secret_values(services)

    assert {name for _, name, _ in secrets} >= {
        "SECRET_KEY",
        "CONNECTOR_ENCRYPTION_KEYS",
        "POSTGRES_PASSWORD",
        "DATABASE_URL (password)",
        "REDIS_URL (password)",
    }
    literal = [(service, name) for service, name, value in secrets if not REQUIRED_REFERENCE.fullmatch(value)]
    assert literal == []


def test_secret_references_have_no_default_anywhere_in_the_file():
    text = COMPOSE_FILE.read_text()

    for name in ("SECRET_KEY", "CONNECTOR_ENCRYPTION_KEYS", "POSTGRES_PASSWORD", "REDIS_PASSWORD"):
        assert f"${{{name}:-" not in text and f"${{{name}-" not in text


# --- kafka connect ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def connect_properties(services) -> tuple[Path, str, dict[str, str]]:
    """The properties file mounted into kafka-connect: (file in the repo, path in the container, contents)."""
    connect = services["kafka-connect"]
    arguments = program_arguments(command_words(connect), "/opt/kafka/bin/connect-distributed.sh")
    in_container = arguments[0]
    for volume in connect["volumes"]:
        source, target, *_ = volume.split(":")
        if target == in_container:
            path = (ROOT / source).resolve()
            assert path.is_file(), f"{source} is mounted but not in the repository"
            return path, in_container, read_properties(path)
    pytest.fail(f"{in_container} is passed to connect-distributed.sh but not mounted")


def test_kafka_connect_runs_the_distributed_worker_from_the_kafka_image(services):
    connect = services["kafka-connect"]

    assert connect["image"] == "apache/kafka:3.9.1"
    assert command_words(connect)[0] == "/opt/kafka/bin/connect-distributed.sh"
    assert connect["depends_on"]["kafka"]["condition"] == "service_healthy"


def test_kafka_connect_mounts_a_properties_file_from_the_repository(connect_properties):
    path, _, _ = connect_properties

    assert path == ROOT / "deploy" / "connect-distributed.properties"
    assert "connector.client.config.override.policy=None" in path.read_text().splitlines()


def test_connect_worker_properties(connect_properties):
    _, _, properties = connect_properties

    assert properties["bootstrap.servers"] == "kafka:9092"
    assert properties["group.id"]
    for store in ("config", "offset", "status"):
        assert properties[f"{store}.storage.topic"]
        assert properties[f"{store}.storage.replication.factor"] == "1"
    assert properties["key.converter"] == "org.apache.kafka.connect.json.JsonConverter"
    assert properties["value.converter"] == "org.apache.kafka.connect.json.JsonConverter"
    assert properties["listeners"].endswith(":8083")
    assert properties["connector.client.config.override.policy"] == "None"


def test_connect_plugin_path_is_a_named_volume(compose, services, connect_properties):
    _, _, properties = connect_properties
    mounts = dict(volume.split(":")[:2] for volume in services["kafka-connect"]["volumes"])
    plugin_dirs = properties["plugin.path"].split(",")

    plugin_volumes = [source for source, target in mounts.items() if target in plugin_dirs]

    assert plugin_volumes and all(source in compose["volumes"] for source in plugin_volumes)


def test_connect_healthcheck_asks_the_rest_api_on_the_worker_port(services):
    check = healthcheck_text(services["kafka-connect"])

    assert "8083" in check and "/health" in check


# --- Dockerfile ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def dockerfile() -> list[str]:
    """Instructions, with continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def instructions(dockerfile: list[str], keyword: str) -> list[str]:
    return [line[len(keyword) :].strip() for line in dockerfile if line.upper().startswith(keyword + " ")]


def test_dockerfile_builds_on_python_311_slim(dockerfile):
    assert instructions(dockerfile, "FROM") == ["python:3.11-slim"]


def test_dockerfile_copies_the_requirements_and_installs_them_with_the_constraints(dockerfile):
    copies = " ".join(instructions(dockerfile, "COPY"))
    install = next(run for run in instructions(dockerfile, "RUN") if "pip install" in run)

    assert "requirements/base.in" in copies and "requirements/constraints.txt" in copies
    assert "-r requirements/base.in" in install
    assert "-c requirements/constraints.txt" in install


def test_dockerfile_copies_only_files_that_exist_and_never_the_local_state(dockerfile):
    for copy in instructions(dockerfile, "COPY"):
        sources = [word for word in copy.split()[:-1] if not word.startswith("--")]
        for source in sources:
            assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
            assert source.rstrip("/") not in {".", "var", ".venv", ".env"}


def test_dockerfile_copies_every_installed_app(dockerfile):
    # The image runs the production settings: the base apps (devstack, development tooling, is added by
    # the local and test settings only and stays out of the image).
    from controlplane.settings import base

    copied = {word.rstrip("/") for copy in instructions(dockerfile, "COPY") for word in copy.split()[:-1]}
    project_apps = {app.split(".")[0] for app in base.INSTALLED_APPS if (ROOT / app.split(".")[0]).is_dir()}

    assert project_apps <= copied
    assert "manage.py" in copied


def test_dockerfile_runs_as_a_non_root_user(dockerfile):
    users = instructions(dockerfile, "USER")

    assert users and users[-1] not in {"root", "0", "0:0"}


def test_dockerfile_collects_static_files(dockerfile):
    assert any("manage.py collectstatic --noinput" in run for run in instructions(dockerfile, "RUN"))
