"""Landing zones, tenants (business units), clusters, memberships and API keys."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from controlplane.flavours import Flavour
from controlplane.naming import MAX_TOPIC_PREFIX_LENGTH, business_unit_errors


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer (read)"
    OPERATOR = "operator", "Operator (also pause, resume, restart)"
    DEVELOPER = "developer", "Developer (also create, update, delete connectors)"
    ADMIN = "admin", "Admin (also members and API keys)"


ROLE_RANK = {Role.VIEWER: 0, Role.OPERATOR: 1, Role.DEVELOPER: 2, Role.ADMIN: 3}


def role_at_least(role: str, required: str) -> bool:
    return ROLE_RANK[Role(role)] >= ROLE_RANK[Role(required)]


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class LandingZone(TimestampedModel):
    """A shared-cluster landing zone, e.g. `edh-shared`: the first part of shared connector names."""

    slug = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class Tenant(TimestampedModel):
    """A business unit, e.g. `sales` or `scada`."""

    slug = models.CharField(max_length=40, unique=True, help_text="Business unit identifier used in connector names.")
    name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug

    @property
    def file_sandbox(self) -> Path:
        """The tenant's directory of the platform's file sandbox (see connectors.file_sandbox)."""
        return Path(os.path.abspath(settings.CONNECTOR_FILE_SANDBOX_ROOT)) / self.slug

    def clean(self) -> None:
        # The admin's path to the naming rule that `tenant_create` enforces; a tenant that already has
        # its slug stays editable.
        slug_is_new = self._state.adding or Tenant.objects.filter(pk=self.pk).exclude(slug=self.slug).exists()
        if slug_is_new and (errors := business_unit_errors(self.slug)):
            raise ValidationError({"slug": errors})


class TopicPrefix(TimestampedModel):
    """A topic-name prefix a tenant owns; prefixes of different tenants never overlap."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="topic_prefixes")
    prefix = models.CharField(max_length=MAX_TOPIC_PREFIX_LENGTH, unique=True)

    class Meta:
        ordering = ["prefix"]
        verbose_name_plural = "topic prefixes"

    def __str__(self) -> str:
        return self.prefix


