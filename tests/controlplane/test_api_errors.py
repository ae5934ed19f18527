"""Every answer under /api/ is JSON with the one error shape: a 500, an unknown URL, a bad path
parameter or query value included."""

import logging

import pytest

from tenants.models import Role
from tests.factories import ConnectorFactory, SharedClusterFactory

pytestmark = pytest.mark.django_db


def assert_error_shape(response, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["code"], str) and isinstance(body["message"], str)
    return body


@pytest.mark.urls("tests.controlplane.failing_urls")
@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_an_unhandled_error_is_a_json_500_whose_request_id_is_in_the_log(client, settings, caplog, debug):
    settings.DEBUG = debug
    with caplog.at_level(logging.ERROR, logger="controlplane.api"):
        response = client.get("/api/v1/broken/")

    body = assert_error_shape(response, 500)
    assert body["code"] == "server_error"
    assert "hunter2" not in response.content.decode() and "internals.py" not in response.content.decode()
    request_id = body["request_id"]
    assert response["X-Request-ID"] == request_id
    [record] = [record for record in caplog.records if getattr(record, "request_id", None) == request_id]
    # The log line has the traceback (secret-looking values redacted), the answer only the id.
    assert record.path == "/api/v1/broken/"
    assert "internals.py" in record.exc_text and "hunter2" not in record.exc_text


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/api/v1/connectors/UPPER/", "/api/v2/"])
def test_an_unknown_api_url_is_a_json_404(client_for, tenant, settings, debug, path):
    settings.DEBUG = debug
    assert assert_error_shape(client_for(tenant, Role.VIEWER).get(path), 404)["code"] == "not_found"


def test_pages_outside_the_api_keep_their_html(client):
    assert client.get("/admin/login/")["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/alerts/abc/"),
        ("get", "/api/v1/alerts/99999999999999999999999/"),
        ("get", "/api/v1/tenants/sales/members/abc/"),
        ("patch", "/api/v1/tenants/sales/members/abc/"),
        ("delete", "/api/v1/tenants/sales/members/abc/"),
        ("get", "/api/v1/tenants/sales/api-keys/abc/"),
        ("delete", "/api/v1/tenants/sales/api-keys/99999999999999999999999/"),
    ],
)
def test_a_path_parameter_that_cannot_name_an_object_is_a_json_404(client_for, tenant, method, path):
    response = getattr(client_for(tenant, Role.ADMIN), method)(path, {"role": "viewer"}, format="json")
    assert_error_shape(response, 404)


LISTS = [
    "/api/v1/connectors/",
    "/api/v1/alerts/",
    "/api/v1/tenants/",
    "/api/v1/clusters/",
    "/api/v1/unmanaged-connectors/",
    "/api/v1/tenants/sales/api-keys/",
    "/api/v1/tenants/sales/members/",
]


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    "query", ["limit=-5", "limit=0", "limit=abc", "limit=", "offset=null", "offset=-1", "limit=1.5", "limit=%205"]
)
def test_a_limit_or_offset_that_is_not_a_whole_number_in_range_is_a_400(client_for, tenant, path, query):
    body = assert_error_shape(client_for(tenant, Role.ADMIN).get(f"{path}?{query}"), 400)
    assert set(body["errors"]) == {query.split("=")[0]}


@pytest.mark.parametrize("path", LISTS)
def test_a_huge_limit_is_clamped_and_a_huge_offset_is_an_empty_page(client_for, tenant, path):
    client = client_for(tenant, Role.ADMIN)
    clamped = client.get(f"{path}?limit=99999999999999999999999")
    assert clamped.status_code == 200
    beyond = client.get(f"{path}?offset=99999999999999999999999")
    assert beyond.status_code == 200 and beyond.json()["results"] == []


def test_the_limit_is_clamped_to_200(client_for, tenant):
    cluster = SharedClusterFactory(tenants=[tenant])
    ConnectorFactory.create_batch(201, tenant=tenant, cluster=cluster)
    body = client_for(tenant, Role.VIEWER).get("/api/v1/connectors/?limit=1000").json()
    assert body["count"] == 201 and len(body["results"]) == 200


def test_form_bodies_are_refused_with_the_error_shape(client_for, tenant):
    response = client_for(tenant, Role.ADMIN).post(
        "/api/v1/tenants/sales/members/", {"username": "bob", "role": "viewer"}
    )  # multipart, Django's test client default
    assert assert_error_shape(response, 415)["code"] == "unsupported_media_type"
