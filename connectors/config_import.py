"""A connector config as users keep it -> the request it maps to, with a report: the inverse of rendering.

Pure: no database, no network. Takes a flat Connect config, as a Confluent CLI user keeps it for
``confluent connect cluster create --config-file`` (``connector.class``, ``name``, ``kafka.*``, ``tasks.max``
and the connector's properties, every value a string) or as Connect's REST API returns it (``{"name",
"config": {...}, "tasks", "type"}``), and sorts every key into exactly one of:

* ``mapped``: to a request field (``config.<key>``, ``credentials.<key>``, ``topics``, ``transforms``,
  ``error_handling.<setting>``, ``tasks_max``, ``delivery_guarantee``, ``type``);
* ``set_by_platform``: the platform sets it itself (the name, the Kafka credentials, converters, the
  connector's internal topics...); what it sets is filled in from the rendered config by the service;
* ``refused``: with the reason. Nothing is ever dropped silently: a refused key makes the import invalid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from connectors.catalog import ConnectorType, all_types
from connectors.catalog.error_handling import NEVER_ENABLED
from connectors.catalog.registry import AT_LEAST_ONCE, EXACTLY_ONCE, Implementation, class_is_installed
from connectors.catalog.schema_checks import platform_key_reason, refusal_message
from connectors.catalog.transforms import transforms_from_config

# Connect's own error-handling keys -> the request's error_handling settings.
ERROR_SETTINGS = {
    "errors.tolerance": "tolerance",
    "errors.retry.timeout": "retry_timeout_ms",
    "errors.retry.delay.max.ms": "retry_delay_max_ms",
    "errors.log.enable": "log_errors",
}
INTEGER_SETTINGS = {"retry_timeout_ms", "retry_delay_max_ms"}
BOOLEAN_SETTINGS = {"log_errors"}
DLQ_TOPIC = "errors.deadletterqueue.topic.name"
# KIP-618's per-connector setting -> the request's delivery_guarantee ("requested" is Connect's default:
# exactly-once only where the worker happens to give it, which the platform does not promise).
EXACTLY_ONCE_SUPPORT = {"required": EXACTLY_ONCE, "requested": AT_LEAST_ONCE}
# Keys the REST API's GET /connectors/{name} answer has beside the config.
REST_ENVELOPE_KEYS = {"name", "config", "tasks", "type"}


class ImportRefused(ValueError):
    """The body is not a connector config at all (no connector.class, not an object...)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{key}: {', '.join(messages)}" for key, messages in errors.items()))


@dataclass
class ImportMapping:
    connector_type: ConnectorType
    config: dict[str, Any] = field(default_factory=dict)
    credentials: dict[str, str] = field(default_factory=dict, repr=False)
    topics: list[str] = field(default_factory=list)
    transforms: list[dict[str, Any]] = field(default_factory=list)
    error_handling: dict[str, Any] = field(default_factory=dict)
    tasks_max: int = 1
    delivery_guarantee: str = AT_LEAST_ONCE
    mapped: dict[str, str] = field(default_factory=dict)  # key -> request field
    set_by_platform: dict[str, str] = field(default_factory=dict)  # key -> why (the value comes from rendering)
    refused: dict[str, str] = field(default_factory=dict)  # key -> why

    @property
    def errors(self) -> dict[str, list[str]]:
        return {f"config.{key}": [reason] for key, reason in self.refused.items()}


def flat_config(body: Any) -> dict[str, Any]:
    """The connector's flat config, from either form (the CLI's flat file or the REST API's envelope)."""
    if not isinstance(body, Mapping):
        raise ImportRefused({"config": ["must be an object: a connector's config, flat or as Connect returns it."]})
    if isinstance(body.get("config"), Mapping) and set(body) <= REST_ENVELOPE_KEYS | {"offsets"}:
        if "offsets" in body:
            raise ImportRefused(
                {"config.offsets": ["offsets are not imported: a new connector starts from the source's beginning."]}
            )
        # "tasks" and "type" are Connect's description of a running connector, not configuration.
        nested = dict(body["config"])
        if "name" in body and "name" not in nested:
            nested["name"] = body["name"]
        return nested
    return dict(body)


def type_for_class(connector_class: str, *, flavour: str) -> ConnectorType | None:
    """The catalog type whose own class, or one of its alternatives, is `connector_class` on `flavour`."""
    found = _implementation_of(connector_class, flavour=flavour)
    return found[0] if found else None


def _implementation_of(connector_class: str, *, flavour: str) -> tuple[ConnectorType, Implementation] | None:
    for connector_type in all_types():
        if not connector_type.offered_on(flavour):
            continue
        for implementation in connector_type.implementations(flavour):
            if class_is_installed(implementation.connector_class, {connector_class}) or class_is_installed(
                connector_class, {implementation.connector_class}
            ):
                return connector_type, implementation
    return None


def _in_request_terms(implementation: Implementation, key: str, value: Any) -> tuple[str, Any]:
    """An alternative plugin's key and value (Debezium's `connection.username`) as the request names them
    (`connection.user`): the inverse of `Implementation.translate`."""
    request_keys = {plugin_key: request_key for request_key, plugin_key in implementation.renames.items()}
    request_key = request_keys.get(key, key)
    request_values = {plugin: rendered for rendered, plugin in implementation.values.get(request_key, {}).items()}
    return request_key, request_values.get(str(value), value)


