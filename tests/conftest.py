"""Shared fixtures. The local stack (broker + Kafka Connect + Redis) is started once per session."""

from __future__ import annotations

import uuid

import pytest

from controlplane.devstack.stack import LocalStack, StackConfig


@pytest.fixture(scope="session")
def local_stack():
    """The real local Kafka Connect stack; left running if it was already up before the session."""
    stack = LocalStack(StackConfig.from_settings())
    was_running = stack.connect.is_running() and stack.broker.is_running()
    stack.up(timeout=180)
    yield stack
    if not was_running:
        stack.down()


@pytest.fixture
def unique_name():
    def make(prefix: str = "t") -> str:
        return f"{prefix}-{uuid.uuid4().hex[:10]}"

    return make


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def tenant(db):
    from tests.factories import TenantFactory

    return TenantFactory(slug="sales")


@pytest.fixture
def other_tenant(db):
    from tests.factories import TenantFactory

    return TenantFactory(slug="scada")


@pytest.fixture
def client_for(db):
    """client_for(tenant, role) -> an APIClient authenticated with a fresh API key of that role."""
    from rest_framework.test import APIClient

    from tenants.services import api_key_create

    def make(tenant, role="developer"):
        _, raw_key = api_key_create(tenant=tenant, name=f"test-{role}", role=role)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
        client.raw_key = raw_key
        return client

    return make
