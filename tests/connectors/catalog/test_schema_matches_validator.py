"""One schema, one truth: the JSON Schema served for each type accepts exactly what the validator accepts.

The same requests go to both: a valid request of each type and flavour, and that request with each of its
fields in turn set to every kind of value a client sends (native and string-encoded numbers and booleans,
enum values in other cases, blanks, placeholders, nulls, wrong types), left out, sent in the wrong section,
or joined by a key the type does not have.
"""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from connectors.catalog import all_types
from connectors.catalog.schema_checks import config_errors

CASES = [(connector_type, flavour) for connector_type in all_types() for flavour in connector_type.flavours]

SAMPLE_BY_NAME = {
    "connection.url": "jdbc:postgresql://db.internal:5432/app",
    "http.api.base.url": "https://api.example.com/v1",
    "http.api.url": "https://hooks.example.com/orders",
    "file": "/srv/files/sales/orders.txt",
}


def valid_value(spec):
    if spec.enum:
        return spec.enum[0]
    if spec.secret:
        return "s3cret"
    if spec.type == "integer":
        return spec.minimum if spec.minimum is not None else 1
    if spec.type == "number":
        return 1.5
    if spec.type == "boolean":
        return True
    if spec.type == "list":
        return ["alpha", "beta"]
    if spec.name.endswith(".snowflakecomputing.com") or "url" in spec.name:
        return SAMPLE_BY_NAME.get(spec.name, "https://example.com")
    return SAMPLE_BY_NAME.get(spec.name, "value")


def candidates(spec):
    """Values a client may send for `spec`, valid and not."""
    values = [None, "", "   ", "${file:/etc/passwd:key}", 7, True, ["x"], {"a": 1}, 2.5]
    if spec.type == "integer":
        values += ["5", " 5 ", "05", "-1", "-0", "5.0", 5.0, "abc", "1e3", "5\n", "٣"]
        for bound in (spec.minimum, spec.maximum):
            if bound is not None:
                values += [bound - 1, bound, bound + 1, str(bound - 1), str(bound), str(bound + 1)]
    elif spec.type == "number":
        values += ["1.5", "1", "-2.25", "1.", "abc", 0]
    elif spec.type == "boolean":
        values += ["true", "FALSE", " True ", "yes", "1", False]
    elif spec.type == "list":
        values += ["a,b", "a,,b", " a , b ", [], [""], ["a,b"], ["a", "b"], [1], "a,${x}"]
    else:
        values += ["plain", "with ${offset} inside", "${key}", "$dollar", "line\n", "x" * 300]
    for choice in spec.enum:
        values += [choice, choice.lower(), choice.upper(), choice.title(), f" {choice}"]
    for token in spec.placeholders:
        values += [f"/path/{token}", f"$${token}", f"{token[:-1]}"]
    if spec.pattern:
        values += [
            "https://ok.example.com/x",
            "ftp://nope",
            "jdbc:postgresql://h/db?socketFactory=x",
            "jdbc:mysql://h/db",
            "JDBC:postgresql://h/db",
            "jdbc:postgresql://h/db?SocketFactory=x",
        ]
    return values


def valid_request(connector_type, flavour):
    """The required fields, plus whatever the one-of groups and dependencies ask for."""
    sections = {"config": {}, "credentials": {}}
    for spec in connector_type.fields_for(flavour):
        if spec.required:
            sections["credentials" if spec.secret else "config"][spec.name] = valid_value(spec)
    for _ in range(5):
        errors = config_errors(connector_type=connector_type, flavour=flavour, **sections)
        if not errors:
            return sections
        for path in errors:
            section, _, name = path.partition(".")
            spec = connector_type.field_spec(name, flavour)
            if spec is not None and name not in sections[section]:
                sections[section][name] = valid_value(spec)
    raise AssertionError(f"no valid sample for {connector_type.key} on {flavour}: {errors}")


def variants(connector_type, flavour):
    base = valid_request(connector_type, flavour)
    yield "valid", base
    for spec in connector_type.fields_for(flavour):
        section = "credentials" if spec.secret else "config"
        other = "config" if spec.secret else "credentials"
        for value in candidates(spec):
            yield f"{spec.name}={value!r}", {**base, section: {**base[section], spec.name: value}}
        if spec.name in base[section]:
            without = {key: value for key, value in base[section].items() if key != spec.name}
            yield f"without {spec.name}", {**base, section: without}
        yield f"{spec.name} in {other}", {**base, other: {**base[other], spec.name: valid_value(spec)}}
    yield "unknown key", {**base, "config": {**base["config"], "no.such.key": "x"}}
    yield "platform key", {**base, "config": {**base["config"], "connector.class": "x"}}


@pytest.mark.parametrize(("connector_type", "flavour"), CASES, ids=lambda each: getattr(each, "key", each))
def test_the_served_schema_accepts_exactly_what_the_validator_accepts(connector_type, flavour):
    schema = Draft202012Validator(connector_type.json_schema(flavour))
    disagreements = []
    count = 0
    for label, request in variants(connector_type, flavour):
        count += 1
        by_validator = not config_errors(connector_type=connector_type, flavour=flavour, **request)
        by_schema = schema.is_valid(request)
        if by_validator != by_schema:
            disagreements.append(f"{label}: validator {by_validator}, schema {by_schema}")
    assert disagreements == [], f"{len(disagreements)} of {count} requests"
    assert count > len(connector_type.fields_for(flavour)) + 2  # each field tried at least twice, and 2 more


def test_the_served_schema_is_itself_a_valid_json_schema():
    for connector_type, flavour in CASES:
        Draft202012Validator.check_schema(connector_type.json_schema(flavour))
    for connector_type in all_types():
        Draft202012Validator.check_schema(connector_type.json_schema())
