"""The CLI is tested against the real server: pytest-django's live server, a real Celery worker and the
real local Kafka Connect stack."""

import pytest


@pytest.fixture
def cpctl_env(live_server, client_for, tenant, tmp_path):
    """The environment cpctl runs with: the live server's URL and a developer key, no config file."""
    key = client_for(tenant, "developer").raw_key
    return {"CPCTL_URL": live_server.url, "CPCTL_API_KEY": key, "CPCTL_CONFIG": str(tmp_path / "absent.yaml")}


@pytest.fixture
def cpctl(cpctl_env):
    """cpctl(*args, code=0) -> click's Result, run in-process but talking HTTP to the live server."""
    from click.testing import CliRunner

    from cli.main import cpctl as command

    def run(*args: str, code: int = 0):
        result = CliRunner().invoke(command, list(args), env=cpctl_env, catch_exceptions=False)
        assert result.exit_code == code, f"cpctl {' '.join(args)} exited {result.exit_code}:\n{result.output}"
        return result

    return run
