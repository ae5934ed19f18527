"""Fixtures for the admin console's tests."""

import pytest

from tests.factories import UserFactory


@pytest.fixture
def platform_admin(db):
    user = UserFactory(username="platform-admin", is_staff=True, is_superuser=True)
    user.set_password("Adm1n-pass-for-tests")
    user.save()
    return user


@pytest.fixture
def admin_client(client, platform_admin):
    client.force_login(platform_admin)
    return client
