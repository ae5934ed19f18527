"""The embedded default: SQLite under var/, local stack from `manage.py devstack`, DEBUG on."""

import os

os.environ.setdefault("DEBUG", "true")

from controlplane.settings.base import *  # noqa: E402,F403
from controlplane.settings.base import INSTALLED_APPS  # noqa: E402

INSTALLED_APPS = [*INSTALLED_APPS, "devstack"]  # development tooling: `manage.py devstack`
from controlplane.settings.base import VAR_DIR  # noqa: E402

# The embedded default needs working encryption keys without any set-up. They are generated once
# and kept under var/ (never derived from SECRET_KEY); production must set CONNECTOR_ENCRYPTION_KEYS.
if not CONNECTOR_ENCRYPTION_KEYS:  # noqa: F405
    from controlplane.crypto import local_development_keys

    CONNECTOR_ENCRYPTION_KEYS = local_development_keys(VAR_DIR / "encryption.key")

# Monitoring on the embedded default: /metrics answers loopback scrapes, lifecycle events go to the
# local broker, alert emails are printed on the console unless EMAIL_BACKEND / EMAIL_HOST say otherwise.
from controlplane.settings.base import DEVSTACK_BROKER_PORT, METRICS_TOKEN  # noqa: E402

if not os.environ.get("METRICS_ALLOWED_NETWORKS") and not METRICS_TOKEN:
    METRICS_ALLOWED_NETWORKS = ["127.0.0.1/32", "::1/128"]
# A newcomer's webhook receiver or SMTP server runs on this machine.
if not os.environ.get("ALERT_CHANNEL_ALLOWED_NETWORKS"):
    ALERT_CHANNEL_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]
EVENTS_BOOTSTRAP_SERVERS = os.environ.get("EVENTS_BOOTSTRAP_SERVERS", f"127.0.0.1:{DEVSTACK_BROKER_PORT}")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
