"""The Kafka Connect REST client: the shared request/retry core, and the self-managed flavour.

Only ``_base_path`` and the few operations Confluent Cloud lacks or shapes differently are
overridden in ``cloud.py``; everything else, retries and error mapping included, lives here.
"""

from __future__ import annotations

import logging
import random
import ssl
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import requests

from connectors.connect.endpoint import ConnectEndpoint
from connectors.connect.errors import (
    TRANSIENT_CONNECT_ERRORS,
    ConnectError,
    ConnectTimeout,
    ConnectTLSError,
    ConnectUnreachable,
    error_from_response,
)

logger = logging.getLogger(__name__)

MAX_BACKOFF = 8.0  # seconds; cap of the exponential backoff
MAX_RETRY_AFTER = 60.0  # seconds; never let a server park a worker thread for longer
NOT_SECRET_KEYS = frozenset({"name", "connector.class"})  # values that may appear in error messages


@dataclass(frozen=True)
class ValidationResult:
    error_count: int
    errors: dict[str, list[str]]  # only the fields that have errors
    definitions: dict[str, dict]  # config key -> Connect's ConfigKeyInfo
    recommended_values: dict[str, list[str]] = field(default_factory=dict)  # config key -> the plugin's choices

    @property
    def is_valid(self) -> bool:
        return self.error_count == 0


def _q(name: str) -> str:
    return quote(name, safe="")


def _server_message(response: requests.Response) -> str:
    """The error text from any of the known bodies: {"error_code","message"}, {"code","message"}
    or Confluent Cloud's {"error": {"code","message"}}."""
    try:
        body = response.json()
    except ValueError:
        return response.reason or ""
    if isinstance(body, dict):
        if isinstance(body.get("error"), dict):
            body = body["error"]
        if isinstance(body.get("message"), str):
            return body["message"]
    return response.reason or ""


