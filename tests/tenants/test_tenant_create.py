"""A tenant's slug is its business unit in connector names: a stage name inside it would make two
tenants' connector names collide (`sales` + `dev-run-x` and `sales-dev` + `run-x`)."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from controlplane.exceptions import ValidationFailed
from tenants.models import Tenant
from tenants.services import tenant_create
from tests.factories import TenantFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("slug", ["sales-dev", "dev", "qas-sales", "sales-run-eu"])
def test_a_tenant_slug_with_a_stage_name_part_is_refused_on_the_slug_field(slug):
    with pytest.raises(ValidationFailed) as raised:
        tenant_create(slug=slug)

    assert list(raised.value.errors) == ["slug"]
    assert "must not contain a stage name (dev, qas, run)" in raised.value.errors["slug"][0]
    assert not Tenant.objects.filter(slug=slug).exists()


@pytest.mark.parametrize("slug", ["sales", "devops", "runner", "sales-devs", "qas2"])
def test_a_stage_name_inside_a_longer_part_is_fine(slug):
    assert tenant_create(slug=slug).slug == slug


def test_the_create_tenant_command_says_why_a_slug_is_refused():
    with pytest.raises(CommandError, match="stage name"):
        call_command("create_tenant", "sales-dev")


def test_the_admin_refuses_a_new_tenant_with_a_stage_name_part():
    with pytest.raises(ValidationError) as raised:
        Tenant(slug="sales-dev", name="Sales dev").full_clean()
    assert "stage name" in raised.value.message_dict["slug"][0]


def test_the_admin_still_edits_a_tenant_that_already_has_such_a_slug():
    legacy = TenantFactory(slug="ops-run")  # created before the rule
    legacy.name = "Operations"
    legacy.full_clean()

    legacy.slug = "ops-dev"
    with pytest.raises(ValidationError):
        legacy.full_clean()
