"""Model variants judged on real text: train on the labelled corpus, score the
real-text yardstick (realtext/, never trained on) held out by dispute, print
macro-F1 with its 90 % bootstrap interval, per label and per genre, and each
variant's paired bootstrap difference from the first.

    python bench/realtext_dev.py                       # the default configuration
    python bench/realtext_dev.py --variant shipped --variant position=false
    python bench/realtext_dev.py --variant voice=true,class_weight=balanced
    python bench/realtext_dev.py --data /path/to/clone # labels and documents of another tree
    python bench/realtext_dev.py --only 'w(1[6-9]|2\\d)_' # seeds + training documents matching

A variant is comma-separated build_pipeline keywords (``name=value``, values
in JSON) or a preset below.  Needs the real-text articles in realtext/texts/
(see realtext/README.md).
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

from framing.dataset import training_table  # noqa: E402
from framing.evaluation import metrics  # noqa: E402
from framing.model import fit  # noqa: E402
from framing.realtext import held_out_by_dispute, read_manifest, real_metrics  # noqa: E402

PRESETS = {
    "default": {},
    "shipped": {"position": True, "voice": False, "class_weight": None},
}


def parse(variant: str) -> dict:
    params = {}
    for part in variant.split(","):
        if part in PRESETS:
            params.update(PRESETS[part])
            continue
        key, _, value = part.partition("=")
        try:
            params[key] = json.loads(value)
        except json.JSONDecodeError:
            params[key] = value
    return params


def paired_difference(a, b, rounds: int = 1000, seed: int = 0) -> list[float]:
    """90 % interval of macro-F1(b) - macro-F1(a) over documents resampled together."""
    docs = a["doc_id"].unique()
    groups_a = {d: rows for d, rows in a.groupby("doc_id")}
    groups_b = {d: rows for d, rows in b.groupby("doc_id")}
    rng = np.random.default_rng(seed)
    diffs = []
    for _ in range(rounds):
        pick = docs[rng.integers(0, len(docs), len(docs))]
        sa = np.concatenate([groups_a[d][["gold", "predicted"]].to_numpy() for d in pick])
        sb = np.concatenate([groups_b[d][["gold", "predicted"]].to_numpy() for d in pick])
        diffs.append(metrics(sb[:, 0], sb[:, 1])["macro_f1"]
                     - metrics(sa[:, 0], sa[:, 1])["macro_f1"])
    return [float(x) for x in np.percentile(diffs, [5, 95])]


def summary(result: dict) -> dict:
    """The figures of ``real_metrics`` worth a line, rounded."""
    return {"real_macro_f1": round(result["macro_f1"], 3),
            "interval_90": [round(x, 3) for x in result["macro_f1_90"]],
            "f1": {k: round(v["f1"], 3) for k, v in result["per_label"].items()},
            "by_genre": {k: round(v, 3) for k, v in result["by_genre"].items()},
            "mean_confidence": round(result["mean_confidence"], 3),
            "accuracy": round(result["accuracy"], 3)}


def print_report(report: dict, pairs, first):
    """Print *report* as a JSON line, with the paired difference of *pairs*
    from *first* (the first variant's pairs, None for the first variant);
    returns the first variant's pairs."""
    if first is None:
        first = pairs
    else:
        report["difference_90_vs_first"] = [round(x, 3)
                                            for x in paired_difference(first, pairs)]
    print(json.dumps(report), flush=True)
    return first


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=ROOT, help="tree holding labels/, seeds/, "
                    "corpus/written/")
    ap.add_argument("--only", default=None, help="regex: keep seeds and the written "
                    "documents whose id matches")
    ap.add_argument("--variant", action="append", default=[])
    args = ap.parse_args()
    table = training_table([args.data / "labels"], [args.data / "seeds",
                                                     args.data / "corpus" / "written"])
    if args.only:
        written = table["document"].str.startswith("w")
        table = table[~written | table["document"].str.match(args.only)]
    manifest = read_manifest(ROOT / "realtext" / "manifest.csv")
    kw = {"gold_path": ROOT / "labels" / "real" / "adjudicated.csv",
          "folder": ROOT / "realtext" / "texts"}
    first = None
    for variant in args.variant or ["default"]:
        params = parse(variant)
        started = time.perf_counter()
        pairs = held_out_by_dispute(table, fit(table, **params), lambda t, p=params: fit(t, **p),
                                    manifest=manifest, **kw)
        report = {"variant": variant, "train_sentences": len(table),
                  "train_documents": int(table["document"].nunique()),
                  **summary(real_metrics(pairs)),
                  "seconds": round(time.perf_counter() - started, 1)}
        first = print_report(report, pairs, first)


if __name__ == "__main__":
    main()
