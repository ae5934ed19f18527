"""The CLI is tested against the real server: pytest-django's live server, a real Celery worker and the
real local Kafka Connect stack."""

import pytest
import yaml


@pytest.fixture
def cpctl_env(live_server, client_for, tenant, tmp_path):
    """The environment cpctl runs with: the live server's URL and a developer key, no config file."""
    key = client_for(tenant, "developer").raw_key
    return {"CPCTL_URL": live_server.url, "CPCTL_API_KEY": key, "CPCTL_CONFIG": str(tmp_path / "absent.yaml")}


@pytest.fixture
def cpctl(cpctl_env):
    """cpctl(*args, code=0, key=None) -> click's Result, run in-process but talking HTTP to the live server
    (with the developer key, or the API key `key`)."""
    from click.testing import CliRunner

    from cli.main import cpctl as command

    def run(*args: str, code: int = 0, key: str | None = None):
        env = cpctl_env if key is None else {**cpctl_env, "CPCTL_API_KEY": key}
        result = CliRunner().invoke(command, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == code, f"cpctl {' '.join(args)} exited {result.exit_code}:\n{result.output}"
        return result

    return run


@pytest.fixture
def connect(local_cluster):
    """The Connect client of the local cluster: what Connect itself says, beside what cpctl says."""
    from connectors.clusters import cluster_connect_endpoint
    from connectors.connect import connect_client

    return connect_client(cluster_connect_endpoint(cluster=local_cluster))


@pytest.fixture
def admin_key(tenant):
    """admin_key(username) -> the raw key of a tenant admin that user created (four eyes tell people apart)."""
    from django.utils import timezone

    from tenants.models import Membership, Role
    from tenants.services import api_key_create
    from tests.factories import UserFactory

    def make(username: str) -> str:
        user = UserFactory(username=username)
        Membership.objects.get_or_create(user=user, tenant=tenant, defaults={"role": Role.ADMIN})
        _, raw = api_key_create(
            tenant=tenant, name=f"{username}-{timezone.now().timestamp()}", role=Role.ADMIN, created_by=user
        )
        return raw

    return make


@pytest.fixture
def applied(cpctl, tmp_path, file_sandbox):
    """applied(stage, connector_id) -> the name of a File Source applied through cpctl and RUNNING."""

    def make(stage: str, connector_id: str) -> str:
        source = file_sandbox / f"{stage}.txt"
        source.write_text(f"{stage}\n")
        spec = {
            "name": f"edh-shared-sales-{stage}-{connector_id}-connector",
            "type": "file-source",
            "cluster": "local",
            "stage": stage,
            "id": connector_id,
            "config": {"file": str(source)},
            "topics": [f"sales.{stage}.{connector_id}"],
            "create_topics": True,
        }
        (tmp_path / f"{stage}.yaml").write_text(yaml.safe_dump(spec))
        cpctl("apply", "-f", str(tmp_path / f"{stage}.yaml"), "--wait")
        return spec["name"]

    return make
