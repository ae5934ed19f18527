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
