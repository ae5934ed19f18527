"""Per-tenant Kafka principals (Cluster.connector_principals = "tenant"), through the control plane's AdminClient.

Each tenant open to such a cluster gets a SCRAM user `<cluster>.<tenant>` whose ACLs name only what its
connectors need: its topic prefixes (read, write, create, describe: sources write there, sinks read there,
DLQ, per-connector offsets and CDC schema history topics live there), the consumer groups of its connector
names (a sink's `connect-<name>`, Debezium's `<name>-schemahistory`), and, when the cluster knows its workers'
group.id, the transactional ids of its exactly-once source tasks (`<group.id>-<name>-<task>`).

`cluster_principals_converge` is idempotent: it creates what is missing and deletes what is no longer wanted
(a prefix removed, a tenant no longer open to the cluster, the cluster back to worker principals). The
reconciler runs it for every such cluster, so the broker follows prefix and membership changes.
"""

from __future__ import annotations

import logging
import secrets

from confluent_kafka import KafkaException
from confluent_kafka.admin import (
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    ResourcePatternType,
    ResourceType,
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialDeletion,
    UserScramCredentialUpsertion,
)
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit.services import audit_record
from connectors.errors import TopicsRefused, TopicsUnavailable
from connectors.kafka_admin import ADMIN_TIMEOUT_SECONDS, ClusterAdmin
from connectors.models import Connector
from connectors.state_machine import State
from controlplane.crypto import encrypt_secrets
from controlplane.masking import MASK
from tenants.models import Cluster, Tenant, TenantPrincipal

logger = logging.getLogger(__name__)
SCRAM_ITERATIONS = 8192
TOPIC_OPERATIONS = (
    AclOperation.READ,
    AclOperation.WRITE,
    AclOperation.CREATE,
    AclOperation.DESCRIBE,
    AclOperation.DESCRIBE_CONFIGS,
)
GROUP_OPERATIONS = (AclOperation.READ, AclOperation.DESCRIBE)
TRANSACTION_OPERATIONS = (AclOperation.WRITE, AclOperation.DESCRIBE)


def principal_username(*, cluster: Cluster, tenant: Tenant) -> str:
    return f"{cluster.name}.{tenant.slug}"


def connector_name_prefix(*, cluster: Cluster, tenant: Tenant) -> str:
    """The start of every connector name of `tenant` on `cluster` (the naming convention)."""
    if cluster.is_shared:
        return f"{cluster.landing_zone.slug}-{tenant.slug}-"
    return f"{tenant.slug}-"


def tenants_of(cluster: Cluster) -> list[Tenant]:
    if cluster.is_shared:
        return list(cluster.allowed_tenants.filter(is_active=True).prefetch_related("topic_prefixes"))
    owner = Tenant.objects.prefetch_related("topic_prefixes").filter(pk=cluster.owner_tenant_id, is_active=True)
    return list(owner)


def desired_acls(*, cluster: Cluster, tenant: Tenant, username: str) -> set[AclBinding]:
    principal = f"User:{username}"
    names = connector_name_prefix(cluster=cluster, tenant=tenant)

    def allow(resource: ResourceType, name: str, operations) -> list[AclBinding]:
        return [
            AclBinding(resource, name, ResourcePatternType.PREFIXED, principal, "*", operation, AclPermissionType.ALLOW)
            for operation in operations
        ]

    bindings: list[AclBinding] = []
    for topic_prefix in tenant.topic_prefixes.all():
        bindings += allow(ResourceType.TOPIC, topic_prefix.prefix, TOPIC_OPERATIONS)
    bindings += allow(ResourceType.GROUP, f"connect-{names}", GROUP_OPERATIONS)
    bindings += allow(ResourceType.GROUP, names, GROUP_OPERATIONS)
    if cluster.connect_group_id:
        bindings += allow(ResourceType.TRANSACTIONAL_ID, f"{cluster.connect_group_id}-{names}", TRANSACTION_OPERATIONS)
    return set(bindings)


