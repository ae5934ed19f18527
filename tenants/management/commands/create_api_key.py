from datetime import timedelta

from django.core.management.base import CommandError
from django.utils import timezone

from audit.commands import AuditedCommand
from controlplane.exceptions import ApplicationError
from tenants import services
from tenants.models import Role, Tenant


class Command(AuditedCommand):
    help = "Create a tenant API key and print it once (only its hash is stored)."

    def add_arguments(self, parser):
        parser.add_argument("tenant")
        parser.add_argument("--name", required=True)
        parser.add_argument("--role", choices=Role.values, default=Role.VIEWER)
        parser.add_argument("--expires-in-days", type=int, default=None)

    def handle(self, *args, tenant: str, name: str, role: str, expires_in_days: int | None, **options):
        try:
            tenant_obj = Tenant.objects.get(slug=tenant)
        except Tenant.DoesNotExist as error:
            raise CommandError(f"No tenant '{tenant}'.") from error
        expires_at = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
        try:
            _, raw_key = services.api_key_create(
                tenant=tenant_obj, name=name, role=role, expires_at=expires_at, actor="cli:create_api_key"
            )
        except ApplicationError as error:
            raise CommandError(f"{error.message} {error.errors or ''}".strip()) from error
        self.stdout.write(raw_key)
