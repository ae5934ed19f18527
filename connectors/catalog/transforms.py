"""Single Message Transforms: an allow-list of Kafka's built-in SMTs and predicates, as data.

Request shape (the request's ``transforms`` field, applied in order)::

    [{"alias": "addSource",
      "type": "InsertField$Value",            # short, or org.apache.kafka.connect.transforms.InsertField$Value
      "options": {"static.field": "source", "static.value": "crm"},
      "predicate": {"type": "TopicNameMatches", "options": {"pattern": "crm\\..*"}},   # optional
      "negate": false}]                                                               # optional

Errors are keyed ``transforms``, ``transforms[<i>]``, ``transforms[<i>].alias``,
``transforms[<i>].type``, ``transforms[<i>].options``, ``transforms[<i>].options.<option>``,
``transforms[<i>].predicate...`` and ``transforms[<i>].negate``.

A transform's predicate is rendered as ``predicates.<alias>Predicate``.

Topic names: RegexRouter and TimestampRouter change the topic of each record. On a source that is
the topic written to, so it could leave the tenant's prefix. `routed_topic_patterns` lists every
such transform and `route_prefix_errors` refuses the ones whose result cannot be shown to stay
inside a prefix; which kinds need the check (sources; a sink's renamed topic is only a name given
to the external system) is the caller's decision.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from connectors.catalog.field_errors import FieldErrors
from connectors.catalog.registry import PLACEHOLDER_MARK

TRANSFORMS_PACKAGE = "org.apache.kafka.connect.transforms"
PREDICATES_PACKAGE = "org.apache.kafka.connect.transforms.predicates"

ALIAS_PATTERN = re.compile(r"^[A-Za-z0-9_]+$")
MAX_ALIAS_LENGTH = 64
MAX_TRANSFORMS = 20
PREDICATE_SUFFIX = "Predicate"

NULL_DEFAULT = "replace.null.with.default"  # KIP-1040 (3.8+)
FIELD_SYNTAX = "field.syntax.version"  # KIP-821 (3.8+): V1 plain names, V2 nested paths
BOOLEAN = ("true", "false")


@dataclass(frozen=True)
class SmtSpec:
    """One built-in SMT or predicate and the options it takes."""

    name: str  # short class name, without the $Key/$Value variant
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()  # at least one of these must be set
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    together: dict[str, str] = field(default_factory=dict)  # option -> option it needs
    when: tuple[tuple[str, str, str], ...] = ()  # (option, value, option then required)
    removed: dict[str, str] = field(default_factory=dict)  # option -> what replaced it
    placeholders: dict[str, tuple[str, ...]] = field(default_factory=dict)  # option -> allowed "${...}" tokens
    variants: bool = False  # has $Key and $Value classes
    needs_predicate: bool = False
    routes_topics: tuple[str, ...] = ()  # options that decide the new topic name

    def __post_init__(self) -> None:
        common = {NULL_DEFAULT: BOOLEAN, FIELD_SYNTAX: ("V1", "V2")}
        enums = {option: values for option, values in common.items() if option in self.options}
        object.__setattr__(self, "enums", {**enums, **self.enums})

    @property
    def options(self) -> tuple[str, ...]:
        return self.required + self.any_of + self.optional


TRANSFORMS: dict[str, SmtSpec] = {
    spec.name: spec
    for spec in (
        SmtSpec("Cast", required=("spec",), optional=(NULL_DEFAULT, FIELD_SYNTAX), variants=True),
        SmtSpec("DropHeaders", required=("headers",)),
        SmtSpec("ExtractField", required=("field",), optional=(NULL_DEFAULT, FIELD_SYNTAX), variants=True),
        SmtSpec("Filter", needs_predicate=True),
        SmtSpec("Flatten", optional=("delimiter",), variants=True),
        SmtSpec(
            "HeaderFrom",
            required=("fields", "headers", "operation"),
            optional=(NULL_DEFAULT, FIELD_SYNTAX),
            enums={"operation": ("move", "copy")},
            variants=True,
        ),
        SmtSpec("HoistField", required=("field",), variants=True),
        SmtSpec(
            "InsertField",
            any_of=("static.field", "topic.field", "partition.field", "offset.field", "timestamp.field"),
            optional=("static.value", NULL_DEFAULT),
            together={"static.field": "static.value"},
            variants=True,
        ),
        SmtSpec("InsertHeader", required=("header", "value.literal")),
        SmtSpec("MaskField", required=("fields",), optional=("replacement", NULL_DEFAULT, FIELD_SYNTAX), variants=True),
        SmtSpec("RegexRouter", required=("regex", "replacement"), routes_topics=("replacement",)),
        SmtSpec(
            "ReplaceField",
            optional=("include", "exclude", "renames", NULL_DEFAULT, FIELD_SYNTAX),
            removed={"whitelist": "include", "blacklist": "exclude"},
            variants=True,
        ),
        SmtSpec("SetSchemaMetadata", any_of=("schema.name", "schema.version"), optional=(NULL_DEFAULT,), variants=True),
        SmtSpec(
            "TimestampConverter",
            required=("target.type",),
            optional=("field", "format", "unix.precision", NULL_DEFAULT, FIELD_SYNTAX),
            enums={
                "target.type": ("string", "unix", "Date", "Time", "Timestamp"),
                "unix.precision": ("seconds", "milliseconds", "microseconds", "nanoseconds"),
            },
            when=(("target.type", "string", "format"),),
            variants=True,
        ),
        SmtSpec(
            "TimestampRouter",
            optional=("topic.format", "timestamp.format"),
            placeholders={"topic.format": ("${topic}", "${timestamp}")},
            routes_topics=("topic.format",),
        ),
        SmtSpec("ValueToKey", required=("fields",), optional=(NULL_DEFAULT,)),
    )
}

PREDICATES: dict[str, SmtSpec] = {
    spec.name: spec
    for spec in (
        SmtSpec("TopicNameMatches", required=("pattern",)),
        SmtSpec("HasHeaderKey", required=("name",)),
        SmtSpec("RecordIsTombstone"),
    )
}

TIMESTAMP_ROUTER_DEFAULT_FORMAT = "${topic}-${timestamp}"
ITEM_KEYS = frozenset({"alias", "type", "options", "predicate", "negate"})
PREDICATE_KEYS = frozenset({"type", "options"})


def _allowed_names(catalog: dict[str, SmtSpec]) -> list[str]:
    names = []
    for spec in catalog.values():
        names += [f"{spec.name}$Key", f"{spec.name}$Value"] if spec.variants else [spec.name]
    return names


def _short_name(value: Any, *, package: str) -> str | None:
    """'InsertField$Value' for 'InsertField$Value' or '<package>.InsertField$Value'; None otherwise."""
    if not isinstance(value, str):
        return None
    short = value.strip()
    if short.startswith(package + "."):
        short = short[len(package) + 1 :]
    return None if "." in short or not short else short


def resolve_type(value: Any, *, predicate: bool = False) -> tuple[str, SmtSpec] | None:
    """(fully qualified class, spec) for an allowed SMT or predicate type, short or qualified; else None."""
    package, catalog = (PREDICATES_PACKAGE, PREDICATES) if predicate else (TRANSFORMS_PACKAGE, TRANSFORMS)
    short = _short_name(value, package=package)
    if short is None:
        return None
    base, _, variant = short.partition("$")
    spec = catalog.get(base)
    if spec is None:
        return None
    if spec.variants != bool(variant) or variant not in ("", "Key", "Value"):
        return None
    return f"{package}.{short}", spec


def _option_value(value: Any) -> str | None:
    """An option value as a string; None when the value cannot be one."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, str)):
        return str(value)
    if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        return ",".join(item.strip() for item in value)
    return None


