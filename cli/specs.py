"""Connector spec files: YAML or JSON, one or many specs per file (YAML documents or a JSON list), a
file or a directory of them. A spec is the body of `PUT /api/v1/connectors/{name}` plus its `name`.

Credentials stay out of git: a credential's value is either "********" (the secret already stored
for this connector) or `${env:VARIABLE}`, read from the environment when applying (e.g. a CI secret).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

SPEC_SUFFIXES = {".yaml", ".yml", ".json"}
ENV_REFERENCE = re.compile(r"^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$")
# What `cpctl get NAME --export` keeps of a connector: the fields a spec is made of.
SPEC_KEYS = (
    "name",
    "tenant",
    "type",
    "cluster",
    "stage",
    "id",
    "config",
    "credentials",
    "topics",
    "create_topics",
    "transforms",
    "error_handling",
    "tasks_max",
    "delivery_guarantee",
    "desired_state",
)


class SpecError(Exception):
    """A spec file cannot be read; the message names the file."""


@dataclass(frozen=True)
class Spec:
    name: str
    body: dict  # the PUT body: everything but the name
    origin: str  # "file.yaml" or "file.yaml#2"


def spec_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in SPEC_SUFFIXES)
    if not path.exists():
        raise SpecError(f"{path}: no such file or directory")
    return [path]


def load_specs(paths: list[Path], *, environ: dict[str, str] | None = None) -> list[Spec]:
    environ = os.environ if environ is None else environ
    specs = []
    for file in (f for path in paths for f in spec_files(path)):
        documents = _documents(file)
        for index, document in enumerate(documents, start=1):
            origin = str(file) if len(documents) == 1 else f"{file}#{index}"
            specs.append(_spec(document, origin=origin, environ=environ))
    origins: dict[str, list[str]] = {}
    for spec in specs:
        origins.setdefault(spec.name, []).append(spec.origin)
    if repeated := {name: where for name, where in origins.items() if len(where) > 1}:
        detail = "; ".join(f"{name} in {', '.join(where)}" for name, where in sorted(repeated.items()))
        raise SpecError(f"the same connector is specified more than once: {detail}")
    return specs


def _documents(file: Path) -> list:
    text = file.read_text()
    try:
        if file.suffix == ".json":
            loaded = json.loads(text)
            return loaded if isinstance(loaded, list) else [loaded]
        return [document for document in yaml.safe_load_all(text) if document is not None]
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise SpecError(f"{file}: not valid {file.suffix.lstrip('.').upper()}: {error}") from error


def _spec(document, *, origin: str, environ) -> Spec:
    if not isinstance(document, dict):
        raise SpecError(f"{origin}: a spec must be a mapping of fields")
    body = dict(document)
    name = body.pop("name", None)
    if not name or not isinstance(name, str):
        raise SpecError(
            f"{origin}: needs a name, the connector's full name (e.g. edh-shared-sales-dev-crm-connector); "
            "the dry run's error tells the name this spec generates"
        )
    credentials = body.get("credentials") or {}
    if not isinstance(credentials, dict):
        raise SpecError(f"{origin}: credentials must be a mapping")
    resolved = {}
    for key, value in credentials.items():
        if env_variable(value) is not None:
            value = resolve_env_reference(value, where=f"{origin}: credentials.{key}", environ=environ)
        resolved[key] = value
    if credentials:
        body["credentials"] = resolved
    return Spec(name=name, body=body, origin=origin)


def env_variable(value) -> str | None:
    """The VARIABLE of a `${env:VARIABLE}` reference, else None."""
    match = ENV_REFERENCE.match(value) if isinstance(value, str) else None
    return match.group(1) if match else None


def resolve_env_reference(value: str, *, where: str, environ=None) -> str:
    """The value of the `${env:VARIABLE}` reference `value`, read from the environment (e.g. a CI secret)."""
    environ = os.environ if environ is None else environ
    variable = env_variable(value)
    if variable is None:
        raise SpecError(f"{where}: give a reference ${{env:VARIABLE}}, not a value")
    if variable not in environ:
        raise SpecError(f"{where} refers to ${{env:{variable}}}, which is not set")
    return environ[variable]


def exported_spec(connector: dict) -> dict:
    """A connector as the API shows it -> a spec file's content (credentials as stored references)."""
    return {key: connector[key] for key in SPEC_KEYS if key in connector and connector[key] is not None}
