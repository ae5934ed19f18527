from django.core.management.base import CommandError

from audit.commands import AuditedCommand
from controlplane.exceptions import ApplicationError
from tenants import services


class Command(AuditedCommand):
    help = "Create a tenant (business unit). Its topic prefix defaults to '<slug>.'."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", default="")
        parser.add_argument("--topic-prefix", action="append", dest="topic_prefixes", default=None)

    def handle(self, *args, slug: str, name: str, topic_prefixes: list[str] | None, **options):
        try:
            tenant = services.tenant_create(slug=slug, name=name, topic_prefixes=topic_prefixes)
        except ApplicationError as error:
            raise CommandError(f"{error.message} {error.errors or ''}".strip()) from error
        prefixes = ", ".join(tenant.topic_prefixes.values_list("prefix", flat=True))
        self.stdout.write(f"Tenant {tenant.slug} created (topic prefixes: {prefixes}).")
