"""Build, train, evaluate, save and load the framing model.

The whole model is one scikit-learn ``Pipeline``: masked word n-grams and
rhetorical cue features, then a multinomial logistic regression trained on
log-loss with balanced class weights.  Balanced weights shift the label
priors away from the written corpus's (three sentences in five neutral)
towards the acts, which real opinion pieces and statements are much denser
in (``build_pipeline``); the Brier score and the calibration tables in the
model card, and the real-text mean confidence against accuracy, show what
that does to the probabilities.

The model file (joblib) holds the card, the same model as plain arrays
(``framing.linear.LinearModel``: what scoring reads, loading without
scikit-learn) and the pipeline, pickled inside as bytes so that
``load_linear`` never unpickles it; ``models/framing.json`` is the card for
people to read.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import warnings
from importlib import metadata, resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from framing.errors import ModelError
from framing.files import replacing
from framing.labels import LABELS
from framing.lexicon import data_versions
from framing.linear import INPUT_COLUMNS, LinearModel, char_grams, softmax, temperatures

if TYPE_CHECKING:  # (scikit-learn and pandas are imported when a pipeline is made or read)
    import pandas as pd
    from sklearn.pipeline import Pipeline

# 2: the file holds the arrays and the pipeline as bytes (``contents``); 1:
# the pipeline itself (still read: the arrays are then made from it).  A
# release that reads only 1 refuses a 2 with "retrain it" instead of failing.
MODEL_FORMAT = 2
READABLE_FORMATS = (1, 2)
DEFAULT_MODEL_NAME = "framing.joblib"


def build_pipeline(*, C: float = 8.0, cue_weight: float = 1.0, context: bool = True,
                   mask: bool = True, class_weight: str | None = "balanced",
                   position: bool = False, voice: bool = True, chars: bool = False) -> Pipeline:
    """The untrained pipeline.  Keyword-only knobs exist for ablations.

    The defaults were chosen on real text (``bench/realtext_dev.py``, held out
    by dispute): no position cues (they outweighed the words of short
    inputs), the author's-voice block, and balanced class weights (the rarer
    acts are what users look for; plain weights left real accusations and
    defences mostly unfound).  Probabilities then lean towards the acts:
    the model card shows their calibration.

    ``chars=True`` adds character 3- to 5-grams of the masked words
    (``framing.linear.char_grams``), so that evaluative words the written
    corpus lacks count by their parts: +0.024 macro-F1 on real text (paired
    90 % interval +0.003 to +0.046), but scoring runs at half the speed, so
    it is not the default (``framing.train(..., chars=True)`` opts in)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    from framing.features import FastTfidfVectorizer, MaskActors, RhetoricalCues, word_ngrams

    blocks = [("words", FastTfidfVectorizer(analyzer=word_ngrams, min_df=2, sublinear_tf=True),
               "masked")]
    if chars:
        blocks.append(("chars", TfidfVectorizer(analyzer=char_grams, min_df=3, sublinear_tf=True),
                       "masked"))
    blocks.append(("cues", RhetoricalCues(context=context, position=position, voice=voice),
                   [*INPUT_COLUMNS, "masked"]))
    features = ColumnTransformer(
        blocks, transformer_weights={"words": 1.0, "chars": 1.0, "cues": cue_weight})
    classifier = LogisticRegression(C=C, max_iter=3000, class_weight=class_weight)
    return Pipeline([("mask", MaskActors(mask=mask)), ("features", features),
                     ("classifier", classifier)])


def fit(table: pd.DataFrame, **params) -> Pipeline:
    """Train on a sentence table (rows in document order, with ``label``)."""
    pipeline = build_pipeline(**params)
    pipeline.fit(table[list(INPUT_COLUMNS)], table["label"])
    return pipeline


def predict_proba(pipeline: Pipeline, table: pd.DataFrame, *, temper: bool = True
                  ) -> pd.DataFrame:
    """Probabilities for every label in ``LABELS`` order (0 for labels unseen in training).

    With *temper*, a sentence far from the training data gets a flatter
    distribution (lower confidence): one of a one- or two-sentence input,
    and one whose words the model mostly never saw (``framing.linear.temperatures``).

    This is the pipeline's own path (scikit-learn's transformers and
    classifier); scoring uses the same model as arrays
    (``framing.linear.LinearModel``), tested to give the same numbers."""
    import pandas as pd

    if not temper:
        proba = pipeline.predict_proba(table[list(INPUT_COLUMNS)])
    else:
        # The pipeline's steps by hand (what Pipeline.predict_proba does) to
        # see the masked tokens on the way.
        masked = pipeline.named_steps["mask"].transform(table[list(INPUT_COLUMNS)])
        scores = pipeline.named_steps["classifier"].predict_log_proba(
            pipeline.named_steps["features"].transform(masked))
        # The word vectoriser's last transform left each row's unseen share.
        words = pipeline.named_steps["features"].named_transformers_["words"]
        unseen = words.unseen_share(len(masked)) if hasattr(words, "unseen_share") \
            else np.zeros(len(masked))
        proba = softmax(scores / temperatures(unseen, masked["doc"].to_numpy())[:, None])
    out = pd.DataFrame(0.0, index=table.index, columns=list(LABELS))
    for j, label in enumerate(pipeline.classes_):
        out[label] = proba[:, j]
    return out


# --- persistence ------------------------------------------------------------------

def versions() -> dict[str, str]:
    names = ("framing", "scikit-learn", "nltk", "joblib", "pandas", "numpy", "scipy")
    found = {"python": platform.python_version()}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "unknown"
    found.update({f"data:{k}": str(v) for k, v in data_versions().items()})
    return found


