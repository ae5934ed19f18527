"""The connector catalog's model: a connector type is data (fields, classes, topic binding, platform keys).

Nothing here branches on a type's key. Everything that differs between types lives in the
`ConnectorType` instances of `connectors.catalog.types`, and the validator and the renderer read it.

Vocabulary:

* *flavour*: the kind of Connect cluster, ``self_managed`` (Apache Kafka Connect workers we run) or
  ``confluent_cloud`` (Confluent's fully managed connectors).
* *field*: a config key the tenant may set. Its name is the Connect config key itself. Secret fields
  travel in the request's ``credentials`` and never in ``config``.
* *platform keys*: config keys the platform always sets itself (``fixed_config``, ``converters``,
  ``derived_config``, the topic keys). A tenant can never set them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from connectors.catalog.values import (
    INTEGER,
    NOT_BLANK,
    NUMBER,
    anchored,
    boolean_pattern,
    integer_pattern,
    list_string_pattern,
    one_of_pattern,
    placeholder_free_pattern,
)
from controlplane.flavours import FLAVOURS
from controlplane.masking import MASK as KEEP_SECRET_MARK

SOURCE = "source"
SINK = "sink"
KINDS: tuple[str, ...] = (SOURCE, SINK)
# Delivery guarantees a type can give. Exactly-once is for sources that support Kafka Connect's exactly-once
# source mode (KIP-618), on workers with exactly.once.source.support=enabled.
AT_LEAST_ONCE = "at_least_once"
EXACTLY_ONCE = "exactly_once"
GUARANTEES: tuple[str, ...] = (AT_LEAST_ONCE, EXACTLY_ONCE)
CDC_CONSUMER_EXPECTATIONS = (
    "Record keys are the table's primary key; a delete is a delete event followed by a tombstone (null value) "
    "for the key, so compacted topics forget deleted rows; order is kept per key within a partition, not across "
    "partitions or tables; after a failure or restart, events since the last committed offset are delivered "
    "again (at-least-once), so consumers must be idempotent per key."
)

FIELD_TYPES: tuple[str, ...] = ("string", "integer", "number", "boolean", "password", "list")

# How the request's `topics` land in the config.
TOPIC_BINDINGS: tuple[str, ...] = (
    "topic",  # exactly one topic, under one key (e.g. "topic", "kafka.topic")
    "topics",  # one or more topics, comma-joined (sinks' "topics")
    "prefix",  # exactly one topic *prefix*; the connector writes to topics that begin with it
    "regex_map",  # exactly one topic, rendered as "<topic>:.*" (S3 Source's topic.regex.list)
)

# The names `derived_config` templates may use (see ConnectorType.derived_config).
DERIVED_CONFIG_VARIABLES: frozenset[str] = frozenset(
    {
        "connector_name",  # the connector's name
        "bootstrap_servers",  # the target cluster's bootstrap servers
        "replication_factor",  # replication factor for topics the connector creates itself
        "replication_slot",  # naming.replication_slot_name(connector_name=...)
        "publication",  # naming.publication_name(connector_name=...)
        "topic_namespace",  # the tenant's topic prefix plus its separator: topics inside the prefix
    }
)

# Config provider placeholders look like ${provider:path:key}; any "${" is refused unless the
# field lists the connector's own template tokens in `FieldSpec.placeholders`.
PLACEHOLDER_MARK = "${"


def placeholder_message(allowed: tuple[str, ...]) -> str:
    message = "config provider placeholders ('${...}') are not allowed: they could read files on the worker"
    if allowed:
        message += f"; only {', '.join(allowed)} may be used here"
    return message + "."


class CatalogError(Exception):
    """Base class of the catalog's errors."""


class UnknownConnectorType(CatalogError, LookupError):
    def __init__(self, key: str, known: list[str]) -> None:
        self.key = key
        super().__init__(f"Unknown connector type '{key}'. Known types: {', '.join(known)}.")


