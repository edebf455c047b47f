"""Scoring throughput: read → split → features → predict, in one process.

    python bench/score.py                 # whole labelled corpus, repeated to ≥ 20,000 sentences
    python bench/score.py --repeat 5 --model models/framing.joblib

Reports sentences per second (best and median of --rounds runs, since a
shared machine's timings vary) and the share of time spent splitting.
Record the figures in the model card / README; the target is ≥ 20,000
sentences/s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from framing.model import load_model  # noqa: E402
from framing.scoring import score_table, sentence_rows, table_from_rows  # noqa: E402


def run_once(paths, pipeline):
    t0 = time.perf_counter()
    rows = []
    for i, path in enumerate(paths):
        rows.extend(sentence_rows(path.read_text(encoding="utf-8"), f"{i}"))
    t1 = time.perf_counter()
    table = table_from_rows(rows)
    score_table(table, pipeline)
    t2 = time.perf_counter()
    return len(rows), t1 - t0, t2 - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="model file (default: installed model)")
    parser.add_argument("--repeat", type=int, default=None,
                        help="times to repeat the corpus (default: enough for 20,000 sentences)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    paths = sorted((ROOT / "corpus" / "written").glob("*.txt")) + sorted(
        (ROOT / "seeds").glob("*.txt"))
    pipeline, card = load_model(args.model)
    n, _, _ = run_once(paths, pipeline)  # warm-up (imports, caches)
    repeat = args.repeat or max(1, -(-20_000 // n))
    paths = paths * repeat
    results = [run_once(paths, pipeline) for _ in range(args.rounds)]
    rates = [count / total for count, _, total in results]
    split_share = statistics.median(split / total for _, split, total in results)
    report = {
        "sentences": results[0][0],
        "documents": len(paths),
        "sentences_per_second_best": round(max(rates)),
        "sentences_per_second_median": round(statistics.median(rates)),
        "split_share_of_time": round(split_share, 2),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "model_trained_at": card.get("trained_at"),
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
