"""pyproject.toml (what `pip install .` and packagers read) and requirements/*.in (what scripts/setup.sh
installs) name the same dependencies with the same bounds."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _requirements(name: str) -> list[str]:
    lines = (ROOT / "requirements" / name).read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def test_the_runtime_dependencies_are_the_same_in_pyproject_and_requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert sorted(project["dependencies"]) == sorted(_requirements("base.in"))


def test_the_test_dependencies_are_the_same_in_pyproject_and_requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert sorted(project["optional-dependencies"]["test"]) == sorted(_requirements("test.in"))