def _options_errors(options: Any, *, spec: SmtSpec, type_name: str, path: str, add: Any) -> None:
    if options is None:
        options = {}
    if not isinstance(options, Mapping):
        add(path, "must be an object of option names and values.")
        return
    for option, raw in options.items():
        option_path = f"{path}.{option}"
        if option in spec.removed:
            add(option_path, f"'{option}' was removed in Kafka 4.0: use '{spec.removed[option]}'.")
            continue
        if not isinstance(option, str) or option not in spec.options:
            allowed = ", ".join(spec.options) or "none"
            add(option_path, f"unknown option for {type_name}; its options are: {allowed}.")
            continue
        value = _option_value(raw)
        if value is None:
            add(option_path, "must be a string, a number, true/false or a list of strings.")
            continue
        stripped = value
        for token in spec.placeholders.get(option, ()):
            stripped = stripped.replace(token, "")
        if PLACEHOLDER_MARK in stripped:
            allowed_tokens = spec.placeholders.get(option, ())
            add(
                option_path,
                "config provider placeholders ('${...}') are not allowed"
                + (f"; only {', '.join(allowed_tokens)} may be used here." if allowed_tokens else "."),
            )
        if not value.strip() and option in spec.required:
            add(option_path, "must not be empty.")
        if option in spec.enums and value not in spec.enums[option]:
            add(option_path, f"must be one of: {', '.join(spec.enums[option])}.")
    present = {key for key, raw in options.items() if isinstance(key, str) and _option_value(raw) not in (None, "")}
    for option in spec.required:
        if option not in options:
            add(f"{path}.{option}", f"{type_name} needs this option.")
    if spec.any_of and not present & set(spec.any_of):
        add(path, f"{type_name} needs at least one of: {', '.join(spec.any_of)}.")
    for option, needed in spec.together.items():
        if option in present and needed not in present:
            add(f"{path}.{needed}", f"needed with '{option}'.")
    for option, value, needed in spec.when:
        if _option_value(options.get(option)) == value and needed not in present:
            add(f"{path}.{needed}", f"needed when {option} is '{value}'.")
    if spec.name == "HeaderFrom" and {"fields", "headers"} <= present:
        fields = _option_value(options["fields"]).split(",")
        headers = _option_value(options["headers"]).split(",")
        if len(fields) != len(headers):
            add(f"{path}.headers", "give one header per field (fields and headers have the same length).")


