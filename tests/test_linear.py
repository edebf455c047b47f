"""The model as arrays (framing.linear) against the scikit-learn pipeline it
comes from: the same probabilities, the same evidence, and no scikit-learn
or pandas on the way."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from framing.linear import LinearModel
from framing.model import build_pipeline, load_linear, load_model, predict_proba, save_model
from framing.scoring import score_table, sentence_table

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def both(pipeline, table, temper=True):
    linear = LinearModel.from_pipeline(pipeline)
    ours = linear.predict_proba(table["doc"].to_numpy(), table["text"].tolist(),
                                table["quoted"].to_numpy(), table["attributed"].to_numpy(),
                                temper=temper)
    theirs = predict_proba(pipeline, table, temper=temper)[linear.classes].to_numpy()
    return ours, theirs


@pytest.fixture(scope="module")
def seed_table():
    frames = [sentence_table(path.read_text(encoding="utf-8"), path.name) for path in SEEDS]
    # Unseen words, a one-sentence document, a question, an order, numbers.
    frames.append(sentence_table("Quixotic zebras annexed 40% of Xanadu's quinoa?", "odd"))
    frames.append(sentence_table("Lift the sanctions now. They said so.", "short"))
    return pd.concat(frames, ignore_index=True)


def test_installed_model_gives_the_pipelines_probabilities(seed_table):
    pipeline, _ = load_model()
    for temper in (True, False):
        ours, theirs = both(pipeline, seed_table, temper)
        assert ours.shape == theirs.shape == (len(seed_table), 4)
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)
        assert (ours.argmax(axis=1) == theirs.argmax(axis=1)).all()


@pytest.mark.parametrize("params", [
    {}, {"chars": True}, {"mask": False}, {"context": False}, {"voice": False},
    {"position": True},
    {"cue_weight": 0.5}, {"class_weight": None},
])
def test_every_pipeline_setting_gives_the_same_probabilities(table, seed_table, params):
    pipeline = build_pipeline(**params).fit(table, table["label"])
    ours, theirs = both(pipeline, pd.concat([table, seed_table], ignore_index=True))
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)


def test_string_lookup_when_bigrams_are_not_made_of_features(table, seed_table):
    pipeline = build_pipeline()
    pipeline.set_params(features__words__max_df=0.2, features__words__min_df=1)
    pipeline.fit(table, table["label"])
    linear = LinearModel.from_pipeline(pipeline)
    assert linear.bigrams is None and linear.vocabulary  # the slower path is the one tested
    ours, theirs = both(pipeline, seed_table)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)


def test_two_labels(table, seed_table):
    two = table[table["label"].isin(["accusation", "neutral_reporting"])]
    pipeline = build_pipeline().fit(two, two["label"])
    ours, theirs = both(pipeline, seed_table)
    assert ours.shape[1] == 2
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)
    scored = score_table(seed_table, pipeline)
    assert set(scored["label"]) <= {"accusation", "neutral_reporting"}
    assert (scored["p_defence"] == 0).all()


def test_model_file_holds_the_arrays(tmp_path, pipeline, table):
    path = save_model(pipeline, {"format": 1, "labels": ["accusation", "defence",
                                                         "policy_recommendation",
                                                         "neutral_reporting"]},
                      tmp_path / "m.joblib")
    linear, card = load_linear(path)
    assert card["labels"][0] == "accusation"
    loaded, _ = load_model(path)  # the pipeline, as before
    np.testing.assert_array_equal(linear.coef, LinearModel.from_pipeline(loaded).coef)
    np.testing.assert_array_equal(
        score_table(table, linear)["p_accusation"], score_table(table, path)["p_accusation"])


def test_evidence_is_the_pipelines(table):
    """Evidence read off the arrays names the pipeline's own features (words,
    character n-grams, cues) with their value × relative weight."""
    import scipy.sparse as sp

    pipeline = build_pipeline(chars=True, C=100.0).fit(table, table["label"])

    scored = score_table(table, pipeline, explain=True)
    features = pipeline.named_steps["features"]
    X = sp.csr_matrix(features.transform(pipeline.named_steps["mask"].transform(table)))
    names = features.get_feature_names_out()
    coef = pipeline.named_steps["classifier"].coef_
    relative = coef - coef.mean(axis=0)
    classes = list(pipeline.classes_)
    shown = {"words": "{}", "chars": 'chars:"{}"', "cues": "cue:{}"}
    names = [shown[n.split("__", 1)[0]].format(n.split("__", 1)[1]) for n in names]
    assert any(n.startswith('chars:"') for n in names)  # all three blocks are checked
    for i, row in enumerate(scored.itertuples()):
        assert row.evidence, row.text
        for name, weight in row.evidence:
            j = names.index(name)
            expected = X[i, j] * relative[classes.index(row.label), j]
            assert weight == pytest.approx(expected, abs=1e-4)


def test_scoring_imports_neither_scikit_learn_nor_pandas_for_the_model(tmp_path, model_file):
    code = (f"import sys; from framing.model import load_linear; "
            f"m, c = load_linear({str(model_file)!r}); "
            f"import numpy as np; p = m.predict_proba(['d'], ['We must act now.'], [0], [0]); "
            f"assert abs(p.sum() - 1) < 1e-9; "
            f"print(sorted(k for k in ('sklearn', 'pandas', 'scipy', 'nltk') "
            f"if k in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_a_model_file_from_before_the_arrays_still_loads(tmp_path, pipeline, table):
    """Format 1 held the pipeline itself: both loaders read it (the arrays
    made from the pipeline), and a new file says format 2."""
    import joblib

    card = {"format": 1, "labels": ["accusation", "defence", "policy_recommendation",
                                    "neutral_reporting"]}
    old = tmp_path / "old.joblib"
    joblib.dump({"pipeline": pipeline, "card": card}, old)
    linear, old_card = load_linear(old)
    assert old_card["format"] == 1 and load_model(old)[0].classes_.tolist() == linear.classes
    np.testing.assert_allclose(score_table(table, linear)["p_defence"],
                               score_table(table, pipeline)["p_defence"], rtol=0, atol=1e-12)
    new = save_model(pipeline, card, tmp_path / "new.joblib")
    assert load_linear(new)[1]["format"] == 2
    assert '"format": 2' in new.with_suffix(".json").read_text()
