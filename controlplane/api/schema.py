"""The OpenAPI schema documents every status an operation answers, not only its 2xx.

drf-spectacular describes the success answers from the views; this postprocessing hook adds the
error answers that the shared machinery gives every operation (authentication, roles, the error
handler), all with the one error shape.
"""

from __future__ import annotations

ERROR_COMPONENT = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "description": "The one error shape of every API error.",
    "required": ["code", "message"],
    "properties": {
        "code": {"type": "string", "description": "machine-readable, e.g. invalid, not_found, operation_in_flight"},
        "message": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "field -> messages (e.g. config.file, topics[0])",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "request_id": {"type": "string", "description": "quoted in the server's log line for this request"},
    },
}

DESCRIPTIONS = {
    "400": "The request is invalid: field-level errors.",
    "401": "No, or an invalid, expired or revoked, API key.",
    "403": "Your role in the tenant does not allow this.",
    "404": "No such object among yours (another tenant's object is a 404 too).",
    "409": "Conflicts with the current state: a duplicate, or another operation in flight.",
    "415": "The request body is not JSON.",
}
# Operations that can conflict with what is stored (see controlplane.exceptions.Conflict).
CONFLICTING_OPERATIONS = {
    ("post", "/api/v1/connectors/"),
    ("post", "/api/v1/connectors/import/"),
    ("patch", "/api/v1/connectors/{name}/"),
    ("delete", "/api/v1/connectors/{name}/"),
    ("post", "/api/v1/connectors/{name}/pause/"),
    ("post", "/api/v1/connectors/{name}/resume/"),
    ("post", "/api/v1/connectors/{name}/stop/"),
    ("post", "/api/v1/connectors/{name}/restart/"),
    ("post", "/api/v1/tenants/{tenant_slug}/api-keys/"),
    # Governance: a closed run gate or a quota (promote), a decided request or a quota (approve).
    ("post", "/api/v1/connectors/{name}/promote/"),
    ("post", "/api/v1/change-requests/{id}/approve/"),
    ("post", "/api/v1/change-requests/{id}/decline/"),
}
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def _error_response(status: str) -> dict:
    return {
        "description": DESCRIPTIONS[status],
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}},
    }


def error_statuses(*, method: str, path: str, operation: dict) -> list[str]:
    statuses = ["400", "401", "403"]
    if "{" in path:
        statuses.append("404")
    if (method, path) in CONFLICTING_OPERATIONS:
        statuses.append("409")
    if "requestBody" in operation:
        statuses.append("415")
    return statuses


def document_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status in error_statuses(method=method, path=path, operation=operation):
                responses.setdefault(status, _error_response(status))
    return result