def transforms_errors(transforms: Any) -> dict[str, list[str]]:
    """Every problem with a request's `transforms` list, all at once. Empty when valid (or absent)."""
    errors = FieldErrors()
    if transforms is None:
        return {}
    if not isinstance(transforms, list | tuple):
        errors.add("transforms", "must be a list of transforms.")
        return dict(errors)
    if len(transforms) > MAX_TRANSFORMS:
        errors.add("transforms", f"at most {MAX_TRANSFORMS} transforms.")
    seen_aliases: set[str] = set()
    for index, item in enumerate(transforms):
        path = f"transforms[{index}]"
        if not isinstance(item, Mapping):
            errors.add(path, "must be an object with alias, type and options.")
            continue
        for key in item:
            if key not in ITEM_KEYS:
                errors.add(f"{path}.{key}", f"unknown; a transform has: {', '.join(sorted(ITEM_KEYS))}.")
        _alias_errors(errors, item.get("alias"), path=f"{path}.alias", seen=seen_aliases)
        resolved = _type_errors(errors, item, path=path)
        _predicate_errors(errors, item, path=path, transform=resolved[1] if resolved else None)
    return dict(errors)


def _alias_errors(errors: FieldErrors, alias: Any, *, path: str, seen: set[str]) -> None:
    if not isinstance(alias, str) or not alias:
        errors.add(path, "required: a name for this transform.")
    elif not ALIAS_PATTERN.fullmatch(alias):
        errors.add(path, "use letters, digits and '_' only.")
    elif len(alias) > MAX_ALIAS_LENGTH:
        errors.add(path, f"at most {MAX_ALIAS_LENGTH} characters.")
    elif alias in seen:
        errors.add(path, f"'{alias}' is used by an earlier transform: aliases must be unique.")
    else:
        seen.add(alias)


