"""`cpctl import`: bring your own connector config (POST /api/v1/connectors/import).

The file is a connector's config as its owner keeps it: a Java `.properties` file (Connect's own format),
or JSON: a flat map (as for `confluent connect cluster create --config-file`) or Connect's REST answer
(`{"name", "config": {...}}`), sent as it is: the API decides what maps, what it sets and what it refuses.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from cli import output
from cli.client import ApiError
from cli.common import api, is_held, output_option, refused, show_held, timeout_option, wait_option, wait_settled
from cli.properties import PropertiesError, read_properties

CONFIG_SUFFIXES = (".properties", ".json")


def read_connector_config(path: Path) -> dict:
    """The file's config, as the import endpoint takes it; click.UsageError says what is wrong with it."""
    if path.suffix not in CONFIG_SUFFIXES:
        raise click.UsageError(f"{path}: a connector config is a .properties or a .json file")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise click.UsageError(f"{path}: {error.strerror}") from error
    try:
        config = read_properties(data) if path.suffix == ".properties" else json.loads(data)
    except PropertiesError as error:
        raise click.UsageError(f"{path}: {error}") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise click.UsageError(f"{path}: not valid JSON: {error}") from error
    if not isinstance(config, dict):
        raise click.UsageError(f'{path}: a connector config is an object: flat, or {{"name", "config": {{...}}}}')
    return config


@click.command(name="import")
@click.option(
    "-f",
    "--filename",
    "path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The connector's config: .properties, or .json (flat, or Connect's {name, config}).",
)
@click.option("--cluster", required=True, help="The cluster to create it on.")
@click.option("--stage", required=True, help="dev, qas or run.")
@click.option("--id", "connector_id", required=True, help="Its descriptive id: the name is generated from it.")
@click.option("--type", "type_key", help="The type the config must be (else its connector.class says).")
@click.option("--tenant", help="The tenant's slug; needed only if your key belongs to several.")
@click.option("--create-topics", is_flag=True, help="Create the topics it names if they do not exist.")
@click.option("--dry-run", is_flag=True, help="Show the report and what Connect would receive; create nothing.")
@wait_option
@timeout_option
@output_option
@click.pass_context
def import_config(
    ctx, path, cluster, stage, connector_id, type_key, tenant, create_topics, dry_run, wait, timeout, fmt
) -> None:
    """Import a connector config: what maps to which field, what the platform sets, what it refuses and why."""
    body = {
        "cluster": cluster,
        "stage": stage,
        "id": connector_id,
        "config": read_connector_config(path),
        "create_topics": create_topics,
    }
    body.update({key: value for key, value in {"type": type_key, "tenant": tenant}.items() if value is not None})
    client = api(ctx)
    try:
        status, answer = client.import_config(body, dry_run=dry_run)
    except ApiError as error:
        raise refused(error, what=f"import {path}") from error
    if fmt != "table":
        output.emit(answer, fmt=fmt)
    elif is_held(answer):
        show_held(answer["change_request"])
    else:
        show_import(answer)
    if is_held(answer):
        return
    if not answer["valid"]:
        sys.exit(1)
    if wait and not dry_run and not wait_settled(client, answer["name"], timeout=timeout):
        sys.exit(1)


def show_import(answer: dict) -> None:
    """The import's report: the verdict first, then each key's fate, then the errors as the API gives them."""
    name, request, report = answer["name"] or "(no name)", answer["request"], answer["report"]
    if not answer["valid"]:
        verdict = f"✗ {name}: refused" + (" (dry run)" if answer["dry_run"] else "")
    elif answer["dry_run"]:
        verdict = f"+ {name}: would be created ({request['type']} on {request['cluster']})"
    else:
        connector = answer["connector"]
        verdict = f"+ {name}: created ({request['type']} on {request['cluster']}, state {connector['state']})"
    click.echo(verdict)
    if report["mapped"]:
        click.echo("  mapped:")
        for key, field in report["mapped"].items():
            click.echo(f"    {key} -> {field}")
    if report["set_by_platform"]:
        click.echo("  set by the platform:")
        for key, setting in report["set_by_platform"].items():
            value = "" if setting["value"] is None else f" = {setting['value']}"
            click.echo(f"    {key}{value} ({setting['reason']})")
    if report["refused"]:
        click.echo("  refused:")
        for key, reason in report["refused"].items():
            click.echo(f"    {key}: {reason}")
    click.echo(f"  validation: {'passed' if answer['valid'] else 'refused'}")
    # A refused key is an error on config.<key> too: listed once, above.
    shown = {f"config.{key}": [reason] for key, reason in report["refused"].items()}
    output.field_errors({field: m for field, m in answer["errors"].items() if shown.get(field) != m}, indent="    ")
    for warning in answer["warnings"]:
        click.echo(f"    warning: {warning}", err=True)
    if answer["dry_run"] and answer["rendered"]:
        click.echo("  Connect would receive:")
        for key, value in answer["rendered"].items():
            click.echo(f"    {key}={value}")
