"""Experiment: a second pass that reads the document's first-pass verdicts.

Stage 1 is the shipped pipeline.  Stage 2 is a small multinomial logistic
regression over, per sentence, the stage-1 log-probabilities, the mean
stage-1 probabilities of the *other* sentences of its document (shrunk
towards the training mean for short documents), and its neighbours'.  The
idea: a borderline sentence in a document that mostly defends is more
likely a defence; one in a wire report that mostly reports stays neutral.

Stage 2 is trained on out-of-fold stage-1 probabilities (folds grouped by
topic, so no training sentence is scored by a model that saw its topic).
Judged on the real-text yardstick held out by dispute, like
bench/realtext_dev.py (the real articles are never trained on).

    python bench/realtext_stack.py [--folds 5] [--C 1.0]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from realtext_dev import summary  # noqa: E402 - bench/, beside this script

from framing.dataset import training_table  # noqa: E402
from framing.linear import LinearModel  # noqa: E402
from framing.model import fit  # noqa: E402
from framing.realtext import held_out_by_dispute, read_manifest, real_metrics  # noqa: E402

SHRINK = 2.0


def meta_features(proba: np.ndarray, docs, prior: np.ndarray) -> np.ndarray:
    """[log p, leave-one-out document mean of p, previous p, next p] per row."""
    docs = np.asarray(docs, dtype=object)
    n, k = proba.shape
    new = np.ones(n, bool)
    new[1:] = docs[1:] != docs[:-1]
    ids = np.cumsum(new) - 1
    sums = np.zeros((ids.max() + 1 if n else 0, k))
    np.add.at(sums, ids, proba)
    sizes = np.bincount(ids).astype(float)
    others = sums[ids] - proba
    loo = (others + SHRINK * prior) / (sizes[ids, None] - 1 + SHRINK)
    prev = np.zeros_like(proba)
    prev[1:] = proba[:-1]
    prev[new] = 0
    nxt = np.zeros_like(proba)
    nxt[:-1] = proba[1:]
    last = np.ones(n, bool)
    last[:-1] = new[1:]
    nxt[last] = 0
    return np.hstack([np.log(np.clip(proba, 1e-6, 1)), loo, prev, nxt])


class Stacked(LinearModel):
    """A LinearModel whose probabilities go through the stage-2 model."""

    def __init__(self, base: LinearModel, meta, prior):
        self.__dict__.update(base.__dict__)
        self.meta = meta
        self.prior = prior

    def probabilities(self, features, docs, *, temper=True):
        first = LinearModel.probabilities(self, features, docs, temper=temper)
        return self.meta.predict_proba(meta_features(first, docs, self.prior))


def fit_stacked(table, folds: int, C: float):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    table = table.reset_index(drop=True)
    classes = sorted(table["label"].unique())
    oof = np.zeros((len(table), len(classes)))
    for train, test in GroupKFold(n_splits=folds).split(table, groups=table["topic"]):
        part = table.iloc[train]
        linear = LinearModel.from_pipeline(fit(part))
        rows = table.iloc[test]
        p = linear.predict_proba(rows["doc"].to_numpy(), rows["text"].tolist(),
                                 rows["quoted"].to_numpy(), rows["attributed"].to_numpy())
        for j, c in enumerate(linear.classes):
            oof[test, classes.index(c)] = p[:, j]
    prior = oof.mean(axis=0)
    X = meta_features(oof, table["doc"].to_numpy(), prior)
    meta = LogisticRegression(C=C, max_iter=2000, class_weight="balanced").fit(X, table["label"])
    base = LinearModel.from_pipeline(fit(table))
    assert list(meta.classes_) == base.classes == classes
    return Stacked(base, meta, prior)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--C", type=float, default=1.0)
    args = ap.parse_args()
    table = training_table([ROOT / "labels"], [ROOT / "seeds", ROOT / "corpus" / "written"])
    manifest = read_manifest(ROOT / "realtext" / "manifest.csv")
    kw = {"gold_path": ROOT / "labels" / "real" / "adjudicated.csv",
          "folder": ROOT / "realtext" / "texts"}
    started = time.perf_counter()
    stacked = fit_stacked(table, args.folds, args.C)
    pairs = held_out_by_dispute(table, stacked,
                                lambda t: fit_stacked(t, args.folds, args.C),
                                manifest=manifest, **kw)
    print(json.dumps({"variant": f"stacked folds={args.folds} C={args.C}",
                      **summary(real_metrics(pairs)),
                      "seconds": round(time.perf_counter() - started, 1)}), flush=True)


if __name__ == "__main__":
    main()
