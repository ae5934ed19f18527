"""Fixtures shared by the connector tests."""

import pytest

from tests.factories import LandingZoneFactory, SharedClusterFactory


@pytest.fixture
def local_cluster(tenant, local_stack):
    """The shared cluster `local` of landing zone edh-shared, on the real local stack, open to `sales`."""
    return SharedClusterFactory(
        name="local",
        landing_zone=LandingZoneFactory(slug="edh-shared"),
        bootstrap_servers=local_stack.config.bootstrap_servers,
        connect_url=local_stack.config.connect_url,
        tenants=[tenant],
    )
