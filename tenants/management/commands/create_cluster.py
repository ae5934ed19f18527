import getpass

from django.core.management.base import CommandError

from audit.commands import AuditedCommand
from controlplane.exceptions import ApplicationError
from tenants import services
from tenants.models import Cluster, LandingZone, Tenant


class Command(AuditedCommand):
    help = (
        "Register a Kafka + Kafka Connect cluster. Shared clusters belong to a landing zone and are opened "
        "to chosen tenants; dedicated clusters belong to one tenant. Secrets are read from the prompt "
        "(--prompt-secret NAME) or the environment (CLUSTER_<NAME>), never from the command line."
    )

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--kind", choices=Cluster.Kind.values, required=True)
        parser.add_argument("--bootstrap-servers", required=True)
        parser.add_argument("--connect-url", required=True)
        parser.add_argument("--landing-zone", help="shared clusters: landing zone slug")
        parser.add_argument("--owner", help="dedicated clusters: owner tenant slug")
        parser.add_argument("--tenant", action="append", default=[], help="shared clusters: open to this tenant")
        parser.add_argument("--flavour", choices=Cluster.Flavour.values, default=Cluster.Flavour.SELF_MANAGED)
        parser.add_argument("--security-protocol", choices=Cluster.SecurityProtocol.values, default="PLAINTEXT")
        parser.add_argument("--sasl-mechanism", default="")
        parser.add_argument("--sasl-username", default="")
        parser.add_argument("--ssl-ca-location", default="", help="PEM CA of the brokers (SSL, SASL_SSL)")
        parser.add_argument("--connect-username", default="")
        parser.add_argument("--connect-ca-bundle", default="", help="PEM CA of the Connect REST API (https)")
        parser.add_argument(
            "--connector-principals",
            choices=Cluster.ConnectorPrincipals.values,
            default=Cluster.ConnectorPrincipals.WORKER,
            help="tenant: each tenant's connectors act as its own SCRAM principal (see docs/cluster-security.md)",
        )
        parser.add_argument("--connect-group-id", default="", help="the Connect workers' group.id")
        parser.add_argument(
            "--exactly-once-sources",
            action="store_true",
            help="the Connect workers run exactly.once.source.support=enabled",
        )
        parser.add_argument("--cloud-environment-id", default="")
        parser.add_argument("--cloud-cluster-id", default="")
        parser.add_argument("--drift-policy", choices=Cluster.DriftPolicy.values, default="report")
        parser.add_argument("--dlq-replication-factor", type=int, default=3)
        parser.add_argument("--prompt-secret", action="append", default=[], choices=Cluster.SECRET_FIELDS)
        parser.add_argument(
            "--worker-files",
            action="store_true",
            help="offer File Source/Sink here (files on the Connect workers, inside CONNECTOR_FILE_SANDBOX_ROOT)",
        )

    def handle(self, *args, **opts):
        import os

        secrets_values = {name: getpass.getpass(f"{name}: ") for name in opts["prompt_secret"]}
        for name in Cluster.SECRET_FIELDS:
            if value := os.environ.get(f"CLUSTER_{name.upper()}"):
                secrets_values.setdefault(name, value)
        try:
            landing_zone = LandingZone.objects.get(slug=opts["landing_zone"]) if opts["landing_zone"] else None
            owner = Tenant.objects.get(slug=opts["owner"]) if opts["owner"] else None
            allowed = [Tenant.objects.get(slug=slug) for slug in opts["tenant"]]
        except (LandingZone.DoesNotExist, Tenant.DoesNotExist) as error:
            raise CommandError(str(error)) from error
        try:
            cluster = services.cluster_create(
                name=opts["name"],
                kind=opts["kind"],
                bootstrap_servers=opts["bootstrap_servers"],
                connect_url=opts["connect_url"],
                landing_zone=landing_zone,
                owner_tenant=owner,
                allowed_tenants=allowed,
                connect_flavour=opts["flavour"],
                secrets_values=secrets_values,
                security_protocol=opts["security_protocol"],
                sasl_mechanism=opts["sasl_mechanism"],
                sasl_username=opts["sasl_username"],
                ssl_ca_location=opts["ssl_ca_location"],
                connect_username=opts["connect_username"],
                connect_ca_bundle=opts["connect_ca_bundle"],
                connector_principals=opts["connector_principals"],
                connect_group_id=opts["connect_group_id"],
                exactly_once_source_support=opts["exactly_once_sources"],
                cloud_environment_id=opts["cloud_environment_id"],
                cloud_cluster_id=opts["cloud_cluster_id"],
                drift_policy=opts["drift_policy"],
                dlq_replication_factor=opts["dlq_replication_factor"],
                worker_files_enabled=opts["worker_files"],
            )
        except ApplicationError as error:
            raise CommandError(f"{error.message} {error.errors or ''}".strip()) from error
        except Exception as error:  # full_clean's ValidationError
            raise CommandError(str(error)) from error
        self.stdout.write(f"Cluster {cluster.name} ({cluster.kind}, {cluster.connect_flavour}) created.")
