"""The real-text yardstick: published articles nobody here wrote, labelled
independently, used for evaluation only.

Third-party text is never committed.  The repository holds
``realtext/manifest.csv`` (URL, outlet, date, genre, dispute, cleaning steps
and the sha256 of each cleaned text) and ``labels/real/*.csv`` (labels by
character offsets with a hash of each sentence, no text).  The texts live in
the git-ignored ``realtext/texts/<doc_id>.txt``; ``verify_texts`` checks them
against the manifest.  Without them, ``evaluate_real`` says how to obtain
them instead of failing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from framing.errors import InputError
from framing.labels import LABELS

# Relative to the current folder, as ``labels/`` is for `framing train`: the
# yardstick lives in a clone of the repository, not in the installed package.
MANIFEST = Path("realtext") / "manifest.csv"
TEXTS = Path("realtext") / "texts"
GOLD = Path("labels") / "real" / "adjudicated.csv"
OVERLAP = Path("realtext") / "overlap.csv"
LABEL_COLUMNS = ("doc_id", "start", "end", "sentence_sha256", "label", "note")
UNITS = (*LABELS, "heading")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_QUOTED = re.compile(r'"[^"]*"|“[^”]*”|‘[^’]*’|(?<![A-Za-z])\'[^\']+\'(?![A-Za-z])')


def scrub_note(note: str) -> str:
    """An annotator's note without the words it quotes from the article:
    notes are committed, the article's text is not."""
    return _QUOTED.sub("[…]", note)


def sentence_hash(text: str) -> str:
    """Hash of a sentence with white space normalised (first 16 hex digits)."""
    return sha256(" ".join(text.split()))[:16]


def read_manifest(path: Path = MANIFEST) -> pd.DataFrame:
    if not path.exists():
        raise InputError(f"{path}: no real-text manifest here; run this in a clone of the "
                         "framing repository (it holds realtext/manifest.csv)")
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@dataclass
class TextStatus:
    present: list[str]
    missing: list[str]
    changed: list[str]


def verify_texts(manifest: pd.DataFrame | None = None, folder: Path = TEXTS) -> TextStatus:
    """Which manifest texts are present with the recorded hash."""
    manifest = read_manifest() if manifest is None else manifest
    status = TextStatus([], [], [])
    for row in manifest.itertuples():
        path = folder / f"{row.doc_id}.txt"
        if not path.exists():
            status.missing.append(row.doc_id)
        elif sha256(path.read_text(encoding="utf-8")) != row.sha256:
            status.changed.append(row.doc_id)
        else:
            status.present.append(row.doc_id)
    return status


