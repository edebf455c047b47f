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


def test_the_readme_worked_examples_show_what_the_shipped_model_prints(capsys, monkeypatch):
    """Each `$ framing score ...` block of the worked example: every line it
    shows (up to its "…") is a line the installed model prints."""
    import io
    import re
    import sys

    from framing.cli import main

    root = Path(__file__).resolve().parent.parent
    monkeypatch.chdir(root)
    monkeypatch.setenv("FRAMING_HOME", str(root / "no-such-home"))  # the shipped model
    section = README[README.index("## Worked example"):README.index("## Commands")]
    blocks = re.findall(r"```\n\$ (.*?)\n(.*?)```", section, re.S)
    assert len(blocks) == 2
    for command, shown in blocks:
        if command.startswith("echo "):
            text, _, command = command.partition(" | ")
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(
                (text[len("echo "):].strip('"') + "\n").encode())))
        assert main(command.split()[1:]) == 0
        printed = capsys.readouterr().out.splitlines()
        for line in shown.splitlines():
            if line.strip() and line.strip() != "…":
                assert line in printed, line
