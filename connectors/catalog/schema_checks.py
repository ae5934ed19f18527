"""Layer (a) of config validation: a request's config and credentials against its type's schema.

Pure and offline. It reports every problem at once, keyed by the request field the problem is in:
``"config.<key>"``, ``"credentials.<key>"``, ``"topics"`` / ``"topics[<i>]"``, ``"tasks_max"`` and
``"type"`` (the type is not offered on the cluster's flavour). Layer (b), the Connect worker's own
``config/validate``, runs later and catches what only the plugin knows.

What is refused here and why:

* keys the platform owns (``name``, ``connector.class``, ``tasks.max``, topic keys, ``transforms*``,
  ``predicates*``, ``errors.*``, converters, ``slot.name``/``publication.name``, the Kafka
  credentials, client ``*.override.*`` and every key the type's data makes the platform set);
* any ``${`` in a key or value: config provider placeholders (``${file:/path:key}``) would make the
  worker read its own files on the tenant's behalf. A field may allow its connector's own template
  tokens (HTTP's ``${offset}``) through `FieldSpec.placeholders`;
* every key that is not a field of the type (an allow-list, not a deny-list).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connectors.catalog.field_errors import FieldErrors
from connectors.catalog.registry import (
    PLACEHOLDER_MARK,
    ConnectorType,
    FieldSpec,
    Implementation,
    placeholder_message,
)
from connectors.catalog.values import INTEGER, NOT_BLANK, anchored, matches
from controlplane.flavours import FLAVOURS
from controlplane.masking import MASK

# In `credentials`, this value means "keep the stored secret" (the update path substitutes it).
KEEP_SECRET = MASK  # in credentials: keep the stored secret

TOPIC_NAME_PATTERN = re.compile(r"^[a-zA-Z0-9._-]+$")
MAX_TOPIC_NAME_LENGTH = 249

_KAFKA_CREDENTIALS = "the platform sets the connector's Kafka credentials"
_TOPICS = "use the request's topics field"

# Exact keys the platform owns, with why.
PLATFORM_KEYS: dict[str, str] = {
    "name": "the platform names every connector (naming convention)",
    "connector.class": "it follows from the connector type",
    "tasks.max": "use the request's tasks_max field",
    # Connect's own connector settings, which every plugin's definition lists: not the tenant's to choose.
    "tasks.max.enforce": "the platform holds every connector to its tasks_max (quotas count it)",
    "config.action.reload": "the platform decides how connectors follow a changed config provider value",
    "slot.name": "the platform names the replication slot after the connector",
    "publication.name": "the platform names the publication after the connector",
    "kafka.auth.mode": _KAFKA_CREDENTIALS,
    "kafka.api.key": _KAFKA_CREDENTIALS,
    "kafka.api.secret": _KAFKA_CREDENTIALS,
    "kafka.service.account.id": _KAFKA_CREDENTIALS,
    "confluent.connector.type": "custom connectors are not offered",
    "confluent.custom.plugin.id": "custom connectors are not offered",
    "offsets.storage.topic": "the platform owns the connector's internal topics",
    "exactly.once.support": "the platform sets delivery guarantees",
    "transaction.boundary": "the platform sets delivery guarantees",
    "transaction.boundary.interval.ms": "the platform sets delivery guarantees",
    "topic": _TOPICS,
    "topics": _TOPICS,
    "topics.regex": _TOPICS,
    "topic.prefix": _TOPICS,
    "kafka.topic": _TOPICS,
    "topic.regex.list": _TOPICS,
}

# A key ending so sets how some Kafka client logs in (e.g. schema.history.internal.producer.sasl.jaas.config).
CLIENT_LOGIN_SUFFIXES = (
    "sasl.jaas.config",
    "sasl.mechanism",
    "security.protocol",
    "sasl.login.callback.handler.class",
    "sasl.client.callback.handler.class",
)

# Key prefixes the platform owns, with why.
PLATFORM_PREFIXES: tuple[tuple[str, str], ...] = (
    ("transforms", "use the request's transforms field"),
    ("predicates", "use the request's transforms field (a transform's predicate)"),
    ("errors.", "use the request's error_handling field"),
    ("key.converter", "the platform sets the converters (on Confluent Cloud, use the *.data.format fields)"),
    ("value.converter", "the platform sets the converters (on Confluent Cloud, use the *.data.format fields)"),
    ("header.converter", "the platform sets the converters"),
    ("topic.creation.", "the platform creates the topics"),
    ("schema.history.internal.", "the platform keeps the schema history inside your topic prefix"),
    ("reporter.", "the platform names the reporter topics inside your topic prefix"),
    ("confluent.topic", "the platform sets the licence topic"),
)


def platform_key_reason(key: str, *, connector_type: ConnectorType, flavour: str | None = None) -> str | None:
    """Why `key` may not be set in a request's config, or None when the platform does not own it."""
    if ".override." in key or key.endswith(CLIENT_LOGIN_SUFFIXES):
        # Before the type's own fields: no type may let a tenant choose who its connector logs in as.
        return "client overrides are not allowed: the platform configures the connector's Kafka clients"
    if connector_type.field_spec(key, flavour if flavour in connector_type.flavours else None) is not None:
        return None  # a field of the type there (e.g. a managed connector's converter options)
    if key in PLATFORM_KEYS:
        return PLATFORM_KEYS[key]
    for prefix, reason in PLATFORM_PREFIXES:
        if key.startswith(prefix):
            return reason
    if key in connector_type.platform_keys(flavour if flavour in connector_type.flavours else None):
        return "the platform sets it for this connector type"
    return None


