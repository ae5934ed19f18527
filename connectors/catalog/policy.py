"""The catalog as policy on top of the plugins' own definitions.

A type's hand-written fields say only what the platform decides (a platform requirement and why, a
narrower enum, a worker path, help in the platform's words). Every other property of the plugin's
committed snapshot (`connectors.catalog.definitions`) becomes a field as the plugin defines it: its type,
default (left to the plugin when rendering), allowed values. A property is kept from tenants only with a
reason: the platform owns it (`schema_checks.platform_key_reason`), or the type or a rule below refuses it.
Every PASSWORD-typed property is a credential; `secrets` names the ones a plugin types as plain strings.
"""

from __future__ import annotations

import dataclasses
import re

from connectors.catalog.definitions import PropertyDefinition, load_snapshot
from connectors.catalog.registry import PLACEHOLDER_MARK, ConnectorType, FieldSpec
from connectors.catalog.schema_checks import platform_key_reason
from controlplane.flavours import SELF_MANAGED

# Refusals that hold for every plugin, matched against the property's name or its Connect type.
WORKER_CLASS = "it names a Java class for the Connect worker to load; the platform runs the plugin's own"
WORKER_FILE = "it reads a file on the Connect workers, which belong to the platform"
PATTERN_KEY = "a family of keys named by a pattern is not offered; ask the platform team"
INTERNAL = "the plugin's internal switch, not for connectors in production"
OUTSIDE_TOPICS = "it names a topic outside the request's topics; the platform names every topic a connector uses"
CUSTOM_IMPLEMENTATION = "it selects a custom implementation loaded on the worker"
DATA_PREVIEW = "it applies only to Confluent Cloud's data preview, not to a connector"
EGRESS = "network egress from the managed connectors is the platform's to allow"

# On the workers the platform runs (a managed connector's files and classes are Confluent's).
_WORKER_RULES: tuple[tuple[str, str], ...] = (
    (r".*(?:sslcert|sslkey|sslrootcert|sslfactory|keystore|truststore)(?:\..*)?", WORKER_FILE),
    (r".*\.file|.*\.file\.path", WORKER_FILE),
)
_NAME_RULES: tuple[tuple[str, str], ...] = (
    (r".*[()\\].*", PATTERN_KEY),
    (r"internal\..*", INTERNAL),
    (r".*\.custom\.name|post\.processors|converters", CUSTOM_IMPLEMENTATION),
    (
        r"signal\.kafka\..*|notification\.sink\.topic\.name|heartbeat\.topics\.prefix|topic\.heartbeat\..*",
        OUTSIDE_TOPICS,
    ),
    (r"topic\.(?!prefix$).*", OUTSIDE_TOPICS),
    (r"datapreview\..*", DATA_PREVIEW),
    (r"connector\.egress\..*", EGRESS),
)


# Confluent Cloud sets each managed connector's converter from its *.data.format field; the options that only
# tune that converter (decimal format, subject name strategies, schemas in JSON) are the tenant's.
CLOUD_CONVERTER_OPTIONS = r"(?:key|value)\.converter\.(?!class$).+"


def rule_refusal(definition: PropertyDefinition, *, flavour: str) -> str | None:
    """Why a rule keeps this property from tenants, whatever the plugin (None: it does not)."""
    rules = _NAME_RULES
    if flavour == SELF_MANAGED:
        if definition.type == "CLASS":
            return WORKER_CLASS
        rules = _WORKER_RULES + _NAME_RULES
    for pattern, reason in rules:
        if re.fullmatch(pattern, definition.name):
            return reason
    return None


def _typed_default(definition: PropertyDefinition, field_type: str):
    value = definition.default
    if value in (None, "") or field_type == "password" or PLACEHOLDER_MARK in str(value):
        return None
    try:
        if field_type == "integer":
            return int(value)
        if field_type == "number":
            return float(value)
    except ValueError:
        return None
    if field_type == "boolean":
        return value.strip().lower() == "true"
    return value


