"""cpctl: the connector control plane from a terminal or a CI job. It speaks only HTTP to the API.

Exit codes: 0 done, 1 refused (any spec or request the API refused, or a connector that failed while
waiting), 2 usage or configuration error.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from pathlib import Path

import click
import yaml

from cli import output
from cli.client import ApiClient, ApiError
from cli.commands import audit, governance, importing
from cli.common import (
    Refused,
    api,
    is_held,
    output_option,
    refused,
    show_held,
    timeout_option,
    wait_option,
    wait_settled,
)
from cli.config import ConfigError, load_config
from cli.specs import SpecError, exported_spec, load_specs

LIST_COLUMNS = ("name", "type", "cluster", "stage", "state", "desired_state", "operation_in_flight")
PLAN_WORDS = {"create": "created", "update": "updated", "unchanged": "unchanged"}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--url", envvar="CPCTL_URL", help="The control plane's URL (else CPCTL_URL, else the config file).")
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="Config file (else CPCTL_CONFIG).")
@click.pass_context
def cpctl(ctx: click.Context, url: str | None, config_path: Path | None) -> None:
    """Connectors as code: apply specs, operate connectors, see and reset their offsets."""

    def make_client() -> ApiClient:
        try:
            return ApiClient(load_config(path=config_path, url=url))
        except ConfigError as error:
            raise click.UsageError(str(error)) from error

    ctx.obj = make_client


# --- apply ---------------------------------------------------------------------------------------
@cpctl.command()
@click.option(
    "-f",
    "--filename",
    "paths",
    multiple=True,
    required=True,
    type=click.Path(path_type=Path),
    help="A spec file (YAML or JSON, one or many specs) or a directory of them; repeatable.",
)
@click.option("--dry-run", is_flag=True, help="Show the plan and the config diff; change nothing.")
@wait_option
@timeout_option
@click.pass_context
def apply(ctx, paths: tuple[Path, ...], dry_run: bool, wait: bool, timeout: float) -> None:
    """Create or update connectors to exactly their specs (unchanged ones are left alone)."""
    try:
        specs = load_specs(list(paths))
    except SpecError as error:
        raise click.UsageError(str(error)) from error
    client = api(ctx)
    refusals, settling = 0, []
    for spec in specs:
        try:
            status, plan = client.apply(spec.body, name=spec.name, dry_run=dry_run)
        except ApiError as error:
            refusals += 1
            click.echo(f"✗ {spec.name} ({spec.origin}): refused: {error}", err=True)
            output.field_errors(error.errors, indent="    ")
            continue
        if dry_run:
            refusals += _show_plan(spec.name, plan)
            continue
        if is_held(plan):  # a create or config change in run where four eyes are asked for: nothing done yet
            show_held(plan["change_request"], name=spec.name)
            continue
        fields = f" ({', '.join(plan['changed_fields'])})" if plan["changed_fields"] else ""
        click.echo(f"{_mark(plan['action'])} {spec.name}: {PLAN_WORDS[plan['action']]}{fields}")
        for warning in plan.get("warnings") or []:
            click.echo(f"    warning: {warning}", err=True)
        if plan["action"] != "unchanged":
            settling.append(spec.name)
    if wait and settling:
        failed = [name for name in settling if not wait_settled(client, name, timeout=timeout)]
        refusals += len(failed)
    summary = f"{len(specs)} spec(s), {refusals} refused" + (" (dry run)" if dry_run else "")
    click.echo(summary, err=True)
    if refusals:
        sys.exit(1)


def _mark(action: str) -> str:
    return {"create": "+", "update": "~", "unchanged": "="}[action]


def _show_plan(name: str, plan: dict) -> int:
    """Print a dry run's plan; 1 if the spec would be refused."""
    verb = {"create": "would create", "update": "would update", "unchanged": "unchanged"}[plan["action"]]
    fields = f" ({', '.join(plan['changed_fields'])})" if plan["changed_fields"] else ""
    sign = _mark(plan["action"]) if plan["valid"] else "✗"
    click.echo(f"{sign} {name}: {verb}{fields}" + ("" if plan["valid"] else " — refused"))
    output.diff(plan["changes"])
    layers = ", ".join(f"{layer} {verdict}" for layer, verdict in plan["layers"].items())
    click.echo(f"    validation: {layers}")
    for warning in plan.get("warnings") or []:
        click.echo(f"    warning: {warning}", err=True)
    output.field_errors(plan.get("errors") or {}, indent="    ")
    return 0 if plan["valid"] else 1