def refusal_message(key: str, reason: str) -> str:
    return f"'{key}' is refused by the platform: {reason}."


def has_placeholder(value: str, *, allowed: tuple[str, ...] = ()) -> bool:
    """True when `value` contains "${" other than in the `allowed` template tokens."""
    for token in allowed:
        value = value.replace(token, "")
    return PLACEHOLDER_MARK in value


_placeholder_message = placeholder_message


def _is_set(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, tuple)):
        return bool(value)
    return True


def value_errors(spec: FieldSpec, value: Any) -> list[str]:
    """What is wrong with `value` for `spec`: the grammar of `FieldSpec.string_rules`, which the served JSON
    Schema carries too (`FieldSpec.value_schema`), so a client validating against it agrees with this."""
    if spec.secret:
        return _secret_errors(value)
    if isinstance(value, bool):
        return [] if spec.type == "boolean" else [_type_message(spec)]
    if spec.type in ("integer", "number") and isinstance(value, (int, float)):
        if spec.type == "integer" and not (isinstance(value, int) or value.is_integer()):
            return [_type_message(spec)]
        return _bounds_errors(spec, value)
    if spec.type == "list" and isinstance(value, (list, tuple)):
        return _list_errors(spec, value)
    if not isinstance(value, str):
        return [_type_message(spec)]
    errors = []
    for pattern, message in spec.string_rules():
        if not matches(pattern, value):
            if spec.type == "integer" and pattern != anchored(INTEGER):
                return _bounds_errors(spec, int(value))  # the same bounds, said in numbers
            errors.append(message)
            if spec.type in ("integer", "number", "boolean") or message.startswith("must not be empty"):
                break  # the other rules say nothing more about a value of the wrong kind
    return errors


def _type_message(spec: FieldSpec) -> str:
    return {
        "integer": "must be an integer.",
        "number": "must be a number.",
        "boolean": "must be true or false.",
        "list": "must be a list of strings or a comma-separated string.",
    }.get(spec.type, "must be a string.")


def _bounds_errors(spec: FieldSpec, number: float) -> list[str]:
    if spec.minimum is not None and number < spec.minimum:
        return [f"must be at least {spec.minimum}."]
    if spec.maximum is not None and number > spec.maximum:
        return [f"must be at most {spec.maximum}."]
    return []


def _list_errors(spec: FieldSpec, items: list | tuple) -> list[str]:
    if not all(isinstance(item, str) for item in items):
        return ["must be a list of strings or a comma-separated string."]
    errors = []
    if not items or not all(matches(NOT_BLANK, item) for item in items):
        errors.append("must not be empty or contain empty items.")
    if any("," in item for item in items):
        errors.append("items must not contain commas.")
    if any(has_placeholder(item, allowed=spec.placeholders) for item in items):
        errors.append(_placeholder_message(spec.placeholders))
    return errors


