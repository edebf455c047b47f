"""Start-up: wall-clock time of short commands, as a user runs them.

    python bench/startup.py               # median of 10 runs of each command
    python bench/startup.py --runs 20 --json

Runs the ``framing`` console script next to this Python (the one ``pip
install`` made) in fresh processes: ``framing --version``, ``framing
--help`` and ``framing score`` on a seed article (stdout discarded), plus a
bare ``python -c pass`` as the floor.  One warm-up run of each comes first,
so the figures are for a warm disk cache, as on a second use.  Targets
(issue 13): score < 0.5 s, --help and --version < 0.25 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_311a02848bb16e5f.txt"
TARGETS = {"framing --version": 0.25, "framing --help": 0.25, "framing score <seed>": 0.5}


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    script = Path(sys.executable).with_name("framing")
    if not script.exists():
        found = shutil.which("framing")
        if found is None:
            print("bench/startup.py: no `framing` command; pip install . first", file=sys.stderr)
            return 1
        script = Path(found)
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "framing --version": [str(script), "--version"],
        "framing --help": [str(script), "--help"],
        "framing score <seed>": [str(script), "score", str(SEED)],
    }
    results = {}
    for name, command in commands.items():
        timed(command)  # warm-up
        times = [timed(command) for _ in range(args.runs)]
        results[name] = {"median_s": round(statistics.median(times), 3),
                         "min_s": round(min(times), 3), "max_s": round(max(times), 3),
                         "target_s": TARGETS.get(name)}
    report = {"runs": args.runs, "machine": f"{platform.machine()}, {os.cpu_count()} cores",
              "python": platform.python_version(), "results": results}
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"{args.runs} runs each; {report['machine']}; Python {report['python']}")
    print(f"{'command':<22} {'median':>7} {'min':>6} {'max':>6}  target")
    for name, r in results.items():
        target = f"< {r['target_s']} s" if r["target_s"] else ""
        mark = "" if not r["target_s"] else ("  met" if r["median_s"] < r["target_s"]
                                             else "  MISSED")
        print(f"{name:<22} {r['median_s']:>6.3f}s {r['min_s']:>5.3f}s {r['max_s']:>5.3f}s  "
              f"{target}{mark}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
