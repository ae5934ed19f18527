"""Every setting lives here and is read from the environment; the other modules only change defaults.

The embedded default (SQLite under var/, Redis on localhost) lets a newcomer run the product with
one command; production sets DATABASE_URL, REDIS_URL, SECRET_KEY and the encryption keys.
"""

import ipaddress
import json
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from controlplane.env import env_bool, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("CONTROLPLANE_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env_str("SECRET_KEY", "insecure-local-development-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "controlplane",
    "audit",
    "tenants",
    "connectors",
    "monitoring",
    "governance",
]

MIDDLEWARE = [
    # Outermost: every answer under /api/ gets the one JSON error shape (a 500 and an unknown URL too).
    "controlplane.api.middleware.ApiErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files (the admin's CSS and JavaScript) straight from the app server: nothing else serves them.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The request id and source address of every audited change (audit.context).
    "audit.context.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "controlplane.urls"
WSGI_APPLICATION = "controlplane.wsgi.application"

# Error pages and error e-mails never show a posted value (it may be a secret being set).
DEFAULT_EXCEPTION_REPORTER_FILTER = "controlplane.error_reports.SecretSafeExceptionReporterFilter"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'controlplane.sqlite3'}"),
        conn_max_age=int(env_str("DATABASE_CONN_MAX_AGE", "60")),
        # A kept connection is checked before a request or task reuses it: after a database restart
        # the first request on each gunicorn worker would otherwise fail on the connection it broke.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves a small team: concurrent requests and Celery tasks. Every write
    # transaction takes the write lock when it begins (IMMEDIATE), so none fails upgrading a read
    # lock; writers wait their turn (busy timeout) instead of failing; WAL lets readers go on
    # while one writes.
    SQLITE_BUSY_TIMEOUT_SECONDS = float(env_str("SQLITE_BUSY_TIMEOUT_SECONDS", "30"))
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_SECONDS * 1000)}"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request while it is missing
# Outside DEBUG, static files are collected at build time (Dockerfile) under hashed names and served by
# WhiteNoise, compressed, with a far-future Cache-Control: a new release has new names.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Redis / Celery -------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = int(env_str("CELERY_TASK_SOFT_TIME_LIMIT", "120"))
CELERY_TASK_TIME_LIMIT = int(env_str("CELERY_TASK_TIME_LIMIT", "180"))
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A broker that is down must not hang the request path: publishing fails fast and the
# reconciler re-dispatches what was stored (nothing is lost, see connectors.services.dispatch).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# An unacked message (its worker died) is redelivered after the visibility timeout.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(env_str("CELERY_VISIBILITY_TIMEOUT_SECONDS", "300")),
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The health sweep (monitoring): one bulk status call per cluster, then the reconciler's pass, the
# auto-restart policy and sink lag. RECONCILE_INTERVAL_SECONDS, its former name, is still read.
HEALTH_SWEEP_INTERVAL_SECONDS = float(
    env_str("HEALTH_SWEEP_INTERVAL_SECONDS", env_str("RECONCILE_INTERVAL_SECONDS", "10"))
)
EVENTS_PUBLISH_INTERVAL_SECONDS = float(env_str("EVENTS_PUBLISH_INTERVAL_SECONDS", "2"))
# Governance: how long a qas connector must run without alerts before it may be promoted to run
# (a landing zone's policy may set its own time, or switch the gate off).
PROMOTION_GATE_SECONDS = int(env_str("PROMOTION_GATE_SECONDS", "3600"))
CELERY_BEAT_SCHEDULE = {
    "monitoring-sweep": {
        "task": "monitoring.sweep",
        "schedule": timedelta(seconds=HEALTH_SWEEP_INTERVAL_SECONDS),
        "options": {"expires": HEALTH_SWEEP_INTERVAL_SECONDS},
    },
    # Without EVENTS_BOOTSTRAP_SERVERS the drain returns at once, touching nothing.
    "monitoring-publish-events": {
        "task": "monitoring.publish_events",
        "schedule": timedelta(seconds=EVENTS_PUBLISH_INTERVAL_SECONDS),
        "options": {"expires": EVENTS_PUBLISH_INTERVAL_SECONDS},
    },
}

