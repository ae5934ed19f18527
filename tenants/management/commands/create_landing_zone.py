from django.core.management.base import CommandError

from audit.commands import AuditedCommand
from controlplane.exceptions import ApplicationError
from tenants import services


class Command(AuditedCommand):
    help = "Create a landing zone (the prefix of shared-cluster connector names), e.g. edh-shared."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", default="")

    def handle(self, *args, slug: str, name: str, **options):
        try:
            zone = services.landing_zone_create(slug=slug, name=name)
        except ApplicationError as error:
            raise CommandError(f"{error.message} {error.errors or ''}".strip()) from error
        self.stdout.write(f"Landing zone {zone.slug} created.")