def _secret_errors(value: Any) -> list[str]:
    if not isinstance(value, str):
        return ["must be a string."]
    if not matches(NOT_BLANK, value):
        return ["must not be empty (leave the secret out instead)."]
    if value != KEEP_SECRET and has_placeholder(value):
        return [_placeholder_message(())]
    return []


def _unknown_message(key: str, *, connector_type: ConnectorType, flavour: str | None) -> str:
    message = f"unknown field for {connector_type.display_name}."
    names = [spec.name for spec in connector_type.fields_for(flavour)]
    if close := difflib.get_close_matches(key, names, n=1):
        message += f" Did you mean '{close[0]}'?"
    return message


def config_errors(
    *,
    connector_type: ConnectorType,
    flavour: str,
    config: Mapping[str, Any] | Any,
    credentials: Mapping[str, Any] | Any,
) -> dict[str, list[str]]:
    """Every problem with a request's `config` and `credentials` for `connector_type` on `flavour`.

    Empty when valid. Integers may be int or numeric strings, booleans bool or "true"/"false", lists
    a list or a comma-separated string. In credentials, "********" means "keep the stored secret"
    and counts as present.
    """
    errors = FieldErrors()
    offered = _flavour_errors(errors, connector_type=connector_type, flavour=flavour)
    config = _section(errors, config, name="config", what="an object of config keys and values")
    credentials = _section(errors, credentials, name="credentials", what="an object of secret names and values")
    misplaced: set[str] = set()  # sent in the wrong section: reported once, not also as missing
    _config_key_errors(
        errors, misplaced, connector_type=connector_type, flavour=flavour, offered=offered, config=config
    )
    _credential_key_errors(
        errors, misplaced, connector_type=connector_type, flavour=flavour, offered=offered, credentials=credentials
    )
    if offered:
        sent = _SentFields(config=config, credentials=credentials, misplaced=misplaced)
        _required_errors(errors, sent, connector_type=connector_type, flavour=flavour)
        _one_of_errors(errors, sent, connector_type=connector_type, flavour=flavour)
        _dependency_errors(errors, sent, connector_type=connector_type, flavour=flavour)
    return dict(errors)


def implementation_errors(
    *,
    connector_type: ConnectorType,
    flavour: str,
    implementation: Implementation,
    config: Mapping[str, Any],
    cluster_name: str,
) -> dict[str, list[str]]:
    """The request's config fields that the plugin a cluster runs the type with cannot honour: one error on
    each, naming the cluster and the plugin. Empty for the type's own class."""
    errors = FieldErrors()
    if implementation.primary or not isinstance(config, Mapping):
        return {}
    for key, value in config.items():
        spec = connector_type.field_spec(key, flavour)
        if spec is None or spec.secret or value is None:
            continue  # config_errors reports unknown and misplaced keys
        try:
            rendered = spec.render(value)
        except (TypeError, ValueError):
            continue  # config_errors reports the bad value
        if implementation.translate(key, rendered) is None:
            errors.add(
                f"config.{key}",
                f"cluster {cluster_name} runs {connector_type.display_name} with {implementation.name} "
                f"({implementation.connector_class}), which cannot honour '{key}': "
                f"{implementation.refusal(key, rendered)}",
            )
    return dict(errors)


def _flavour_errors(errors: FieldErrors, *, connector_type: ConnectorType, flavour: str) -> bool:
    """Whether the type is offered on `flavour`; when it is not, fields are checked against every
    flavour and nothing is reported missing."""
    if flavour not in FLAVOURS:
        errors.add("type", f"unknown cluster flavour '{flavour}'; flavours are {', '.join(FLAVOURS)}.")
    elif flavour not in connector_type.flavours:
        errors.add(
            "type",
            f"{connector_type.display_name} is not offered on {flavour} clusters; "
            f"it is offered on: {', '.join(connector_type.flavours)}.",
        )
    return flavour in connector_type.flavours


