"""``framing suggest``: the sentences worth labelling next (active learning).

Candidates are ranked by the model's margin (top probability minus the
runner-up: small means unsure), then picked round-robin over the model's
guessed labels so that rare acts are not crowded out, at most
``per_document`` from one document, never a near-duplicate of a sentence
already picked or already labelled (Jaccard similarity of word trigrams
≥ ``near_duplicate``).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from framing.errors import InputError
from framing.labels import LABELS
from framing.scoring import PROBA_COLUMNS, read_text, score_texts

SUGGEST_COLUMNS = ("document", "sentence", "start", "end", "text", "prev", "next", "guess",
                   "confidence", "margin", "label", "note", "source")
_WORD = re.compile(r"\w+")


def shingles(text: str) -> frozenset[str]:
    words = _WORD.findall(text.lower())
    if len(words) < 3:
        return frozenset([" ".join(words)])
    return frozenset(" ".join(words[i:i + 3]) for i in range(len(words) - 2))


class NearDuplicates:
    """Jaccard similarity of word trigrams against a growing set of sentences."""

    def __init__(self, threshold: float):
        self.threshold = threshold
        self.sets: list[frozenset[str]] = []
        self.index: dict[str, list[int]] = defaultdict(list)

    def add(self, text: str) -> None:
        s = shingles(text)
        for g in s:
            self.index[g].append(len(self.sets))
        self.sets.append(s)

    def seen(self, text: str) -> bool:
        s = shingles(text)
        shared = Counter(i for g in s for i in self.index.get(g, ()))
        return any(n / len(s | self.sets[i]) >= self.threshold for i, n in shared.items())


def _batch_folder(out: Path) -> Path:
    """The folder `framing batch` ran in (its run.json says; else the current one)."""
    import json

    try:
        return Path(json.loads((out / "run.json").read_text(encoding="utf-8"))["cwd"])
    except (OSError, ValueError, KeyError, TypeError):
        return Path.cwd()


def candidates(sources: Sequence[str | Path], model=None) -> pd.DataFrame:
    """Scored sentences with prev/next context from batch outputs or text files."""
    frames = []
    texts = []
    for source in map(Path, sources):
        if source.is_dir() and (source / "run.json").exists():
            from framing.summary import require_output

            source = require_output(source, "sentences.parquet")
        elif source.is_dir() and (source / "sentences.parquet").exists():
            source = source / "sentences.parquet"
        if source.suffix == ".parquet":
            import pyarrow.parquet as pq

            columns = ["id", "sentence", "start", "end", "text", *PROBA_COLUMNS]
            # A batch over .txt files kept each document's path: labels made
            # from these sentences then train with their article around them.
            has_path = "path" in pq.read_schema(source).names
            frame = pd.read_parquet(source, columns=columns + ["path"] * has_path)
            frame = frame.rename(columns={"id": "document"})
            if has_path:
                # Relative paths are relative to the folder the batch ran in.
                base = _batch_folder(source.parent)
                frame["source"] = [str((base / p).resolve()) if p else ""
                                   for p in frame.pop("path")]
            else:
                frame["source"] = ""
            frames.append(frame)
        elif source.is_dir():
            texts.extend(sorted(source.rglob("*.txt")))
        elif source.suffix.lower() == ".txt":
            texts.append(source)
        else:
            raise InputError(f"{source}: suggest reads .txt files and `framing batch` outputs; "
                             f"score this corpus first: framing batch {source} -o out/ "
                             "(then framing suggest out/)")
    if texts:
        scored = score_texts([(p.stem, read_text(p)) for p in texts], model)
        paths = {p.stem: str(p) for p in texts}
        frames.append(scored.rename(columns={"doc": "document"}).assign(
            source=lambda d: d["document"].map(paths)))
    if not frames:
        raise InputError("nothing to suggest from: pass a batch output folder, "
                         "sentences.parquet or .txt files")
    table = pd.concat(frames, ignore_index=True)
    table = table.sort_values(["document", "sentence"], kind="stable").reset_index(drop=True)
    same_prev = table["document"].eq(table["document"].shift(1))
    same_next = table["document"].eq(table["document"].shift(-1))
    table["prev"] = table["text"].shift(1).where(same_prev, "")
    table["next"] = table["text"].shift(-1).where(same_next, "")
    proba = np.sort(table[list(PROBA_COLUMNS)].to_numpy(), axis=1)
    table["margin"] = proba[:, -1] - proba[:, -2]
    table["confidence"] = proba[:, -1]
    table["guess"] = np.array(LABELS)[table[list(PROBA_COLUMNS)].to_numpy().argmax(axis=1)]
    return table


def suggest(sources: Sequence[str | Path], n: int = 100, *, model=None,
            labelled: Iterable[str] = (), per_document: int = 3,
            near_duplicate: float = 0.7) -> pd.DataFrame:
    """The *n* sentences most worth labelling, as a to-do label file."""
    table = candidates(sources, model)
    seen = NearDuplicates(near_duplicate)
    for text in labelled:
        seen.add(text)
    queues = {label: group.sort_values("margin", kind="stable").itertuples(index=False)
              for label, group in table.groupby("guess")}
    per_doc: Counter[str] = Counter()
    picked = []
    while len(picked) < n and queues:
        for label in list(queues):
            row = next(queues[label], None)
            while row is not None and (per_doc[row.document] >= per_document
                                       or seen.seen(row.text)):
                row = next(queues[label], None)
            if row is None:
                del queues[label]
                continue
            picked.append(row)
            per_doc[row.document] += 1
            seen.add(row.text)
            if len(picked) >= n:
                break
    out = pd.DataFrame(picked, columns=table.columns) if picked else table.head(0)
    out = out.assign(label="", note="")
    return out.sort_values("margin", kind="stable")[list(SUGGEST_COLUMNS)].reset_index(drop=True)
