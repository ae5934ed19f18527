from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from audit.commands import AuditedCommand
from tenants import services
from tenants.models import Role, Tenant


class Command(AuditedCommand):
    help = "Add a user to a tenant with a role (creates the user, without a password, if missing)."

    def add_arguments(self, parser):
        parser.add_argument("tenant")
        parser.add_argument("username")
        parser.add_argument("--role", choices=Role.values, default=Role.VIEWER)
        parser.add_argument("--email", default="")

    def handle(self, *args, tenant: str, username: str, role: str, email: str, **options):
        try:
            tenant_obj = Tenant.objects.get(slug=tenant)
        except Tenant.DoesNotExist as error:
            raise CommandError(f"No tenant '{tenant}'.") from error
        user, created = get_user_model().objects.get_or_create(username=username, defaults={"email": email})
        if created:
            user.set_unusable_password()
            user.save()
        services.membership_set(tenant=tenant_obj, user=user, role=role)
        self.stdout.write(f"{username} is {role} in {tenant}.")
