"""A diagnostic, not a model: would training text exactly like real prose
close the real-text gap for this family of features?

The yardstick's own labelled articles stand in for "realistic training data
at its best".  The articles are split into folds by dispute; each fold is
scored by models trained without its disputes (and without the written
topics on the same disputes, ``realtext/overlap.csv``), on:

- ``written``: the seeds and written corpus only (what ships);
- ``real``: only the real articles of the other folds (about 670 sentences);
- ``written+real``: both;
- ``written+realx5``: both, each real article counted five times.

Nothing trained here is saved: the yardstick stays evaluation-only, and no
shipped model ever sees it.  The real articles' labelled spans are written to a
temporary folder for ``training_table`` and removed afterwards.

    python bench/realtext_ceiling.py               # 8 folds, all four variants
    python bench/realtext_ceiling.py --folds 4 --variant written --variant real

Needs the real-text articles in realtext/texts/ (see realtext/README.md).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from realtext_dev import print_report, summary  # noqa: E402

from framing.dataset import training_table  # noqa: E402
from framing.model import fit  # noqa: E402
from framing.realtext import (  # noqa: E402
    load_texts,
    read_manifest,
    read_overlap,
    read_real_labels,
    real_metrics,
    real_predictions,
)

VARIANTS = ("written", "real", "written+real", "written+realx5")


def real_training_table(manifest: pd.DataFrame, gold: pd.DataFrame, texts: dict[str, str],
                        folder: Path) -> pd.DataFrame:
    """The yardstick's labelled sentences as a training table (topic = dispute)."""
    rows = []
    for doc, spans in gold[gold["label"] != "heading"].groupby("doc_id", sort=False):
        for i, span in enumerate(spans.sort_values("start").itertuples()):
            rows.append({"document": doc, "sentence": i, "start": span.start,
                         "end": span.end, "text": texts[doc][span.start:span.end],
                         "label": span.label, "note": ""})
    (folder / "labels").mkdir()
    (folder / "docs").mkdir()
    pd.DataFrame(rows).to_csv(folder / "labels" / "real.csv", index=False)
    for doc, text in texts.items():
        (folder / "docs" / f"{doc}.txt").write_text(text, encoding="utf-8")
    meta = manifest.rename(columns={"doc_id": "id", "dispute": "topic"})[["id", "genre", "topic"]]
    meta.assign(region="unknown", written="false", seed_phrases="false").to_csv(
        folder / "docs" / "documents.csv", index=False)
    return training_table([folder / "labels"], [folder / "docs"])


def repeated(table: pd.DataFrame, times: int) -> pd.DataFrame:
    """*table* with each document counted *times* times (under new ids)."""
    return pd.concat([table.assign(document=table["document"] + f"#{k}",
                                   doc=table["doc"] + f"#{k}") for k in range(times)],
                     ignore_index=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--folds", type=int, default=8)
    ap.add_argument("--variant", action="append", choices=VARIANTS, default=[])
    args = ap.parse_args()
    variants = args.variant or list(VARIANTS)
    written = training_table([ROOT / "labels"], [ROOT / "seeds", ROOT / "corpus" / "written"])
    manifest = read_manifest(ROOT / "realtext" / "manifest.csv")
    gold_path = ROOT / "labels" / "real" / "adjudicated.csv"
    folder = ROOT / "realtext" / "texts"
    texts = load_texts(manifest["doc_id"], folder)
    overlap = read_overlap(ROOT / "realtext" / "overlap.csv")
    disputes = sorted(manifest["dispute"].unique())
    fold_of = {d: i % args.folds for i, d in enumerate(disputes)}
    with tempfile.TemporaryDirectory() as tmp:
        real = real_training_table(manifest, read_real_labels(gold_path), texts, Path(tmp))
    kw = {"gold_path": gold_path, "folder": folder, "manifest": manifest}
    first = None
    for variant in variants:
        parts = []
        for fold in range(args.folds):
            held = manifest[manifest["dispute"].map(fold_of) == fold]
            topics = set().union(*(overlap.get(d, set()) for d in held["dispute"]))
            own = written[~(written["topic"].isin(topics) | written["document"].isin(topics))]
            others = real[~real["document"].isin(held["doc_id"])]
            train = {"written": own, "real": others,
                     "written+real": pd.concat([own, others], ignore_index=True),
                     "written+realx5": pd.concat([own, repeated(others, 5)], ignore_index=True),
                     }[variant]
            parts.append(real_predictions(fit(train), doc_ids=list(held["doc_id"]), **kw))
        pairs = pd.concat(parts, ignore_index=True)
        first = print_report({"variant": variant, **summary(real_metrics(pairs))},
                             pairs, first)


if __name__ == "__main__":
    main()
