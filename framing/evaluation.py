"""Honest metrics: every number comes from documents the model did not train on.

* grouped cross-validation by document (``GroupKFold``) and by topic
  (leave-one-topic-out): a topic's vocabulary cannot leak into its own test;
* the transfer test: train on the written corpus, test on the real seeds;
* scores per genre, a learning curve over the number of training documents,
  and a calibration table.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.model_selection import GroupKFold

from framing.labels import LABELS
from framing.model import fit, predict_proba

DOCUMENT_FOLDS = 10


def metrics(y_true, y_pred, proba: pd.DataFrame | None = None) -> dict:
    """Macro-F1, per-label precision/recall/F1/support and the confusion matrix
    (rows: true label, columns: predicted, both in ``LABELS`` order)."""
    labels = list(LABELS)
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    present = [lab for lab in labels if lab in set(y_true)]
    result = {
        "n": int(len(y_true)),
        "macro_f1": float(f1_score(y_true, y_pred, labels=present, average="macro",
                                   zero_division=0)),
        "accuracy": float(np.mean(y_true == y_pred)) if len(y_true) else 0.0,
        "per_label": {
            lab: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]),
                  "support": int(s[i])}
            for i, lab in enumerate(labels)
        },
        "confusion": {"labels": labels,
                      "matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist()},
    }
    if proba is not None and len(y_true):
        onehot = (y_true[:, None] == np.array(labels)[None, :]).astype(float)
        result["brier"] = float(np.mean(np.sum((proba[labels].to_numpy() - onehot) ** 2, axis=1)))
    return result


def folds(table: pd.DataFrame, by: str) -> list[np.ndarray]:
    """Boolean test masks.  ``by="document"``: ``DOCUMENT_FOLDS`` folds of whole
    documents; ``by="topic"``: one fold per topic.  No document or topic is
    ever on both sides of a fold."""
    if by == "document":
        groups = table["document"].to_numpy()
        n = min(DOCUMENT_FOLDS, len(set(groups)))
        if n < 2:
            return []
        return [np.isin(np.arange(len(table)), test)
                for _, test in GroupKFold(n_splits=n).split(table, groups=groups)]
    if by == "topic":
        topics = table["topic"].to_numpy()
        return [topics == t for t in pd.unique(topics)]
    raise ValueError(f"by must be one of 'document', 'topic', got {by!r}")


def _fold(train: pd.DataFrame, test: pd.DataFrame, params: dict) -> pd.DataFrame:
    return predict_proba(fit(train, **params), test)


def out_of_fold(table: pd.DataFrame, by: str, *, n_jobs: int = 1, **params) -> pd.DataFrame:
    """Probabilities for every row from a model that did not see its fold."""
    work = [(table[~test], table[test]) for test in folds(table, by)
            if table.loc[~test, "label"].nunique() >= 2]
    parts = Parallel(n_jobs=n_jobs)(delayed(_fold)(train, test, params) for train, test in work)
    if not parts:
        return pd.DataFrame(columns=list(LABELS), dtype=float)
    return pd.concat(parts).reindex(table.index).dropna()


def cross_validate(table: pd.DataFrame, by: str, *, n_jobs: int = 1, **params) -> dict:
    """Held-out metrics over all folds, plus macro-F1 per genre."""
    proba = out_of_fold(table, by, n_jobs=n_jobs, **params)
    rows = table.loc[proba.index]
    y_pred = proba.idxmax(axis=1)
    result = metrics(rows["label"], y_pred, proba)
    result["held_out"] = by
    result["n_groups"] = int(table[by].nunique())
    result["by_genre"] = {
        genre: metrics(rows.loc[mask, "label"], y_pred[mask])["macro_f1"]
        for genre in sorted(rows["genre"].unique())
        if (mask := (rows["genre"] == genre)).any()
    }
    result["calibration"] = calibration(rows["label"], proba)
    return result


def transfer(train: pd.DataFrame, test: pd.DataFrame, **params) -> dict:
    """Train on one set of documents and test on another (written → seeds)."""
    proba = predict_proba(fit(train, **params), test)
    return metrics(test["label"], proba.idxmax(axis=1), proba)


def calibration(y_true: pd.Series, proba: pd.DataFrame, bins: int = 5) -> list[dict]:
    """Confidence of the predicted label against how often it is right, per bin."""
    confidence = proba.max(axis=1).to_numpy()
    correct = (proba.idxmax(axis=1).to_numpy() == y_true.to_numpy())
    edges = np.linspace(0.25, 1.0, bins + 1)
    table = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        mask = (confidence >= lo) & ((confidence < hi) | (hi == 1.0))
        if mask.any():
            table.append({"bin": f"{lo:.2f}-{hi:.2f}", "n": int(mask.sum()),
                          "mean_confidence": float(confidence[mask].mean()),
                          "accuracy": float(correct[mask].mean())})
    return table


def learning_curve(table: pd.DataFrame, sizes=(10, 20, 40, 80, 160, 240, 320), seed: int = 0,
                   *, n_jobs: int = 1, **params) -> list[dict]:
    """Leave-one-topic-out macro-F1 when training on only n documents per fold.

    For each size, every topic is held out in turn and the model is trained
    on the first n documents (in a fixed random order) of the other topics.
    """
    rng = np.random.default_rng(seed)
    documents = table["document"].unique()
    order = {doc: rank for rank, doc in enumerate(rng.permutation(documents))}
    curve = []
    for size in sizes:
        work = []
        for test in folds(table, "topic"):
            train = table[~test]
            docs = sorted(train["document"].unique(), key=order.__getitem__)[:size]
            train = train[train["document"].isin(docs)]
            if train["label"].nunique() >= 2:
                work.append((train, table[test]))
        parts = Parallel(n_jobs=n_jobs)(delayed(_fold)(tr, te, params) for tr, te in work)
        if parts:
            proba = pd.concat(parts)
            y_true = table.loc[proba.index, "label"]
            curve.append({"documents": int(min(size, len(documents))),
                          "macro_f1": metrics(y_true, proba.idxmax(axis=1))["macro_f1"]})
        if size >= len(documents):
            break
    return curve


def evaluate_model(pipeline, card: dict, table: pd.DataFrame) -> dict:
    """The trained model on a labelled sentence table (e.g. a user's test file).

    ``seen_in_training`` counts test sentences whose text the model trained
    on: figures over those are not held out.
    """
    proba = predict_proba(pipeline, table)
    result = metrics(table["label"], proba.idxmax(axis=1), proba)
    trained = set(card.get("training_texts", ()))
    result["seen_in_training"] = int(sum(text_key(t) in trained for t in table["text"]))
    return result


def text_key(text: str) -> str:
    """Short stable key of a sentence text (the model remembers these to warn
    when it is evaluated on its own training sentences)."""
    return hashlib.sha1(" ".join(text.split()).encode()).hexdigest()[:12]
