"""The OpenAPI schema tells the truth about every answer, not only the 2xx ones (issue 9, item 6).
The fuzzing suite (tests/test_api_fuzzing.py) checks real answers against it; these pin the fixes."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        return APIClient().get("/api/v1/schema/?format=json").json()


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


def test_every_operation_documents_its_error_answers_with_the_error_shape(schema):
    for method, path, operation in operations(schema):
        responses = operation["responses"]
        assert {"400", "401", "403"} <= set(responses), (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
        if "requestBody" in operation:
            assert "415" in responses, (method, path)
        for status in ("401", "403", "404"):
            if status in responses:
                assert responses[status]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"
                }
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["code", "message"] and "errors" in error["properties"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/connectors/"),
        ("patch", "/api/v1/connectors/{name}/"),
        ("delete", "/api/v1/connectors/{name}/"),
        ("post", "/api/v1/connectors/{name}/pause/"),
        ("post", "/api/v1/tenants/{tenant_slug}/api-keys/"),
    ],
)
def test_operations_that_can_conflict_document_409_and_connector_commands_202(schema, method, path):
    responses = schema["paths"][path][method]["responses"]
    assert "409" in responses
    if "connectors" in path:
        assert "202" in responses


def test_nullable_fields_are_marked_nullable(schema):
    components = schema["components"]["schemas"]
    assert components["Cluster"]["properties"]["owner_tenant"]["nullable"] is True
    assert components["Cluster"]["properties"]["landing_zone"]["nullable"] is True
    assert components["ApiKey"]["properties"]["created_by"]["nullable"] is True


def test_revoking_a_key_is_documented_as_the_200_it_answers(schema):
    responses = schema["paths"]["/api/v1/tenants/{tenant_slug}/api-keys/{id}/"]["delete"]["responses"]
    assert "200" in responses and "204" not in responses


def test_request_bodies_are_json_only(schema):
    for method, path, operation in operations(schema):
        if "requestBody" in operation:
            assert list(operation["requestBody"]["content"]) == ["application/json"], (method, path)


def test_required_strings_the_server_refuses_blank_are_not_blank_in_the_schema(schema):
    components = schema["components"]["schemas"]
    for component, field in [
        ("ConnectorInputRequest", "id"),
        ("ConnectorInputRequest", "type"),
        ("MembershipCreateRequest", "username"),
        ("ApiKeyCreateRequest", "name"),
    ]:
        assert components[component]["properties"][field]["minLength"] == 1, (component, field)
    assert components["ApiKeyCreateRequest"]["properties"]["name"]["pattern"] == r"\S"
