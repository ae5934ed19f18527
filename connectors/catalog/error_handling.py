"""Error handling: what a connector does with a record it cannot convert, transform or write.

Request shape (the request's ``error_handling`` field; every key optional)::

    {"tolerance": "all" | "none",      # all: skip bad records; none: fail the task on the first one
     "dlq_enabled": bool,              # sinks only: send skipped records to a dead letter queue
     "retry_timeout_ms": int,          # total time to retry a failing operation (0 = no retries)
     "retry_delay_max_ms": int,        # longest wait between two retries
     "log_errors": bool}               # log each error with its topic/partition/offset

Defaults: sinks skip bad records into a DLQ (inside the tenant's topic prefix, with context
headers); sources fail fast, since they have no DLQ and skipping would lose data silently. Retries
last 5 minutes by default. ``errors.log.include.messages`` is never enabled: it writes record keys,
values and headers (personal data, secrets) into the worker's logs.

Platform bounds come from settings: CONNECTOR_RETRY_TIMEOUT_MS_MAX (default 1 h) and
CONNECTOR_RETRY_DELAY_MAX_MS_MAX (default 5 min).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from connectors.catalog.registry import SINK, SOURCE
from controlplane.flavours import SELF_MANAGED

TOLERANCES = ("all", "none")
DEFAULT_RETRY_TIMEOUT_MS = 300_000  # 5 minutes
DEFAULT_RETRY_DELAY_MAX_MS = 60_000  # Connect's own default
FIELDS = ("tolerance", "dlq_enabled", "retry_timeout_ms", "retry_delay_max_ms", "log_errors")
NEVER_ENABLED = {
    "log_include_messages": "is never enabled: it would write record contents (personal data, secrets) into the logs.",
    "include_messages": "is never enabled: it would write record contents (personal data, secrets) into the logs.",
}


def retry_timeout_ms_max() -> int:
    return int(getattr(settings, "CONNECTOR_RETRY_TIMEOUT_MS_MAX", 3_600_000))


def retry_delay_max_ms_max() -> int:
    return int(getattr(settings, "CONNECTOR_RETRY_DELAY_MAX_MS_MAX", 300_000))


@dataclass(frozen=True)
class ErrorHandling:
    tolerance: str  # "all" | "none"
    dlq_enabled: bool
    retry_timeout_ms: int
    retry_delay_max_ms: int
    log_errors: bool

    def as_request(self) -> dict[str, Any]:
        """The request shape, e.g. to store it or show it back."""
        return {name: getattr(self, name) for name in FIELDS}


class ErrorHandlingError(ValueError):
    """The request's error_handling is invalid; `errors` is keyed like error_handling_errors."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{path}: {' '.join(messages)}" for path, messages in errors.items()))


def default_error_handling(*, kind: str) -> ErrorHandling:
    """Sinks: skip bad records into a DLQ. Sources: fail on the first bad record (no DLQ exists)."""
    sink = kind == SINK
    return ErrorHandling(
        tolerance="all" if sink else "none",
        dlq_enabled=sink,
        retry_timeout_ms=min(DEFAULT_RETRY_TIMEOUT_MS, retry_timeout_ms_max()),
        retry_delay_max_ms=min(DEFAULT_RETRY_DELAY_MAX_MS, retry_delay_max_ms_max()),
        log_errors=True,
    )


def _int_errors(value: Any, *, minimum: int, maximum: int, setting: str) -> list[str]:
    if isinstance(value, bool) or not isinstance(value, int):
        return ["must be an integer number of milliseconds."]
    if value < minimum or value > maximum:
        return [f"must be between {minimum} and {maximum} ms (platform limit {setting})."]
    return []


