"""Evidence for a label: the features that pushed a sentence to it.

The model is linear, so a sentence's score for a label is a sum over
features of value × weight.  Softmax ignores what all labels share, so a
feature's contribution to a label is its value times (its weight for that
label − its mean weight over labels).  Word features are the masked n-grams
(``_ent_`` stands for a named actor, ``_num_`` for a number); cue features
are named after the lexicon or signal (``author_negative_eval``,
``prev_obligation``, ``doc_attribution`` ...).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.pipeline import Pipeline

from framing.features import INPUT_COLUMNS
from framing.labels import LABELS


def _parts(pipeline: Pipeline):
    features = pipeline.named_steps["features"]
    classifier = pipeline.named_steps["classifier"]
    names = [n.split("__", 1)[1] if n.startswith("words__") else f"cue:{n.split('__', 1)[1]}"
             for n in features.get_feature_names_out()]
    coef = classifier.coef_
    if coef.shape[0] == 1:  # binary model: one row of weights
        coef = np.vstack([-coef[0], coef[0]])
    relative = coef - coef.mean(axis=0, keepdims=True)
    return names, list(classifier.classes_), relative


def contributions(pipeline: Pipeline, table: pd.DataFrame):
    """(feature matrix, feature names, classes, relative weights) for a sentence table."""
    X = pipeline.named_steps["features"].transform(
        pipeline.named_steps["mask"].transform(table[list(INPUT_COLUMNS)]))
    names, classes, relative = _parts(pipeline)
    # Sparse always: a small model's features can come out dense (ColumnTransformer
    # picks by density), and every caller reads rows by their non-zero entries.
    return sp.csr_matrix(X), names, classes, relative


def evidence(pipeline: Pipeline, table: pd.DataFrame, labels=None, k: int = 5) -> list[list]:
    """For each row, the *k* features that most support its label (default: the
    predicted one), as ``[feature, contribution]`` pairs, strongest first."""
    X, names, classes, relative = contributions(pipeline, table)
    if labels is None:
        labels = np.array(classes)[np.asarray(
            pipeline.named_steps["classifier"].decision_function(X)).argmax(axis=1)]
    out = []
    for i, label in enumerate(labels):
        row = X[i]
        idx, values = (row.indices, row.data) if hasattr(row, "indices") else (
            np.flatnonzero(row), row[np.flatnonzero(row)])
        weights = values * relative[classes.index(label), idx]
        order = np.argsort(-weights)[:k]
        out.append([[names[idx[j]], round(float(weights[j]), 4)] for j in order
                    if weights[j] > 0])
    return out


def breakdown(pipeline: Pipeline, text: str, k: int = 10) -> dict:
    """Everything behind the labels of a short text: per sentence, per label,
    the strongest features for and against."""
    from framing.scoring import score_table, sentence_table

    scored = score_table(sentence_table(text), pipeline)
    X, names, classes, relative = contributions(pipeline, scored)
    intercepts = pipeline.named_steps["classifier"].intercept_
    sentences = []
    for i, row in enumerate(scored.itertuples(index=False)):
        r = X[i]
        idx, values = r.indices, r.data
        per_label = {}
        for c, label in enumerate(classes):
            weights = values * relative[c, idx]
            order = np.argsort(-weights)
            per_label[label] = {
                "probability": float(getattr(row, f"p_{label}")),
                "for": [[names[idx[j]], round(float(weights[j]), 4)] for j in order[:k]
                        if weights[j] > 0],
                "against": [[names[idx[j]], round(float(weights[j]), 4)]
                            for j in order[::-1][:k] if weights[j] < 0],
                "intercept": round(float(intercepts[c] - intercepts.mean()), 4),
            }
        sentences.append({"sentence": row.sentence, "text": row.text, "label": row.label,
                          "confidence": float(row.confidence), "labels": per_label})
    return {"labels": [lab for lab in LABELS if lab in classes], "sentences": sentences}
