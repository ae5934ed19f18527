"""The connector naming convention, written as a specification.

Dedicated clusters: ``{business_unit}-{stage}-{id}-connector``
Shared clusters:    ``{landing_zone}-{business_unit}-{stage}-{id}-connector``

The examples pin the convention down; the properties say what must hold for every valid input.
"""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from controlplane.naming import (
    MAX_CONNECTOR_NAME_LENGTH,
    MAX_REPLICATION_SLOT_LENGTH,
    MAX_TOPIC_NAME_LENGTH,
    MAX_TOPIC_PREFIX_LENGTH,
    STAGES,
    SUFFIX,
    NamingError,
    business_unit_errors,
    connector_name,
    dlq_topic_name,
    max_connector_id_length,
    publication_name,
    replication_slot_name,
    topic_prefix_errors,
    topic_prefixes_overlap,
)

# No deadline: a slow CI machine must not turn a correct property into a flaky one.
spec = settings(deadline=None, max_examples=200)

LETTERS = string.ascii_lowercase
ALPHANUMERIC = string.ascii_lowercase + string.digits
KAFKA_TOPIC_CHARACTERS = string.ascii_letters + string.digits + "._-"
KAFKA_TOPIC_PATTERN = re.compile(r"[a-zA-Z0-9._-]+")
REPLICATION_SLOT_PATTERN = re.compile(r"[a-z0-9_]+")


# --- strategies -------------------------------------------------------------------------------------
@st.composite
def slugs(draw, *, min_size: int = 1, max_size: int = 12) -> str:
    """A valid slug of a chosen length: a letter first, then letters, digits and single hyphens."""
    size = draw(st.integers(min_value=min_size, max_value=max_size))
    slug = draw(st.sampled_from(LETTERS))
    while len(slug) < size:
        may_hyphen = slug[-1] != "-" and len(slug) < size - 1
        if may_hyphen and draw(st.integers(min_value=0, max_value=3)) == 0:
            slug += "-"
        else:
            slug += draw(st.sampled_from(ALPHANUMERIC))
    return slug


stages = st.sampled_from(STAGES)
landing_zones = st.one_of(st.none(), slugs(max_size=15))  # None: a dedicated cluster
invalid_stages = st.text(max_size=12).filter(lambda value: value not in STAGES)


@st.composite
def owners(draw) -> dict:
    """Where a connector lives: business unit, stage and (for shared clusters) landing zone."""
    return {"business_unit": draw(slugs(max_size=15)), "stage": draw(stages), "landing_zone": draw(landing_zones)}


@st.composite
def valid_requests(draw) -> dict:
    """Owner plus an id that is a valid slug within the length limit for that owner."""
    owner = draw(owners())
    limit = max_connector_id_length(**owner)
    connector_id = draw(slugs(max_size=limit))
    assume(not connector_id.endswith(SUFFIX) and connector_id != SUFFIX.lstrip("-"))
    return {**owner, "connector_id": connector_id}


topic_prefixes = st.text(alphabet=KAFKA_TOPIC_CHARACTERS, min_size=1, max_size=MAX_TOPIC_PREFIX_LENGTH)


def naming_errors(**request) -> dict[str, list[str]]:
    with pytest.raises(NamingError) as raised:
        connector_name(**request)
    return raised.value.errors


# --- the convention, by example ------------------------------------------------------------------
def test_connector_name_on_a_shared_cluster_is_prefixed_with_the_landing_zone():
    name = connector_name(landing_zone="edh-shared", business_unit="sales", stage="dev", connector_id="crm-http")

    assert name == "edh-shared-sales-dev-crm-http-connector"


def test_connector_name_on_a_dedicated_cluster_starts_with_the_business_unit():
    name = connector_name(business_unit="sales", stage="dev", connector_id="crm-http")

    assert name == "sales-dev-crm-http-connector"


def test_derived_names_of_the_example_connector():
    name = "edh-shared-sales-dev-crm-http-connector"

    assert replication_slot_name(connector_name=name) == "edh_shared_sales_dev_crm_http_connector"
    assert publication_name(connector_name=name) == "edh_shared_sales_dev_crm_http_connector"
    assert dlq_topic_name(topic_prefix="sales.crm", connector_name=name) == f"sales.crm.dlq.{name}"
    assert dlq_topic_name(topic_prefix="sales.crm.", connector_name=name) == f"sales.crm.dlq.{name}"


