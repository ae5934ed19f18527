"""Single Message Transforms: Kafka's built-in SMTs and predicates only, with their required options."""

from __future__ import annotations

import pytest

from connectors.catalog.transforms import (
    PREDICATES,
    TRANSFORMS,
    render_transforms,
    resolve_type,
    route_prefix_errors,
    routed_topic_patterns,
    transforms_errors,
)

PKG = "org.apache.kafka.connect.transforms"


def smt(type_, options=None, alias="t", **extra):
    return {"alias": alias, "type": type_, "options": options or {}, **extra}


# -- types ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("given", ["InsertField$Value", f"{PKG}.InsertField$Value", " InsertField$Value "])
def test_short_and_fully_qualified_types_normalise_to_the_fully_qualified_class(given):
    assert resolve_type(given)[0] == f"{PKG}.InsertField$Value"


def test_predicates_normalise_to_their_own_package():
    assert resolve_type("TopicNameMatches", predicate=True)[0] == f"{PKG}.predicates.TopicNameMatches"
    assert resolve_type(f"{PKG}.predicates.HasHeaderKey", predicate=True)[0] == f"{PKG}.predicates.HasHeaderKey"
    assert resolve_type("TopicNameMatches") is None


def test_the_allow_list_is_kafkas_built_in_smts_and_predicates():
    assert set(TRANSFORMS) == {
        "Cast", "DropHeaders", "ExtractField", "Filter", "Flatten", "HeaderFrom", "HoistField", "InsertField",
        "InsertHeader", "MaskField", "RegexRouter", "ReplaceField", "SetSchemaMetadata", "TimestampConverter",
        "TimestampRouter", "ValueToKey",
    }  # fmt: skip
    assert set(PREDICATES) == {"TopicNameMatches", "HasHeaderKey", "RecordIsTombstone"}


def test_a_type_outside_the_allow_list_is_refused_naming_the_allowed_ones():
    errors = transforms_errors([smt("io.debezium.transforms.ExtractNewRecordState")])
    assert list(errors) == ["transforms[0].type"]
    assert "is not an allowed transform" in errors["transforms[0].type"][0]
    assert "InsertField$Value" in errors["transforms[0].type"][0]


def test_a_class_of_another_package_with_a_built_in_name_is_refused():
    errors = transforms_errors([smt("com.example.InsertField$Value", {"static.field": "a", "static.value": "b"})])
    assert "is not an allowed transform" in errors["transforms[0].type"][0]


def test_key_value_smts_need_their_variant_and_the_others_have_none():
    assert transforms_errors([smt("InsertField", {"topic.field": "t"})]) == {
        "transforms[0].type": ["choose InsertField$Key or InsertField$Value."]
    }
    assert transforms_errors([smt("RegexRouter$Value", {"regex": "a", "replacement": "b"})]) == {
        "transforms[0].type": ["RegexRouter has no $Key/$Value variants: use 'RegexRouter'."]
    }


# -- required options ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "type_,required",
    [
        ("RegexRouter", {"regex", "replacement"}),
        ("ValueToKey", {"fields"}),
        ("ExtractField$Key", {"field"}),
        ("Cast$Value", {"spec"}),
        ("TimestampConverter$Value", {"target.type"}),
        ("HoistField$Value", {"field"}),
        ("MaskField$Value", {"fields"}),
        ("HeaderFrom$Value", {"fields", "headers", "operation"}),
        ("InsertHeader", {"header", "value.literal"}),
        ("DropHeaders", {"headers"}),
    ],
)
def test_each_smt_reports_every_missing_required_option_under_its_own_key(type_, required):
    errors = transforms_errors([smt(type_)])
    assert set(errors) == {f"transforms[0].options.{option}" for option in required}


@pytest.mark.parametrize("type_", ["ReplaceField$Value", "TimestampRouter", "Flatten$Value"])
def test_smts_without_required_options_are_valid_bare(type_):
    assert transforms_errors([smt(type_)]) == {}


def test_insert_field_needs_at_least_one_field_to_insert():
    assert transforms_errors([smt("InsertField$Value")]) == {
        "transforms[0].options": [
            "InsertField needs at least one of: static.field, topic.field, partition.field, offset.field, "
            "timestamp.field."
        ]
    }
    assert transforms_errors([smt("InsertField$Value", {"offset.field": "offset"})]) == {}


def test_a_static_field_needs_its_static_value():
    assert transforms_errors([smt("InsertField$Value", {"static.field": "source"})]) == {
        "transforms[0].options.static.value": ["needed with 'static.field'."]
    }


def test_set_schema_metadata_needs_a_name_or_a_version():
    assert "transforms[0].options" in transforms_errors([smt("SetSchemaMetadata$Value")])
    assert transforms_errors([smt("SetSchemaMetadata$Value", {"schema.version": "2"})]) == {}


def test_replace_field_refuses_whitelist_and_blacklist_removed_in_kafka_4():
    errors = transforms_errors([smt("ReplaceField$Value", {"whitelist": "a", "blacklist": "b"})])
    assert errors == {
        "transforms[0].options.whitelist": ["'whitelist' was removed in Kafka 4.0: use 'include'."],
        "transforms[0].options.blacklist": ["'blacklist' was removed in Kafka 4.0: use 'exclude'."],
    }