def error_handling_errors(*, kind: str, data: Mapping[str, Any] | Any) -> dict[str, list[str]]:
    """Every problem with a request's `error_handling`, keyed "error_handling.<field>". Empty when valid."""
    errors: dict[str, list[str]] = {}

    def add(path: str, message: str) -> None:
        errors.setdefault(path, []).append(message)

    if kind not in (SOURCE, SINK):
        raise ValueError(f"kind must be '{SOURCE}' or '{SINK}', not {kind!r}")
    if data is None:
        return errors
    if not isinstance(data, Mapping):
        add("error_handling", "must be an object.")
        return errors
    for key in data:
        if key in NEVER_ENABLED:
            add(f"error_handling.{key}", NEVER_ENABLED[key])
        elif key not in FIELDS:
            add(f"error_handling.{key}", f"unknown; error handling has: {', '.join(FIELDS)}.")

    tolerance = data.get("tolerance")
    if "tolerance" in data and tolerance not in TOLERANCES:
        add("error_handling.tolerance", "must be 'all' (skip bad records) or 'none' (fail on the first one).")
    for name in ("dlq_enabled", "log_errors"):
        if name in data and not isinstance(data[name], bool):
            add(f"error_handling.{name}", "must be true or false.")
    if data.get("dlq_enabled") is True:
        if kind == SOURCE:
            add(
                "error_handling.dlq_enabled",
                "sources have no dead letter queue (Kafka Connect only has DLQs for sinks); "
                "use tolerance 'none' to stop on bad records.",
            )
        elif tolerance == "none":
            add(
                "error_handling.dlq_enabled",
                "a dead letter queue only receives skipped records: it needs tolerance 'all'.",
            )
    if "retry_timeout_ms" in data:
        for message in _int_errors(
            data["retry_timeout_ms"],
            minimum=0,
            maximum=retry_timeout_ms_max(),
            setting="CONNECTOR_RETRY_TIMEOUT_MS_MAX",
        ):
            add("error_handling.retry_timeout_ms", message)
    if "retry_delay_max_ms" in data:
        for message in _int_errors(
            data["retry_delay_max_ms"],
            minimum=1,
            maximum=retry_delay_max_ms_max(),
            setting="CONNECTOR_RETRY_DELAY_MAX_MS_MAX",
        ):
            add("error_handling.retry_delay_max_ms", message)
    return errors


def error_handling_from_request(*, kind: str, data: Mapping[str, Any] | None) -> ErrorHandling:
    """The ErrorHandling for a request: its values over the kind's defaults. Raises ErrorHandlingError.

    A sink's DLQ follows its tolerance unless asked for: on with 'all', off with 'none'.
    """
    if errors := error_handling_errors(kind=kind, data=data):
        raise ErrorHandlingError(errors)
    data = data or {}
    defaults = default_error_handling(kind=kind)
    tolerance = data.get("tolerance", defaults.tolerance)
    dlq_default = kind == SINK and tolerance == "all"
    return ErrorHandling(
        tolerance=tolerance,
        dlq_enabled=data.get("dlq_enabled", dlq_default),
        retry_timeout_ms=data.get("retry_timeout_ms", defaults.retry_timeout_ms),
        retry_delay_max_ms=data.get("retry_delay_max_ms", defaults.retry_delay_max_ms),
        log_errors=data.get("log_errors", defaults.log_errors),
    )


def error_handling_config(
    *,
    handling: ErrorHandling,
    kind: str,
    flavour: str,
    dlq_topic: str,
    dlq_replication_factor: int,
) -> dict[str, str]:
    """The connector's errors.* keys.

    Self-managed: Kafka Connect's full set; a sink's DLQ gets `dlq_topic`, context headers and the
    cluster's replication factor.

    Confluent Cloud: only `errors.tolerance` and, for a sink with a DLQ, its topic name (so the DLQ
    lives inside the tenant's prefix instead of Confluent's default `dlq-<lcc-id>`). Managed
    connectors do not offer the retry/log keys (Confluent retries and restarts them itself,
    `auto.restart.on.user.error`), create the DLQ topic themselves and always add the error
    headers, so those keys are left out. A managed sink may still write Confluent's default DLQ
    when dlq_enabled is false and tolerance is 'all'.
    """
    config = {"errors.tolerance": handling.tolerance}
    if flavour == SELF_MANAGED:
        config.update(
            {
                "errors.retry.timeout": str(handling.retry_timeout_ms),
                "errors.retry.delay.max.ms": str(handling.retry_delay_max_ms),
                "errors.log.enable": "true" if handling.log_errors else "false",
                "errors.log.include.messages": "false",
            }
        )
    if kind == SINK and handling.dlq_enabled:
        config["errors.deadletterqueue.topic.name"] = dlq_topic
        if flavour == SELF_MANAGED:
            config["errors.deadletterqueue.context.headers.enable"] = "true"
            config["errors.deadletterqueue.topic.replication.factor"] = str(dlq_replication_factor)
    return config
