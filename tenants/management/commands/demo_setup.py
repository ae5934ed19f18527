"""Idempotent demo for the embedded default: landing zone edh-shared, tenant sales, the local
shared cluster, a platform admin for the Django admin, and a fresh developer API key."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from audit.commands import AuditedCommand
from audit.services import audit_record
from tenants import services
from tenants.models import ApiKey, Cluster, LandingZone, Role, Tenant

DEMO_KEY_NAME = "demo (make run)"


class Command(AuditedCommand):
    help = "Create the demo landing zone, tenant, local cluster, admin user and a developer API key."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1:8000", help="Where the web server answers, for the curl.")

    @transaction.atomic
    def handle(self, *args, host: str, **options):
        zone = LandingZone.objects.filter(slug="edh-shared").first() or services.landing_zone_create(
            slug="edh-shared", name="EDH shared landing zone"
        )
        tenant = Tenant.objects.filter(slug="sales").first() or services.tenant_create(slug="sales", name="Sales")
        cluster = Cluster.objects.filter(name="local").first() or services.cluster_create(
            name="local",
            kind=Cluster.Kind.SHARED,
            landing_zone=zone,
            bootstrap_servers=f"127.0.0.1:{settings.DEVSTACK_BROKER_PORT}",
            connect_url=f"http://127.0.0.1:{settings.DEVSTACK_CONNECT_PORT}",
            dlq_replication_factor=1,
            drift_policy=Cluster.DriftPolicy.ENFORCE,
        )
        services.cluster_open_to(cluster=cluster, tenants=[tenant])
        # The local Connect worker may run File Source/Sink, each tenant inside its own sandbox directory.
        if not cluster.worker_files_enabled:
            cluster.worker_files_enabled = True
            cluster.save(update_fields=["worker_files_enabled", "updated_at"])
            audit_record(
                action="cluster.update",
                object_type="cluster",
                object_id=cluster.name,
                before={"worker_files_enabled": False},
                after={"worker_files_enabled": True},
            )
        sandbox = tenant.file_sandbox
        sandbox.mkdir(parents=True, exist_ok=True)

        admin_password_file = settings.VAR_DIR / "demo-admin-password"
        User = get_user_model()
        if not User.objects.filter(username="admin").exists():
            password = secrets.token_urlsafe(12)
            User.objects.create_superuser("admin", "admin@example.com", password)
            admin_password_file.write_text(password + "\n")
            admin_password_file.chmod(0o600)

        # A new key each run (the old raw value cannot be recovered); older demo keys are revoked.
        for old in ApiKey.objects.filter(tenant=tenant, name=DEMO_KEY_NAME, revoked_at__isnull=True):
            services.api_key_revoke(api_key=old)
        _, raw_key = services.api_key_create(
            tenant=tenant, name=DEMO_KEY_NAME, role=Role.DEVELOPER, actor="cli:demo_setup"
        )
        key_file = settings.VAR_DIR / "demo-api-key"
        key_file.write_text(raw_key + "\n")
        key_file.chmod(0o600)

        self.stdout.write(
            f"\nDemo ready: tenant '{tenant.slug}' on shared cluster '{cluster.name}' (landing zone {zone.slug}).\n"
            f"Developer API key (also in {key_file}):\n  {raw_key}\n"
            f"File Source/Sink files of tenant '{tenant.slug}' go in {sandbox}/\n"
            f"Try:\n  curl -H 'Authorization: Bearer {raw_key}' http://{host}/api/v1/me\n"
            f"Django admin: http://{host}/admin/  user 'admin', password in {admin_password_file}\n"
        )