def test_timestamp_converter_to_string_needs_a_format():
    errors = transforms_errors([smt("TimestampConverter$Value", {"target.type": "string", "field": "ts"})])
    assert errors == {"transforms[0].options.format": ["needed when target.type is 'string'."]}


def test_header_from_takes_one_header_per_field():
    errors = transforms_errors([smt("HeaderFrom$Value", {"fields": "a,b", "headers": "h", "operation": "copy"})])
    assert errors == {
        "transforms[0].options.headers": ["give one header per field (fields and headers have the same length)."]
    }


def test_options_with_a_fixed_set_of_values_take_only_those():
    errors = transforms_errors(
        [
            smt("HeaderFrom$Value", {"fields": "a", "headers": "h", "operation": "clone"}, alias="a"),
            smt("TimestampConverter$Value", {"target.type": "iso"}, alias="b"),
            smt("ValueToKey", {"fields": "id", "replace.null.with.default": "maybe"}, alias="c"),
        ]
    )
    assert errors == {
        "transforms[0].options.operation": ["must be one of: move, copy."],
        "transforms[1].options.target.type": ["must be one of: string, unix, Date, Time, Timestamp."],
        "transforms[2].options.replace.null.with.default": ["must be one of: true, false."],
    }


def test_an_unknown_option_is_refused_listing_the_known_ones():
    errors = transforms_errors([smt("HoistField$Value", {"field": "line", "feild": "x"})])
    assert errors == {"transforms[0].options.feild": ["unknown option for HoistField; its options are: field."]}


def test_option_values_may_be_numbers_booleans_or_lists_of_strings():
    transforms = [smt("ValueToKey", {"fields": ["id", "tenant"], "replace.null.with.default": False})]
    assert transforms_errors(transforms) == {}
    assert render_transforms(transforms)["transforms.t.fields"] == "id,tenant"
    assert transforms_errors([smt("ValueToKey", {"fields": {"id": 1}})]) == {
        "transforms[0].options.fields": ["must be a string, a number, true/false or a list of strings."]
    }


def test_config_provider_placeholders_are_refused_in_options_but_timestamp_router_keeps_its_tokens():
    errors = transforms_errors([smt("InsertField$Value", {"static.field": "f", "static.value": "${file:/x:y}"})])
    assert "placeholders" in errors["transforms[0].options.static.value"][0]
    assert transforms_errors([smt("TimestampRouter", {"topic.format": "${topic}-${timestamp}"})]) == {}
    errors = transforms_errors([smt("TimestampRouter", {"topic.format": "${env:HOME}"})])
    assert "only ${topic}, ${timestamp} may be used here" in errors["transforms[0].options.topic.format"][0]


# -- predicates ----------------------------------------------------------------------------------


def test_filter_needs_a_predicate():
    assert transforms_errors([smt("Filter")]) == {
        "transforms[0].predicate": ["Filter needs a predicate: it drops the records that match it."]
    }
    assert transforms_errors([smt("Filter", predicate={"type": "RecordIsTombstone"})]) == {}


def test_predicates_report_their_missing_options_and_unknown_types():
    errors = transforms_errors(
        [
            smt("Filter", predicate={"type": "TopicNameMatches"}, alias="a"),
            smt("Filter", predicate={"type": "HasHeaderKey", "options": {}}, alias="b"),
            smt("Filter", predicate={"type": "IsFriday"}, alias="c"),
        ]
    )
    assert errors == {
        "transforms[0].predicate.options.pattern": ["TopicNameMatches needs this option."],
        "transforms[1].predicate.options.name": ["HasHeaderKey needs this option."],
        "transforms[2].predicate.type": [
            "'IsFriday' is not an allowed predicate; allowed: TopicNameMatches, HasHeaderKey, RecordIsTombstone."
        ],
    }


def test_negate_needs_a_predicate_and_is_a_boolean():
    assert transforms_errors([smt("Flatten$Value", negate=True)]) == {
        "transforms[0].negate": ["negate needs a predicate."]
    }
    errors = transforms_errors([smt("Filter", predicate={"type": "RecordIsTombstone"}, negate="yes")])
    assert errors == {"transforms[0].negate": ["must be true or false."]}


# -- aliases and shape ---------------------------------------------------------------------------


@pytest.mark.parametrize("alias", ["route", "Route_1", "A"])
def test_an_alias_is_letters_digits_and_underscores(alias):
    assert transforms_errors([smt("Flatten$Value", alias=alias)]) == {}


@pytest.mark.parametrize(
    "alias,message",
    [
        ("my-route", "use letters, digits and '_' only."),
        ("a.b", "use letters, digits and '_' only."),
        ("", "required: a name for this transform."),
        (None, "required: a name for this transform."),
    ],
)
def test_other_aliases_are_refused(alias, message):
    assert transforms_errors([smt("Flatten$Value", alias=alias)]) == {"transforms[0].alias": [message]}