# --- reading -------------------------------------------------------------------------------------
@cpctl.command()
@click.argument("name", required=False)
@click.option("--stage")
@click.option("--state")
@click.option("--type", "type_key")
@click.option("--cluster")
@click.option("--export", is_flag=True, help="With NAME: print it as a spec file to apply (credentials as references).")
@output_option
@click.pass_context
def get(ctx, name, stage, state, type_key, cluster, export, fmt) -> None:
    """List connectors, or show one."""
    client = api(ctx)
    try:
        if name:
            connector = client.connector(name)
            if export:
                output.emit(exported_spec(connector), fmt="json" if fmt == "json" else "yaml")
                return
            output.emit(connector, fmt=fmt, columns=LIST_COLUMNS)
            return
        rows = client.list_all("/connectors/", stage=stage, state=state, type=type_key, cluster=cluster)
    except ApiError as error:
        raise refused(error) from error
    output.emit(rows, fmt=fmt, columns=LIST_COLUMNS, title="connectors")


@cpctl.command()
@click.argument("name")
@output_option
@click.pass_context
def describe(ctx, name, fmt) -> None:
    """Everything about one connector: its spec, live status and recent events."""
    client = api(ctx)
    try:
        connector = client.connector(name)
        status = client.get(f"/connectors/{name}/status")
        events = client.list_all(f"/connectors/{name}/events/")
    except ApiError as error:
        raise refused(error) from error
    if fmt != "table":
        output.emit({"connector": connector, "status": status, "events": events}, fmt=fmt)
        return
    output.emit(connector, fmt="yaml")
    click.echo("")
    _print_status(status)
    click.echo("")
    output.table(events[-10:], columns=("created_at", "from_state", "to_state", "reason", "actor"), title="events")


def _print_status(status: dict) -> None:
    live = status.get("connect")
    click.echo(f"state: {status['state']} (desired {status['desired_state']})")
    if live:
        tasks = ", ".join(f"{task['id']}:{task['state']}" for task in live.get("tasks") or []) or "none"
        click.echo(f"connect: {live['connector']['state']}, tasks {tasks}")
    else:
        click.echo(f"connect: {status.get('connect_error') or 'unknown'}")
    if status.get("last_error"):
        click.echo(f"last error: {status['last_error']}")


@cpctl.command()
@click.argument("name")
@output_option
@click.pass_context
def status(ctx, name, fmt) -> None:
    """The stored lifecycle and what Connect reports now."""
    try:
        body = api(ctx).get(f"/connectors/{name}/status")
    except ApiError as error:
        raise refused(error) from error
    if fmt == "table":
        _print_status(body)
    else:
        output.emit(body, fmt=fmt)


@cpctl.command()
@click.argument("name")
@output_option
@click.pass_context
def events(ctx, name, fmt) -> None:
    """The connector's history: transitions and operations (offsets requests included)."""
    try:
        rows = api(ctx).list_all(f"/connectors/{name}/events/")
    except ApiError as error:
        raise refused(error) from error
    output.emit(rows, fmt=fmt, columns=("created_at", "from_state", "to_state", "reason", "actor", "error"))


@cpctl.command()
@click.option("--open", "only_open", is_flag=True, help="Only alerts not yet resolved.")
@click.option("--connector")
@output_option
@click.pass_context
def alerts(ctx, only_open, connector, fmt) -> None:
    """Connectors that need attention (FAILED, DEGRADED, DRIFTED)."""
    try:
        rows = api(ctx).list_all("/alerts/", open="true" if only_open else None, connector=connector)
    except ApiError as error:
        raise refused(error) from error
    columns = ("id", "connector", "state", "message", "opened_at", "resolved_at")
    output.emit(rows, fmt=fmt, columns=columns, title="alerts")


@cpctl.command()
@output_option
@click.pass_context
def types(ctx, fmt) -> None:
    """The connector types of the catalog, and where each can run."""
    try:
        body = api(ctx).get("/connector-types/")
    except ApiError as error:
        raise refused(error) from error
    rows = body["results"]
    if fmt == "table":
        for row in rows:
            row["clusters"] = ", ".join(c["cluster"] for c in row["clusters"] if c["offered"] and c["plugin_installed"])
    output.emit(rows, fmt=fmt, columns=("key", "kind", "display_name", "clusters"), title="connector types")


# --- lifecycle -----------------------------------------------------------------------------------
def _lifecycle(action: str, help_text: str):
    @cpctl.command(name=action, help=help_text)
    @click.argument("name")
    @wait_option
    @timeout_option
    @click.pass_context
    def command(ctx, name, wait, timeout) -> None:
        client = api(ctx)
        try:
            connector = client.action(name, action)
        except ApiError as error:
            raise refused(error, what=f"{action} {name}") from error
        click.echo(f"{name}: {action} requested (state {connector['state']}, desired {connector['desired_state']})")
        if wait and not wait_settled(client, name, timeout=timeout):
            sys.exit(1)

    return command


