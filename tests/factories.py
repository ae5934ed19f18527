"""factory_boy factories for the domain's models, and the API request bodies tests send most."""

import factory
from django.contrib.auth import get_user_model

from tenants.models import Cluster, LandingZone, Membership, Role, Tenant, TopicPrefix


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")


class LandingZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LandingZone
        django_get_or_create = ("slug",)

    slug = "edh-shared"


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"bu{n}")
    name = factory.LazyAttribute(lambda tenant: tenant.slug.title())

    @factory.post_generation
    def topic_prefix(tenant, create, extracted, **kwargs):
        if create:
            TopicPrefix.objects.get_or_create(tenant=tenant, prefix=extracted or f"{tenant.slug}.")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    tenant = factory.SubFactory(TenantFactory)
    role = Role.VIEWER


class SharedClusterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cluster
        django_get_or_create = ("name",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"shared{n}")
    kind = Cluster.Kind.SHARED
    landing_zone = factory.SubFactory(LandingZoneFactory)
    bootstrap_servers = "127.0.0.1:19092"
    connect_url = "http://127.0.0.1:18083"
    dlq_replication_factor = 1
    worker_files_enabled = True  # development clusters: File Source/Sink offered (inside the sandbox)

    @factory.post_generation
    def tenants(cluster, create, extracted, **kwargs):
        if create and extracted:
            cluster.allowed_tenants.add(*extracted)


class ConfluentCloudClusterFactory(SharedClusterFactory):
    """A shared cluster on Confluent Cloud, which tests reach only as a loopback server speaking its
    connect/v1 protocol (pass that server's url as connect_url)."""

    name = "cloud"
    connect_flavour = "confluent_cloud"
    connect_url = "https://api.confluent.cloud"
    cloud_environment_id = "env-1"
    cloud_cluster_id = "lkc-1"
    cloud_service_account_id = "sa-1"
    bootstrap_servers = "pkc-1.eu-west-1.aws.confluent.cloud:9092"


class DedicatedClusterFactory(SharedClusterFactory):
    name = factory.Sequence(lambda n: f"dedicated{n}")
    kind = Cluster.Kind.DEDICATED
    landing_zone = None
    owner_tenant = factory.SubFactory(TenantFactory)


class ConnectorFactory(factory.django.DjangoModelFactory):
    """A file-source connector in the dev stage on a shared cluster opened to its tenant, just REQUESTED."""

    class Meta:
        model = "connectors.Connector"
        skip_postgeneration_save = True

    tenant = factory.SubFactory(TenantFactory)
    cluster = factory.SubFactory(SharedClusterFactory)
    type_key = "file-source"
    stage = "dev"
    connector_id = factory.Sequence(lambda n: f"c{n}")
    name = factory.LazyAttribute(
        lambda c: (
            f"{c.cluster.landing_zone.slug}-{c.tenant.slug}-{c.stage}-{c.connector_id}-connector"
            if c.cluster.landing_zone_id
            else f"{c.tenant.slug}-{c.stage}-{c.connector_id}-connector"
        )
    )
    config = factory.LazyAttribute(lambda c: {"file": str(c.tenant.file_sandbox / "x")})
    topics = factory.LazyAttribute(lambda c: [f"{c.tenant.slug}.x"])
    state = "REQUESTED"

    @factory.post_generation
    def open_cluster(connector, create, extracted, **kwargs):
        if create and connector.cluster.is_shared:
            connector.cluster.allowed_tenants.add(connector.tenant)


def file_source_request(*, connector_id: str, source, cluster: str = "local") -> dict:
    """The body of `POST /api/v1/connectors/` for a dev File Source of tenant sales reading `source`
    into the topic sales.<id>, created by the control plane."""
    return {
        "type": "file-source",
        "cluster": cluster,
        "stage": "dev",
        "id": connector_id,
        "config": {"file": str(source)},
        "topics": [f"sales.{connector_id}"],
        "create_topics": True,
    }
