"""Docs are checked: every command has help with an example and is in the README."""

from pathlib import Path

import pytest

from framing.cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(cli.commands)


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_help_with_example(name):
    command = cli.commands[name]
    assert command.help and len(command.help) > 40
    assert "Example" in command.help, f"`framing {name} --help` shows no example"


@pytest.mark.parametrize("name", COMMANDS)
def test_command_is_documented_in_readme(name):
    assert f"framing {name}" in README


def test_readme_quick_start_is_two_commands():
    start = README.index("## Quick start")
    block = README[start:].split("```")[1]
    commands = [line for line in block.splitlines()[1:] if line.strip()]
    assert len(commands) == 2
    assert commands[0].startswith("pip install . && framing score seeds/")
    assert commands[1] == 'pip install ".[test]" && pytest'


def test_codebook_definitions_match_the_label_set():
    from framing.labels import DEFINITIONS, LABELS

    codebook = (Path(__file__).resolve().parent.parent / "labels" / "CODEBOOK.md").read_text(
        encoding="utf-8")
    assert list(DEFINITIONS) == list(LABELS)
    for label, line in DEFINITIONS.items():
        assert f"| `{label}` | {line} |" in codebook


def test_help_of_the_package_lists_its_api():
    import pydoc

    import framing

    text = pydoc.render_doc(framing, renderer=pydoc.plaintext)
    missing = [name for name in framing.__all__ if name not in text.split("FUNCTIONS")[0]]
    assert missing == [], f"help(framing) does not mention {missing}"
