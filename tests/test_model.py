import warnings

import joblib
import numpy as np
import pytest
from sklearn.exceptions import InconsistentVersionWarning

from framing.errors import ModelError
from framing.model import fit, load_model, predict_proba, save_model


def test_training_is_deterministic(table, pipeline):
    again = fit(table, C=100.0)
    np.testing.assert_array_equal(predict_proba(again, table), predict_proba(pipeline, table))


def test_save_load_gives_identical_probabilities(table, pipeline, model_file):
    loaded, card = load_model(model_file)
    np.testing.assert_array_equal(predict_proba(loaded, table), predict_proba(pipeline, table))
    assert card["labels"][0] == "accusation"
    assert model_file.with_suffix(".json").exists()


def test_refuses_to_overwrite_without_force(pipeline, model_file):
    before = model_file.read_bytes()
    with pytest.raises(ModelError, match="exists; pass --force"):
        save_model(pipeline, {"format": 1}, model_file)
    assert model_file.read_bytes() == before


def test_failed_save_leaves_nothing_behind(tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(joblib, "dump", boom)
    with pytest.raises(OSError):
        save_model(object(), {}, tmp_path / "m.joblib")
    assert list(tmp_path.iterdir()) == []


def test_bad_model_files(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        load_model(tmp_path / "none.joblib")
    with pytest.raises(ModelError, match="is a folder"):
        load_model(tmp_path)
    corrupt = tmp_path / "corrupt.joblib"
    corrupt.write_bytes(b"not a pickle at all")
    with pytest.raises(ModelError, match="not a readable framing model"):
        load_model(corrupt)
    foreign = tmp_path / "foreign.joblib"
    joblib.dump({"something": 1}, foreign)
    with pytest.raises(ModelError, match="not a framing model"):
        load_model(foreign)


def test_incompatible_scikit_learn_is_explained(tmp_path, monkeypatch, model_file):
    real_load = joblib.load

    def old_pickle(path):  # what scikit-learn does when it unpickles an estimator
        warnings.warn(InconsistentVersionWarning(estimator_name="LogisticRegression",
                                                 current_sklearn_version="9.0",
                                                 original_sklearn_version="0.1"), stacklevel=1)
        return real_load(path)

    monkeypatch.setattr(joblib, "load", old_pickle)
    with pytest.raises(ModelError, match=r"saved with scikit-learn 0\.1, this is 9\.0; retrain"):
        load_model(model_file)


def test_default_model_is_installed_and_loads():
    pipeline, card = load_model()
    assert card["n_sentences"] > 100
    assert "by_document" in card["metrics"]