def _certificate_failure(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """The failed certificate check behind a requests error (requests -> urllib3 -> ssl), if that is the cause."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLCertVerificationError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _connection_error(exc: requests.ConnectionError, what: str) -> ConnectError:
    if (failure := _certificate_failure(exc)) is not None:
        return ConnectTLSError(
            f"{what}: TLS certificate verification failed ({failure.verify_message}); "
            "set the endpoint's ca_bundle to the CA that signed the worker's certificate."
        )
    return ConnectUnreachable(f"{what}: cannot connect ({type(exc).__name__}).")


def _retry_after(response: requests.Response | None) -> float | None:
    value = response.headers.get("Retry-After") if response is not None else None
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:  # the HTTP-date form
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


class ConnectClient:
    """Self-managed Apache Kafka Connect worker (and the base of every flavour)."""

    # Connect wants the parameter repeated; Confluent Cloud documents the comma-separated form.
    status_params: Any = (("expand", "status"), ("expand", "info"))

    def __init__(self, endpoint: ConnectEndpoint) -> None:
        self.endpoint = endpoint
        self.session = requests.Session()
        self.session.headers.update({"Accept": "application/json"})
        if endpoint.username or endpoint.password:
            self.session.auth = (endpoint.username, endpoint.password)
        self.session.verify = endpoint.ca_bundle or endpoint.verify_tls
        if endpoint.client_cert:  # a key-less cert is a combined PEM
            key = endpoint.client_key
            self.session.cert = (endpoint.client_cert, key) if key else endpoint.client_cert

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.endpoint!r})"

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> ConnectClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def _base_path(self) -> str:
        return ""

    # -- the one request/retry core ----------------------------------------------------------

    def _request(self, method: str, path: str, *, params: Any = None, body: dict | None = None) -> requests.Response:
        endpoint = self.endpoint
        url = f"{endpoint.base_url}{self._base_path}{path}"
        what = f"{method} {path}"
        body_values = [str(v) for k, v in (body or {}).items() if k not in NOT_SECRET_KEYS]
        secrets = [*body_values, endpoint.password, endpoint.username]
        attempts = endpoint.max_retries + 1
        for attempt in range(1, attempts + 1):
            response = None
            try:
                # verify per request: requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override session.verify,
                # ca_bundle and verify_tls=False included (psf/requests#3829).
                response = self.session.request(
                    method, url, params=params, json=body, timeout=endpoint.timeout, verify=self.session.verify
                )
            # requests' ConnectTimeout is both; failing to connect is "unreachable", not "slow".
            except requests.exceptions.ConnectTimeout as exc:
                error: ConnectError = ConnectUnreachable(f"{what}: cannot connect ({type(exc).__name__}).")
            except requests.Timeout as exc:
                error = ConnectTimeout(f"{what}: no answer within {endpoint.timeout}s ({type(exc).__name__}).")
            except requests.ConnectionError as exc:  # refused, DNS, TLS
                error = _connection_error(exc, what)
            except requests.RequestException:
                raise
            except OSError as exc:  # requests' own check that the ca_bundle / client cert files exist
                error = ConnectTLSError(f"{what}: TLS settings unusable: {exc}")
            else:
                if response.status_code < 400:
                    return response
                error = error_from_response(
                    status=response.status_code,
                    server_message=_server_message(response),
                    what=what,
                    config_keys=(body or {}).keys(),
                    secrets=secrets,
                )
            if not isinstance(error, TRANSIENT_CONNECT_ERRORS) or attempt == attempts:
                error.attempts = attempt
                raise error
            # Full jitter spreads retries from many Celery workers; Retry-After (429) wins when given.
            delay = _retry_after(response)
            if delay is None:
                delay = random.uniform(0, min(MAX_BACKOFF, endpoint.backoff * 2 ** (attempt - 1)))
            logger.warning(
                "Kafka Connect %s %s failed on attempt %d/%d (%s); retrying in %.2fs",
                method,
                path,
                attempt,
                attempts,
                type(error).__name__,
                delay,
                extra={"connect_method": method, "connect_path": path, "connect_attempt": attempt},
            )
            time.sleep(delay)
        raise AssertionError("unreachable")  # the loop always returns or raises

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._request(method, path, **kwargs)
        return response.json() if response.content else None

    # -- operations --------------------------------------------------------------------------

    def server_info(self) -> dict:
        return self._json("GET", "/")

    def plugins(self, *, connectors_only: bool = True) -> list[dict]:
        return self._json("GET", "/connector-plugins", params={"connectorsOnly": str(connectors_only).lower()})

    def list_connectors(self) -> list[str]:
        return self._json("GET", "/connectors")

    def statuses(self) -> dict[str, dict]:
        """Every connector's status and info in one call: {name: {"status": ..., "info": ...}}."""
        return self._json("GET", "/connectors", params=self.status_params)

    def put_config(self, name: str, config: dict[str, str]) -> bool:
        """Create or update; True when Connect created it (201)."""
        return self._request("PUT", f"/connectors/{_q(name)}/config", body=config).status_code == 201

    def get(self, name: str) -> dict:
        return self._json("GET", f"/connectors/{_q(name)}")

    def get_config(self, name: str) -> dict:
        return self._json("GET", f"/connectors/{_q(name)}/config")

    def status(self, name: str) -> dict:
        """Raises ConnectorNotFound for a few seconds after a create, until the status is published."""
        return self._json("GET", f"/connectors/{_q(name)}/status")

    def pause(self, name: str) -> None:
        self._request("PUT", f"/connectors/{_q(name)}/pause")

    def resume(self, name: str) -> None:
        self._request("PUT", f"/connectors/{_q(name)}/resume")

    def stop(self, name: str) -> None:
        self._request("PUT", f"/connectors/{_q(name)}/stop")

    def restart(self, name: str, *, include_tasks: bool = True, only_failed: bool = False) -> dict:
        """The states being restarted (202), or {} when Connect took the legacy connector-only path (204)."""
        params = {"includeTasks": str(include_tasks).lower(), "onlyFailed": str(only_failed).lower()}
        return self._json("POST", f"/connectors/{_q(name)}/restart", params=params) or {}

    def restart_task(self, name: str, task_id: int) -> None:
        self._request("POST", f"/connectors/{_q(name)}/tasks/{int(task_id)}/restart")

    def delete(self, name: str) -> None:
        self._request("DELETE", f"/connectors/{_q(name)}")

    def validate(self, connector_class: str, config: dict[str, str]) -> ValidationResult:
        """Connect's own validation. ``name`` is validated like any key, so include it in ``config``."""
        # Connect requires connector.class in the body too (a 500 without it).
        body = {"connector.class": connector_class, **config}
        result = self._json("PUT", f"/connector-plugins/{_q(connector_class)}/config/validate", body=body)
        errors: dict[str, list[str]] = {}
        definitions: dict[str, dict] = {}
        recommended: dict[str, list[str]] = {}
        for item in result.get("configs", []):
            value, definition = item.get("value") or {}, item.get("definition") or {}
            key = value.get("name") or definition.get("name")
            definitions[key] = definition
            if choices := value.get("recommended_values"):
                recommended[key] = list(choices)
            if messages := list(dict.fromkeys(value.get("errors") or [])):
                errors[key] = messages
        return ValidationResult(
            error_count=result.get("error_count", 0),
            errors=errors,
            definitions=definitions,
            recommended_values=recommended,
        )

    def plugin_config(self, connector_class: str) -> list[dict]:
        """The plugin's own property definitions (name, type, default, required, documentation, group...)."""
        return self._json("GET", f"/connector-plugins/{_q(connector_class)}/config")

    # -- offsets (KIP-875): read any time; alter or reset only while the connector is STOPPED ---

    def offsets(self, name: str) -> list[dict]:
        """Connect's committed offsets: ``[{"partition": {...}, "offset": {...}}]`` (per Kafka partition
        for a sink, per source partition, as the connector defines it, for a source)."""
        return (self._json("GET", f"/connectors/{_q(name)}/offsets") or {}).get("offsets", [])

    def alter_offsets(self, name: str, offsets: list[dict]) -> str:
        """Set the given partitions' offsets (``"offset": null`` resets one); Connect's message."""
        body = self._json("PATCH", f"/connectors/{_q(name)}/offsets", body={"offsets": offsets}) or {}
        return body.get("message", "")

    def reset_offsets(self, name: str) -> str:
        """Forget every committed offset; Connect's message."""
        return (self._json("DELETE", f"/connectors/{_q(name)}/offsets") or {}).get("message", "")
