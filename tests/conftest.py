"""Shared fixtures: a tiny model trained on a few in-memory documents."""

from __future__ import annotations

import pandas as pd
import pytest

from framing.dataset import training_table  # noqa: F401 - imported for tests that monkeypatch
from framing.model import fit, save_model
from framing.scoring import sentence_table

DOCS = {
    "statement": (
        "The ministry rejects these baseless allegations. "
        "Our forces have always acted with restraint. "
        "We call on the council to lift the sanctions. "
        "Officials said the talks would resume in June.",
        ["accusation", "defence", "policy_recommendation", "neutral_reporting"],
    ),
    "editorial": (
        "The company's reckless conduct endangered its workers. "
        "It is time for regulators to act. "
        "The union has met every deadline it agreed to. "
        "The strike began on Monday.",
        ["accusation", "policy_recommendation", "defence", "neutral_reporting"],
    ),
    "report": (
        "The minister accused the union of lying, a spokesman said. "
        "Talks are scheduled for Tuesday. "
        "The city council voted on the budget. "
        "Regulators must stop the cynical cover-up, critics said.",
        ["neutral_reporting"] * 4,
    ),
}


def tiny_table() -> pd.DataFrame:
    frames = []
    for doc, (text, labels) in DOCS.items():
        table = sentence_table(text, doc)
        assert len(table) == len(labels), doc
        frames.append(table.assign(label=labels, document=doc, topic=doc, genre=doc,
                                   written="true"))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(autouse=True)
def model_home(tmp_path_factory, monkeypatch):
    """Every test has an empty model folder of its own and no FRAMING_MODEL:
    the user's real models are never read or written, and the default model
    is the installed one unless a test trains into the folder."""
    home = tmp_path_factory.mktemp("framing-home")
    monkeypatch.setenv("FRAMING_HOME", str(home))
    monkeypatch.delenv("FRAMING_MODEL", raising=False)
    return home / "models"


@pytest.fixture(scope="session")
def table() -> pd.DataFrame:
    return tiny_table()


@pytest.fixture(scope="session")
def pipeline(table):
    # Weak regularisation: the tiny model should reproduce its own few sentences.
    return fit(table, C=100.0)


@pytest.fixture(scope="session")
def model_file(tmp_path_factory, pipeline):
    path = tmp_path_factory.mktemp("model") / "tiny.joblib"
    card = {"format": 1, "labels": ["accusation", "defence", "policy_recommendation",
                                    "neutral_reporting"]}
    save_model(pipeline, card, path)
    return path
