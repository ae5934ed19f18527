"""Production settings pass `manage.py check --deploy` with no warning at all."""

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]


def _check(env_overrides: dict[str, str]) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "controlplane.settings.production",
        "SECRET_KEY": "k" * 20 + "a-long-random-production-secret-key-for-the-deploy-check",
        "CONNECTOR_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "controlplane.example.com",
        "DEBUG": "false",
        **env_overrides,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check():
    result = _check({})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_encryption_keys():
    result = _check({"CONNECTOR_ENCRYPTION_KEYS": ""})
    assert result.returncode != 0 and "CONNECTOR_ENCRYPTION_KEYS" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = _check({"SECRET_KEY": "short"})
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr
