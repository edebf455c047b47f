"""How far can document-level reasoning over this sentence model go?

Re-weights the shipped model's probabilities on each real article by a
per-document prior over the four acts:

- ``estimated``: the prior each article's own probabilities imply, by EM
  (Saerens, Latinne & Decaestecker 2002), shrunk towards the uniform prior the
  balanced model was trained with by ``alpha`` pseudo-sentences: no labels
  used, so a scorer could do this;
- ``oracle``: the article's true act shares (from its gold labels, plus 0.02
  each): an upper bound on what knowing the document's make-up can add, not
  something a scorer could do.

    python bench/realtext_docprior.py
    python bench/realtext_docprior.py --model other.joblib

Real sentences are the annotated spans, scored by the model as it is (the few
articles on disputes the training data covers are not held out here), so the
base figure is a little above ``realtext_dev.py``'s.  Needs the real-text
articles in realtext/texts/.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from realtext_ceiling import real_training_table  # noqa: E402

from framing.evaluation import metrics  # noqa: E402
from framing.model import load_model, predict_proba  # noqa: E402
from framing.realtext import load_texts, read_manifest, read_real_labels  # noqa: E402


def reweight(proba: np.ndarray, prior: np.ndarray, trained: np.ndarray) -> np.ndarray:
    adjusted = proba * (prior / trained)
    return adjusted / adjusted.sum(axis=1, keepdims=True)


def estimated_prior(proba: np.ndarray, trained: np.ndarray, alpha: float,
                    rounds: int = 20) -> np.ndarray:
    prior = trained.copy()
    for _ in range(rounds):
        prior = (reweight(proba, prior, trained).sum(axis=0) + alpha * trained) \
            / (len(proba) + alpha)
    return prior


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=None)
    ap.add_argument("--alpha", type=float, nargs="*", default=[0.5, 2, 5, 10])
    args = ap.parse_args()
    manifest = read_manifest(ROOT / "realtext" / "manifest.csv")
    texts = load_texts(manifest["doc_id"], ROOT / "realtext" / "texts")
    gold = read_real_labels(ROOT / "labels" / "real" / "adjudicated.csv")
    with tempfile.TemporaryDirectory() as tmp:
        real = real_training_table(manifest, gold, texts, Path(tmp))
    pipeline, _ = load_model(args.model)
    proba = predict_proba(pipeline, real)
    labels = np.array(proba.columns)
    trained = np.full(len(labels), 1 / len(labels))  # balanced class weights
    documents = real.groupby("document").indices

    def macro_f1(adjust) -> float:
        predicted = np.empty(len(real), dtype=object)
        for rows in documents.values():
            predicted[rows] = labels[adjust(proba.to_numpy()[rows], rows).argmax(axis=1)]
        return round(metrics(real["label"], pd.Series(predicted, index=real.index))
                     ["macro_f1"], 3)

    def oracle(p, rows):
        shares = np.array([(real["label"].to_numpy()[rows] == x).mean() for x in labels])
        return reweight(p, shares + 0.02, trained)

    report = {"base": macro_f1(lambda p, rows: p)}
    for alpha in args.alpha:
        report[f"estimated_alpha_{alpha:g}"] = macro_f1(
            lambda p, rows, a=alpha: reweight(p, estimated_prior(p, trained, a), trained))
    report["oracle"] = macro_f1(oracle)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
