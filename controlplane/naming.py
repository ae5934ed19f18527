"""The connector naming convention, and the names derived from a connector's name. Pure functions.

Dedicated clusters: ``{business_unit}-{stage}-{id}-connector``
Shared clusters:    ``{landing_zone}-{business_unit}-{stage}-{id}-connector``

A business unit never contains a stage name as a hyphen-separated part (``sales-dev`` is refused):
the first stage-named part of a name is then always its stage, so two different (business unit,
stage, id) triples in one landing zone never give the same name, and a 409 on a name never
reveals another tenant's connector.

Every derived resource must stay valid, so the connector name is capped at 63 characters: its
Debezium replication slot (lowercase, digits, underscores, at most 63) is the name with ``-`` turned
into ``_``, and its DLQ topic (``{topic_prefix}.dlq.{name}``) stays within Kafka's 249 because the
topic prefix is capped at MAX_TOPIC_PREFIX_LENGTH.
"""

from __future__ import annotations

import re

STAGES: tuple[str, ...] = ("dev", "qas", "run")
SUFFIX = "-connector"
MAX_CONNECTOR_NAME_LENGTH = 63
MAX_TOPIC_NAME_LENGTH = 249
# The DLQ topic adds a "." separator when the prefix does not end with one: count it.
MAX_TOPIC_PREFIX_LENGTH = MAX_TOPIC_NAME_LENGTH - len(".dlq.") - MAX_CONNECTOR_NAME_LENGTH
MAX_REPLICATION_SLOT_LENGTH = 63

# Lowercase letters, digits and single hyphens, starting with a letter, not ending with a hyphen.
SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
SLUG_RULE = "lowercase letters, digits and single hyphens, starting with a letter"
TOPIC_PREFIX_PATTERN = re.compile(r"^[a-zA-Z0-9._-]+$")


class NamingError(ValueError):
    """One or more naming rules are broken; `errors` maps the request field to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items()))


def slug_errors(value: str, *, what: str) -> list[str]:
    if not value:
        return [f"{what} is required."]
    if not SLUG_PATTERN.fullmatch(value):
        return [f"{what} '{value}' is invalid: use {SLUG_RULE}."]
    return []


def business_unit_errors(value: str) -> list[str]:
    """A tenant slug: a slug with no stage name (dev, qas, run) as a hyphen-separated part."""
    errors = slug_errors(value, what="business unit")
    if not errors:
        stages = [part for part in value.split("-") if part in STAGES]
        if stages:
            errors.append(
                f"business unit '{value}' must not contain a stage name ({', '.join(STAGES)}) as a "
                f"hyphen-separated part, found '{stages[0]}': connector names would become ambiguous."
            )
    return errors


def connector_id_errors(value: str) -> list[str]:
    errors = slug_errors(value, what="id")
    if not errors and (value == SUFFIX.lstrip("-") or value.endswith(SUFFIX)):
        errors.append(f"id must not end with '{SUFFIX}': the system adds that suffix itself.")
    return errors


def stage_errors(value: str) -> list[str]:
    if value not in STAGES:
        return [f"stage '{value}' is invalid: choose one of {', '.join(STAGES)}."]
    return []


def _name_prefix(*, business_unit: str, stage: str, landing_zone: str | None) -> str:
    parts = [landing_zone, business_unit, stage] if landing_zone else [business_unit, stage]
    return "-".join(parts) + "-"


def max_connector_id_length(*, business_unit: str, stage: str, landing_zone: str | None) -> int:
    fixed = len(_name_prefix(business_unit=business_unit, stage=stage, landing_zone=landing_zone)) + len(SUFFIX)
    return MAX_CONNECTOR_NAME_LENGTH - fixed


def connector_name(*, business_unit: str, stage: str, connector_id: str, landing_zone: str | None = None) -> str:
    """The conventional name; `landing_zone` is given for shared clusters and None for dedicated ones."""
    errors: dict[str, list[str]] = {}
    if stage_err := stage_errors(stage):
        errors["stage"] = stage_err
    if id_err := connector_id_errors(connector_id):
        errors["id"] = id_err
    if "id" not in errors:
        # Checked even when the stage is wrong, so both errors come back at once; every stage has the same length.
        measured_stage = stage if "stage" not in errors else STAGES[0]
        limit = max_connector_id_length(business_unit=business_unit, stage=measured_stage, landing_zone=landing_zone)
        if len(connector_id) > limit:
            errors["id"] = [
                f"id is too long: at most {limit} characters here, so that the connector name stays "
                f"within {MAX_CONNECTOR_NAME_LENGTH} characters "
                "(its replication slot and DLQ topic are derived from it)."
            ]
    if errors:
        raise NamingError(errors)
    return f"{_name_prefix(business_unit=business_unit, stage=stage, landing_zone=landing_zone)}{connector_id}{SUFFIX}"


def topic_prefix_errors(value: str) -> list[str]:
    if not value or not TOPIC_PREFIX_PATTERN.fullmatch(value):
        return ["topic prefix must be letters, digits, '.', '_' or '-'."]
    if len(value) > MAX_TOPIC_PREFIX_LENGTH:
        return [f"topic prefix must be at most {MAX_TOPIC_PREFIX_LENGTH} characters."]
    return []


def topic_prefixes_overlap(first: str, second: str) -> bool:
    """Two prefixes overlap when one could name a topic the other also owns."""
    return first.startswith(second) or second.startswith(first)


def dlq_topic_name(*, topic_prefix: str, connector_name: str) -> str:
    """The sink's dead letter queue, inside the tenant's own topic prefix."""
    separator = "" if topic_prefix.endswith((".", "-", "_")) else "."
    return f"{topic_prefix}{separator}dlq.{connector_name}"


def offsets_topic_name(*, topic_prefix: str, connector_name: str) -> str:
    """A source's own offsets topic (with per-tenant principals), inside the tenant's own topic prefix."""
    separator = "" if topic_prefix.endswith((".", "-", "_")) else "."
    return f"{topic_prefix}{separator}offsets.{connector_name}"


def replication_slot_name(*, connector_name: str) -> str:
    """PostgreSQL replication slot for a CDC connector: lowercase, digits and underscores, <= 63."""
    slot = connector_name.replace("-", "_")
    assert len(slot) <= MAX_REPLICATION_SLOT_LENGTH and re.fullmatch(r"[a-z0-9_]+", slot), slot
    return slot


def publication_name(*, connector_name: str) -> str:
    """PostgreSQL publication for a CDC connector (same character rules as the slot)."""
    return replication_slot_name(connector_name=connector_name)


def choose_topic_prefix(*, prefixes: list[str], topics: list[str], fallback: str) -> str:
    """The tenant prefix a connector's topics live under (its DLQ goes there too)."""
    ordered = sorted(prefixes)
    for topic in topics:
        for prefix in ordered:
            if topic.startswith(prefix):
                return prefix
    return ordered[0] if ordered else fallback
