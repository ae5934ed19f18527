from django.core.management.base import CommandError

from audit.commands import AuditedCommand
from governance.services.quotas import quota_set
from tenants.models import Tenant

OPTIONS = {
    "max_dev": "max_dev_connectors",
    "max_qas": "max_qas_connectors",
    "max_run": "max_run_connectors",
    "max_tasks_per_cluster": "max_tasks_per_cluster",
}


def _limit(raw: str) -> int | None:
    if raw.lower() == "none":
        return None
    if not raw.isdigit():
        raise CommandError(f"'{raw}' is not a whole number (or 'none')")
    return int(raw)


class Command(AuditedCommand):
    help = "Set a tenant's quotas (platform admins); 'none' removes a limit, an option left out keeps it."

    def add_arguments(self, parser):
        parser.add_argument("tenant")
        parser.add_argument("--max-dev", help="connectors in stage dev")
        parser.add_argument("--max-qas", help="connectors in stage qas")
        parser.add_argument("--max-run", help="connectors in stage run")
        parser.add_argument("--max-tasks-per-cluster", help="tasks.max summed over the tenant's connectors per cluster")

    def handle(self, *args, tenant: str, **options):
        found = Tenant.objects.filter(slug=tenant).first()
        if found is None:
            raise CommandError(f"No tenant '{tenant}'.")
        limits = {field: _limit(options[option]) for option, field in OPTIONS.items() if options[option] is not None}
        quota = quota_set(tenant=found, **limits)
        shown = ", ".join(f"{field}={getattr(quota, field)}" for field in OPTIONS.values())
        self.stdout.write(f"Quotas of {tenant}: {shown}")