for _action, _help in {
    "pause": "Pause a connector (its tasks stay assigned).",
    "resume": "Resume a paused or stopped connector.",
    "stop": "Stop a connector (tasks shut down; needed before its offsets change).",
    "restart": "Restart a connector and all its tasks.",
    "delete": "Delete a connector.",
}.items():
    _lifecycle(_action, _help)


# --- offsets -------------------------------------------------------------------------------------
@cpctl.group()
def offsets() -> None:
    """See, reset or set a connector's offsets (only on a stopped connector; --stop-first stops it)."""


@offsets.command(name="get")
@click.argument("name")
@output_option
@click.pass_context
def offsets_get(ctx, name, fmt) -> None:
    """Connect's committed offsets: per partition for a sink, per source partition for a source."""
    try:
        body = api(ctx).get(f"/connectors/{name}/offsets")
    except ApiError as error:
        raise refused(error) from error
    if fmt != "table":
        output.emit(body, fmt=fmt)
        return
    if body["offsets"] is None:
        click.echo(f"{name}: Connect could not be asked ({body['connect_error']})")
    else:
        rows = [{"partition": o["partition"], "offset": o["offset"]} for o in body["offsets"]]
        output.table(rows, columns=("partition", "offset"), title=f"offsets of {name} ({body['state']})")


@offsets.command(name="reset")
@click.argument("name")
@click.option("--stop-first", is_flag=True, help="Stop the connector first if it is not stopped.")
@wait_option
@timeout_option
@click.pass_context
def offsets_reset(ctx, name, stop_first, wait, timeout) -> None:
    """Forget every committed offset: a sink re-reads its topics, a source starts over."""
    client = api(ctx)
    try:
        request = client.offsets_reset(name, stop_first=stop_first)
    except ApiError as error:
        raise refused(error, what=f"offsets reset {name}") from error
    _offsets_requested(client, name, request, wait=wait, timeout=timeout)


@offsets.command(name="set")
@click.argument("name")
@click.option(
    "-f",
    "--filename",
    "path",
    type=click.Path(exists=True, path_type=Path),
    help='YAML/JSON: a list of {partition, offset}, or {"offsets": [...]}, as `offsets get -o json` shows them.',
)
@click.option("--offset", "inline", help="The same, inline as JSON.")
@click.option("--stop-first", is_flag=True, help="Stop the connector first if it is not stopped.")
@wait_option
@timeout_option
@click.pass_context
def offsets_set(ctx, name, path, inline, stop_first, wait, timeout) -> None:
    """Set the given partitions' offsets (an offset of null resets that partition)."""
    if bool(path) == bool(inline):
        raise click.UsageError("give the offsets with exactly one of -f FILE or --offset JSON")
    try:
        given = yaml.safe_load(path.read_text()) if path else json.loads(inline)
    except (yaml.YAMLError, json.JSONDecodeError) as error:
        raise click.UsageError(f"the offsets are not valid YAML/JSON: {error}") from error
    new_offsets = given.get("offsets") if isinstance(given, dict) else given
    if not isinstance(new_offsets, list):
        raise click.UsageError("the offsets must be a list of {partition, offset}")
    client = api(ctx)
    try:
        request = client.offsets_set(name, new_offsets, stop_first=stop_first)
    except ApiError as error:
        raise refused(error, what=f"offsets set {name}") from error
    _offsets_requested(client, name, request, wait=wait, timeout=timeout)


def _offsets_requested(client: ApiClient, name: str, request: dict, *, wait: bool, timeout: float) -> None:
    stopping = " (stopping the connector first)" if request["stopped_first"] else ""
    click.echo(f"{name}: offsets {request['kind']} requested{stopping}")
    if not wait:
        return
    deadline, seen = time.monotonic() + timeout, 0
    since = _when(request["created_at"])
    while True:
        events = client.list_all(f"/connectors/{name}/events/")
        for event in events[seen:]:
            if _when(event["created_at"]) >= since:
                click.echo(f"  … {event['reason'] or event['to_state']}", err=True)
        seen = len(events)
        current = next(
            (r for r in client.get(f"/connectors/{name}/offsets")["requests"] if r["id"] == request["id"]), None
        )
        if current and current["status"] != "pending":
            if current["status"] == "failed":
                raise Refused(f"offsets {request['kind']} of {name} failed: {current['message']}")
            click.echo(f"{name}: offsets {request['kind']} done: {current['message']}")
            return
        if time.monotonic() > deadline:
            raise Refused(f"offsets {request['kind']} of {name} still pending after {timeout:.0f}s")
        time.sleep(1.0)


def _when(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp)


# --- import, governance, audit (cli/commands/) -------------------------------------------------------
for _command in (
    importing.import_config,
    governance.promote,
    governance.change_requests,
    governance.approve,
    governance.decline,
    governance.usage,
    audit.audit,
):
    cpctl.add_command(_command)


def main() -> None:
    cpctl(prog_name="cpctl")


if __name__ == "__main__":
    main()
