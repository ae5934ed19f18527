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
