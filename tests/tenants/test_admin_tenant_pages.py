"""Admin pages for landing zones, tenants, topic prefixes, clusters, memberships and API keys: every
one renders, an API key shows its prefix, role, expiry and last use but never the key."""

import pytest
from django.urls import reverse

from tenants.models import ApiKey, Role, TopicPrefix
from tenants.services import api_key_create
from tests.factories import LandingZoneFactory, MembershipFactory, SharedClusterFactory, TenantFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model", ["landingzone", "tenant", "topicprefix", "cluster", "membership", "apikey"], ids=lambda model: model
)
def test_every_list_and_change_page_renders(admin_client, tenant, model):
    objects = {
        "landingzone": LandingZoneFactory(),
        "tenant": tenant,
        "topicprefix": tenant.topic_prefixes.get(),
        "cluster": SharedClusterFactory(tenants=[tenant]),
        "membership": MembershipFactory(tenant=tenant),
        "apikey": api_key_create(tenant=tenant, name="ci", role=Role.VIEWER)[0],
    }

    listed = admin_client.get(reverse(f"admin:tenants_{model}_changelist"))
    shown = admin_client.get(reverse(f"admin:tenants_{model}_change", args=[objects[model].pk]))

    assert listed.status_code == 200 and shown.status_code == 200


def test_an_api_key_shows_prefix_role_expiry_and_last_use_never_the_key(admin_client, tenant):
    api_key, raw_key = api_key_create(tenant=tenant, name="deploy bot", role=Role.OPERATOR)

    pages = [
        admin_client.get(reverse("admin:tenants_apikey_changelist")),
        admin_client.get(reverse("admin:tenants_apikey_change", args=[api_key.pk])),
    ]

    listing = pages[0].content.decode()
    assert api_key.prefix in listing and "Operator" in listing and "last used" in listing.lower()
    for page in pages:
        html = page.content.decode()
        assert raw_key not in html and api_key.key_hash not in html and raw_key.split("_")[2] not in html
    assert admin_client.get(reverse("admin:tenants_apikey_add")).status_code == 403


def test_an_api_key_is_revoked_by_the_action_and_its_role_cannot_be_raised(admin_client, tenant):
    api_key, _ = api_key_create(tenant=tenant, name="deploy bot", role=Role.VIEWER)

    admin_client.post(
        reverse("admin:tenants_apikey_changelist"), {"action": "revoke", "_selected_action": [api_key.pk]}
    )
    page = admin_client.get(reverse("admin:tenants_apikey_change", args=[api_key.pk])).content.decode()

    assert ApiKey.objects.get(pk=api_key.pk).revoked_at is not None
    assert 'name="role"' not in page


def test_a_topic_prefix_overlapping_another_tenants_is_refused(admin_client, tenant):
    other = TenantFactory(slug="scada")

    response = admin_client.post(reverse("admin:tenants_topicprefix_add"), {"tenant": other.pk, "prefix": "sales.eu"})

    assert response.status_code == 200
    assert "overlaps &#x27;sales.&#x27; of sales" in response.content.decode()
    assert not TopicPrefix.objects.filter(prefix="sales.eu").exists()
