"""`manage.py devstack up|down|status`: the local broker, Kafka Connect worker and Redis."""

import json

from django.core.management.base import BaseCommand, CommandError

from controlplane.devstack.stack import LocalStack, StackConfig, StackError


class Command(BaseCommand):
    requires_system_checks: list = []
    help = "Start, stop or show the local Kafka broker, Kafka Connect worker and (embedded) Redis."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["up", "down", "status"])
        parser.add_argument("--timeout", type=float, default=120.0, help="Seconds to wait for Connect's REST API.")
        parser.add_argument("--json", action="store_true", help="Print the status as JSON.")

    def handle(self, *args, action: str, timeout: float, json: bool, **options):
        stack = LocalStack(StackConfig.from_settings())
        try:
            if action == "up":
                status = stack.up(timeout=timeout)
            elif action == "down":
                status = stack.down()
            else:
                status = stack.status()
        except StackError as error:
            raise CommandError(str(error)) from error
        if json:
            self.stdout.write(_json_dumps(status))
            return
        for component, state in status.items():
            self.stdout.write(f"{component:8} {state}")
        if action == "up":
            self.stdout.write(f"Kafka bootstrap: {stack.config.bootstrap_servers}  Connect: {stack.config.connect_url}")


def _json_dumps(value) -> str:
    return json.dumps(value, indent=2)