# --- Alerts -------------------------------------------------------------------------------------
# The platform team's webhook: every alert (and its recovery) is POSTed there, besides the tenant's channels.
ALERT_WEBHOOK_URL = env_str("ALERT_WEBHOOK_URL", "")
ALERT_WEBHOOK_FORMAT = env_str("ALERT_WEBHOOK_FORMAT", "json")  # json | slack
# The CA certificates webhook receivers' TLS certificates are checked against (empty: certifi's, as requests).
ALERT_WEBHOOK_CA_BUNDLE = env_str("ALERT_WEBHOOK_CA_BUNDLE", "")
# Networks tenants' alert channels (webhook URLs, SMTP servers) may reach although not globally
# routable; by default none: a tenant cannot aim the platform's workers at its private networks.
ALERT_CHANNEL_ALLOWED_NETWORKS = env_list("ALERT_CHANNEL_ALLOWED_NETWORKS", [])
for _network in ALERT_CHANNEL_ALLOWED_NETWORKS:  # a typo fails at start, not at every channel save and delivery
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(f"ALERT_CHANNEL_ALLOWED_NETWORKS: {_error}") from None
# An alert resolved less than this long ago is reopened, not announced again (flapping).
ALERT_COOLDOWN_SECONDS = float(env_str("ALERT_COOLDOWN_SECONDS", "900"))
ALERT_DELIVERY_TIMEOUT_SECONDS = float(env_str("ALERT_DELIVERY_TIMEOUT_SECONDS", "5"))
ALERT_DELIVERY_MAX_RETRIES = int(env_str("ALERT_DELIVERY_MAX_RETRIES", "6"))
ALERT_DELIVERY_BACKOFF_SECONDS = int(env_str("ALERT_DELIVERY_BACKOFF_SECONDS", "5"))
ALERT_DELIVERY_BACKOFF_MAX_SECONDS = int(env_str("ALERT_DELIVERY_BACKOFF_MAX_SECONDS", "300"))
# Links in alerts point here (the API's public address).
CONTROLPLANE_PUBLIC_URL = env_str("CONTROLPLANE_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

# Auto-restart of failed tasks, per stage; AUTO_RESTART_POLICY (JSON) overrides any part, e.g.
# {"run": {"max_attempts": 10}}. Each connector may override it again (PATCH .../monitoring).
AUTO_RESTART_POLICY = {
    "default": {
        "enabled": True,
        "max_attempts": 3,
        "backoff_seconds": 30.0,
        "backoff_max_seconds": 600.0,
        "healthy_window_seconds": 600.0,
    },
    "dev": {"max_attempts": 3},
    "qas": {"max_attempts": 5},
    "run": {"max_attempts": 8, "backoff_seconds": 15.0},
}
for _stage, _overrides in json.loads(env_str("AUTO_RESTART_POLICY", "") or "{}").items():
    AUTO_RESTART_POLICY[_stage] = {**AUTO_RESTART_POLICY.get(_stage, {}), **_overrides}

# Sink lag: the AdminClient's timeout for the (batched) offset requests of one cluster.
LAG_REQUEST_TIMEOUT_SECONDS = float(env_str("LAG_REQUEST_TIMEOUT_SECONDS", "5"))

# --- Email (alert channels of kind email; a channel may name its own SMTP server) ---------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env_str("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(env_str("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "controlplane@localhost")

# --- Lifecycle events on Kafka (CloudEvents JSON through the outbox; empty bootstrap = off) -------
EVENTS_BOOTSTRAP_SERVERS = env_str("EVENTS_BOOTSTRAP_SERVERS", "")
EVENTS_TOPIC = env_str("EVENTS_TOPIC", "controlplane.events")
EVENTS_SOURCE = env_str("EVENTS_SOURCE", "/connector-controlplane")
EVENTS_SECURITY_PROTOCOL = env_str("EVENTS_SECURITY_PROTOCOL", "PLAINTEXT")
EVENTS_SASL_MECHANISM = env_str("EVENTS_SASL_MECHANISM", "")
EVENTS_SASL_USERNAME = env_str("EVENTS_SASL_USERNAME", "")
EVENTS_SASL_PASSWORD = env_str("EVENTS_SASL_PASSWORD", "")
EVENTS_SSL_CA_LOCATION = env_str("EVENTS_SSL_CA_LOCATION", "")  # PEM CA of the events cluster (SSL, SASL_SSL)
EVENTS_BATCH_SIZE = int(env_str("EVENTS_BATCH_SIZE", "500"))
EVENTS_RETENTION_DAYS = float(env_str("EVENTS_RETENTION_DAYS", "7"))

# --- Prometheus /metrics: a bearer token, or client addresses in METRICS_ALLOWED_NETWORKS ---------
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", [])

# --- File Source / File Sink: files on the Connect workers only under <root>/<tenant slug>/ -----
# (and only on clusters where a platform admin enables worker files; see connectors.file_sandbox).
CONNECTOR_FILE_SANDBOX_ROOT = env_str("CONNECTOR_FILE_SANDBOX_ROOT", str(VAR_DIR / "file-sandbox"))

# --- Credentials encryption ------------------------------------------------------------------
# Comma-separated Fernet keys, newest first. Never derived from SECRET_KEY.
CONNECTOR_ENCRYPTION_KEYS = env_list("CONNECTOR_ENCRYPTION_KEYS", [])

# --- Kafka Connect client --------------------------------------------------------------------
CONNECT_REQUEST_TIMEOUT_SECONDS = float(env_str("CONNECT_REQUEST_TIMEOUT_SECONDS", "10"))
CONNECT_MAX_RETRIES = int(env_str("CONNECT_MAX_RETRIES", "4"))
CONNECT_RETRY_BACKOFF_SECONDS = float(env_str("CONNECT_RETRY_BACKOFF_SECONDS", "0.5"))
# Calls made while a user waits (validation, live status) use a shorter timeout and one retry.
CONNECT_INTERACTIVE_TIMEOUT_SECONDS = float(env_str("CONNECT_INTERACTIVE_TIMEOUT_SECONDS", "5"))

# --- Local stack (manage.py devstack) ---------------------------------------------------------
DEVSTACK_BROKER_PORT = int(env_str("DEVSTACK_BROKER_PORT", "19092"))
# The broker's other listeners follow its port unless set: moving one stack aside is one variable.
DEVSTACK_CONTROLLER_PORT = int(env_str("DEVSTACK_CONTROLLER_PORT", str(DEVSTACK_BROKER_PORT + 1)))
DEVSTACK_SASL_SSL_PORT = int(env_str("DEVSTACK_SASL_SSL_PORT", str(DEVSTACK_BROKER_PORT + 2)))
DEVSTACK_CONNECT_PORT = int(env_str("DEVSTACK_CONNECT_PORT", "18083"))
# The exactly-once Connect worker group (its connectors act as their tenants' principals); 0 = not started.
# By default the port after DEVSTACK_CONNECT_PORT, so a checkout that moved its ports moves this one too.
DEVSTACK_EOS_CONNECT_PORT = int(env_str("DEVSTACK_EOS_CONNECT_PORT", str(DEVSTACK_CONNECT_PORT + 1)))
DEVSTACK_DIST_DIR = env_str("DEVSTACK_DIST_DIR", "")  # the Maven-built jars; default var/devstack-dist
DEVSTACK_PLUGIN_DISCOVERY = env_str("DEVSTACK_PLUGIN_DISCOVERY", "service_load")

# --- REST framework --------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tenants.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Request bodies are JSON: connector requests nest objects, which form encodings cannot carry.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "controlplane.api.pagination.ApiPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "controlplane.api.exception_handlers.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Connector control plane API",
    "DESCRIPTION": "Self-service, multi-tenant management of Kafka Connect connectors.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Request and response bodies apart, so read-only fields are not asked for in requests.
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "controlplane.api.schema.document_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "LifecycleStateEnum": "connectors.state_machine.State",
        "DesiredStateEnum": "connectors.state_machine.DesiredState",
        "DeliveryGuaranteeEnum": "connectors.catalog.registry.GUARANTEES",
        "ClusterKindEnum": "tenants.models.Cluster.Kind",
        "AlertChannelKindEnum": "monitoring.models.AlertChannel.Kind",
        "DeliveryKindEnum": "monitoring.models.Delivery.Kind",
    },
}

# --- Logging: JSON lines, with a filter that scrubs anything that looks like a secret ----------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "controlplane.logging.RedactSecretsFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "urllib3": {"level": "WARNING"},
    },
}
