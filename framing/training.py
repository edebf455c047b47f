"""``framing train``: validated labels → fitted pipeline + card with held-out metrics."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sklearn.pipeline import Pipeline

from framing.dataset import DEFAULT_DOCUMENT_DIRS, DEFAULT_LABEL_DIR, data_hash, training_table
from framing.errors import LabelError
from framing.evaluation import cross_validate, learning_curve, text_key, transfer
from framing.labels import LABELS
from framing.model import fit, make_card

log = logging.getLogger(__name__)


@dataclass
class TrainResult:
    pipeline: Pipeline
    card: dict
    table: pd.DataFrame


def evaluate_table(table: pd.DataFrame, *, progress: Callable[[str], None] = lambda _: None,
                   n_jobs: int = 1, **params) -> dict:
    """Every held-out evaluation the data allows, keyed by name."""
    results = {}
    if table["document"].nunique() >= 2:
        progress("cross-validating by document")
        results["by_document"] = cross_validate(table, "document", n_jobs=n_jobs, **params)
    if table["topic"].nunique() >= 2:
        progress("cross-validating by topic (leave one topic out)")
        results["by_topic"] = cross_validate(table, "topic", n_jobs=n_jobs, **params)
    written = table["written"].astype(str).str.lower() == "true"
    # Written documents that borrow phrases from the real seeds would flatter
    # the transfer test; they train the shipped model but not this test.
    clean = written & (table["seed_phrases"].astype(str).str.lower() != "true")
    if clean.any() and (~written).any():
        progress("transfer test: train on written documents, test on real ones")
        results["written_to_real"] = transfer(table[clean], table[~written], **params)
        results["written_to_real"]["n_train_documents"] = int(table.loc[clean, "document"]
                                                              .nunique())
    return results


def real_text_metrics(table: pd.DataFrame, pipeline: Pipeline,
                      progress: Callable[[str], None] = lambda _: None, **params) -> dict:
    """``{"real_text": metrics}`` held out by dispute, when the real-text
    yardstick and its texts are in the current folder (``framing.realtext``),
    else ``{}``."""
    from framing.errors import InputError
    from framing.realtext import GOLD, MANIFEST, held_out_by_dispute, real_metrics

    if not (MANIFEST.exists() and GOLD.exists()):
        return {}
    try:
        progress("scoring the real-text yardstick (held out by dispute)")
        pairs = held_out_by_dispute(table, pipeline, lambda t: fit(t, **params))
    except InputError as exc:
        progress(f"no real-text figures: {exc}")
        return {}
    return {"real_text": real_metrics(pairs)}


def train(
    label_paths: Iterable[str | Path] = (DEFAULT_LABEL_DIR,),
    document_dirs: Iterable[str | Path] = DEFAULT_DOCUMENT_DIRS,
    *,
    evaluate: bool = True,
    curve: bool = False,
    n_jobs: int = 1,
    progress: Callable[[str], None] = lambda _: None,
    **params,
) -> TrainResult:
    """Validate labels, measure held-out metrics, then fit on everything."""
    label_paths = list(label_paths)
    document_dirs = list(document_dirs)
    table = training_table(label_paths, document_dirs)
    unused = [label for label in LABELS if label not in set(table["label"])]
    if unused and table["label"].nunique() >= 2:
        log.warning("no sentence is labelled %s: the model will never predict %s",
                    " or ".join(unused), "it" if len(unused) == 1 else "them")
    if table["document"].nunique() < 2:
        log.warning("all labelled sentences come from one document: no held-out metrics can "
                    "be measured, and the model has seen one article's style")
    if table["label"].nunique() < 2:
        raise LabelError([f"{', '.join(map(str, label_paths))}: training needs at least two "
                          "different labels; label more sentences"])
    evaluation = (evaluate_table(table, progress=progress, n_jobs=n_jobs, **params)
                  if evaluate else {})
    points = []
    if curve and table["topic"].nunique() >= 2:
        progress("learning curve (leave one topic out, growing training sets)")
        points = learning_curve(table, n_jobs=n_jobs, **params)
    progress(f"fitting on all {len(table)} sentences")
    pipeline = fit(table, **params)
    if evaluate:
        # Real text first: the figure that says how the model does on articles
        # nobody here wrote (never trained on; present in a clone with the texts).
        real = real_text_metrics(table, pipeline, progress, **params)
        evaluation = {**real, **evaluation}
    card = make_card(table, data_hash(label_paths, document_dirs), evaluation)
    card["params"] = params
    card["training_texts"] = sorted({text_key(t) for t in table["text"]})
    if points:
        card["learning_curve"] = points
    return TrainResult(pipeline, card, table)