def _key(binding: AclBinding) -> tuple:
    return (
        binding.restype.name,
        binding.name,
        binding.resource_pattern_type.name,
        binding.principal,
        binding.host,
        binding.operation.name,
        binding.permission_type.name,
    )


def _wait(futures, *, admin: ClusterAdmin, doing: str) -> None:
    for future in futures.values():
        try:
            future.result(timeout=ADMIN_TIMEOUT_SECONDS)
        except (KafkaException, TimeoutError) as error:  # no answer in time is a failure to say too
            raise admin.failure(error, doing=doing) from None


def _scram_mechanism(cluster: Cluster) -> ScramMechanism:
    if cluster.principal_mechanism == "SCRAM-SHA-256":
        return ScramMechanism.SCRAM_SHA_256
    return ScramMechanism.SCRAM_SHA_512


def _acls_of(admin: ClusterAdmin, username: str) -> set[AclBinding]:
    acl_filter = AclBindingFilter(
        ResourceType.ANY, None, ResourcePatternType.ANY, f"User:{username}", None, AclOperation.ANY,
        AclPermissionType.ANY,
    )  # fmt: skip
    try:
        return set(admin.client.describe_acls(acl_filter, request_timeout=ADMIN_TIMEOUT_SECONDS).result())
    except KafkaException as error:
        raise admin.failure(error, doing=f"describe the ACLs of User:{username}") from None


def _sync_acls(admin: ClusterAdmin, *, username: str, desired: set[AclBinding]) -> None:
    existing = _acls_of(admin, username)
    wanted = {_key(binding) for binding in desired}
    have = {_key(binding) for binding in existing}
    missing = [binding for binding in desired if _key(binding) not in have]
    extra = [binding for binding in existing if _key(binding) not in wanted]
    if missing:
        _wait(admin.client.create_acls(missing), admin=admin, doing=f"create ACLs for User:{username}")
    if extra:
        filters = [
            AclBindingFilter(b.restype, b.name, b.resource_pattern_type, b.principal, b.host, b.operation,
                             b.permission_type)
            for b in extra
        ]  # fmt: skip
        _wait(admin.client.delete_acls(filters), admin=admin, doing=f"delete ACLs of User:{username}")


def _push_credential(admin: ClusterAdmin, *, cluster: Cluster, principal: TenantPrincipal) -> None:
    upsertion = UserScramCredentialUpsertion(
        principal.username,
        ScramCredentialInfo(_scram_mechanism(cluster), SCRAM_ITERATIONS),
        principal.password().encode(),
    )
    _wait(
        admin.client.alter_user_scram_credentials([upsertion]),
        admin=admin,
        doing=f"set the SCRAM credential of User:{principal.username}",
    )
    TenantPrincipal.objects.filter(pk=principal.pk, secrets_encrypted=principal.secrets_encrypted).update(
        credential_pushed=True
    )


def _remove(admin: ClusterAdmin, *, cluster: Cluster, principal: TenantPrincipal) -> None:
    _sync_acls(admin, username=principal.username, desired=set())
    deletions = [UserScramCredentialDeletion(principal.username, _scram_mechanism(cluster))]
    for future in admin.client.alter_user_scram_credentials(deletions).values():
        try:
            future.result(timeout=ADMIN_TIMEOUT_SECONDS)
        except TimeoutError as error:
            raise admin.failure(error, doing=f"delete User:{principal.username}") from None
        except KafkaException as error:
            if "RESOURCE_NOT_FOUND" not in str(error.args[0]):  # already gone
                raise admin.failure(error, doing=f"delete User:{principal.username}") from None
    principal.delete()
    logger.info("kafka principal removed", extra={"cluster": cluster.name, "principal": principal.username})


def _new_password() -> str:
    return secrets.token_urlsafe(32)


