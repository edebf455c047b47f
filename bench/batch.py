"""Batch throughput and memory: `framing batch` on N and 10·N generated documents.

    python bench/batch.py                    # N = 2,000 and 20,000 documents, --jobs 2
    python bench/batch.py -n 500 --jobs 2 --engine local

Documents are made from the labelled corpus with their sentences shuffled
(so no cache can help), with outlet and date metadata, written as Parquet.
Reports documents/s, sentences/s (wall clock, including start-up and
writing Parquet) and the peak RSS of the largest process (the framing
process or one of its workers).  Record the figures in the README.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_corpus(n: int, path: Path, seed: int = 0) -> int:
    import pandas as pd

    sys.path.insert(0, str(ROOT))
    from framing.sentences import split_sentences

    rng = random.Random(seed)
    pools = []
    for doc in sorted((ROOT / "corpus" / "written").glob("*.txt")) + sorted(
            (ROOT / "seeds").glob("*.txt")):
        text = doc.read_text(encoding="utf-8")
        pools.append([s.text for s in split_sentences(text) if not s.heading])
    rows = []
    for i in range(n):
        sentences = list(rng.choice(pools))
        rng.shuffle(sentences)
        paragraphs = [" ".join(sentences[j:j + 3]) for j in range(0, len(sentences), 3)]
        rows.append({"id": f"doc{i:07d}", "outlet": f"outlet{i % 7}",
                     "date": f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}",
                     "text": "\n".join(paragraphs)})
    pd.DataFrame(rows).to_parquet(path, row_group_size=5000)
    return n


def _framing() -> str:
    """The ``framing`` script installed with this Python (not a version
    manager's shim on PATH, whose own start-up would be measured too)."""
    script = Path(sys.executable).parent / "framing"
    return str(script) if script.exists() else "framing"


def run(n: int, jobs: int, engine: str, chunk: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / f"corpus{n}.parquet"
        # Generated in another process: a child forked from a big process
        # starts with that process's RSS, which would spoil the measurement.
        subprocess.run([sys.executable, __file__, "--make", str(n), str(corpus)], check=True)
        out = Path(tmp) / "out"
        command = [_framing(), "batch", str(corpus), "--id-column", "id", "-o", str(out),
                   "--jobs", str(jobs), "--engine", engine, "--chunk-size", str(chunk), "-q"]
        # ru_maxrss of children is a maximum over every child ever reaped, so
        # framing runs under a fresh process whose only child it is.
        probe = subprocess.run([sys.executable, __file__, "--measure", *command],
                               check=True, capture_output=True, text=True)
        seconds, peak_kib = json.loads(probe.stdout.strip().splitlines()[-1])
        result = json.loads((out / "run.json").read_text())["result"]
    return {
        "documents": result["documents"],
        "sentences": result["sentences"],
        "seconds_wall": round(seconds, 2),
        "documents_per_second": round(result["documents"] / seconds),
        "sentences_per_second": round(result["sentences"] / seconds),
        "peak_rss_mb_largest_process": round(peak_kib / 1024),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000, help="small corpus size (then 10·N)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--engine", default="local", choices=["local", "dask"])
    parser.add_argument("--chunk-size", type=int, default=500)
    args = parser.parse_args()
    report = {"jobs": args.jobs, "engine": args.engine, "chunk_size": args.chunk_size}
    # Separate processes so the peak RSS of the small run does not mask the large one.
    for n in (args.n, 10 * args.n):
        probe = subprocess.run(
            [sys.executable, __file__, "--single", str(n), str(args.jobs), args.engine,
             str(args.chunk_size)], capture_output=True, text=True, check=True)
        report[f"N={n}"] = json.loads(probe.stdout)
    print(json.dumps(report, indent=2))
    return 0


def measure(command: list[str]) -> None:
    start = time.perf_counter()
    subprocess.run(command, check=True)
    seconds = time.perf_counter() - start
    print(json.dumps([seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--measure":
        measure(sys.argv[2:])
        sys.exit(0)
    if len(sys.argv) == 4 and sys.argv[1] == "--make":
        make_corpus(int(sys.argv[2]), Path(sys.argv[3]))
        sys.exit(0)
    if len(sys.argv) == 6 and sys.argv[1] == "--single":
        n, jobs, engine, chunk = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
        print(json.dumps(run(n, jobs, engine, chunk)))
        sys.exit(0)
    sys.exit(main())