class UnsupportedFlavour(CatalogError, ValueError):
    def __init__(self, connector_type: ConnectorType, flavour: str) -> None:
        self.connector_type = connector_type
        self.flavour = flavour
        offered = ", ".join(connector_type.flavours)
        if flavour not in FLAVOURS:
            message = f"Unknown cluster flavour '{flavour}'; flavours are {', '.join(FLAVOURS)}."
        else:
            message = (
                f"{connector_type.display_name} ('{connector_type.key}') is not offered on {flavour} clusters; "
                f"it is offered on: {offered}."
            )
        super().__init__(message)


def _as_frozenset(value: frozenset[str] | set[str] | tuple[str, ...] | None) -> frozenset[str] | None:
    return None if value is None else frozenset(value)


@dataclass(frozen=True)
class FieldSpec:
    """One config key a tenant may set. `name` is the Connect config key itself."""

    name: str
    type: str  # one of FIELD_TYPES
    required: bool = False
    default: str | int | float | bool | None = None
    enum: tuple[str, ...] = ()
    help: str = ""
    secret: bool = False  # sent in the request's `credentials`, never in `config`; type "password"
    flavours: frozenset[str] | None = None  # None: offered on every flavour of the type
    minimum: int | None = None
    maximum: int | None = None
    # The whole value must match; written in the common subset of Python's re and ECMA-262 (see values.py).
    pattern: str | None = None
    pattern_help: str = ""  # said when the pattern does not match
    placeholders: tuple[str, ...] = ()  # the connector's own template tokens allowed in the value, e.g. "${offset}"
    # A path on the Connect worker's file system: confined to the tenant's file sandbox, and the type
    # is offered only on clusters where a platform admin allows worker files.
    worker_path: bool = False
    # The plugin compares the enum case-insensitively (Debezium, Confluent's JDBC-based sources): any
    # spelling is accepted and the canonical one (the enum's) is rendered.
    enum_ignore_case: bool = False
    # Whether the renderer writes the default when the tenant leaves the field out. Fields taken from a
    # plugin's snapshot leave their defaults to the plugin (the default is documentation).
    render_default: bool = True
    # Why the platform requires a field the plugin does not (said in the error and in the catalog).
    required_reason: str = ""
    from_plugin: bool = False  # taken as is from the plugin's snapshot (connectors.catalog.policy)

    def __post_init__(self) -> None:
        object.__setattr__(self, "flavours", _as_frozenset(self.flavours))
        problems = []
        if self.type not in FIELD_TYPES:
            problems.append(f"type '{self.type}' is not one of {FIELD_TYPES}")
        if self.secret != (self.type == "password"):
            problems.append("secret fields have type 'password', and only they do")
        if self.secret and self.default is not None:
            problems.append("a secret has no default")
        if self.worker_path and (self.type != "string" or self.default is not None):
            problems.append("a worker path is a string without a default")
        if self.enum and self.default is not None and self.canonical(self.default) not in self.enum:
            problems.append(f"default {self.default!r} is not in its enum")
        if self.enum and self.type != "string":
            problems.append("only string fields have an enum")
        if self.required and self.default is not None:
            problems.append("a required field has no default (a default makes it optional)")
        if self.required_reason and not self.required:
            problems.append("a required_reason is for required fields")
        if self.flavours is not None and not self.flavours <= set(FLAVOURS):
            problems.append(f"unknown flavours {sorted(self.flavours - set(FLAVOURS))}")
        if self.type == "integer":
            try:
                integer_pattern(self.minimum, self.maximum)
            except ValueError as error:
                problems.append(f"bounds: {error}")
        if problems:
            raise ValueError(f"FieldSpec '{self.name}': " + "; ".join(problems))

    def offered_on(self, flavour: str | None) -> bool:
        return flavour is None or self.flavours is None or flavour in self.flavours

    def canonical(self, value: Any) -> Any:
        """An enum value in the enum's own spelling (any spelling of it when the plugin ignores case)."""
        if self.enum and self.enum_ignore_case and isinstance(value, str):
            for choice in self.enum:
                if choice.lower() == value.lower():
                    return choice
        return value

    def render(self, value: Any) -> str:
        """The value as Connect wants it: always a string (Confluent Cloud accepts nothing else)."""
        if isinstance(value, bool):
            return "true" if value else "false"
        if self.type == "boolean" and isinstance(value, str):
            return value.strip().lower()
        if self.type == "integer" and isinstance(value, float):
            return str(int(value))
        if isinstance(value, (int, float)):
            return str(value)
        if self.type == "integer" and isinstance(value, str):
            return str(int(value.strip()))
        if self.type == "list" and isinstance(value, str):
            value = value.split(",")
        if isinstance(value, (list, tuple)):
            return ",".join(str(item).strip() for item in value)
        return str(self.canonical(value))

    # -- the value grammar, one for the validator and the schema ---------------------------------

    def string_rules(self) -> list[tuple[str, str]]:
        """(anchored pattern, message) pairs a string value must all match (see connectors.catalog.values)."""
        if self.type == "integer":
            rules = [(anchored(INTEGER), "must be an integer.")]
            if self.minimum is not None or self.maximum is not None:
                rules.append((integer_pattern(self.minimum, self.maximum), self.bounds_message()))
            return rules
        if self.type == "number":
            return [(anchored(NUMBER), "must be a number.")]
        if self.type == "boolean":
            return [(boolean_pattern(), "must be true or false.")]
        rules = [(NOT_BLANK, "must not be empty (leave the field out instead).")]
        if self.type == "list":
            rules = [(list_string_pattern(), "must not be empty or contain empty items.")]
        rules.append((placeholder_free_pattern(self.placeholders), placeholder_message(self.placeholders)))
        if self.enum:
            rules.append(
                (
                    one_of_pattern(self.enum, ignore_case=self.enum_ignore_case),
                    f"must be one of: {', '.join(self.enum)}.",
                )
            )
        if self.pattern is not None:
            rules.append(
                (anchored(self.pattern), f"is invalid: {self.pattern_help or 'it does not have the expected form'}.")
            )
        return rules

    def bounds_message(self) -> str:
        if self.maximum is None:
            return f"must be at least {self.minimum}."
        return f"must be from {self.minimum} to {self.maximum}."

    def value_schema(self, *, nullable: bool) -> dict[str, Any]:
        """JSON Schema of the field's value: exactly what `schema_checks.value_errors` accepts."""
        patterns = [{"pattern": pattern} for pattern, _ in self.string_rules()]
        string_branch: dict[str, Any] = {"type": "string", "allOf": patterns}
        if self.enum and not self.enum_ignore_case:
            string_branch = {"type": "string", "enum": list(self.enum)}  # each choice passes the other rules
        if self.type in ("integer", "number"):
            native: dict[str, Any] = {"type": self.type}
            if self.minimum is not None:
                native["minimum"] = self.minimum
            if self.maximum is not None:
                native["maximum"] = self.maximum
            branches = [native, string_branch]
        elif self.type == "boolean":
            branches = [{"type": "boolean"}, string_branch]
        elif self.type == "list":
            item_rules = [NOT_BLANK, placeholder_free_pattern(self.placeholders), anchored("[^,]*")]
            array = {
                "type": "array",
                "minItems": 1,
                "items": {"type": "string", "allOf": [{"pattern": pattern} for pattern in item_rules]},
            }
            branches = [array, string_branch]
        elif self.secret:
            # In credentials, "********" keeps the stored secret; any other non-empty string without placeholders.
            branches = [
                {"type": "string", "allOf": [{"pattern": NOT_BLANK}, {"pattern": placeholder_free_pattern(())}]},
                {"const": KEEP_SECRET_MARK},
            ]
        else:
            branches = [string_branch]
        if nullable:
            branches.append({"type": "null"})
        return branches[0] if len(branches) == 1 else {"anyOf": branches}

    def json_schema(self, *, nullable: bool = True) -> dict[str, Any]:
        schema = self.value_schema(nullable=nullable)
        schema["x-type"] = self.type
        if self.secret:
            schema["writeOnly"] = True
            schema["format"] = "password"
        description = self.help
        if self.pattern_help:
            description = f"{description} Rule: {self.pattern_help}.".strip()
        if self.required_reason:
            description = f"{description} Required by the platform: {self.required_reason}.".strip()
        if description:
            schema["description"] = description
        if self.enum:
            schema["x-enum"] = list(self.enum)  # the canonical spellings
            if self.enum_ignore_case:
                schema["x-enum-ignore-case"] = True
        if self.default is not None:
            schema["default"] = self.default
        if self.flavours is not None:
            schema["x-flavours"] = sorted(self.flavours)
        return schema


