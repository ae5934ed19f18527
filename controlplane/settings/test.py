"""Tests run on real PostgreSQL and Redis (DATABASE_URL / REDIS_URL), with fixed test keys."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/controlplane")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
# Live-server request threads end after each request: a connection kept for reuse would leak with them.
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "0")
os.environ.setdefault(
    "CONNECTOR_ENCRYPTION_KEYS",
    # Two well-known test keys: the suite exercises rotation. Never used outside tests.
    "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=,Q2hhbmdlTWVDaGFuZ2VNZUNoYW5nZU1lQ2hhbmdlTWU=",
)

# The suite's webhook receivers and SMTP servers listen on loopback.
os.environ.setdefault("ALERT_CHANNEL_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128")

from controlplane.settings.base import *  # noqa: E402,F403
from controlplane.settings.base import INSTALLED_APPS  # noqa: E402

INSTALLED_APPS = [*INSTALLED_APPS, "devstack"]  # development tooling: `manage.py devstack`

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tests render admin pages without a collectstatic first.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