def cluster_principals_converge(*, cluster_id: int) -> list[TenantPrincipal]:
    """Bring the cluster's tenant principals, their SCRAM credentials and ACLs to what they should be."""
    cluster = Cluster.objects.select_related("landing_zone").get(pk=cluster_id)
    wanted = {tenant.pk: tenant for tenant in tenants_of(cluster)} if cluster.connector_principals == "tenant" else {}
    stored = list(TenantPrincipal.objects.filter(cluster=cluster).select_related("tenant"))
    if not wanted and not stored:
        return []
    admin = ClusterAdmin(cluster)
    for principal in stored:
        if principal.tenant_id not in wanted:
            _remove(admin, cluster=cluster, principal=principal)
    principals = []
    for tenant in wanted.values():
        principal, created = TenantPrincipal.objects.get_or_create(
            tenant=tenant,
            cluster=cluster,
            defaults={
                "username": principal_username(cluster=cluster, tenant=tenant),
                "secrets_encrypted": encrypt_secrets({"password": _new_password()}),
            },
        )
        if created:
            logger.info("kafka principal created", extra={"cluster": cluster.name, "principal": principal.username})
        if not principal.credential_pushed:
            _push_credential(admin, cluster=cluster, principal=principal)
        wanted_acls = desired_acls(cluster=cluster, tenant=tenant, username=principal.username)
        _sync_acls(admin, username=principal.username, desired=wanted_acls)
        principals.append(principal)
    return principals


def principals_converge_where_used(*, cluster: Cluster, clusters_with_principals: set[int]) -> None:
    """The periodic pass (the health sweep's): on a cluster whose connectors act as their tenants, or
    that still has principals to remove, the broker follows the tenants' prefixes and who is open to it.
    A broker that refuses or does not answer is logged; the next pass tries again."""
    if (
        cluster.connector_principals != Cluster.ConnectorPrincipals.TENANT
        and cluster.pk not in clusters_with_principals
    ):
        return
    try:
        cluster_principals_converge(cluster_id=cluster.pk)
    except (TopicsUnavailable, TopicsRefused) as error:
        logger.warning("kafka principals not converged", extra={"cluster": cluster.name, "error": str(error)})


def clusters_with_principals() -> set[int]:
    return set(TenantPrincipal.objects.values_list("cluster_id", flat=True).distinct())


def tenant_principal_rotate(*, principal_id: int) -> TenantPrincipal:
    """A new password for the principal, on the broker first-come: stored (encrypted) and pushed, after which the
    caller re-applies the tenant's connectors on that cluster so they log in with it."""
    with transaction.atomic():
        principal = TenantPrincipal.objects.select_for_update().select_related("cluster", "tenant").get(pk=principal_id)
        principal.secrets_encrypted = encrypt_secrets({"password": _new_password()})
        principal.credential_pushed = False
        principal.rotated_at = timezone.now()
        principal.save(update_fields=["secrets_encrypted", "credential_pushed", "rotated_at", "updated_at"])
        audit_record(
            action="kafka_principal.rotate",
            object_type="kafka_principal",
            object_id=f"User:{principal.username}@{principal.cluster.name}",
            tenant=principal.tenant,
            after={"username": principal.username, "cluster": principal.cluster.name, "password": MASK},
        )
    _push_credential(ClusterAdmin(principal.cluster), cluster=principal.cluster, principal=principal)
    principal.refresh_from_db()
    return principal


def principals_rotate(*, cluster: Cluster | None = None, tenant: Tenant | None = None) -> list[TenantPrincipal]:
    """New passwords for the chosen principals (all when neither is given). Each tenant's connectors on that
    cluster get a new generation, so the reconciler re-applies them with the new password."""
    principals = TenantPrincipal.objects.all()
    if cluster is not None:
        principals = principals.filter(cluster=cluster)
    if tenant is not None:
        principals = principals.filter(tenant=tenant)
    rotated = []
    for principal in principals.order_by("pk"):
        rotated.append(tenant_principal_rotate(principal_id=principal.pk))
        Connector.objects.filter(cluster_id=principal.cluster_id, tenant_id=principal.tenant_id).exclude(
            state=State.DELETED
        ).update(generation=F("generation") + 1)
    return rotated