def read_real_labels(path: Path = GOLD) -> pd.DataFrame:
    """A real-text label file, validated: known labels, offsets as integers."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = set(LABEL_COLUMNS[:5]) - set(frame.columns)
    if missing:
        raise InputError(f"{path}: missing columns {', '.join(sorted(missing))}")
    bad = frame[~frame["label"].isin(UNITS)]
    if len(bad):
        raise InputError(f"{path}:{bad.index[0] + 2}: label {bad['label'].iloc[0]!r}: "
                         f"expected one of {', '.join(UNITS)}")
    frame["start"] = frame["start"].astype(int)
    frame["end"] = frame["end"].astype(int)
    return frame


def check_spans(labels: pd.DataFrame, texts: dict[str, str]) -> list[str]:
    """Labelled spans whose sentence hash no longer matches the text."""
    problems = []
    for row in labels.itertuples():
        text = texts.get(row.doc_id)
        if text is not None and sentence_hash(text[row.start:row.end]) != row.sentence_sha256:
            problems.append(f"{row.doc_id}[{row.start}:{row.end}]: sentence hash differs")
    return problems


def load_texts(doc_ids, folder: Path = TEXTS) -> dict[str, str]:
    return {d: (folder / f"{d}.txt").read_text(encoding="utf-8") for d in doc_ids}


def align(predicted: pd.DataFrame, gold: pd.DataFrame) -> pd.DataFrame:
    """Each gold sentence (not heading) with the predicted sentence that
    overlaps it most (the splitter may cut differently from the annotation
    units); gold sentences the system did not score get label ``missing``."""
    rows = []
    by_doc = {doc: group for doc, group in predicted.groupby("doc", sort=False)}
    for g in gold[gold["label"] != "heading"].itertuples():
        best, overlap = None, 0
        group = by_doc.get(g.doc_id)
        if group is not None:
            for p in group.itertuples():
                size = min(p.end, g.end) - max(p.start, g.start)
                if size > overlap:
                    best, overlap = p, size
        rows.append({"doc_id": g.doc_id, "start": g.start, "end": g.end, "gold": g.label,
                     "predicted": best.label if best is not None else "missing",
                     "confidence": getattr(best, "confidence", float("nan"))
                     if best is not None else float("nan")})
    return pd.DataFrame(rows)


def real_predictions(model, *, gold_path: Path = GOLD, manifest: pd.DataFrame | None = None,
                     folder: Path = TEXTS, doc_ids=None) -> pd.DataFrame:
    """Each gold sentence of the yardstick (or of *doc_ids*) with *model*'s
    label and confidence: ``doc_id, start, end, gold, predicted, confidence,
    genre``.  Raises ``InputError`` saying how to get the texts when absent."""
    from framing.scoring import score_documents

    manifest = read_manifest() if manifest is None else manifest
    status = verify_texts(manifest, folder)
    if not status.present:
        raise InputError(
            f"the real-text articles are not in {folder} (third-party text is not committed); "
            f"fetch each URL in {MANIFEST}, clean it as its 'cleaning' "
            "column says, save it as realtext/texts/<doc_id>.txt and check it with "
            "`python realtext/verify.py`")
    present = [d for d in status.present if doc_ids is None or d in set(doc_ids)]
    gold = read_real_labels(gold_path)
    gold = gold[gold["doc_id"].isin(present)]
    texts = load_texts(present, folder)
    problems = check_spans(gold, texts)
    if problems:
        raise InputError(f"{gold_path}: {problems[0]} (and {len(problems) - 1} more); "
                         "the text differs from the labelled one")
    scored = score_documents(list(texts.items()), model).sentences
    pairs = align(scored[scored["kind"] == "sentence"], gold)
    pairs["genre"] = pairs["doc_id"].map(manifest.set_index("doc_id")["genre"])
    pairs.attrs["missing_texts"] = len(status.missing) + len(status.changed)
    return pairs


def real_metrics(pairs: pd.DataFrame, *, rounds: int = 1000, seed: int = 0) -> dict:
    """Macro-F1, per-label figures, per-genre macro-F1 and a 90 % bootstrap
    interval (documents resampled with replacement) for aligned predictions."""
    import numpy as np

    from framing.evaluation import metrics

    result = {"documents": int(pairs["doc_id"].nunique()), "sentences": len(pairs),
              "missing_texts": pairs.attrs.get("missing_texts", 0),
              "not_scored": int((pairs["predicted"] == "missing").sum()),
              "mean_confidence": float(pairs["confidence"].mean()),
              **metrics(pairs["gold"], pairs["predicted"]),
              "by_genre": {}, "sentences_by_genre": {}}
    for genre, rows in pairs.groupby("genre"):
        result["by_genre"][genre] = metrics(rows["gold"], rows["predicted"])["macro_f1"]
        result["sentences_by_genre"][genre] = len(rows)
    if rounds:
        groups = [rows for _, rows in pairs.groupby("doc_id")]
        rng = np.random.default_rng(seed)
        scores = []
        for _ in range(rounds):
            sample = pd.concat([groups[i] for i in rng.integers(0, len(groups), len(groups))])
            scores.append(metrics(sample["gold"], sample["predicted"])["macro_f1"])
        low, high = np.percentile(scores, [5, 95])
        result["macro_f1_90"] = [float(low), float(high)]
    return result


def evaluate_real(model=None, *, gold_path: Path = GOLD, manifest: pd.DataFrame | None = None,
                  folder: Path = TEXTS, rounds: int = 1000) -> dict:
    """Metrics of *model* on the real-text yardstick (``real_metrics``).
    Raises ``InputError`` saying how to get the texts when they are absent."""
    pairs = real_predictions(model, gold_path=gold_path, manifest=manifest, folder=folder)
    return real_metrics(pairs, rounds=rounds)


def read_overlap(path: Path = OVERLAP) -> dict[str, set[str]]:
    """Yardstick dispute → training topics (or seed documents) on the same
    dispute: to hold the dispute out, a model is trained without them."""
    if not path.exists():
        return {}
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    out: dict[str, set[str]] = {}
    for row in frame.itertuples():
        out.setdefault(row.dispute, set()).add(row.training_topic)
    return out


def held_out_by_dispute(table: pd.DataFrame, pipeline, fit, *, manifest=None,
                        overlap: dict[str, set[str]] | None = None, **kw) -> pd.DataFrame:
    """Real-text predictions held out by dispute: articles on a dispute the
    training data also covers (``realtext/overlap.csv``) are scored by a model
    trained without those topics; the rest by *pipeline*.  *fit* trains a
    model on a training table."""
    manifest = read_manifest() if manifest is None else manifest
    overlap = read_overlap() if overlap is None else overlap
    by_topics: dict[frozenset, list[str]] = {}
    for row in manifest.itertuples():
        topics = frozenset(overlap.get(row.dispute, ()))
        by_topics.setdefault(topics, []).append(row.doc_id)
    parts = []
    for topics, doc_ids in by_topics.items():
        model = pipeline
        if topics:
            keep = ~(table["topic"].isin(topics) | table["document"].isin(topics))
            model = fit(table[keep])
        parts.append(real_predictions(model, manifest=manifest, doc_ids=doc_ids, **kw))
    pairs = pd.concat(parts, ignore_index=True)
    pairs.attrs["missing_texts"] = parts[0].attrs.get("missing_texts", 0)
    return pairs
