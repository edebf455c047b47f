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

from framing.labels import LABELS


def _columns(table):
    return (table["doc"].to_numpy(), table["text"].tolist(), table["quoted"].to_numpy(),
            table["attributed"].to_numpy())


def evidence(model, table, labels=None, k: int = 5, *, features=None) -> list[list]:
    """For each row of a sentence table, the *k* features that most support
    its label (default: the predicted one), as ``[feature, contribution]``
    pairs, strongest first.  *model*: anything ``framing.scoring`` takes;
    *features*: the model's ``features`` of *table*, when already computed."""
    from framing.scoring import as_linear

    linear = as_linear(model)
    words, cue, _ = features if features is not None else linear.features(*_columns(table))
    names, relative = linear.feature_names(), linear.relative_weights()
    if labels is None:
        labels = np.array(linear.classes)[linear.scores(words, cue).argmax(axis=1)]
    out = []
    for label, (idx, values) in zip(labels, linear.entries(words, cue), strict=True):
        weights = values * relative[linear.classes.index(label), idx]
        order = np.argsort(-weights, kind="stable")[:k]
        out.append([[names[idx[j]], round(float(weights[j]), 4)] for j in order
                    if weights[j] > 0])
    return out


def breakdown(model, text: str, k: int = 10) -> dict:
    """Everything behind the labels of a short text: per sentence, per label,
    the strongest features for and against; ``headings``: the text's
    headings, listed but not scored (as ``framing score`` does)."""
    from framing.scoring import as_linear, score_table, split_document, table_from_rows

    linear = as_linear(model)
    rows, headings = split_document(text)
    heading_texts = [h[3] for h in headings]
    if not rows:
        return {"labels": [lab for lab in LABELS if lab in linear.classes], "sentences": [],
                "headings": heading_texts}
    scored = score_table(table_from_rows(rows), linear)
    words, cue, _ = linear.features(*_columns(scored))
    names, relative = linear.feature_names(), linear.relative_weights()
    classes = linear.classes
    intercepts = linear.intercept
    sentences = []
    for row, (idx, values) in zip(scored.itertuples(index=False), linear.entries(words, cue),
                                  strict=True):
        per_label = {}
        for c, label in enumerate(classes):
            weights = values * relative[c, idx]
            order = np.argsort(-weights, kind="stable")
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
    return {"labels": [lab for lab in LABELS if lab in classes], "sentences": sentences,
            "headings": heading_texts}
