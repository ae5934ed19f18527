"""Where the control plane is and which API key to use: a config file, overridden by environment variables.

The file (YAML, `$CPCTL_CONFIG` or `~/.config/cpctl/config.yaml`) holds `url` and `api_key` (or
`api_key_file`, a file holding the key); `CPCTL_URL` and `CPCTL_API_KEY` win over it. The key is never
taken from the command line, where other users of the machine could read it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

DEFAULT_URL = "http://127.0.0.1:8000"


class ConfigError(Exception):
    """The configuration cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class Config:
    url: str
    api_key: str = field(repr=False)
    source: str = ""


def default_config_path() -> Path:
    if configured := os.environ.get("CPCTL_CONFIG"):
        return Path(configured).expanduser()
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "cpctl" / "config.yaml"


def load_config(*, path: Path | None = None, url: str | None = None) -> Config:
    path = path or default_config_path()
    values: dict = {}
    if path.exists():
        try:
            values = yaml.safe_load(path.read_text()) or {}
        except yaml.YAMLError as error:
            raise ConfigError(f"{path} is not valid YAML: {error}") from error
        if not isinstance(values, dict):
            raise ConfigError(f"{path} must be a mapping with url and api_key")
    api_key = os.environ.get("CPCTL_API_KEY") or values.get("api_key") or ""
    if not api_key and values.get("api_key_file"):
        key_file = Path(values["api_key_file"]).expanduser()
        if not key_file.exists():
            raise ConfigError(f"api_key_file {key_file} (from {path}) does not exist")
        api_key = key_file.read_text().strip()
    if not api_key:
        raise ConfigError(f"no API key: set CPCTL_API_KEY, or api_key / api_key_file in {path}")
    chosen_url = url or os.environ.get("CPCTL_URL") or values.get("url") or DEFAULT_URL
    return Config(url=chosen_url.rstrip("/"), api_key=api_key, source=str(path) if path.exists() else "environment")
