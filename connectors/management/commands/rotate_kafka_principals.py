"""`manage.py rotate_kafka_principals [--cluster NAME] [--tenant SLUG]`: new SCRAM passwords for tenant principals.

Each password is generated, stored encrypted and set on the broker; the tenant's connectors on that cluster are
then re-applied by the reconciler with it. Passwords are never printed.
"""

from __future__ import annotations

from django.core.management.base import CommandError

from audit.commands import AuditedCommand
from connectors.errors import TopicsRefused, TopicsUnavailable
from connectors.services.principals import principals_rotate
from tenants.models import Cluster, Tenant


class Command(AuditedCommand):
    help = "Rotate the SCRAM passwords of per-tenant Kafka principals (all, or one cluster's, or one tenant's)."

    def add_arguments(self, parser):
        parser.add_argument("--cluster", help="only this cluster's principals")
        parser.add_argument("--tenant", help="only this tenant's principals")

    def handle(self, *args, **options):
        try:
            cluster = Cluster.objects.get(name=options["cluster"]) if options["cluster"] else None
            tenant = Tenant.objects.get(slug=options["tenant"]) if options["tenant"] else None
        except (Cluster.DoesNotExist, Tenant.DoesNotExist) as error:
            raise CommandError(str(error)) from None
        try:
            rotated = principals_rotate(cluster=cluster, tenant=tenant)
        except (TopicsUnavailable, TopicsRefused) as error:
            raise CommandError(str(error)) from None
        for principal in rotated:
            self.stdout.write(f"rotated User:{principal.username} on {principal.cluster.name}")
        self.stdout.write(f"{len(rotated)} principal(s) rotated; their connectors are re-applied by the reconciler.")
