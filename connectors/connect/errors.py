"""Typed Kafka Connect failures, and the mapping from an HTTP error answer to one of them.

An error's message (``str()``) never carries request bodies, config values or credentials: the
server's own text is only used where it is known to be safe, and after scrubbing what we sent.
Field-level detail for the tenant lives in ``InvalidConnectorConfig.errors``; that one does echo
Connect's lines (which may quote the offending value), so don't log it wholesale.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from controlplane.masking import scrub


class ConnectError(Exception):
    """Base class; ``status`` is the HTTP status when the worker answered, else None.

    ``attempts`` is how many requests were made before giving up (set by the client).
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.attempts = 1

    def __str__(self) -> str:
        message = super().__str__()
        return message if self.attempts == 1 else f"{message} (after {self.attempts} attempts)"


class ConnectUnreachable(ConnectError):
    """Connection refused, DNS or a TLS failure other than certificate verification, after all retries."""


class ConnectTLSError(ConnectError):
    """The worker's TLS certificate failed verification, or the configured CA bundle / client certificate
    files cannot be read. Permanent until the endpoint's TLS settings change, so never retried."""


class ConnectTimeout(ConnectError):
    """The request timed out (client side, or Connect's own 500 "Request timed out"), after all retries."""


class ConnectorNotFound(ConnectError):
    """404: unknown connector (also Connect's "No status found" just after a create)."""


class InvalidConnectorConfig(ConnectError):
    """400: ``errors`` maps each config key to its messages; unattributed lines are under ``__all__``."""

    def __init__(self, errors: dict[str, list[str]], *, status: int | None = 400) -> None:
        self.errors = errors
        count = sum(len(messages) for messages in errors.values())
        super().__init__(f"Connector configuration is invalid: {count} error(s) on {', '.join(errors)}.", status=status)


class PluginNotInstalled(ConnectError):
    """Connect's 500 "Failed to find any class that implements Connector ...": the class is not on the worker."""

    def __init__(self, connector_class: str, *, status: int | None = 500) -> None:
        self.connector_class = connector_class
        super().__init__(f"Connector plugin {connector_class!r} is not installed on the Connect worker.", status=status)


class ConnectConflict(ConnectError):
    """409 that outlived the retries: a rebalance in progress, or the connector already exists."""


class ConnectAuthError(ConnectError):
    """401/403: bad credentials or not allowed."""


class OperationNotSupported(ConnectError):
    """This flavour of Connect has no such operation (e.g. stop on Confluent Cloud)."""


class OffsetsRequestFailed(ConnectError):
    """Connect (or Confluent Cloud's offsets request) refused to change the offsets: permanent."""


class ConnectServerError(ConnectError):
    """Any other 5xx, or 429 rate limiting that outlived the retries."""


TRANSIENT_CONNECT_ERRORS: tuple[type[ConnectError], ...] = (
    ConnectUnreachable,
    ConnectTimeout,
    ConnectConflict,
    ConnectServerError,
)

ALL = "__all__"
_PLUGIN_MISSING = re.compile(r"Failed to find any class that implements Connector and which name matches ([^\s,]+)")
_INVALID_HEADER = re.compile(r"contains the following \d+ error\(s\):\n(?P<lines>.*?)(?:\nYou can also find|\Z)", re.S)
_INVALID_VALUE = re.compile(r"^Invalid value .* for configuration (?P<key>[^\s:]+): ")
_MISSING = re.compile(r'^Missing required configuration "(?P<key>[^"]+)"')
# Lowercase only, so a Java exception prefix ("org.apache...ConnectException: ") is not taken for a key.
_KEY_PREFIX = re.compile(r"^(?P<key>[a-z][a-z0-9_.\-]*): ")
_MAX_SERVER_TEXT = 300


def config_errors_from_message(message: str, *, config_keys: Iterable[str] = ()) -> dict[str, list[str]]:
    """Split Connect's 400 "configuration is invalid" text into per-field messages."""
    header = _INVALID_HEADER.search(message)
    lines = header.group("lines").splitlines() if header else [message]
    known = sorted(config_keys, key=len, reverse=True)  # longest first: "topics.regex" before "topics"
    errors: dict[str, list[str]] = {}
    for line in filter(None, (line.strip() for line in lines)):
        key = next((k for k in known if line.startswith(f"{k}: ")), None)
        if key is None:
            match = _INVALID_VALUE.match(line) or _MISSING.match(line) or _KEY_PREFIX.match(line)
            key = match.group("key") if match else ALL
        if line not in errors.setdefault(key, []):  # Connect repeats some lines verbatim
            errors[key].append(line)
    return errors


def error_from_response(
    *, status: int, server_message: str, what: str, config_keys: Iterable[str] = (), secrets: Iterable[str] = ()
) -> ConnectError:
    """The typed error for one non-2xx answer; ``what`` is "METHOD /path" for the message."""
    if status == 400:
        return InvalidConnectorConfig(config_errors_from_message(server_message, config_keys=config_keys))
    if status in (401, 403):
        return ConnectAuthError(f"{what}: not authorised (HTTP {status}).", status=status)
    if status == 429:
        return ConnectServerError(f"{what}: rate limited (HTTP 429).", status=status)
    if (missing := _PLUGIN_MISSING.search(server_message)) is not None:
        return PluginNotInstalled(missing.group(1), status=status)
    detail = scrub(server_message, secrets=secrets, limit=_MAX_SERVER_TEXT)
    if status == 404:
        return ConnectorNotFound(f"{what}: not found (HTTP 404): {detail}", status=status)
    if status == 409:
        return ConnectConflict(f"{what}: conflict (HTTP 409): {detail}", status=status)
    if status == 504 or (status >= 500 and "Request timed out" in server_message):
        return ConnectTimeout(f"{what}: Connect timed out (HTTP {status}): {detail}", status=status)
    if status >= 500:
        return ConnectServerError(f"{what}: server error (HTTP {status}): {detail}", status=status)
    return ConnectError(f"{what}: unexpected HTTP {status}: {detail}", status=status)
