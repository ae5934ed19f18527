"""Each tenant owns topic prefixes; prefixes of different tenants never overlap."""

import pytest

from controlplane.exceptions import Conflict, ValidationFailed
from tenants.services import tenant_create, topic_prefix_add

pytestmark = pytest.mark.django_db


def test_a_new_tenant_owns_its_business_unit_prefix_by_default():
    tenant = tenant_create(slug="sales")
    assert list(tenant.topic_prefixes.values_list("prefix", flat=True)) == ["sales."]


@pytest.mark.parametrize("prefix", ["sales.crm.", "sal", "sales."])
def test_a_prefix_overlapping_another_tenants_prefix_is_rejected(prefix):
    tenant_create(slug="sales")
    other = tenant_create(slug="scada")
    with pytest.raises(Conflict) as error:
        topic_prefix_add(tenant=other, prefix=prefix)
    assert "sales." in error.value.errors["prefix"][0]


def test_a_tenant_may_add_a_prefix_overlapping_its_own():
    tenant = tenant_create(slug="sales")
    assert topic_prefix_add(tenant=tenant, prefix="sales.crm.").prefix == "sales.crm."


def test_a_prefix_with_illegal_characters_is_rejected():
    tenant = tenant_create(slug="sales")
    with pytest.raises(ValidationFailed) as error:
        topic_prefix_add(tenant=tenant, prefix="sales/crm")
    assert "prefix" in error.value.errors