def field_from_definition(
    definition: PropertyDefinition, *, flavours: frozenset[str], secret: bool, enum_ignore_case: bool
) -> FieldSpec:
    """The property as a field, exactly as the plugin defines it (never required: the plugin's own
    validation, layer (e), says what a configuration lacks)."""
    field_type = "password" if secret or definition.field_type == "password" else definition.field_type
    default = _typed_default(definition, field_type)
    enum = definition.allowed_values if field_type == "string" else ()
    if enum and default is not None:
        spelled = [
            choice for choice in enum if choice == default or (enum_ignore_case and choice.lower() == default.lower())
        ]
        if not spelled:
            enum = ()  # the plugin recommends values that exclude its own default: not an enum
    return FieldSpec(
        definition.name,
        field_type,
        default=default,
        enum=tuple(enum),
        help=" ".join(definition.documentation.split())[:500],
        secret=field_type == "password",
        flavours=flavours,
        enum_ignore_case=enum_ignore_case and bool(enum),
        render_default=False,
        from_plugin=True,
    )


def with_plugin_definitions(
    connector_type: ConnectorType,
    *,
    flavour: str,
    refused: dict[str, str] | None = None,
    secrets: tuple[str, ...] = (),
    enum_ignore_case: bool = False,
    offered: str | None = None,
    refused_patterns: tuple[tuple[str, str], ...] = (),
    placeholders: dict[str, tuple[str, ...]] | None = None,
) -> ConnectorType:
    """`connector_type` with every property of its plugin's committed snapshot on `flavour` known: as the
    type's own field, a field as the plugin defines it, platform-owned, or refused with a reason. `offered` (a
    regular expression) names properties a generic platform rule would own that this plugin's tenants set;
    `refused_patterns` refuses families of properties ((regular expression, reason) pairs); `placeholders` names
    the connector's own template tokens a property takes (e.g. HTTP's "${key}")."""
    snapshot = load_snapshot(flavour=flavour, connector_class=connector_type.connector_class(flavour))
    if snapshot is None:
        raise ValueError(f"{connector_type.key}: no snapshot of {connector_type.connector_class(flavour)}")
    refused = dict(refused or {})
    if unknown := sorted(set(refused) - set(snapshot.properties)):
        raise ValueError(f"{connector_type.key}: refuses properties its plugin does not have: {unknown}")
    only_here = frozenset({flavour})
    fields = list(connector_type.fields)
    for name, definition in snapshot.properties.items():
        if connector_type.field_spec(name, flavour) is not None or name in refused:
            continue
        owned = platform_key_reason(name, connector_type=connector_type, flavour=flavour)
        if owned and not (offered and re.fullmatch(offered, name)):
            continue
        if reason := rule_refusal(definition, flavour=flavour) or next(
            (why for pattern, why in refused_patterns if re.fullmatch(pattern, name)), None
        ):
            refused[name] = reason
            continue
        spec = field_from_definition(
            definition, flavours=only_here, secret=name in secrets, enum_ignore_case=enum_ignore_case
        )
        if tokens := (placeholders or {}).get(name):
            spec = dataclasses.replace(spec, placeholders=tokens)
        fields.append(spec)
    refusals = {**connector_type.refused, flavour: {**connector_type.refused.get(flavour, {}), **refused}}
    return dataclasses.replace(connector_type, fields=tuple(fields), refused=refusals)


def classification(connector_type: ConnectorType, *, flavour: str, name: str) -> str | None:
    """How the catalog knows a plugin's property: "config", "credential", "platform: <why>",
    "refused: <why>", or None when it does not know it."""
    spec = connector_type.field_spec(name, flavour)
    if spec is not None:
        return "credential" if spec.secret else "config"
    if reason := platform_key_reason(name, connector_type=connector_type, flavour=flavour):
        return f"platform: {reason}"
    if reason := connector_type.refusal(name, flavour):
        return f"refused: {reason}"
    return None
