"""Assemble the real-text yardstick (maintainers' tool).

    python realtext/build.py

* ``realtext/incoming/*.csv`` (collectors' rows) → ``realtext/manifest.csv``
  with the sha256 and length of each cleaned text in ``realtext/texts/``;
* annotators' unit labels (``doc_id,n,label,note`` against the numbered task
  units of ``realtext/tasks/spans*.csv``) → ``labels/real/annotator_*.csv``
  by offsets with a sentence hash, no text;
* Cohen's kappa between the two annotators, overall and per genre;
* ``labels/real/adjudicated.csv``: agreed labels, and for disagreements the
  adjudicator's decision from ``labels/real/adjudication.csv`` when present.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from framing.realtext import LABEL_COLUMNS, scrub_note, sentence_hash, sha256  # noqa: E402

REAL = ROOT / "realtext"
TEXTS = REAL / "texts"
LABELS = ROOT / "labels" / "real"
RAW = Path(sys.argv[1]) if len(sys.argv) > 1 else REAL / "tasks"


def manifest() -> pd.DataFrame:
    rows = []
    for path in sorted((REAL / "incoming").glob("*.csv")):
        rows += list(csv.DictReader(path.open(encoding="utf-8")))
    frame = pd.DataFrame(rows).drop_duplicates("doc_id")
    texts = {d: (TEXTS / f"{d}.txt").read_text(encoding="utf-8") for d in frame["doc_id"]}
    frame["sha256"] = frame["doc_id"].map(lambda d: sha256(texts[d]))
    frame["chars"] = frame["doc_id"].map(lambda d: len(texts[d]))
    frame.sort_values("doc_id").to_csv(REAL / "manifest.csv", index=False)
    return frame


def by_offsets(annotator: str, spans: pd.DataFrame) -> pd.DataFrame:
    parts = [pd.read_csv(p, dtype=str, keep_default_na=False)
             for p in sorted(RAW.glob(f"annotator_{annotator}_*.csv"))]
    units = pd.concat(parts, ignore_index=True)
    units["n"] = units["n"].astype(int)
    merged = spans.merge(units, on=["doc_id", "n"], how="left", validate="one_to_one")
    lost = merged["label"].isna().sum()
    if lost:
        print(f"annotator {annotator}: {lost} units without a label")
    texts = {d: (TEXTS / f"{d}.txt").read_text(encoding="utf-8") for d in merged["doc_id"].unique()}
    merged["sentence_sha256"] = [sentence_hash(texts[r.doc_id][r.start:r.end])
                                 for r in merged.itertuples()]
    merged["note"] = merged["note"].fillna("").map(scrub_note)
    out = merged[list(LABEL_COLUMNS)].fillna({"label": "missing"})
    out.to_csv(LABELS / f"annotator_{annotator}.csv", index=False)
    return out


def kappa(a: pd.Series, b: pd.Series) -> float:
    from sklearn.metrics import cohen_kappa_score

    return float(cohen_kappa_score(a, b))


def main() -> None:
    meta = manifest()
    spans = pd.concat([pd.read_csv(p) for p in sorted((REAL / "tasks").glob("spans_*.csv"))],
                      ignore_index=True)
    a, b = by_offsets("a", spans), by_offsets("b", spans)
    both = a.merge(b, on=["doc_id", "start", "end", "sentence_sha256"], suffixes=("_a", "_b"))
    both = both[(both["label_a"] != "missing") & (both["label_b"] != "missing")]
    both["genre"] = both["doc_id"].map(meta.set_index("doc_id")["genre"])
    report = {"units": len(both), "agreement": float((both["label_a"] == both["label_b"]).mean()),
              "kappa": kappa(both["label_a"], both["label_b"]), "by_genre": {}}
    for genre, rows in both.groupby("genre"):
        report["by_genre"][genre] = {"units": len(rows), "kappa": round(kappa(rows["label_a"],
                                                                              rows["label_b"]), 3)}
    (LABELS / "agreement.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    decided = {}
    adjudication = LABELS / "adjudication.csv"
    if adjudication.exists():
        for r in pd.read_csv(adjudication, dtype=str, keep_default_na=False).itertuples():
            decided[(r.doc_id, int(r.start), int(r.end))] = (r.label, scrub_note(r.note))
    gold, open_ = [], []
    for r in both.itertuples():
        key = (r.doc_id, r.start, r.end)
        if r.label_a == r.label_b:
            gold.append((*key, r.sentence_sha256, r.label_a, ""))
        elif key in decided:
            gold.append((*key, r.sentence_sha256, *decided[key]))
        else:
            open_.append((*key, r.sentence_sha256, r.label_a, r.label_b))
    pd.DataFrame(gold, columns=list(LABEL_COLUMNS)).to_csv(LABELS / "adjudicated.csv",
                                                           index=False)
    pd.DataFrame(open_, columns=["doc_id", "start", "end", "sentence_sha256", "label_a",
                                 "label_b"]).to_csv(REAL / "tasks" / "to_adjudicate.csv",
                                                    index=False)
    print(f"{len(gold)} gold units; {len(open_)} disagreements left to adjudicate")


if __name__ == "__main__":
    main()
