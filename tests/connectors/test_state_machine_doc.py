"""docs/state-machine.md is generated from the transition table and must stay current."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from connectors.management.commands.state_machine_diagram import DOC_PATH, state_machine_markdown
from connectors.state_machine import TRANSITIONS, State

DOC = Path(settings.BASE_DIR) / DOC_PATH


def _mermaid_block(text: str) -> str:
    match = re.search(r"```mermaid\n(.*?)```", text, re.DOTALL)
    assert match, "no ```mermaid block"
    return match.group(1)


def test_the_committed_doc_is_what_the_command_writes_now():
    assert DOC.exists(), "run `manage.py state_machine_diagram`"
    assert DOC.read_text() == state_machine_markdown(), "stale: run `manage.py state_machine_diagram`"


def test_check_passes_on_the_committed_doc():
    call_command("state_machine_diagram", "--check")


def test_every_state_appears_in_the_diagram():
    diagram = _mermaid_block(DOC.read_text())
    assert diagram.startswith("stateDiagram-v2\n")
    for state in State:
        assert re.search(rf"\b{state.value}\b", diagram), state


def test_every_allowed_transition_is_drawn_and_nothing_else():
    diagram = _mermaid_block(DOC.read_text())
    drawn = set(re.findall(r"^\s+([A-Z]+) --> ([A-Z]+)$", diagram, re.MULTILINE))
    allowed = {(source.value, target.value) for source, targets in TRANSITIONS.items() for target in targets}
    assert drawn == allowed


def test_every_state_is_explained_in_the_intro():
    text = DOC.read_text()
    for state in State:
        assert f"| `{state.value}` |" in text, state


def test_changing_the_table_without_regenerating_fails_the_check(monkeypatch):
    monkeypatch.setitem(TRANSITIONS, State.DELETED, frozenset({State.RUNNING}))

    assert DOC.read_text() != state_machine_markdown()
    with pytest.raises(CommandError, match="not current"):
        call_command("state_machine_diagram", "--check")


def test_the_command_writes_the_doc_and_then_the_check_passes(settings, tmp_path):
    settings.BASE_DIR = tmp_path
    with pytest.raises(CommandError):
        call_command("state_machine_diagram", "--check")

    call_command("state_machine_diagram")

    assert (tmp_path / DOC_PATH).read_text() == state_machine_markdown()
    call_command("state_machine_diagram", "--check")