def _topics_from(connector_type: ConnectorType, key: str, value: str) -> list[str]:
    if connector_type.topic_binding == "topics":
        return [topic.strip() for topic in value.split(",") if topic.strip()]
    if connector_type.topic_binding == "regex_map":
        return [pair.split(":", 1)[0].strip() for pair in value.split(",") if pair.strip()]
    return [value.strip()]


def _error_setting(setting: str, value: Any) -> Any:
    text = str(value).strip()
    if setting in INTEGER_SETTINGS and text.lstrip("-").isdigit():
        return int(text)
    if setting in BOOLEAN_SETTINGS and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def map_config(*, config: Mapping[str, Any], flavour: str, type_key: str | None = None) -> ImportMapping:
    """Sort every key of a flat connector config into the request it maps to (see the module's docstring)."""
    connector_class = config.get("connector.class")
    if not isinstance(connector_class, str) or not connector_class.strip():
        raise ImportRefused({"config.connector.class": ["is required: it says which connector this config is for."]})
    found = _implementation_of(connector_class.strip(), flavour=flavour)
    if found is None:
        raise ImportRefused(
            {"config.connector.class": [f"'{connector_class}' is not a connector the catalog offers on {flavour}."]}
        )
    connector_type, implementation = found
    if type_key is not None and type_key != connector_type.key:
        raise ImportRefused({"type": [f"the config's connector.class is a {connector_type.key}, not a {type_key}."]})
    result = ImportMapping(connector_type=connector_type)
    result.mapped["connector.class"] = "type"
    topic_keys = set(connector_type.topic_keys(flavour))
    transform_keys = {key for key in config if key.startswith(("transforms", "predicates"))}
    if transform_keys:
        result.transforms, transform_errors = transforms_from_config({key: config[key] for key in transform_keys})
        for key in transform_keys:
            if key in transform_errors:
                result.refused[key] = transform_errors[key]
            else:
                result.mapped[key] = "transforms"
    for key, value in config.items():
        if key in transform_keys or key == "connector.class":
            continue
        request_key, request_value = _in_request_terms(implementation, key, value)
        if request_key != key and request_key in config:  # e.g. both connection.username and connection.user
            result.refused[key] = f"'{request_key}' is set too and means the same: keep one of them"
            continue
        _map_key(result, request_key, request_value, flavour=flavour, topic_keys=topic_keys)
        if request_key != key:  # the report names the user's own key
            for verdicts in (result.mapped, result.set_by_platform, result.refused):
                if request_key in verdicts:
                    verdicts[key] = verdicts.pop(request_key)
    return result


def _map_key(result: ImportMapping, key: str, value: Any, *, flavour: str, topic_keys: set[str]) -> None:
    connector_type = result.connector_type
    if key == "tasks.max":
        text = str(value).strip()
        if text.isdigit():
            result.tasks_max = int(text)
            result.mapped[key] = "tasks_max"
        else:
            result.refused[key] = f"'{value}' is not a whole number of tasks"
        return
    if key in topic_keys or key in ("topics", "topic", "kafka.topic", "topic.prefix", "topic.regex.list"):
        if key in topic_keys:
            for topic in _topics_from(connector_type, key, str(value)):
                if topic not in result.topics:
                    result.topics.append(topic)
            result.mapped[key] = "topics"
        else:
            result.refused[key] = (
                f"{connector_type.display_name} takes its topics under {', '.join(sorted(topic_keys))}"
            )
        return
    if key == "exactly.once.support":
        guarantee = EXACTLY_ONCE_SUPPORT.get(str(value).strip().lower())
        if guarantee is None:
            result.refused[key] = f"'{value}' is not one of {', '.join(EXACTLY_ONCE_SUPPORT)}"
        else:
            result.delivery_guarantee = guarantee
            result.mapped[key] = "delivery_guarantee"
        return
    if key in ERROR_SETTINGS:
        result.error_handling[ERROR_SETTINGS[key]] = _error_setting(ERROR_SETTINGS[key], value)
        result.mapped[key] = f"error_handling.{ERROR_SETTINGS[key]}"
        return
    if key == "errors.log.include.messages" and str(value).strip().lower() == "true":
        result.refused[key] = f"it {NEVER_ENABLED['include_messages']}"
        return
    if key == DLQ_TOPIC and connector_type.kind == "sink":
        result.error_handling["dlq_enabled"] = True
        result.set_by_platform[key] = "the dead letter queue is named inside your topic prefix"
        return
    spec = connector_type.field_spec(key, flavour)
    if spec is not None:
        if spec.secret:
            result.credentials[key] = value if isinstance(value, str) else str(value)
            result.mapped[key] = f"credentials.{key}"
        else:
            result.config[key] = value
            result.mapped[key] = f"config.{key}"
        return
    if reason := platform_key_reason(key, connector_type=connector_type, flavour=flavour):
        result.set_by_platform[key] = reason
        return
    if reason := connector_type.refusal(key, flavour):
        result.refused[key] = refusal_message(key, reason)
        return
    if connector_type.field_spec(key) is not None:
        result.refused[key] = f"{connector_type.display_name} does not take '{key}' on {flavour} clusters"
        return
    result.refused[key] = f"unknown property for {connector_type.display_name}"
