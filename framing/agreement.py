"""Agreement between annotators: Cohen's kappa (two files), Krippendorff's
alpha (any number), the confusion between annotators and the disagreements.

Sentences are matched by document and span, or (``by="text"``) by their
whitespace-normalised text, for files made from differently split copies.
Matched by text, a sentence repeated in a file counts once, and a text a file
labels in two ways is left out; both are counted and warned about.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score

from framing.errors import LabelError
from framing.labels import LABELS, read_labels

log = logging.getLogger("framing")


def agree(paths: Sequence[str | Path], *, by: str = "span") -> dict:
    """Agreement over the sentences every file labels."""
    if len(paths) < 2:
        raise LabelError(["agreement needs at least two label files"])
    if by not in ("span", "text"):
        raise ValueError(f"by must be one of 'span', 'text', got {by!r}")
    names = [str(p) for p in paths]
    twice = next((n for i, n in enumerate(names) if n in names[:i]), None)
    if twice is not None:
        raise LabelError([f"{twice} is given twice; agreement compares different files"])
    frames = []
    for name, path in zip(names, paths, strict=True):
        table = read_labels([path])
        key = (table["document"] + ":" + table["start"].astype(str) + "-" +
               table["end"].astype(str)) if by == "span" else \
            table["text"].str.split().str.join(" ")
        frame = pd.DataFrame({"key": key, name: table["label"], "text": table["text"],
                              "document": table["document"]})
        repeated = frame["key"].duplicated(keep=False)
        if repeated.any():
            ways = frame[repeated].groupby("key")[name].nunique()
            conflicting = set(ways[ways > 1].index)
            frame = frame[~frame["key"].isin(conflicting)]
            log.warning("%s: %d labelled sentences repeat a text of the file; each text counts "
                        "once%s", name, int(repeated.sum()),
                        f", and {len(conflicting)} "
                        f"{'text' if len(conflicting) == 1 else 'texts'} labelled in two ways "
                        f"{'is' if len(conflicting) == 1 else 'are'} left out"
                        if conflicting else "")
        frames.append(frame.drop_duplicates("key"))
    merged = frames[0]
    for frame in frames[1:]:
        merged = merged.merge(frame.drop(columns=["text", "document"]), on="key")
    if merged.empty:
        raise LabelError([f"{names[0]}: no sentence is labelled in every file "
                          f"(matched by {by}); try --by text"])
    labels = merged[names]
    result = {
        "files": names,
        "matched_by": by,
        "n_sentences": int(len(merged)),
        "raw_agreement": float((labels.nunique(axis=1) == 1).mean()),
        "krippendorff_alpha": _alpha(labels),
    }
    if len(names) == 2:
        a, b = names
        result["cohen_kappa"] = float(cohen_kappa_score(merged[a], merged[b]))
        confusion = pd.crosstab(pd.Categorical(merged[a], categories=LABELS),
                                pd.Categorical(merged[b], categories=LABELS), dropna=False)
        result["confusion"] = {"rows": a, "columns": b, "labels": list(LABELS),
                               "matrix": confusion.to_numpy().tolist()}
    else:
        result["pairwise_kappa"] = {
            f"{x} ~ {y}": float(cohen_kappa_score(merged[x], merged[y]))
            for i, x in enumerate(names) for y in names[i + 1:]}
    disagreements = merged[labels.nunique(axis=1) > 1]
    result["disagreements"] = [
        {"document": r["document"], "text": r["text"], **{n: r[n] for n in names}}
        for _, r in disagreements.iterrows()]
    return result


def _alpha(labels: pd.DataFrame) -> float:
    import krippendorff

    codes = labels.apply(lambda col: col.map({lab: i for i, lab in enumerate(LABELS)}))
    data = codes.to_numpy(dtype=float).T  # annotators × units
    if np.all(data == data[0]):
        return 1.0
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal",
                                    value_domain=list(range(len(LABELS)))))