class Cluster(TimestampedModel):
    """A Kafka cluster and the Kafka Connect cluster that runs connectors against it."""

    class Kind(models.TextChoices):
        DEDICATED = "dedicated", "Dedicated (one tenant)"
        SHARED = "shared", "Shared (landing zone)"

    Flavour = Flavour

    class SecurityProtocol(models.TextChoices):
        PLAINTEXT = "PLAINTEXT"
        SSL = "SSL"
        SASL_SSL = "SASL_SSL"
        SASL_PLAINTEXT = "SASL_PLAINTEXT"

    class SaslMechanism(models.TextChoices):
        NONE = "", "None"
        PLAIN = "PLAIN"
        SCRAM_SHA_256 = "SCRAM-SHA-256"
        SCRAM_SHA_512 = "SCRAM-SHA-512"

    class ConnectorPrincipals(models.TextChoices):
        WORKER = "worker", "Connectors act as the Connect worker"
        TENANT = "tenant", "Each tenant's connectors act as its own principal (SCRAM, ACLs on its prefixes)"

    class DriftPolicy(models.TextChoices):
        REPORT = "report", "Report drift only"
        ENFORCE = "enforce", "Re-apply the desired config"

    # Secret fields kept encrypted in `secrets_encrypted`; never shown anywhere.
    SECRET_FIELDS = (
        "sasl_password",
        "connect_password",
        "cloud_api_key",
        "cloud_api_secret",
        "kafka_api_key",
        "kafka_api_secret",
    )

    name = models.CharField(max_length=63, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    landing_zone = models.ForeignKey(
        LandingZone, null=True, blank=True, on_delete=models.PROTECT, related_name="clusters"
    )
    owner_tenant = models.ForeignKey(
        Tenant, null=True, blank=True, on_delete=models.PROTECT, related_name="dedicated_clusters"
    )
    allowed_tenants = models.ManyToManyField(Tenant, blank=True, related_name="shared_clusters")

    bootstrap_servers = models.CharField(max_length=500)
    security_protocol = models.CharField(
        max_length=16, choices=SecurityProtocol.choices, default=SecurityProtocol.PLAINTEXT
    )
    sasl_mechanism = models.CharField(max_length=16, choices=SaslMechanism.choices, blank=True, default="")
    sasl_username = models.CharField(max_length=200, blank=True)
    ssl_ca_location = models.CharField(max_length=500, blank=True, help_text="CA file path for SSL/SASL_SSL.")

    connect_url = models.URLField(max_length=500)
    connect_flavour = models.CharField(max_length=20, choices=Flavour.choices, default=Flavour.SELF_MANAGED)
    connect_username = models.CharField(max_length=200, blank=True)
    connect_verify_tls = models.BooleanField(default=True)
    connect_ca_bundle = models.CharField(max_length=500, blank=True)
    cloud_environment_id = models.CharField(max_length=64, blank=True)
    cloud_cluster_id = models.CharField(max_length=64, blank=True)
    cloud_service_account_id = models.CharField(max_length=64, blank=True)

    secrets_encrypted = models.TextField(blank=True, default="", editable=False)
    drift_policy = models.CharField(max_length=10, choices=DriftPolicy.choices, default=DriftPolicy.REPORT)
    worker_files_enabled = models.BooleanField(
        default=False,
        help_text="Offer the File Source and File Sink types here: they read and write files on the Connect "
        "workers, each tenant only inside its directory of the file sandbox (CONNECTOR_FILE_SANDBOX_ROOT).",
    )
    dlq_replication_factor = models.PositiveSmallIntegerField(default=3)
    connector_principals = models.CharField(
        max_length=10,
        choices=ConnectorPrincipals.choices,
        default=ConnectorPrincipals.WORKER,
        blank=True,  # the default when left out
        help_text="'tenant': the control plane gives each tenant a SCRAM principal on this cluster, with ACLs on "
        "its topic prefixes only, and renders it into each connector's client overrides. The Connect workers "
        "must run with connector.client.config.override.policy=Principal and their connector clients on the "
        "SASL listener (see docs/cluster-security.md).",
    )
    principal_mechanism = models.CharField(
        max_length=16,
        choices=[(SaslMechanism.SCRAM_SHA_256, "SCRAM-SHA-256"), (SaslMechanism.SCRAM_SHA_512, "SCRAM-SHA-512")],
        default=SaslMechanism.SCRAM_SHA_512,
        blank=True,  # the default when left out
        help_text="The SCRAM mechanism of the tenants' principals.",
    )
    connect_group_id = models.CharField(
        max_length=200,
        blank=True,
        help_text="The Connect workers' group.id. With per-tenant principals and exactly-once sources, each "
        "tenant may use the transactional ids <group.id>-<its connector names> (KIP-618 names them so).",
    )
    exactly_once_source_support = models.BooleanField(
        default=False,
        help_text="The Connect workers run with exactly.once.source.support=enabled: a source may ask for "
        "exactly-once delivery here.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="cluster_kind_owner",
                condition=(
                    Q(kind="dedicated", owner_tenant__isnull=False, landing_zone__isnull=True)
                    | Q(kind="shared", owner_tenant__isnull=True, landing_zone__isnull=False)
                ),
                violation_error_message="A dedicated cluster has an owner tenant and no landing zone; "
                "a shared cluster has a landing zone and no owner tenant.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        self.connector_principals = self.connector_principals or self.ConnectorPrincipals.WORKER
        self.principal_mechanism = self.principal_mechanism or self.SaslMechanism.SCRAM_SHA_512
        sasl = self.security_protocol in {self.SecurityProtocol.SASL_SSL, self.SecurityProtocol.SASL_PLAINTEXT}
        # Confluent Cloud: the control plane logs in with the cluster's Kafka API key (SASL PLAIN) by default.
        cloud = self.connect_flavour == Flavour.CONFLUENT_CLOUD
        if sasl and not self.sasl_mechanism and not cloud:
            errors["sasl_mechanism"] = [f"{self.security_protocol} needs a SASL mechanism (PLAIN, SCRAM-SHA-256/512)."]
        if sasl and not self.sasl_username and not cloud:
            errors["sasl_username"] = [f"{self.security_protocol} needs the control plane's SASL user name."]
        if not sasl and self.sasl_mechanism:
            errors["sasl_mechanism"] = [f"{self.security_protocol} does not use SASL: leave the mechanism empty."]
        tls = self.security_protocol in {self.SecurityProtocol.SSL, self.SecurityProtocol.SASL_SSL}
        if self.ssl_ca_location and not tls:
            errors["ssl_ca_location"] = [f"{self.security_protocol} does not use TLS: no CA bundle applies."]
        if self.connector_principals == self.ConnectorPrincipals.TENANT and (
            self.connect_flavour != Flavour.SELF_MANAGED or not sasl
        ):
            errors["connector_principals"] = [
                "per-tenant principals need a self-managed cluster whose control plane connection uses SASL."
            ]
        if errors:
            raise ValidationError(errors)

    @property
    def is_shared(self) -> bool:
        return self.kind == self.Kind.SHARED

    def secrets(self) -> dict[str, str]:
        from controlplane.crypto import decrypt_secrets

        return decrypt_secrets(self.secrets_encrypted)

    def secret_flags(self) -> dict[str, bool]:
        """Which secrets are set, for display: never the values."""
        stored = self.secrets()
        return {name: bool(stored.get(name)) for name in self.SECRET_FIELDS}


class TenantPrincipal(TimestampedModel):
    """The Kafka principal a tenant's connectors act as on one cluster (Cluster.connector_principals=tenant).

    The control plane creates its SCRAM credential and ACLs on the broker and keeps them in step with the
    tenant's topic prefixes (connectors.services.principals); the password is kept encrypted."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="kafka_principals")
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="tenant_principals")
    username = models.CharField(max_length=200)
    secrets_encrypted = models.TextField(editable=False)
    credential_pushed = models.BooleanField(default=False, help_text="The broker holds the current password.")
    rotated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["cluster__name", "tenant__slug"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "cluster"], name="tenant_principal_unique"),
            models.UniqueConstraint(fields=["cluster", "username"], name="tenant_principal_username_unique"),
        ]

    def __str__(self) -> str:
        return f"User:{self.username} on {self.cluster}"

    def password(self) -> str:
        from controlplane.crypto import decrypt_secrets

        return decrypt_secrets(self.secrets_encrypted)["password"]


class Membership(TimestampedModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        ordering = ["tenant__slug", "user__username"]
        constraints = [models.UniqueConstraint(fields=["user", "tenant"], name="membership_user_tenant_unique")]

    def __str__(self) -> str:
        return f"{self.user} in {self.tenant} as {self.role}"


class ApiKey(TimestampedModel):
    """A tenant API key: shown once, stored as a SHA-256 hash with a short visible prefix."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who made the key, as the API names callers ("user:alice", "api_key:cp_1a2b3c4d", "cli"):
    # a key made with another key has no user behind it, but still a creator.
    created_by_actor = models.CharField(max_length=120, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def creator(self) -> str | None:
        if self.created_by_actor:
            return self.created_by_actor
        return f"user:{self.created_by.username}" if self.created_by_id else None
