"""Build the written corpus from annotated sources (maintainers' tool).

    python corpus/build.py            # corpus/src/**/*.ann → corpus/written/, labels/written.csv

Each ``.ann`` file (format: corpus/src/FORMAT.md) holds one document with a
label per sentence.  The document text is assembled from it, split with
framing's own splitter, and every splitter sentence takes the label of the
annotated sentence it overlaps most, so ``labels/written.csv`` always
matches what ``framing score`` will see.  Sentences where the splitter and
the writer disagree are listed.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from framing.labels import LABELS  # noqa: E402
from framing.sentences import split_sentences  # noqa: E402

# Phrases from the real seeds that the second writing round was shown as
# examples of register.  Documents using them are flagged (seed_phrases=true)
# and left out of the written→real transfer test, which they would flatter.
SEED_PHRASES = ("set the record straight", "raises critical questions", "rationale behind",
                "yet sadly", "it is pertinent to")

CODES = {"A": "accusation", "D": "defence", "P": "policy_recommendation",
         "N": "neutral_reporting", "H": None}
GENRES = {"news_report", "editorial", "op_ed", "analysis", "government_statement",
          "press_briefing"}


def parse(path: Path):
    head, sep, body = path.read_text(encoding="utf-8").partition("\n---\n")
    if not sep:
        raise ValueError(f"{path}: no '---' line after the header")
    meta = dict(line.split(": ", 1) for line in head.splitlines() if line.strip())
    if meta.get("genre") not in GENRES:
        raise ValueError(f"{path}: genre {meta.get('genre')!r} not one of {sorted(GENRES)}")
    paragraphs, current = [], []
    for n, line in enumerate(body.splitlines(), start=1):
        if not line.strip():
            if current:
                paragraphs.append(current)
                current = []
            continue
        code, _, rest = line.partition("\t")
        text, _, note = rest.partition("\t")
        if code not in CODES or not text.strip():
            raise ValueError(f"{path}: body line {n}: expected CODE<TAB>sentence")
        if code == "H":
            if current:
                paragraphs.append(current)
            paragraphs.append([(None, text.strip(), "")])
            current = []
        else:
            current.append((CODES[code], text.strip(), note.strip().removeprefix("note:").strip()))
    if current:
        paragraphs.append(current)
    return meta, paragraphs


def assemble(paragraphs):
    """Document text and the annotated spans (start, end, label, note)."""
    text, spans = "", []
    for p, para in enumerate(paragraphs):
        if p:
            text += "\n"
        for i, (label, sentence, note) in enumerate(para):
            if i:
                text += " "
            spans.append((len(text), len(text) + len(sentence), label, note))
            text += sentence
    return text + "\n", spans


def align(doc_id, text, spans, problems):
    rows = []
    for s in (s for s in split_sentences(text) if not s.heading):
        overlaps = [(min(s.end, e) - max(s.start, b), label, note, b, e)
                    for b, e, label, note in spans if min(s.end, e) > max(s.start, b)]
        overlaps.sort(reverse=True)
        best = overlaps[0]
        if best[1] is None:
            problems.append(f"{doc_id}: heading line read as a sentence: {s.text[:60]!r}")
            continue
        if len(overlaps) > 1 or (best[3], best[4]) != (s.start, s.end):
            labels = {o[1] for o in overlaps}
            problems.append(f"{doc_id}: splitter cut differs ({len(overlaps)} written sentences,"
                            f" labels {sorted(map(str, labels))}): {s.text[:70]!r}")
        rows.append({"document": doc_id, "sentence": len(rows), "start": s.start, "end": s.end,
                     "text": s.text, "label": best[1], "note": best[2]})
    return rows


def main() -> int:
    sources = sorted((ROOT / "corpus" / "src").rglob("*.ann"))
    out_dir = ROOT / "corpus" / "written"
    out_dir.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    documents, labels, seen = [], [], set()
    for path in sources:
        meta, paragraphs = parse(path)
        doc_id = meta["id"]
        if doc_id in seen:
            raise ValueError(f"{path}: duplicate id {doc_id}")
        seen.add(doc_id)
        text, spans = assemble(paragraphs)
        (out_dir / f"{doc_id}.txt").write_text(text, encoding="utf-8")
        rows = align(doc_id, text, spans, problems)
        assert all(r["label"] in LABELS for r in rows)
        labels.extend(rows)
        lowered = text.lower()
        documents.append({"id": doc_id, "genre": meta["genre"], "topic": meta["topic"],
                          "region": meta.get("region", ""), "written": "true",
                          "title": meta.get("title", ""),
                          "seed_phrases": str(any(p in lowered for p in SEED_PHRASES)).lower()})
    for stale in out_dir.glob("*.txt"):
        if stale.stem not in seen:
            stale.unlink()
    with open(out_dir / "documents.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(documents[0]))
        writer.writeheader()
        writer.writerows(documents)
    with open(ROOT / "labels" / "written.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(labels[0]))
        writer.writeheader()
        writer.writerows(labels)
    for line in problems:
        print(line, file=sys.stderr)
    print(f"{len(documents)} documents, {len(labels)} labelled sentences, "
          f"{len(problems)} alignment notes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