def _section(errors: FieldErrors, value: Any, *, name: str, what: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        errors.add(name, f"must be {what}.")
        return {}
    return value


def _elsewhere_message(spec: FieldSpec, flavour: str) -> str:
    return f"not available on {flavour} clusters (only on: {', '.join(sorted(spec.flavours))})."


def _config_key_errors(
    errors: FieldErrors,
    misplaced: set[str],
    *,
    connector_type: ConnectorType,
    flavour: str,
    offered: bool,
    config: Mapping[str, Any],
) -> None:
    """Each config key: a field of the type, not the platform's, not a secret, with a valid value."""
    for key, value in config.items():
        path = f"config.{key}"
        if not isinstance(key, str) or not key:
            errors.add("config", "keys must be non-empty strings.")
            continue
        if PLACEHOLDER_MARK in key:
            errors.add(path, _placeholder_message(()))
            continue
        if reason := platform_key_reason(key, connector_type=connector_type, flavour=flavour):
            errors.add(path, f"'{key}' is set by the platform: {reason}.")
            continue
        spec = connector_type.field_spec(key, flavour if offered else None)
        if spec is None and (reason := connector_type.refusal(key, flavour if offered else None)):
            errors.add(path, refusal_message(key, reason))
            continue
        if spec is None:
            elsewhere = connector_type.field_spec(key)
            if elsewhere is not None:
                errors.add(path, _elsewhere_message(elsewhere, flavour))
            else:
                errors.add(
                    path, _unknown_message(key, connector_type=connector_type, flavour=flavour if offered else None)
                )
            continue
        if spec.secret:
            errors.add(path, f"'{key}' is a secret: it belongs in credentials, not in config.")
            misplaced.add(key)
            continue
        if value is not None:  # None means unset
            for message in value_errors(spec, value):
                errors.add(path, message)


def _credential_key_errors(
    errors: FieldErrors,
    misplaced: set[str],
    *,
    connector_type: ConnectorType,
    flavour: str,
    offered: bool,
    credentials: Mapping[str, Any],
) -> None:
    """Each credential: a secret field of the type, a non-empty string without placeholders."""
    for key, value in credentials.items():
        path = f"credentials.{key}"
        if not isinstance(key, str) or not key:
            errors.add("credentials", "keys must be non-empty strings.")
            continue
        if PLACEHOLDER_MARK in key:
            errors.add(path, _placeholder_message(()))
            continue
        spec = connector_type.field_spec(key, flavour if offered else None)
        if spec is None and (reason := connector_type.refusal(key, flavour if offered else None)):
            errors.add(path, refusal_message(key, reason))
            continue
        if spec is None:
            elsewhere = connector_type.field_spec(key)
            if elsewhere is not None and elsewhere.secret:
                errors.add(path, _elsewhere_message(elsewhere, flavour))
            elif elsewhere is not None:
                errors.add(path, f"'{key}' is not a secret: it belongs in config, not in credentials.")
            else:
                errors.add(path, f"unknown secret for {connector_type.display_name}.")
            continue
        if not spec.secret:
            errors.add(path, f"'{key}' is not a secret: it belongs in config, not in credentials.")
            misplaced.add(key)
            continue
        if value is None:
            continue
        for message in _secret_errors(value):
            errors.add(path, message)


@dataclass(frozen=True)
class _SentFields:
    """What the request set, for the rules that look at several fields at once."""

    config: Mapping[str, Any]
    credentials: Mapping[str, Any]
    misplaced: set[str]

    def present(self, spec: FieldSpec) -> bool:
        return _is_set((self.credentials if spec.secret else self.config).get(spec.name))

    def missing(self, spec: FieldSpec) -> bool:
        return spec.name not in self.misplaced and not self.present(spec)

    def effective(self, spec: FieldSpec) -> str | None:
        """The value the connector will run with (the default when unset), None when invalid."""
        value = self.config.get(spec.name)
        if not _is_set(value):
            value = spec.default
        if value is None or value_errors(spec, value):
            return None
        return spec.render(value)


def _location(spec: FieldSpec) -> str:
    return f"{'credentials' if spec.secret else 'config'}.{spec.name}"


def _required_errors(errors: FieldErrors, sent: _SentFields, *, connector_type: ConnectorType, flavour: str) -> None:
    for spec in connector_type.fields_for(flavour):
        if spec.required and sent.missing(spec):
            message = "this secret is required." if spec.secret else "this field is required."
            if spec.required_reason:
                message = f"{message[:-1]}: {spec.required_reason}."
            errors.add(_location(spec), message)


def _one_of_errors(errors: FieldErrors, sent: _SentFields, *, connector_type: ConnectorType, flavour: str) -> None:
    """Exactly one field of each one-of group (e.g. one way to authenticate)."""
    for group in connector_type.one_of:
        specs = [spec for spec in (connector_type.field_spec(name, flavour) for name in group) if spec is not None]
        chosen = [spec for spec in specs if sent.present(spec)]
        if len(chosen) != 1 and specs:
            names = ", ".join(spec.name for spec in specs)
            verb = "set one of" if not chosen else "set only one of"
            errors.add(_location(chosen[1] if len(chosen) > 1 else specs[0]), f"{verb}: {names}.")


def _dependency_errors(errors: FieldErrors, sent: _SentFields, *, connector_type: ConnectorType, flavour: str) -> None:
    """Fields required only when another field has a given value."""
    for dependency in connector_type.dependencies:
        trigger = connector_type.field_spec(dependency.field, flavour)
        if trigger is None or sent.effective(trigger) not in dependency.values:
            continue
        for name in dependency.requires:
            spec = connector_type.field_spec(name, flavour)
            if spec is not None and sent.missing(spec):
                errors.add(_location(spec), f"required when {dependency.field} is {sent.effective(trigger)}.")


def topics_errors(
    *,
    connector_type: ConnectorType,
    topics: Any,
    topic_prefix: str | None = None,
) -> dict[str, list[str]]:
    """Problems with the request's `topics` for the type's topic binding, keyed "topics"/"topics[i]".

    Binding "topics" takes one or more topic names; "topic" and "regex_map" exactly one; "prefix"
    exactly one topic prefix (the connector writes to topics that begin with it). With
    `topic_prefix` (the tenant's), each one must start with it.
    """
    errors: dict[str, list[str]] = {}

    def add(path: str, message: str) -> None:
        errors.setdefault(path, []).append(message)

    if not isinstance(topics, (list, tuple)) or not all(isinstance(topic, str) for topic in topics):
        add("topics", "must be a list of topic names.")
        return errors
    binding = connector_type.topic_binding
    what = "topic prefix" if binding == "prefix" else "topic"
    if binding == "topics" and not topics:
        add("topics", "give at least one topic to read from.")
    elif binding != "topics" and len(topics) != 1:
        add("topics", f"{connector_type.display_name} takes exactly one {what}.")
    if len(set(topics)) != len(topics):
        add("topics", "topics must not repeat.")
    for index, topic in enumerate(topics):
        path = f"topics[{index}]"
        if not topic or not TOPIC_NAME_PATTERN.fullmatch(topic) or topic in (".", ".."):
            add(path, f"'{topic}' is not a valid {what}: use letters, digits, '.', '_' or '-'.")
        elif len(topic) > MAX_TOPIC_NAME_LENGTH:
            add(path, f"a {what} has at most {MAX_TOPIC_NAME_LENGTH} characters.")
        if topic_prefix and not topic.startswith(topic_prefix):
            add(path, f"'{topic}' is outside your topic prefix '{topic_prefix}'.")
    return errors


# The platform's ceiling on a connector's tasks; a type may set a lower one (CDC connectors: 1).
MAX_TASKS = 10


def tasks_max_errors(*, tasks_max: Any, connector_type: ConnectorType) -> dict[str, list[str]]:
    """tasks_max must be a whole number from 1 to the type's (or the platform's) limit."""
    limit = min(MAX_TASKS, connector_type.max_tasks or MAX_TASKS)
    if isinstance(tasks_max, bool) or not isinstance(tasks_max, int) or not 1 <= tasks_max <= limit:
        return {"tasks_max": [f"must be a whole number from 1 to {limit} for {connector_type.display_name}."]}
    return {}
