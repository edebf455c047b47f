import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import framing
from framing.errors import InputError
from framing.scoring import SENTENCE_COLUMNS, profile, read_text, score_files, score_text


def test_score_text_columns_and_spans(pipeline):
    text = "Criticism of Past Policies\nThe ban is unjust. We call on them to act."
    table = score_text(text, pipeline, doc="x")
    assert list(table.columns) == list(SENTENCE_COLUMNS)
    assert table["sentence"].tolist() == [0, 1]       # the heading is left out
    assert all(text[r.start:r.end] == r.text for r in table.itertuples())


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(list("abc .?!\n“”") + [" We must", " said"]),
                min_size=1, max_size=40).map("".join))
def test_shares_sum_to_one_and_spans_hold(pipeline, text):
    table = score_text(text, pipeline)
    assert all(text[r.start:r.end] == r.text for r in table.itertuples())
    if len(table):
        prof = profile(table).iloc[0]
        shares = [prof[f"share_{lab}"] for lab in framing.LABELS]
        assert sum(shares) == pytest.approx(1)
        assert prof["n_sentences"] == len(table)


def test_dominant_act_ties_follow_codebook_priority():
    rows = pd.DataFrame({"doc": ["d"] * 4, "confidence": [0.9] * 4,
                         "label": ["accusation", "defence", "policy_recommendation",
                                   "neutral_reporting"]})
    assert profile(rows).iloc[0]["dominant_act"] == "policy_recommendation"
    rows["label"] = ["accusation", "defence", "defence", "accusation"]
    assert profile(rows).iloc[0]["dominant_act"] == "accusation"
    rows["label"] = ["neutral_reporting"] * 4
    assert profile(rows).iloc[0]["dominant_act"] == ""


def test_score_files_checks_every_file_first(tmp_path, pipeline):
    good = tmp_path / "good.txt"
    good.write_text("The ban is unjust.")
    with pytest.raises(InputError, match="no such file"):
        score_files([good, tmp_path / "missing.txt"], pipeline)
    table = score_files([good, good], pipeline)
    assert table["doc"].tolist() == [str(good), f"{good}#2"]


@pytest.mark.parametrize("raw", ["\ufeffThe ban is unjust. Talks resume.",
                                 "The ban is unjust.\r\nTalks resume.\r\n",
                                 "\ufeffThe ban\r\nis unjust.\rTalks resume."])
def test_offsets_count_in_the_documented_reading(tmp_path, pipeline, raw):
    path = tmp_path / "doc.txt"
    path.write_bytes(raw.encode())
    documented = path.read_text(encoding="utf-8")  # universal newlines, as open().read()
    assert read_text(path) == documented
    table = score_files([path], pipeline)
    assert len(table) == 2
    for row in table.itertuples():
        assert documented[row.start:row.end] == row.text


def test_public_api_uses_the_installed_model():
    table = framing.score_text("The ministry must lift the ban. Officials said talks continue.")
    assert len(table) == 2
    assert set(table["label"]) <= set(framing.LABELS)


@pytest.mark.parametrize(("value", "message"), [
    (None, "text must be a string, not NoneType"),
    (b"The ban is unjust.", "text is bytes; decode it first"),
    (42, "text must be a string, not int"),
])
def test_score_text_refuses_what_is_not_text(pipeline, value, message):
    with pytest.raises(InputError, match=message):
        framing.score_text(value, pipeline)


def test_score_files_takes_one_path_as_one_file(tmp_path, pipeline):
    path = tmp_path / "a.txt"
    path.write_text("The ban is unjust. Talks resume.")
    table = score_files(str(path), pipeline)
    assert table["doc"].unique().tolist() == [str(path)]
