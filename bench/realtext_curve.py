"""Learning curve over the amount of realistic written data, measured on real
text: train on the seeds, the earlier written rounds and a growing random
share of the realistic rounds (documents w16_ and later), score the
real-text yardstick held out by dispute.

    python bench/realtext_curve.py                  # default configuration, 3 seeds per point
    python bench/realtext_curve.py --sizes 0 100 200 --repeats 1

Needs the real-text articles in realtext/texts/ (see realtext/README.md).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from framing.dataset import training_table  # noqa: E402
from framing.model import fit  # noqa: E402
from framing.realtext import held_out_by_dispute, read_manifest, real_metrics  # noqa: E402

REALISTIC = r"w(1[6-9]|[2-9]\d)_"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="*", default=None)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    table = training_table([ROOT / "labels"], [ROOT / "seeds", ROOT / "corpus" / "written"])
    realistic = table["document"].str.match(REALISTIC)
    docs = sorted(table.loc[realistic, "document"].unique())
    sizes = args.sizes or [0, len(docs) // 4, len(docs) // 2, len(docs)]
    manifest = read_manifest(ROOT / "realtext" / "manifest.csv")
    kw = {"gold_path": ROOT / "labels" / "real" / "adjudicated.csv",
          "folder": ROOT / "realtext" / "texts", "manifest": manifest}
    for size in sizes:
        scores = []
        for seed in range(args.repeats if 0 < size < len(docs) else 1):
            chosen = set(random.Random(seed).sample(docs, size))
            subset = table[~realistic | table["document"].isin(chosen)]
            pairs = held_out_by_dispute(subset, fit(subset), fit, **kw)
            scores.append(real_metrics(pairs, rounds=0)["macro_f1"])
        print(json.dumps({"realistic_documents": size, "runs": len(scores),
                          "real_macro_f1": round(statistics.mean(scores), 3),
                          "spread": [round(min(scores), 3), round(max(scores), 3)]}),
              flush=True)


if __name__ == "__main__":
    main()