@dataclass(frozen=True)
class Dependency:
    """When `field`'s effective value (its value, else its default) is one of `values`, `requires` must be set."""

    field: str
    values: tuple[str, ...]
    requires: tuple[str, ...]


PerFlavour = dict[str, dict[str, str]]
TopicKey = str | tuple[str, ...]


@dataclass(frozen=True)
class Implementation:
    """A plugin that runs a connector type on a flavour.

    A type keeps one request shape (its `fields`, named as the type's own class names them). Its
    `alternatives` are other plugins that can run it when that class is not installed on a cluster:
    `renames` and `values` translate the request to the plugin's keys and values, and a field in
    `unsupported` (or a value missing from `values`) is refused, never silently dropped.
    """

    connector_class: str
    name: str  # said to users: "Debezium JDBC sink"
    renames: dict[str, str] = field(default_factory=dict)  # request field -> the plugin's key
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> {rendered value -> plugin value}
    unsupported: dict[str, str] = field(default_factory=dict)  # field -> why the plugin cannot honour it
    fixed_config: dict[str, str] | None = None  # None: the type's own fixed config on the flavour
    primary: bool = False  # the type's own class (`ConnectorType.classes`)

    def translate(self, key: str, value: str) -> tuple[str, str] | None:
        """The plugin's (key, value) for a rendered request field; None when it cannot honour it."""
        if key in self.unsupported:
            return None
        mapped = self.values.get(key)
        if mapped is not None:
            if value not in mapped:
                return None
            value = mapped[value]
        return self.renames.get(key, key), value

    def refusal(self, key: str, value: str) -> str:
        """Why this plugin cannot honour `key` set to `value` (for a field-level error)."""
        if key in self.unsupported:
            return self.unsupported[key]
        return f"it does not support the value '{value}' (it supports: {', '.join(self.values.get(key, {}))})"


