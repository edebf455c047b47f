"""Ablations: what each part of the model is worth, held out by dispute.

    python bench/ablation.py            # default, no context features, no actor masking

For each configuration: leave-one-dispute-out macro-F1 on the written corpus
and the written→real transfer (written documents without seed phrases →
the five seeds), as in the model card.  Takes a few minutes on 2 cores.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from framing.dataset import training_table  # noqa: E402
from framing.evaluation import cross_validate, transfer  # noqa: E402

CONFIGS = {"default": {}, "no context features": {"context": False},
           "no actor masking": {"mask": False}}


def main() -> int:
    table = training_table([ROOT / "labels"], [ROOT / "seeds", ROOT / "corpus" / "written"])
    written = table["written"].astype(str).str.lower() == "true"
    clean = written & (table["seed_phrases"].astype(str).str.lower() != "true")
    report = {}
    for name, params in CONFIGS.items():
        topic = cross_validate(table[written].reset_index(drop=True), "topic", n_jobs=2,
                               **params)
        real = transfer(table[clean], table[~written], **params)
        report[name] = {"leave_one_dispute_out": round(topic["macro_f1"], 3),
                        "written_to_real": round(real["macro_f1"], 3)}
        print(name, report[name], flush=True)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