def _type_errors(errors: FieldErrors, item: Mapping[str, Any], *, path: str) -> tuple[str, SmtSpec] | None:
    """The transform's type on the allow-list (with its options checked), or why not."""
    raw_type = item.get("type")
    resolved = resolve_type(raw_type)
    if resolved is not None:
        spec = resolved[1]
        _options_errors(item.get("options"), spec=spec, type_name=spec.name, path=f"{path}.options", add=errors.add)
        return resolved
    short = _short_name(raw_type, package=TRANSFORMS_PACKAGE)
    base = short.partition("$")[0] if short else None
    if base in TRANSFORMS:
        if TRANSFORMS[base].variants:
            errors.add(f"{path}.type", f"choose {base}$Key or {base}$Value.")
        else:
            errors.add(f"{path}.type", f"{base} has no $Key/$Value variants: use '{base}'.")
    elif raw_type in (None, ""):
        errors.add(f"{path}.type", "required.")
    else:
        allowed = ", ".join(_allowed_names(TRANSFORMS))
        errors.add(f"{path}.type", f"'{raw_type}' is not an allowed transform; allowed: {allowed}.")
    return None


def _predicate_errors(errors: FieldErrors, item: Mapping[str, Any], *, path: str, transform: SmtSpec | None) -> None:
    """The transform's predicate (and negate): allowed, well-formed, present where the transform needs one."""
    predicate = item.get("predicate")
    negate = item.get("negate")
    if predicate is None:
        if transform is not None and transform.needs_predicate:
            errors.add(f"{path}.predicate", f"{transform.name} needs a predicate: it drops the records that match it.")
        if negate not in (None, False):
            errors.add(f"{path}.negate", "negate needs a predicate.")
    elif not isinstance(predicate, Mapping):
        errors.add(f"{path}.predicate", "must be an object with type and options.")
    else:
        for key in predicate:
            if key not in PREDICATE_KEYS:
                errors.add(f"{path}.predicate.{key}", "unknown; a predicate has: options, type.")
        resolved = resolve_type(predicate.get("type"), predicate=True)
        if resolved is None:
            errors.add(
                f"{path}.predicate.type",
                f"'{predicate.get('type')}' is not an allowed predicate; allowed: {', '.join(PREDICATES)}.",
            )
        else:
            spec = resolved[1]
            _options_errors(
                predicate.get("options"),
                spec=spec,
                type_name=spec.name,
                path=f"{path}.predicate.options",
                add=errors.add,
            )
    if negate is not None and not isinstance(negate, bool):
        errors.add(f"{path}.negate", "must be true or false.")


def render_transforms(transforms: list[Mapping[str, Any]] | None) -> dict[str, str]:
    """Connect config for valid `transforms` (check them with `transforms_errors` first)."""
    if not transforms:
        return {}
    config: dict[str, str] = {}
    aliases: list[str] = []
    predicate_aliases: list[str] = []
    for item in transforms:
        alias = item["alias"]
        resolved = resolve_type(item["type"])
        if resolved is None:
            raise ValueError(f"transform '{alias}': '{item['type']}' is not an allowed transform")
        class_name, _ = resolved
        aliases.append(alias)
        prefix = f"transforms.{alias}"
        config[f"{prefix}.type"] = class_name
        for option, value in (item.get("options") or {}).items():
            if _option_value(value) is not None:
                config[f"{prefix}.{option}"] = _option_value(value)
        predicate = item.get("predicate")
        if predicate:
            predicate_resolved = resolve_type(predicate["type"], predicate=True)
            if predicate_resolved is None:
                raise ValueError(f"transform '{alias}': '{predicate['type']}' is not an allowed predicate")
            predicate_alias = f"{alias}{PREDICATE_SUFFIX}"
            predicate_aliases.append(predicate_alias)
            config[f"{prefix}.predicate"] = predicate_alias
            config[f"{prefix}.negate"] = "true" if item.get("negate") else "false"
            config[f"predicates.{predicate_alias}.type"] = predicate_resolved[0]
            for option, value in (predicate.get("options") or {}).items():
                if _option_value(value) is not None:
                    config[f"predicates.{predicate_alias}.{option}"] = _option_value(value)
    config["transforms"] = ",".join(aliases)
    if predicate_aliases:
        config["predicates"] = ",".join(predicate_aliases)
    return config


@dataclass(frozen=True)
class TopicRoute:
    """A transform that renames each record's topic."""

    path: str  # request path of the option that decides the new name, e.g. "transforms[1].options.replacement"
    alias: str
    type: str  # fully qualified class
    option: str  # the option deciding the new name ("replacement" / "topic.format")
    value: str  # its value (the default when unset)
    regex: str | None = None  # RegexRouter: which topics are renamed


