"""How cpctl shows things: tables for people, JSON or YAML for scripts, diffs and field errors."""

from __future__ import annotations

import json
from collections.abc import Sequence

import click
import yaml
from rich import box
from rich.console import Console
from rich.table import Table

FORMATS = ("table", "json", "yaml")


def emit(data, *, fmt: str, columns: Sequence[str] = (), title: str = "") -> None:
    """`data` (a dict or a list of dicts) as a table of `columns`, or whole as JSON or YAML."""
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, default=str))
    elif fmt == "yaml":
        click.echo(yaml.safe_dump(data, sort_keys=False, default_flow_style=False).rstrip())
    else:
        rows = data if isinstance(data, list) else [data]
        table(rows, columns=columns or (list(rows[0]) if rows else []), title=title)


def table(rows: list[dict], *, columns: Sequence[str], title: str = "") -> None:
    if not rows:
        click.echo(f"no {title or 'results'}")
        return
    grid = Table(box=box.SIMPLE_HEAD, title=title or None, title_justify="left", pad_edge=False)
    for column in columns:
        grid.add_column(column.upper().replace("_", " "), overflow="fold")
    for row in rows:
        grid.add_row(*(_cell(row.get(column)) for column in columns))
    Console(width=200, soft_wrap=True, highlight=False).print(grid)


def _cell(value) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)


def field_errors(errors: dict[str, list[str]], *, indent: str = "  ") -> None:
    """Every error as the API gave it: one line per field and message."""
    for field, messages in errors.items():
        for message in messages:
            click.echo(f"{indent}{field}: {message}", err=True)


SIGNS = {"added": "+", "removed": "-", "changed": "~"}


def diff(changes: list[dict], *, indent: str = "    ") -> None:
    """The rendered config's diff, one line per key (secrets arrive masked)."""
    for change in changes:
        sign = SIGNS[change["change"]]
        if change["change"] == "changed":
            line = f"{indent}{sign} {change['key']}: {change['from']} -> {change['to']}"
        else:
            line = f"{indent}{sign} {change['key']}: {change['to'] if sign == '+' else change['from']}"
        color = {"+": "green", "-": "red", "~": "yellow"}[sign]
        click.echo(click.style(line, fg=color))
