"""Production: everything secret comes from the environment and `check --deploy` is clean."""

from django.core.exceptions import ImproperlyConfigured

from controlplane.env import env_bool, env_str
from controlplane.settings.base import *  # noqa: F403
from controlplane.settings.base import CONNECTOR_ENCRYPTION_KEYS, DEBUG, REDIS_URL, SECRET_KEY

if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production settings")
if SECRET_KEY.startswith("insecure-") or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to a long random value in production")
if not CONNECTOR_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("CONNECTOR_ENCRYPTION_KEYS must be set (comma-separated Fernet keys, newest first)")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = int(env_str("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# One cache for every process on every host (a cluster's failed plugin listing, API key last-use
# stamps): Django's default per-process cache would differ between gunicorn workers.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("CACHE_URL", REDIS_URL),
        "KEY_PREFIX": "controlplane",
    }
}