def test_aliases_are_unique():
    errors = transforms_errors([smt("Flatten$Value", alias="x"), smt("Flatten$Key", alias="x")])
    assert errors == {"transforms[1].alias": ["'x' is used by an earlier transform: aliases must be unique."]}


def test_transforms_must_be_a_list_of_objects_without_unknown_keys():
    assert transforms_errors({"alias": "x"}) == {"transforms": ["must be a list of transforms."]}
    assert transforms_errors(["Flatten$Value"]) == {
        "transforms[0]": ["must be an object with alias, type and options."]
    }
    assert transforms_errors([smt("Flatten$Value", when="always")]) == {
        "transforms[0].when": ["unknown; a transform has: alias, negate, options, predicate, type."]
    }


def test_no_transforms_is_valid_and_renders_nothing():
    assert transforms_errors(None) == {} and transforms_errors([]) == {}
    assert render_transforms([]) == {} and render_transforms(None) == {}


def test_all_errors_come_back_at_once():
    errors = transforms_errors(
        [
            smt("InsertField", alias="bad alias"),
            smt("RegexRouter", {"regex": ".*"}),
            smt("Filter", alias="t"),
        ]
    )
    assert set(errors) == {
        "transforms[0].alias",
        "transforms[0].type",
        "transforms[1].options.replacement",
        "transforms[2].alias",
        "transforms[2].predicate",
    }


# -- rendering -----------------------------------------------------------------------------------


def test_render_lists_the_aliases_in_order_with_fully_qualified_types_and_options():
    rendered = render_transforms(
        [
            smt("HoistField$Value", {"field": "line"}, alias="MakeMap"),
            smt("InsertField$Value", {"static.field": "data_source", "static.value": "test"}, alias="InsertSource"),
        ]
    )
    assert rendered == {
        "transforms": "MakeMap,InsertSource",
        "transforms.MakeMap.type": f"{PKG}.HoistField$Value",
        "transforms.MakeMap.field": "line",
        "transforms.InsertSource.type": f"{PKG}.InsertField$Value",
        "transforms.InsertSource.static.field": "data_source",
        "transforms.InsertSource.static.value": "test",
    }


def test_a_predicate_is_rendered_under_predicates_with_the_alias_and_negate():
    rendered = render_transforms(
        [
            smt(
                f"{PKG}.Filter",
                alias="DropFoo",
                predicate={"type": "TopicNameMatches", "options": {"pattern": "foo"}},
            ),
            smt("Filter", alias="KeepTombstones", predicate={"type": "RecordIsTombstone"}, negate=True),
        ]
    )
    assert rendered == {
        "transforms": "DropFoo,KeepTombstones",
        "transforms.DropFoo.type": f"{PKG}.Filter",
        "transforms.DropFoo.predicate": "DropFooPredicate",
        "transforms.DropFoo.negate": "false",
        "transforms.KeepTombstones.type": f"{PKG}.Filter",
        "transforms.KeepTombstones.predicate": "KeepTombstonesPredicate",
        "transforms.KeepTombstones.negate": "true",
        "predicates": "DropFooPredicate,KeepTombstonesPredicate",
        "predicates.DropFooPredicate.type": f"{PKG}.predicates.TopicNameMatches",
        "predicates.DropFooPredicate.pattern": "foo",
        "predicates.KeepTombstonesPredicate.type": f"{PKG}.predicates.RecordIsTombstone",
    }


# -- topic renames -------------------------------------------------------------------------------


def test_routed_topic_patterns_lists_every_transform_that_renames_topics():
    routes = routed_topic_patterns(
        [
            smt("Flatten$Value", alias="flat"),
            smt("RegexRouter", {"regex": "(.*)", "replacement": "sales.$1"}, alias="route"),
            smt("TimestampRouter", alias="daily"),
        ]
    )
    assert [(r.path, r.alias, r.option, r.value, r.regex) for r in routes] == [
        ("transforms[1].options.replacement", "route", "replacement", "sales.$1", "(.*)"),
        ("transforms[2].options.topic.format", "daily", "topic.format", "${topic}-${timestamp}", None),
    ]
    assert routes[0].type == f"{PKG}.RegexRouter"


def test_a_rename_must_provably_stay_inside_the_tenants_prefix():
    transforms = [
        smt("RegexRouter", {"regex": "(.*)", "replacement": "sales.copy.$1"}, alias="inside"),
        smt("RegexRouter", {"regex": "(.*)", "replacement": "$1"}, alias="unknown"),
        smt("RegexRouter", {"regex": "(.*)", "replacement": "hr.$1"}, alias="outside"),
        smt("TimestampRouter", {"topic.format": "${topic}-${timestamp}"}, alias="keeps"),
        smt("TimestampRouter", {"topic.format": "daily-${timestamp}"}, alias="leaves"),
    ]
    errors = route_prefix_errors(transforms, topic_prefix="sales.")
    assert set(errors) == {
        "transforms[1].options.replacement",
        "transforms[2].options.replacement",
        "transforms[4].options.topic.format",
    }
    assert "begin it with 'sales.'" in errors["transforms[2].options.replacement"][0]
