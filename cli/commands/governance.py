"""Governance from the command line: promotion (POST /connectors/{name}/promote), change requests and their
four-eyes decisions (/change-requests/), and a tenant's usage against its quotas (/tenants/{slug}/usage)."""

from __future__ import annotations

import sys

import click

from cli import output
from cli.client import ApiClient, ApiError
from cli.common import (
    Refused,
    api,
    output_option,
    refused,
    show_held,
    timeout_option,
    wait_option,
    wait_settled,
)
from cli.specs import SpecError, env_variable, resolve_env_reference

CHANGE_REQUEST_COLUMNS = ("id", "kind", "status", "target_name", "author", "decided_by", "reason", "created_at")


# --- promote --------------------------------------------------------------------------------------
def _pairs(values: tuple[str, ...], *, option: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values:
        key, equals, given = value.partition("=")
        if not equals or not key:
            raise click.UsageError(f"{option} takes KEY=VALUE, not '{value}'")
        if key in pairs:
            raise click.UsageError(f"{option} {key} is given twice")
        pairs[key] = given
    return pairs


def promotion_overrides(
    *,
    cluster: str | None,
    topics: tuple[str, ...],
    settings: tuple[str, ...],
    unset: tuple[str, ...],
    credentials: tuple[str, ...],
    tasks_max: int | None,
    create_topics: bool,
) -> dict:
    """The promote body's overrides from the options; credentials only as ${env:VAR} references, read here."""
    config: dict[str, str | None] = dict(_pairs(settings, option="--set"))
    for key in unset:
        if key in config:
            raise click.UsageError(f"{key} is both --set and --unset")
        config[key] = None  # the API removes a key given as null
    secrets = {}
    for key, reference in _pairs(credentials, option="--credential").items():
        if env_variable(reference) is None:
            raise click.UsageError(
                f"--credential {key}: give a reference {key}='${{env:VARIABLE}}' (quoted for the shell); "
                "a secret's value is never taken from the command line, where others can read it"
            )
        try:
            secrets[key] = resolve_env_reference(reference, where=f"--credential {key}")
        except SpecError as error:
            raise click.UsageError(str(error)) from error
    overrides: dict = {}
    if cluster is not None:
        overrides["cluster"] = cluster
    if topics:
        overrides["topics"] = list(topics)
    if config:
        overrides["config"] = config
    if secrets:
        overrides["credentials"] = secrets
    if tasks_max is not None:
        overrides["tasks_max"] = tasks_max
    if create_topics:
        overrides["create_topics"] = True
    return overrides


@click.command()
@click.argument("name")
@click.option("--to", "stage", required=True, type=click.Choice(["qas", "run"]), help="The next stage.")
@click.option("--cluster", help="The target stage's cluster (else the existing target's, else the source's).")
@click.option("--topic", "topics", multiple=True, help="The target's topics, repeatable (else the source's).")
@click.option("--set", "settings", multiple=True, metavar="KEY=VALUE", help="A config value of the target; repeatable.")
@click.option("--unset", multiple=True, metavar="KEY", help="A config key the target leaves out; repeatable.")
@click.option(
    "--credential",
    "credentials",
    multiple=True,
    metavar="KEY=${env:VAR}",
    help="The target's credential, read from the environment variable VAR; repeatable. Never copied across stages.",
)
@click.option("--tasks-max", type=int, help="The target's tasks.max (else the source's).")
@click.option("--create-topics", is_flag=True, help="Create the target's topics if they do not exist.")
@click.option("--dry-run", is_flag=True, help="Show the diff, every validation layer's verdict and the run gate's.")
@wait_option
@timeout_option
@output_option
@click.pass_context
def promote(ctx, name, stage, dry_run, wait, timeout, fmt, **options) -> None:
    """Promote a connector to the next stage (dev -> qas -> run), from its own configuration."""
    body = {"stage": stage, "dry_run": dry_run, **promotion_overrides(**options)}
    client = api(ctx)
    try:
        _, result = client.promote(name, body)
    except ApiError as error:
        raise refused(error, what=f"promote {name} to {stage}") from error
    if fmt != "table":
        output.emit(result, fmt=fmt)
    elif dry_run:
        show_promotion_plan(result)
    if dry_run:
        if not (result["validation"]["valid"] and result["gate"]["passed"]):
            sys.exit(1)
        return
    if result["change_request"] is not None:
        if fmt == "table":
            show_held(result["change_request"])
        return
    target = result["connector"]
    if fmt == "table":
        verb = {"create": "created", "update": "updated"}[result["action"]]
        click.echo(f"{_mark(result['action'])} {result['target']}: {verb} from {result['source']}")
        for warning in result["validation"]["warnings"]:
            click.echo(f"    warning: {warning}", err=True)
    if wait and not wait_settled(client, target["name"], timeout=timeout):
        sys.exit(1)


def _mark(action: str) -> str:
    return {"create": "+", "update": "~"}[action]


def show_promotion_plan(result: dict) -> None:
    """A dry run: the rendered configs' diff (secrets masked), the layers' verdicts and the gate's answer."""
    validation, gate = result["validation"], result["gate"]
    verb = {"create": "would create", "update": "would update"}[result["action"]]
    sign = _mark(result["action"]) if validation["valid"] and gate["passed"] else "✗"
    refusal = "" if validation["valid"] and gate["passed"] else " — refused"
    click.echo(f"{sign} {result['source']} -> {result['target'] or '(no name)'}: {verb}{refusal}")
    output.diff([_as_change(entry) for entry in result["diff"]])
    layers = ", ".join(f"{layer} {verdict}" for layer, verdict in validation.get("layers", {}).items())
    click.echo(f"    validation: {layers or ('passed' if validation['valid'] else 'refused')}")
    output.field_errors(validation["errors"], indent="    ")
    for warning in validation["warnings"]:
        click.echo(f"    warning: {warning}", err=True)
    state = ("passed" if gate["passed"] else "closed") if gate["required"] else "not required"
    click.echo(f"    gate: {state}: {gate['reason']}")


def _as_change(entry: dict) -> dict:
    """A promotion diff entry (source -> target) as output.diff shows a change."""
    if entry["source"] is None:
        change = "added"
    elif entry["target"] is None:
        change = "removed"
    else:
        change = "changed"
    return {"key": entry["key"], "change": change, "from": entry["source"], "to": entry["target"]}


# --- change requests --------------------------------------------------------------------------------
@click.command(name="change-requests")
@click.argument("change_request_id", required=False, type=int)
@click.option("--status", help="pending, approved or declined.")
@click.option("--kind", help="create, promote or update.")
@output_option
@click.pass_context
def change_requests(ctx, change_request_id, status, kind, fmt) -> None:
    """Creates and promotions into run waiting for (or given) a second admin's decision, or one of them."""
    client = api(ctx)
    try:
        if change_request_id is not None:
            change_request = client.get(f"/change-requests/{change_request_id}/")
            output.emit(change_request, fmt="yaml" if fmt == "table" else fmt)
            return
        rows = client.list_all("/change-requests/", status=status, kind=kind)
    except ApiError as error:
        raise refused(error) from error
    output.emit(rows, fmt=fmt, columns=CHANGE_REQUEST_COLUMNS, title="change requests")


@click.command()
@click.argument("change_request_id", type=int)
@click.option("--reason", help="Why (optional); the author reads it.")
@wait_option
@timeout_option
@click.pass_context
def approve(ctx, change_request_id, reason, wait, timeout) -> None:
    """Approve another's change request (tenant admins): the change is carried out now."""
    client = api(ctx)
    decided = _decide(client, change_request_id, "approve", reason=reason)
    click.echo(
        f"✓ change request {change_request_id} approved: {decided['kind']} of {decided['target_name']} carried out"
    )
    if wait and not wait_settled(client, decided["target_name"], timeout=timeout):
        sys.exit(1)


@click.command()
@click.argument("change_request_id", type=int)
@click.option("--reason", required=True, help="Why: the author reads it.")
@click.pass_context
def decline(ctx, change_request_id, reason) -> None:
    """Decline another's change request (tenant admins), saying why: nothing is provisioned."""
    decided = _decide(api(ctx), change_request_id, "decline", reason=reason)
    click.echo(
        f"✗ change request {change_request_id} declined: {decided['kind']} of {decided['target_name']} "
        "is not provisioned"
    )


def _decide(client: ApiClient, change_request_id: int, decision: str, *, reason: str | None) -> dict:
    try:
        return client.change_request_decide(change_request_id, decision, reason=reason)
    except ApiError as error:
        raise refused(error, what=f"{decision} change request {change_request_id}") from error


# --- usage ----------------------------------------------------------------------------------------
def key_tenant(client: ApiClient) -> str:
    """The tenant of the key in use (GET /me), when it has exactly one."""
    tenants = [tenant["slug"] for tenant in client.me()["tenants"]]
    if len(tenants) == 1:
        return tenants[0]
    if not tenants:
        raise Refused("this key belongs to no tenant")
    raise click.UsageError(f"this key belongs to several tenants ({', '.join(tenants)}): name one")


@click.command()
@click.argument("tenant", required=False)
@output_option
@click.pass_context
def usage(ctx, tenant, fmt) -> None:
    """A tenant's connectors per stage and tasks.max per cluster, each beside its quota (default: the key's tenant)."""
    client = api(ctx)
    try:
        slug = tenant or key_tenant(client)
        body = client.get(f"/tenants/{slug}/usage")
    except ApiError as error:
        raise refused(error) from error
    if fmt != "table":
        output.emit(body, fmt=fmt)
        return
    stages = [
        {"stage": stage, "connectors": counts["used"], "limit": _limit(counts["limit"])}
        for stage, counts in body["connectors_per_stage"].items()
    ]
    output.table(stages, columns=("stage", "connectors", "limit"), title=f"connectors of {body['tenant']}")
    clusters = [
        {"cluster": row["cluster"], "tasks": row["used"], "limit": _limit(row["limit"])}
        for row in body["tasks_per_cluster"]
    ]
    output.table(clusters, columns=("cluster", "tasks", "limit"), title="tasks.max summed per cluster")


def _limit(limit: int | None) -> str:
    return "unlimited" if limit is None else str(limit)
