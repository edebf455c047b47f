"""Model variants judged on real text: train on the labelled corpus, score the
real-text yardstick (realtext/, never trained on), print macro-F1 overall,
per label and per genre.

    python bench/realtext_dev.py                       # the shipped configuration
    python bench/realtext_dev.py --variant no_position --variant C=4
    python bench/realtext_dev.py --data /path/to/clone # labels and documents of another tree

A variant is a build_pipeline keyword (``name=value``, or a bare name for a
preset below).  Needs the real-text articles in realtext/texts/ (see
realtext/README.md).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from framing.dataset import training_table  # noqa: E402
from framing.model import fit  # noqa: E402
from framing.realtext import evaluate_real, read_manifest  # noqa: E402

PRESETS = {
    "shipped": {},
    "no_position": {"position": False},
    "voice": {"voice": True},
    "voice_no_position": {"voice": True, "position": False},
}


def parse(variant: str) -> dict:
    if variant in PRESETS:
        return PRESETS[variant]
    key, _, value = variant.partition("=")
    try:
        return {key: json.loads(value)}
    except json.JSONDecodeError:
        return {key: value}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=ROOT, help="tree holding labels/, seeds/, "
                    "corpus/written/")
    ap.add_argument("--variant", action="append", default=[])
    args = ap.parse_args()
    table = training_table([args.data / "labels"], [args.data / "seeds",
                                                     args.data / "corpus" / "written"])
    manifest = read_manifest(ROOT / "realtext" / "manifest.csv")
    for variant in args.variant or ["shipped"]:
        params = {}
        for part in variant.split(","):
            params.update(parse(part))
        started = time.perf_counter()
        pipeline = fit(table, **params)
        result = evaluate_real(pipeline, gold_path=ROOT / "labels" / "real" / "adjudicated.csv",
                               manifest=manifest, folder=ROOT / "realtext" / "texts")
        print(json.dumps({
            "variant": variant, "train_sentences": len(table),
            "train_documents": int(table["document"].nunique()),
            "real_macro_f1": round(result["macro_f1"], 3),
            "accuracy": round(result["accuracy"], 3),
            "f1": {k: round(v["f1"], 3) for k, v in result["per_label"].items()},
            "by_genre": {k: round(v, 3) for k, v in result["by_genre"].items()},
            "seconds": round(time.perf_counter() - started, 1)}))


if __name__ == "__main__":
    main()