@dataclass(frozen=True)
class ConnectorType:
    key: str  # e.g. "postgres-cdc-source"
    display_name: str
    kind: str  # "source" | "sink"
    classes: dict[str, str]  # flavour -> connector.class
    fields: tuple[FieldSpec, ...]
    topic_binding: str  # one of TOPIC_BINDINGS
    topic_key: TopicKey | dict[str, TopicKey]  # the key(s) receiving the topics; per flavour when it differs
    permissions: tuple[str, ...]  # what the connector needs on the external system
    docs_url: str
    # Per flavour: config the platform always sets, as is (e.g. Debezium plugin.name=pgoutput).
    fixed_config: PerFlavour = field(default_factory=dict)
    # Per flavour: key.converter / value.converter settings (self-managed workers only; Confluent
    # Cloud uses the `*.data.format` fields instead).
    converters: PerFlavour = field(default_factory=dict)
    # Per flavour: config the platform computes at render time, as str.format templates over
    # DERIVED_CONFIG_VARIABLES (e.g. slot.name="{replication_slot}").
    derived_config: PerFlavour = field(default_factory=dict)
    max_tasks: int | None = None  # CDC connectors: 1
    # Per flavour: other plugins that run the type where `classes[flavour]` is not installed, in order of
    # preference (e.g. the open-source Debezium JDBC sink where Confluent's JDBC sink is absent).
    alternatives: dict[str, tuple[Implementation, ...]] = field(default_factory=dict)
    # Groups of fields of which exactly one must be set (e.g. Datagen: quickstart or schema.string).
    one_of: tuple[tuple[str, ...], ...] = ()
    dependencies: tuple[Dependency, ...] = ()
    guarantees: tuple[str, ...] = (AT_LEAST_ONCE,)  # what the type can give, weakest first
    consumer_expectations: str = ""  # what a consumer of its topics must expect (CDC: keys, tombstones, order)
    # Per flavour: properties of the plugin the platform refuses, with why (said in the error and the catalog).
    refused: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = []
        if self.kind not in KINDS:
            problems.append(f"kind '{self.kind}' is not one of {KINDS}")
        if not self.classes or not set(self.classes) <= set(FLAVOURS):
            problems.append(f"classes must map some of {FLAVOURS} to a class")
        if not self.guarantees or not set(self.guarantees) <= set(GUARANTEES) or self.guarantees[0] != AT_LEAST_ONCE:
            problems.append(f"guarantees must start with {AT_LEAST_ONCE} and be among {GUARANTEES}")
        if EXACTLY_ONCE in self.guarantees and self.kind != SOURCE:
            problems.append("only sources can be exactly-once (KIP-618)")
        if self.topic_binding not in TOPIC_BINDINGS:
            problems.append(f"topic_binding '{self.topic_binding}' is not one of {TOPIC_BINDINGS}")
        for flavour in self.flavours:
            names = [spec.name for spec in self.fields_for(flavour)]
            if duplicates := sorted({name for name in names if names.count(name) > 1}):
                problems.append(f"fields {duplicates} are defined twice on {flavour}")
            if not self.topic_keys(flavour):
                problems.append(f"no topic key on {flavour}")
            field_names = set(names)
            if clash := sorted(field_names & set(self.platform_keys(flavour))):
                problems.append(f"fields {clash} are also platform keys on {flavour}")
            for template in self.derived_config.get(flavour, {}).values():
                unknown = set(re.findall(r"{(\w+)}", template)) - DERIVED_CONFIG_VARIABLES
                if unknown:
                    problems.append(f"derived template {template!r} uses unknown {sorted(unknown)}")
        for spec in self.fields:
            if spec.flavours is not None and not spec.flavours <= set(self.classes):
                problems.append(f"field '{spec.name}' is offered on a flavour the type is not offered on")
        for flavour, implementations in self.alternatives.items():
            for implementation in implementations:
                named = {*implementation.renames, *implementation.values, *implementation.unsupported}
                if unknown := sorted(named - known_names(self, flavour)):
                    problems.append(f"{implementation.name} on {flavour} names unknown fields {unknown}")
                # Secrets keep their names: masking and the credentials section know them by the type's.
                if secrets := sorted(named & {spec.name for spec in self.secret_fields(flavour)}):
                    problems.append(f"{implementation.name} on {flavour} may not translate secrets {secrets}")
        for mapping_name in ("fixed_config", "converters", "derived_config", "alternatives", "refused"):
            if not set(getattr(self, mapping_name)) <= set(self.classes):
                problems.append(f"{mapping_name} names a flavour the type is not offered on")
        known = {spec.name for spec in self.fields}
        for group in self.one_of:
            if not set(group) <= known:
                problems.append(f"one_of {group} names unknown fields")
        for dependency in self.dependencies:
            if not {dependency.field, *dependency.requires} <= known:
                problems.append(f"dependency on '{dependency.field}' names unknown fields")
        if self.max_tasks is not None and self.max_tasks < 1:
            problems.append("max_tasks must be at least 1")
        if problems:
            raise ValueError(f"ConnectorType '{self.key}': " + "; ".join(problems))

    # -- flavours ------------------------------------------------------------------------------

    @property
    def flavours(self) -> tuple[str, ...]:
        """The flavours this type is offered on, in FLAVOURS order."""
        return tuple(flavour for flavour in FLAVOURS if flavour in self.classes)

    def offered_on(self, flavour: str) -> bool:
        return flavour in self.classes

    def connector_class(self, flavour: str) -> str:
        if not self.offered_on(flavour):
            raise UnsupportedFlavour(self, flavour)
        return self.classes[flavour]

    def implementations(self, flavour: str) -> tuple[Implementation, ...]:
        """Every plugin that can run the type on `flavour`: its own class first, then the alternatives."""
        own = Implementation(connector_class=self.connector_class(flavour), name=self.display_name, primary=True)
        return (own, *self.alternatives.get(flavour, ()))

    def implementation_for(self, flavour: str, installed: set[str] | None) -> Implementation:
        """The plugin that runs the type on a cluster with the `installed` connector classes: the first one
        installed; the type's own class when none is, or when the installed classes are unknown (None)."""
        implementations = self.implementations(flavour)
        if installed is not None:
            for implementation in implementations:
                if class_is_installed(implementation.connector_class, installed):
                    return implementation
        return implementations[0]

    # -- fields --------------------------------------------------------------------------------

    def fields_for(self, flavour: str | None = None) -> tuple[FieldSpec, ...]:
        """The fields offered on `flavour` (every field when None)."""
        return tuple(spec for spec in self.fields if spec.offered_on(flavour))

    def field_spec(self, name: str, flavour: str | None = None) -> FieldSpec | None:
        """The field called `name` on `flavour` (on any flavour when None)."""
        for spec in self.fields_for(flavour):
            if spec.name == name:
                return spec
        return None

    def worker_path_fields(self) -> tuple[FieldSpec, ...]:
        return tuple(spec for spec in self.fields if spec.worker_path)

    @property
    def uses_worker_files(self) -> bool:
        """Reads or writes files on the Connect worker: only on clusters that allow it, inside a sandbox."""
        return bool(self.worker_path_fields())

    def secret_fields(self, flavour: str | None = None) -> tuple[FieldSpec, ...]:
        return tuple(spec for spec in self.fields_for(flavour) if spec.secret)

    def secret_names(self) -> frozenset[str]:
        """Every secret field name of the type, on any flavour (used to mask rendered configs)."""
        return frozenset(spec.name for spec in self.fields if spec.secret)

    def refusals(self, flavour: str | None = None) -> dict[str, str]:
        """The refused properties on `flavour` (on every flavour when None), each with why."""
        found: dict[str, str] = {}
        for each, refused in self.refused.items():
            if flavour is None or each == flavour:
                found.update(refused)
        return found

    def refusal(self, key: str, flavour: str | None = None) -> str | None:
        """Why `key` is refused on `flavour` (on any flavour when None), None when it is not."""
        return self.refusals(flavour).get(key)

    # -- platform keys -------------------------------------------------------------------------

    def topic_keys(self, flavour: str) -> tuple[str, ...]:
        key = self.topic_key.get(flavour, ()) if isinstance(self.topic_key, dict) else self.topic_key
        return (key,) if isinstance(key, str) else tuple(key)

    def platform_keys(self, flavour: str | None = None) -> tuple[str, ...]:
        """The config keys this type's data makes the platform set (on `flavour`, or on any when None)."""
        flavours = self.flavours if flavour is None else (flavour,)
        keys: set[str] = set()
        for each in flavours:
            if not self.offered_on(each):
                continue
            keys.update(self.topic_keys(each))
            for mapping in (self.fixed_config, self.converters, self.derived_config):
                keys.update(mapping.get(each, {}))
        return tuple(sorted(keys))

    # -- schema --------------------------------------------------------------------------------

    def json_schema(self, flavour: str | None = None) -> dict[str, Any]:
        """JSON Schema (draft 2020-12) of the request's `config` and `credentials` for this type.

        With a flavour, exactly what layer (a) (`schema_checks.config_errors`) accepts on that flavour:
        string-encoded numbers and booleans, enums in any case where the plugin ignores case, `null` for
        "unset", the one-of groups and the fields another field's value requires. Without one, every
        field; a field offered on some flavours only carries `x-flavours` and is required only when it is
        required on every flavour of the type (the catalog API serves each flavour's exact schema too).
        """
        if flavour is not None and not self.offered_on(flavour):
            raise UnsupportedFlavour(self, flavour)
        config_props: dict[str, Any] = {}
        credential_props: dict[str, Any] = {}
        config_required: list[str] = []
        credential_required: list[str] = []
        for spec in self.fields_for(flavour):
            if spec.secret:
                props, required = credential_props, credential_required
            else:
                props, required = config_props, config_required
            offered_everywhere = spec.flavours is None or flavour is not None or set(self.flavours) <= spec.flavours
            is_required = spec.required and offered_everywhere
            props[spec.name] = spec.json_schema(nullable=not is_required)
            if is_required and spec.name not in required:
                required.append(spec.name)

        def section(props: dict[str, Any], required: list[str], description: str) -> dict[str, Any]:
            schema: dict[str, Any] = {
                "type": "object",
                "description": description,
                "properties": props,
                "additionalProperties": False,
            }
            if required:
                schema["required"] = sorted(required)
            return schema

        schema: dict[str, Any] = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"urn:connector-type:{self.key}" + (f":{flavour}" if flavour else ""),
            "title": self.display_name,
            "type": "object",
            "properties": {
                "config": section(config_props, config_required, "Connection and behaviour settings (not secret)."),
                "credentials": section(
                    credential_props,
                    credential_required,
                    "Secrets: stored encrypted, never returned. '********' keeps the stored value.",
                ),
            },
            "required": ["config"] + (["credentials"] if credential_required else []),
            "x-kind": self.kind,
            "x-flavours": list(self.flavours if flavour is None else (flavour,)),
            "x-topic-binding": self.topic_binding,
            "x-permissions": list(self.permissions),
            "x-docs-url": self.docs_url,
        }
        if refused := self.refusals(flavour):
            schema["x-refused"] = dict(sorted(refused.items()))
        if flavour is not None and (rules := self._rules_schema(flavour)):
            schema["allOf"] = rules
        if self.max_tasks is not None:
            schema["x-max-tasks"] = self.max_tasks
        return schema

    def _rules_schema(self, flavour: str) -> list[dict[str, Any]]:
        """The one-of groups and the dependencies on `flavour`, as JSON Schema."""

        def section_of(spec: FieldSpec) -> str:
            return "credentials" if spec.secret else "config"

        def is_set(spec: FieldSpec) -> dict[str, Any]:
            return {
                "required": [section_of(spec)],
                "properties": {
                    section_of(spec): {"required": [spec.name], "properties": {spec.name: {"not": {"type": "null"}}}}
                },
            }

        rules: list[dict[str, Any]] = []
        for group in self.one_of:
            specs = [spec for spec in (self.field_spec(name, flavour) for name in group) if spec is not None]
            if specs:
                rules.append({"oneOf": [is_set(spec) for spec in specs]})
        for dependency in self.dependencies:
            trigger = self.field_spec(dependency.field, flavour)
            needed = [spec for spec in (self.field_spec(name, flavour) for name in dependency.requires) if spec]
            if trigger is None or not needed:
                continue
            if trigger.type != "string":
                raise ValueError(f"{self.key}: a dependency's trigger '{trigger.name}' must be a string field")
            section = section_of(trigger)
            chosen = {
                "required": [section],
                "properties": {
                    section: {
                        "required": [trigger.name],
                        "properties": {
                            trigger.name: {
                                "type": "string",
                                "pattern": one_of_pattern(dependency.values, ignore_case=trigger.enum_ignore_case),
                            }
                        },
                    }
                },
            }
            condition: dict[str, Any] = chosen
            if trigger.default is not None and trigger.canonical(trigger.default) in dependency.values:
                condition = {"anyOf": [chosen, {"not": is_set(trigger)}]}
            rules.append({"if": condition, "then": {"allOf": [is_set(spec) for spec in needed]}})
        return rules


def known_names(connector_type: ConnectorType, flavour: str) -> set[str]:
    return {spec.name for spec in connector_type.fields_for(flavour)}


def class_is_installed(connector_class: str, installed: set[str]) -> bool:
    """Connect accepts a class's simple name as an alias; a cluster lists fully qualified names."""
    return connector_class in installed or any(
        name.rsplit(".", 1)[-1] in {connector_class, f"{connector_class}Connector"} for name in installed
    )


class Registry:
    """Connector types by key. Filled once, from `connectors.catalog.types`."""

    def __init__(self, types: list[ConnectorType] | tuple[ConnectorType, ...]) -> None:
        self._types: dict[str, ConnectorType] = {}
        for connector_type in types:
            if connector_type.key in self._types:
                raise ValueError(f"connector type '{connector_type.key}' is registered twice")
            self._types[connector_type.key] = connector_type

    def get(self, key: str) -> ConnectorType:
        try:
            return self._types[key]
        except KeyError:
            raise UnknownConnectorType(key, sorted(self._types)) from None

    def all(self) -> list[ConnectorType]:
        return [self._types[key] for key in sorted(self._types)]
