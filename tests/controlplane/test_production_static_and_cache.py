"""Production serves the admin's static files itself, under hashed names with long cache headers,
and shares one cache (Redis) between all its processes."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import django, json
django.setup()
from django.conf import settings
from django.core.cache import cache
from django.templatetags.static import static
from django.test import Client
url = static("admin/css/base.css")
response = Client(HTTP_X_FORWARDED_PROTO="https").get(url, HTTP_HOST="controlplane.example.com")
cache.set("probe", "shared", 30)
print(json.dumps({
    "url": url,
    "status": response.status_code,
    "cache_control": response.headers.get("Cache-Control", ""),
    "cache_backend": settings.CACHES["default"]["BACKEND"],
    "cached": cache.get("probe"),
}))
"""


@pytest.fixture
def production_env(tmp_path, test_redis_url):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "controlplane.settings.production",
        "SECRET_KEY": "k" * 20 + "a-long-random-production-secret-key-for-the-static-test",
        "CONNECTOR_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "controlplane.example.com",
        "DEBUG": "false",
        "STATIC_ROOT": str(tmp_path / "static"),
        "REDIS_URL": test_redis_url,
    }


def run(args: list[str], env: dict) -> str:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_collected_static_files_are_served_hashed_with_far_future_cache_headers(production_env):
    import json

    run([sys.executable, "manage.py", "collectstatic", "--noinput"], production_env)
    probe = json.loads(run([sys.executable, "-c", PROBE], production_env).strip().splitlines()[-1])

    assert probe["url"].startswith("/static/admin/css/base.") and probe["url"] != "/static/admin/css/base.css"
    assert probe["status"] == 200
    assert "max-age=315360000" in probe["cache_control"] and "immutable" in probe["cache_control"]
    assert probe["cache_backend"] == "django.core.cache.backends.redis.RedisCache"
    assert probe["cached"] == "shared"