# --- properties of a valid name ------------------------------------------------------------------
@spec
@given(valid_requests())
def test_connector_name_follows_the_convention_for_any_valid_id(request):
    name = connector_name(**request)

    parts = [request["landing_zone"], request["business_unit"], request["stage"], request["connector_id"]]
    assert name == "-".join(part for part in parts if part) + SUFFIX
    assert re.fullmatch(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*-connector", name)


@spec
@given(valid_requests())
def test_connector_name_ends_with_the_suffix_exactly_once(request):
    name = connector_name(**request)

    assert name.endswith(SUFFIX)
    assert not name.removesuffix(SUFFIX).endswith(SUFFIX)


@spec
@given(valid_requests())
def test_connector_name_is_at_most_63_characters(request):
    assert len(connector_name(**request)) <= MAX_CONNECTOR_NAME_LENGTH == 63


@spec
@given(owners())
def test_an_id_of_exactly_the_limit_gives_a_name_of_exactly_63_characters(owner):
    limit = max_connector_id_length(**owner)
    connector_id = "a" * limit

    assert len(connector_name(**owner, connector_id=connector_id)) == MAX_CONNECTOR_NAME_LENGTH


# --- derived names ---------------------------------------------------------------------------------
@spec
@given(valid_requests())
def test_replication_slot_is_lowercase_digits_and_underscores_within_63(request):
    slot = replication_slot_name(connector_name=connector_name(**request))

    assert REPLICATION_SLOT_PATTERN.fullmatch(slot)
    assert len(slot) <= MAX_REPLICATION_SLOT_LENGTH == 63


@spec
@given(valid_requests(), valid_requests())
def test_distinct_connector_names_get_distinct_replication_slots(first, second):
    first_name, second_name = connector_name(**first), connector_name(**second)
    assume(first_name != second_name)

    assert replication_slot_name(connector_name=first_name) != replication_slot_name(connector_name=second_name)


@spec
@given(valid_requests(), topic_prefixes)
@example(
    {"business_unit": "sales", "stage": "dev", "landing_zone": None, "connector_id": "a" * 43},
    "p" * MAX_TOPIC_PREFIX_LENGTH,
)
@example(
    {"business_unit": "sales", "stage": "dev", "landing_zone": None, "connector_id": "a" * 43},
    "p" * (MAX_TOPIC_PREFIX_LENGTH - 1) + ".",
)
def test_dlq_topic_is_a_legal_kafka_topic_inside_the_prefix(request, topic_prefix):
    assert topic_prefix_errors(topic_prefix) == []
    topic = dlq_topic_name(topic_prefix=topic_prefix, connector_name=connector_name(**request))

    assert len(topic) <= MAX_TOPIC_NAME_LENGTH == 249
    assert KAFKA_TOPIC_PATTERN.fullmatch(topic)
    assert topic.startswith(topic_prefix)


def test_topic_prefix_over_the_limit_is_rejected():
    assert topic_prefix_errors("p" * (MAX_TOPIC_PREFIX_LENGTH + 1)) == [
        f"topic prefix must be at most {MAX_TOPIC_PREFIX_LENGTH} characters."
    ]


# --- rejected requests -----------------------------------------------------------------------------
@spec
@given(owners(), slugs(max_size=20))
@example({"business_unit": "sales", "stage": "dev", "landing_zone": None}, "")
def test_an_id_ending_in_connector_is_rejected_because_the_system_adds_the_suffix(owner, base):
    connector_id = f"{base}{SUFFIX}" if base else SUFFIX.lstrip("-")

    errors = naming_errors(**owner, connector_id=connector_id)

    assert list(errors) == ["id"]
    assert "the system adds that suffix itself" in " ".join(errors["id"])


@spec
@given(owners(), invalid_stages)
def test_a_stage_outside_dev_qas_run_is_rejected_on_the_stage_field(owner, stage):
    errors = naming_errors(**{**owner, "stage": stage}, connector_id="crm-http")

    assert list(errors) == ["stage"]
    assert "dev, qas, run" in errors["stage"][0]


def _uppercase_one_letter(slug: str, position: int) -> str:
    letters = [i for i, char in enumerate(slug) if char.isalpha()]
    i = letters[position % len(letters)]
    return slug[:i] + slug[i].upper() + slug[i + 1 :]


def _insert(slug: str, position: int, text: str) -> str:
    i = 1 + position % len(slug)  # after the first character
    return slug[:i] + text + slug[i:]


INVALID_ID_MAKERS = {
    "uppercase": _uppercase_one_letter,
    "underscore": lambda slug, position: _insert(slug, position, "_"),
    "double hyphen": lambda slug, position: _insert(slug, position, "--"),
    "leading digit": lambda slug, position: str(position % 10) + slug,
    "leading hyphen": lambda slug, position: "-" + slug,
    "trailing hyphen": lambda slug, position: slug + "-",
}


@pytest.mark.parametrize("flaw", list(INVALID_ID_MAKERS))
@spec
@given(owner=owners(), slug=slugs(max_size=8), position=st.integers(min_value=0, max_value=100))
def test_an_id_that_is_not_a_slug_is_rejected_on_the_id_field(flaw, owner, slug, position):
    connector_id = INVALID_ID_MAKERS[flaw](slug, position)

    errors = naming_errors(**owner, connector_id=connector_id)

    assert list(errors) == ["id"]
    assert "lowercase letters, digits and single hyphens, starting with a letter" in errors["id"][0]


def test_an_empty_id_is_required():
    assert naming_errors(business_unit="sales", stage="dev", connector_id="") == {"id": ["id is required."]}


@spec
@given(owners())
def test_an_id_one_character_over_the_limit_is_rejected_naming_the_limit(owner):
    limit = max_connector_id_length(**owner)

    errors = naming_errors(**owner, connector_id="a" * (limit + 1))

    assert list(errors) == ["id"]
    assert f"at most {limit} characters" in errors["id"][0]
    assert f"within {MAX_CONNECTOR_NAME_LENGTH} characters" in errors["id"][0]


@spec
@given(owners(), invalid_stages, st.sampled_from(["Crm", "crm_http", "crm--http", "9crm", "-crm", "crm-"]))
def test_a_bad_stage_and_a_bad_id_are_reported_together(owner, stage, connector_id):
    errors = naming_errors(**{**owner, "stage": stage}, connector_id=connector_id)

    assert set(errors) == {"stage", "id"}


@spec
@given(owners(), invalid_stages)
def test_a_bad_stage_and_a_too_long_id_are_reported_together(owner, stage):
    limit = max_connector_id_length(**owner)  # every valid stage has the same length

    errors = naming_errors(**{**owner, "stage": stage}, connector_id="a" * (limit + 1))

    assert set(errors) == {"stage", "id"}
    assert f"at most {limit} characters" in errors["id"][0]


def test_naming_error_message_lists_every_field():
    with pytest.raises(NamingError) as raised:
        connector_name(business_unit="sales", stage="prod", connector_id="CRM")

    assert str(raised.value).startswith("stage: stage 'prod' is invalid")
    assert "; id: id 'CRM' is invalid" in str(raised.value)


# --- no two owners share a name ---------------------------------------------------------------------
# Few, short parts, stage names among them, so that collisions are likely unless the rule prevents them.
name_parts = st.sampled_from([*STAGES, "a", "b1", "sales", "x"])
part_slugs = st.lists(name_parts, min_size=1, max_size=4).map("-".join)
shared_landing_zones = st.sampled_from([None, "edh-shared", "lz"])


def _triple(parts: list[str], stage_at: int, landing_zone: str | None) -> dict:
    return {
        "business_unit": "-".join(parts[:stage_at]),
        "stage": parts[stage_at],
        "connector_id": "-".join(parts[stage_at + 1 :]),
        "landing_zone": landing_zone,
    }


@st.composite
def independent_pairs(draw) -> tuple[dict, dict]:
    landing_zone = draw(shared_landing_zones)
    first, second = (
        {"business_unit": draw(part_slugs), "stage": draw(stages), "connector_id": draw(part_slugs)} for _ in range(2)
    )
    return {**first, "landing_zone": landing_zone}, {**second, "landing_zone": landing_zone}


@st.composite
def same_parts_pairs(draw) -> tuple[dict, dict]:
    """Two readings of one `bu-stage-id` sequence, split at two (maybe different) stage-named parts:
    exactly the triples that would share a name."""
    parts = draw(st.lists(name_parts, min_size=3, max_size=8))
    positions = [i for i, part in enumerate(parts) if part in STAGES and 0 < i < len(parts) - 1]
    assume(positions)
    landing_zone = draw(shared_landing_zones)
    first_at, second_at = draw(st.sampled_from(positions)), draw(st.sampled_from(positions))
    return _triple(parts, first_at, landing_zone), _triple(parts, second_at, landing_zone)


def _passes_validation(triple: dict) -> bool:
    if business_unit_errors(triple["business_unit"]):
        return False
    try:
        connector_name(**triple)
    except NamingError:
        return False
    return True


@settings(deadline=None, max_examples=500)
@given(st.one_of(independent_pairs(), same_parts_pairs()))
@example(
    (
        {"business_unit": "sales", "stage": "dev", "connector_id": "run-x", "landing_zone": "edh-shared"},
        {"business_unit": "sales-dev", "stage": "run", "connector_id": "x", "landing_zone": "edh-shared"},
    )
)
def test_distinct_valid_owners_and_ids_in_one_landing_zone_never_share_a_connector_name(pair):
    first, second = pair
    # Not assume(): under the rule every colliding pair is invalid, and filtering them all out would
    # trip Hypothesis' filter health check. Such a pair simply has nothing to check.
    if first == second or not (_passes_validation(first) and _passes_validation(second)):
        return

    assert connector_name(**first) != connector_name(**second)


def test_the_collision_the_rule_prevents():
    # Both would be edh-shared-sales-dev-run-x-connector: the second tenant is refused.
    assert connector_name(landing_zone="edh-shared", business_unit="sales", stage="dev", connector_id="run-x") == (
        "edh-shared-sales-dev-run-x-connector"
    )
    assert business_unit_errors("sales") == []
    assert business_unit_errors("sales-dev") == [
        "business unit 'sales-dev' must not contain a stage name (dev, qas, run) as a hyphen-separated part, "
        "found 'dev': connector names would become ambiguous."
    ]


@pytest.mark.parametrize("value", ["devops", "sales-devs", "runner", "qas2", "a-b-c"])
def test_a_stage_name_only_counts_as_a_whole_part(value):
    assert business_unit_errors(value) == []


def test_a_business_unit_that_is_not_a_slug_gets_the_slug_message():
    assert business_unit_errors("Sales_BU") == [
        "business unit 'Sales_BU' is invalid: use lowercase letters, digits and single hyphens, starting with a letter."
    ]


# --- topic prefix overlap --------------------------------------------------------------------------
short_prefixes = st.text(alphabet="ab.", max_size=6)  # a small alphabet makes overlaps common


@spec
@given(short_prefixes, short_prefixes)
def test_topic_prefix_overlap_is_symmetric(first, second):
    assert topic_prefixes_overlap(first, second) == topic_prefixes_overlap(second, first)


@spec
@given(short_prefixes, short_prefixes)
def test_topic_prefixes_overlap_exactly_when_one_is_a_prefix_of_the_other(first, second):
    one_prefixes_the_other = first[: len(second)] == second or second[: len(first)] == first

    assert topic_prefixes_overlap(first, second) is one_prefixes_the_other


@spec
@given(short_prefixes, st.text(alphabet="ab.", min_size=1, max_size=4))
def test_a_prefix_overlaps_any_extension_of_itself(prefix, extension):
    assert topic_prefixes_overlap(prefix, prefix + extension)


def test_topic_prefixes_overlap_examples():
    assert topic_prefixes_overlap("sales.", "sales.crm.")
    assert topic_prefixes_overlap("sales.crm", "sales.crm")
    assert not topic_prefixes_overlap("sales.crm.", "sales.erp.")
    assert not topic_prefixes_overlap("sales", "marketing")