def make_card(table: pd.DataFrame, data_hash: str, evaluation: dict) -> dict:
    return {
        "format": MODEL_FORMAT,
        "labels": list(LABELS),
        "label_counts": {lab: int((table["label"] == lab).sum()) for lab in LABELS},
        "n_sentences": int(len(table)),
        "n_documents": int(table["document"].nunique()),
        "training_data_sha256": data_hash,
        "versions": versions(),
        "trained_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "metrics": evaluation,
    }


def contents(pipeline: Pipeline, card: dict) -> dict:
    """What a model file holds: the card, the arrays scoring reads, and the
    pipeline pickled as bytes (so that reading the arrays never imports
    scikit-learn)."""
    import io

    import joblib

    pickled = io.BytesIO()
    joblib.dump(pipeline, pickled)
    return {"card": {**card, "format": MODEL_FORMAT},
            "linear": LinearModel.from_pipeline(pipeline), "pipeline": pickled.getvalue()}


def save_model(pipeline: Pipeline, card: dict, path: str | Path, *, force: bool = False) -> Path:
    """Write the model and ``<name>.json`` card atomically; refuse to overwrite
    unless *force*."""
    import joblib

    path = Path(path)
    card_path = path.with_suffix(".json")
    if path.exists() and not force:
        raise ModelError(f"{path} exists; pass --force to overwrite it or -o to write elsewhere")
    path.parent.mkdir(parents=True, exist_ok=True)
    card = {**card, "format": MODEL_FORMAT}
    for target, write in ((path, lambda fh: joblib.dump(contents(pipeline, card), fh,
                                                         compress=3)),
                          (card_path, lambda fh: fh.write(
                              (json.dumps(public_card(card), indent=2) + "\n").encode()))):
        with replacing(target, "wb") as fh:
            write(fh)
    return path


def public_card(card: dict) -> dict:
    """The card without the bulky list of training-sentence keys."""
    return {k: v for k, v in card.items() if k != "training_texts"}


def default_model_path() -> Path:
    """The model installed with framing (``framing.models``), or ``models/``
    beside the package when running from a source checkout."""
    try:
        return Path(str(resources.files("framing.models").joinpath(DEFAULT_MODEL_NAME)))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "models" / DEFAULT_MODEL_NAME


def load_model(path: str | Path | None = None) -> tuple[Pipeline, dict]:
    """Load ``(pipeline, card)``; *path* is a file or anything ``--model``
    takes; the default follows ``framing.registry``'s rule (your trained
    model, else the installed one)."""
    return _open(path, linear=False)


def load_linear(path: str | Path | None = None) -> tuple[LinearModel, dict]:
    """``load_model``, but the model as the arrays scoring reads
    (``framing.linear.LinearModel``): reading it imports neither
    scikit-learn nor pandas."""
    return _open(path, linear=True)


def load_model_bytes(data: bytes, name: str = "model", *, linear: bool = False):
    """``load_model`` (or, with *linear*, ``load_linear``) from the bytes of a
    model file (shipped to Dask workers)."""
    import io

    return _load(io.BytesIO(data), name, linear=linear)


def _open(path, *, linear: bool):
    from framing.registry import resolve

    path = resolve(None if path is None else str(path))
    if not path.exists():
        raise ModelError(f"model file {path} not found; run `framing train` or pass --model PATH")
    if path.is_dir():
        raise ModelError(f"{path} is a folder, not a model file; pass --model PATH/framing.joblib")
    if path.suffix == ".skops":
        from framing.registry import load_skops

        bundle = load_skops(path)
        card = _check(bundle, str(path))
        return (LinearModel.from_pipeline(bundle["pipeline"]) if linear
                else bundle["pipeline"]), card
    return _load(path, str(path), linear=linear)


def _load(source, name: str, *, linear: bool):
    bundle = _unpickle(source, name)
    card = _check(bundle, name)
    if linear and isinstance(bundle.get("linear"), LinearModel):
        return bundle["linear"], card
    pipeline = bundle["pipeline"]
    if isinstance(pipeline, bytes):
        import io

        pipeline = _unpickle(io.BytesIO(pipeline), name)
    # A model file from before the arrays were saved: made from the pipeline.
    return (LinearModel.from_pipeline(pipeline) if linear else pipeline), card


def _unpickle(source, name: str):
    """``joblib.load``, with a scikit-learn version mismatch and any other
    failure turned into a ``ModelError`` that says what to do."""
    import joblib

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            loaded = joblib.load(source)
        except Exception as exc:  # unpickling raises almost anything on a bad file
            raise ModelError(
                f"{name} is not a readable framing model ({type(exc).__name__}); "
                "retrain with `framing train` or pass another --model"
            ) from None
    for warning in caught:
        message = warning.message
        if type(message).__name__ == "InconsistentVersionWarning":
            raise ModelError(
                f"{name} was saved with scikit-learn {message.original_sklearn_version}, this "
                f"is {message.current_sklearn_version}; retrain with `framing train` or install "
                f"scikit-learn=={message.original_sklearn_version}"
            )
    for warning in caught:
        warnings.warn_explicit(warning.message, warning.category, warning.filename,
                               warning.lineno)
    return loaded


def _check(bundle, name: str) -> dict:
    """The card of a model file's contents, checked."""
    if not (isinstance(bundle, dict) and {"pipeline", "card"} <= set(bundle)):
        raise ModelError(f"{name} is not a framing model (no pipeline and card inside)")
    card = bundle["card"]
    if card.get("format") not in READABLE_FORMATS or card.get("labels") != list(LABELS):
        raise ModelError(f"{name} was made by an incompatible framing version; retrain it")
    return card
