"""`manage.py devstack up|down|status|build`: the local Kafka broker, Kafka Connect worker and Redis."""

import json

from django.core.management.base import BaseCommand, CommandError

from devstack.build import BuildError, ensure_dist
from devstack.stack import LocalStack, StackConfig, StackError


class Command(BaseCommand):
    requires_system_checks: list = []
    help = "Start, stop or show the local Kafka broker, Kafka Connect worker and Redis; build their jars with Maven."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["up", "down", "status", "build"])
        parser.add_argument("--timeout", type=float, default=120.0, help="Seconds to wait for Connect's REST API.")
        parser.add_argument("--json", action="store_true", help="Print the status as JSON.")

    def handle(self, *args, action: str, timeout: float, json: bool, **options):
        stack = LocalStack(StackConfig.from_settings())
        try:
            if action == "build":
                dist = ensure_dist(stack.config.dist_dir)
                self.stdout.write(f"libs: {dist.libs}\nplugins: {dist.plugins}")
                return
            if action == "up":
                status = stack.up(timeout=timeout)
            elif action == "down":
                status = stack.down()
            else:
                status = stack.status()
        except (StackError, BuildError) as error:
            raise CommandError(str(error)) from error
        if json:
            self.stdout.write(_json_dumps(status))
            return
        for component, state in status.items():
            self.stdout.write(f"{component:8} {state}")
        if action == "up":
            config = stack.config
            self.stdout.write(f"Kafka bootstrap (PLAINTEXT): {config.bootstrap_servers}  Connect: {config.connect_url}")
            if config.sasl_ssl_port:
                self.stdout.write(
                    f"Kafka bootstrap (SASL_SSL, SCRAM-SHA-512): {config.sasl_ssl_bootstrap_servers}  user "
                    f"{config.sasl_username}, password in "
                    f"{config.security_dir / (config.sasl_username + '.password')}, CA {stack.ca_file}"
                )


def _json_dumps(value) -> str:
    return json.dumps(value, indent=2)
