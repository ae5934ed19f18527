"""What every cpctl command shares: the API client of the invocation, the common options, how a refusal
is reported (exit 1 after the API's field errors), and waiting for a connector to settle."""

from __future__ import annotations

import time

import click

from cli import output
from cli.client import ApiClient, ApiError

SETTLED = {"running": {"RUNNING"}, "paused": {"PAUSED"}, "stopped": {"STOPPED"}, "deleted": {"DELETED"}}
TROUBLE = {"FAILED", "DEGRADED"}

output_option = click.option(
    "-o", "--output", "fmt", type=click.Choice(output.FORMATS), default="table", show_default=True
)
wait_option = click.option("--wait", is_flag=True, help="Wait until the connector settles, showing its progress.")
timeout_option = click.option("--timeout", type=float, default=180.0, show_default=True, help="Seconds --wait waits.")


class Refused(click.ClickException):
    exit_code = 1


def api(ctx: click.Context) -> ApiClient:
    """The invocation's client (made on first use, so `--help` needs no configuration)."""
    return ctx.find_root().obj()


def refused(error: ApiError, *, what: str = "") -> Refused:
    """Print the API's field errors, then fail with its message."""
    output.field_errors(error.errors)
    return Refused(f"{what + ': ' if what else ''}{error} (HTTP {error.status})" if error.status else str(error))


def is_held(body) -> bool:
    """A 202 that provisioned nothing: the change waits for another admin's approval (four eyes)."""
    return isinstance(body, dict) and body.get("code") == "approval_required"


def show_held(change_request: dict, *, name: str = "") -> None:
    target = name or change_request.get("target", "")
    click.echo(
        f"… {target}: waits for approval: change request {change_request['id']} ({change_request['kind']}); "
        f"another admin of the tenant runs `cpctl approve {change_request['id']}`"
    )


def wait_settled(client: ApiClient, name: str, *, timeout: float) -> bool:
    """Poll until nothing is in flight and the connector reached its desired state; show each state seen."""
    deadline, last = time.monotonic() + timeout, None
    while True:
        connector = client.connector(name)
        state, desired = connector["state"], connector["desired_state"]
        if state != last:
            click.echo(f"  … {name}: {state}", err=True)
            last = state
        if not connector["operation_in_flight"]:
            if state in SETTLED.get(desired, set()):
                return True
            if state in TROUBLE:
                click.echo(f"✗ {name}: {state}: {connector.get('last_error') or ''}", err=True)
                return False
        if time.monotonic() > deadline:
            click.echo(f"✗ {name}: still {state} after {timeout:.0f}s", err=True)
            return False
        time.sleep(1.0)
