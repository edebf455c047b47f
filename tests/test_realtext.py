"""The real-text yardstick: no third-party text committed, labels valid,
evaluation aligned by offsets, a clear message without the texts."""

from pathlib import Path

import pandas as pd
import pytest

from framing.errors import InputError
from framing.labels import LABELS
from framing.realtext import (
    LABEL_COLUMNS,
    UNITS,
    align,
    evaluate_real,
    read_manifest,
    read_real_labels,
    sentence_hash,
    sha256,
)

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "realtext" / "manifest.csv"
REAL_LABELS = sorted((ROOT / "labels" / "real").glob("*.csv"))


def test_the_manifest_and_labels_hold_no_text():
    manifest = read_manifest(MANIFEST)
    assert len(manifest) >= 60 and manifest["dispute"].nunique() >= 20
    assert {"url", "sha256", "genre", "cleaning"} <= set(manifest.columns)
    assert manifest["doc_id"].is_unique
    for path in REAL_LABELS:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert "text" not in frame.columns, path
        assert set(frame["doc_id"]) <= set(manifest["doc_id"]), path
        # Free text is limited to short notes that quote nothing from the article.
        assert frame.map(len).max().max() < 300, path
        if "note" in frame.columns:
            assert not frame["note"].str.contains(r'["“”‘]|(?<![A-Za-z])\'\w', regex=True).any(), \
                path


def test_gold_labels_are_valid_and_cover_every_article():
    gold = read_real_labels(ROOT / "labels" / "real" / "adjudicated.csv")
    assert set(gold["label"]) == set(UNITS)
    assert list(gold.columns)[:5] == list(LABEL_COLUMNS[:5])
    assert (gold["end"] > gold["start"]).all()
    assert set(gold["doc_id"]) == set(read_manifest(MANIFEST)["doc_id"])


def test_an_unknown_label_is_refused(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("doc_id,start,end,sentence_sha256,label,note\nd,0,5,x,acusation,\n")
    with pytest.raises(InputError, match=r"bad.csv:2: label 'acusation': expected one of"):
        read_real_labels(path)


def test_without_the_texts_evaluation_says_how_to_get_them(tmp_path):
    with pytest.raises(InputError, match="not in .* fetch each URL"):
        evaluate_real(manifest=read_manifest(MANIFEST), folder=tmp_path)


def test_alignment_takes_the_most_overlapping_sentence():
    predicted = pd.DataFrame({"doc": ["d", "d"], "start": [0, 20], "end": [19, 40],
                              "label": ["accusation", "defence"]})
    gold = pd.DataFrame({"doc_id": ["d", "d", "d", "e"], "start": [0, 15, 41, 0],
                         "end": [14, 40, 50, 5],
                         "label": ["accusation", "defence", "heading", "neutral_reporting"]})
    pairs = align(predicted, gold)
    assert pairs["predicted"].tolist() == ["accusation", "defence", "missing"]


def test_evaluation_on_a_small_yardstick(tmp_path, pipeline):
    texts = tmp_path / "texts"
    texts.mkdir()
    text = ("Council Cuts Library Hours\n"
            "The council cut library hours on Monday. We call on the council to reverse it.\n")
    (texts / "doc1.txt").write_text(text, encoding="utf-8")
    manifest = pd.DataFrame([{"doc_id": "doc1", "url": "u", "genre": "editorial",
                              "sha256": sha256(text)}])
    spans = [(0, 26, "heading"), (27, 67, "neutral_reporting"),
             (68, 107, "policy_recommendation")]
    gold = pd.DataFrame([{"doc_id": "doc1", "start": s, "end": e,
                          "sentence_sha256": sentence_hash(text[s:e]), "label": lab, "note": ""}
                         for s, e, lab in spans])
    gold_path = tmp_path / "gold.csv"
    gold.to_csv(gold_path, index=False)
    result = evaluate_real(pipeline, gold_path=gold_path, manifest=manifest, folder=texts)
    assert result["documents"] == 1 and result["sentences"] == 2
    assert result["not_scored"] == 0
    assert set(result["per_label"]) == set(LABELS)
    # A text that differs from the labelled one is refused, not misread.
    (texts / "doc1.txt").write_text(text.replace("Monday", "Friday"), encoding="utf-8")
    manifest["sha256"] = sha256(text.replace("Monday", "Friday"))
    with pytest.raises(InputError, match="sentence hash differs"):
        evaluate_real(pipeline, gold_path=gold_path, manifest=manifest, folder=texts)