def routed_topic_patterns(transforms: list[Mapping[str, Any]] | None) -> list[TopicRoute]:
    """Every transform that changes topic names (RegexRouter, TimestampRouter), for the caller to
    check against the tenant's topic prefix. Invalid items are skipped (transforms_errors reports them)."""
    routes: list[TopicRoute] = []
    for index, item in enumerate(transforms or ()):
        if not isinstance(item, Mapping):
            continue
        resolved = resolve_type(item.get("type"))
        if resolved is None or not resolved[1].routes_topics:
            continue
        class_name, spec = resolved
        options = item.get("options") if isinstance(item.get("options"), Mapping) else {}
        for option in spec.routes_topics:
            value = _option_value(options.get(option))
            if value is None:
                value = TIMESTAMP_ROUTER_DEFAULT_FORMAT if option == "topic.format" else ""
            routes.append(
                TopicRoute(
                    path=f"transforms[{index}].options.{option}",
                    alias=str(item.get("alias", "")),
                    type=class_name,
                    option=option,
                    value=value,
                    regex=_option_value(options.get("regex")) if "regex" in spec.options else None,
                )
            )
    return routes


def route_prefix_errors(transforms: list[Mapping[str, Any]] | None, *, topic_prefix: str) -> dict[str, list[str]]:
    """Refuse topic renames whose result is not provably inside `topic_prefix`.

    A RegexRouter replacement must begin with the prefix itself (before any '$' group reference);
    a TimestampRouter format must begin with '${topic}' (the record's own, already checked topic)
    or with the prefix.
    """
    errors: dict[str, list[str]] = {}
    for route in routed_topic_patterns(transforms):
        literal_head = route.value.split("$", 1)[0]
        keeps_topic = route.option == "topic.format" and route.value.startswith("${topic}")
        if not keeps_topic and not literal_head.startswith(topic_prefix):
            errors.setdefault(route.path, []).append(
                f"the new topic name must stay inside your topic prefix: begin it with '{topic_prefix}'"
                + (" or '${topic}'." if route.option == "topic.format" else ".")
            )
    return errors


def transforms_from_config(config: Mapping[str, Any]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The request's `transforms` for Connect's ``transforms*`` and ``predicates*`` keys (the inverse of
    `render_transforms`), and why each key that cannot be taken is not. Check the result with
    `transforms_errors`: only Kafka's built-in SMTs and predicates are allowed."""
    problems: dict[str, str] = {}
    used: set[str] = {"transforms", "predicates"}

    def names(key: str) -> list[str]:
        return [name.strip() for name in str(config.get(key, "")).split(",") if name.strip()]

    predicates = names("predicates")
    transforms: list[dict[str, Any]] = []
    for alias in names("transforms"):
        prefix = f"transforms.{alias}."
        options = {key[len(prefix) :]: value for key, value in config.items() if key.startswith(prefix)}
        used.update(prefix + option for option in options)
        item: dict[str, Any] = {"alias": alias, "type": options.pop("type", "")}
        predicate_alias = options.pop("predicate", None)
        negate = options.pop("negate", None)
        if options:
            item["options"] = options
        if predicate_alias:
            predicate_prefix = f"predicates.{predicate_alias}."
            predicate_options = {
                key[len(predicate_prefix) :]: value for key, value in config.items() if key.startswith(predicate_prefix)
            }
            used.update(predicate_prefix + option for option in predicate_options)
            predicate: dict[str, Any] = {"type": predicate_options.pop("type", "")}
            if predicate_options:
                predicate["options"] = predicate_options
            item["predicate"] = predicate
            if str(negate).strip().lower() == "true":
                item["negate"] = True
            if predicate_alias not in predicates:
                problems[f"transforms.{alias}.predicate"] = f"predicate '{predicate_alias}' is not listed in predicates"
        transforms.append(item)
    for key in config:
        if key not in used:
            problems[key] = "it belongs to no transform or predicate listed in transforms/predicates"
    return transforms, problems
