import numpy as np
import pandas as pd
import pytest

from framing.evaluation import calibration, cross_validate, folds, metrics, transfer


def test_document_folds_never_split_a_document(table):
    masks = folds(table, "document")
    assert len(masks) == 3
    assert np.sum(masks, axis=0).tolist() == [1] * len(table)   # each row tested once
    for test in masks:
        assert not set(table.loc[test, "document"]) & set(table.loc[~test, "document"])


def test_topic_folds_hold_out_whole_topics():
    table = pd.DataFrame({"document": list("abcdef"), "topic": list("xxyyzz")})
    for test in folds(table, "topic"):
        assert table.loc[test, "topic"].nunique() == 1
        assert not set(table.loc[test, "topic"]) & set(table.loc[~test, "topic"])
    with pytest.raises(ValueError, match="must be one of"):
        folds(table, "sentence")


def test_metrics_known_values():
    m = metrics(["accusation", "defence", "neutral_reporting", "neutral_reporting"],
                ["accusation", "neutral_reporting", "neutral_reporting", "neutral_reporting"])
    assert m["per_label"]["defence"]["recall"] == 0
    assert m["per_label"]["neutral_reporting"]["precision"] == pytest.approx(2 / 3)
    assert m["macro_f1"] == pytest.approx((1 + 0 + 0.8) / 3)   # only labels present count
    assert m["confusion"]["matrix"][1] == [0, 0, 0, 1]


def test_cross_validate_reports_every_row_once(table):
    result = cross_validate(table, "document")
    assert result["n"] == len(table)
    assert sum(map(sum, result["confusion"]["matrix"])) == len(table)
    assert set(result["by_genre"]) == set(table["genre"])


def test_transfer_and_calibration(table):
    train, test = table[table["document"] != "report"], table[table["document"] == "report"]
    result = transfer(train, test)
    assert result["n"] == len(test)
    proba = pd.DataFrame({"accusation": [0.9, 0.3], "defence": [0.1, 0.7],
                          "policy_recommendation": [0, 0], "neutral_reporting": [0, 0]})
    bins = calibration(pd.Series(["accusation", "accusation"]), proba)
    assert [(b["n"], b["accuracy"]) for b in bins] == [(1, 0.0), (1, 1.0)]
