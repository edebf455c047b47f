"""Sentences → labelled table (pandas) → document profile.

``score_text`` and ``score_files`` return one row per sentence (headings are
left out, as they perform no act) with the columns in ``SENTENCE_COLUMNS``;
``profile`` summarises a scored document.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from framing.errors import InputError
from framing.labels import LABELS, NEUTRAL, PRIORITY
from framing.model import load_model, predict_proba
from framing.sentences import split_spans

PROBA_COLUMNS = tuple(f"p_{label}" for label in LABELS)
SENTENCE_COLUMNS = ("doc", "sentence", "start", "end", "text", "label", "confidence",
                    *PROBA_COLUMNS)


TABLE_COLUMNS = ("doc", "sentence", "start", "end", "text", "quoted", "attributed")
PROFILE_COLUMNS = ("doc", "n_sentences", *(f"n_{label}" for label in LABELS),
                   *(f"share_{label}" for label in LABELS), "dominant_act", "mean_confidence")


def sentence_rows(text: str, doc: str = "-") -> list[tuple]:
    """``(doc, sentence, start, end, text, quoted, attributed)`` for each
    non-heading sentence of *text*."""
    body = [span for span in split_spans(text) if not span[3]]
    return [(doc, i, s, e, text[s:e], q, a) for i, (s, e, _, _, q, a) in enumerate(body)]


def sentence_table(text: str, doc: str = "-") -> pd.DataFrame:
    """The non-heading sentences of *text* with splitter flags, unscored."""
    return table_from_rows(sentence_rows(text, doc))


def table_from_rows(rows: list[tuple]) -> pd.DataFrame:
    """Rows of ``TABLE_COLUMNS`` as a DataFrame, built column by column; text
    stays in Python strings (the features read them back as such: a round
    trip through Arrow strings cost more than the classifier)."""
    columns = list(zip(*rows, strict=True)) or [()] * len(TABLE_COLUMNS)
    kinds = {"doc": object, "text": object, "quoted": bool, "attributed": bool}
    return pd.DataFrame({name: np.array(values, dtype=kinds.get(name, np.int64))
                         for name, values in zip(TABLE_COLUMNS, columns, strict=True)})


def _as_pipeline(model) -> Pipeline:
    if model is None:
        return load_model()[0]
    if isinstance(model, tuple):
        return model[0]
    if isinstance(model, (str, Path)):
        return load_model(model)[0]
    return model


def score_table(table: pd.DataFrame, model=None, *, explain: bool = False,
                k: int = 5) -> pd.DataFrame:
    """Add label, confidence and probabilities to a sentence table
    (rows in document order, as ``sentence_table`` makes them); with
    *explain*, an ``evidence`` column of the *k* strongest features."""
    pipeline = _as_pipeline(model)
    out = table.copy()
    if out.empty:
        for column in ("label", "confidence", *PROBA_COLUMNS):
            out[column] = pd.Series(dtype="float64" if column != "label" else "object")
        return out
    proba = predict_proba(pipeline, out)
    out["label"] = proba.idxmax(axis=1).to_numpy()
    out["confidence"] = proba.max(axis=1).to_numpy()
    for label, column in zip(LABELS, PROBA_COLUMNS, strict=True):
        out[column] = proba[label].to_numpy()
    if explain:
        from framing.explain import evidence

        out["evidence"] = evidence(pipeline, out, labels=out["label"].tolist(), k=k)
    return out


def score_text(text: str, model=None, *, doc: str = "-", explain: bool = False
               ) -> pd.DataFrame:
    """Score every sentence of *text*; one row per sentence, ``SENTENCE_COLUMNS``.

    *model* is a pipeline, a ``(pipeline, card)`` pair, a path, or ``None``
    for the installed default model.
    """
    return score_texts([(doc, text)], model, explain=explain)


def score_texts(items: Iterable[tuple[str, str]], model=None, *, explain: bool = False
                ) -> pd.DataFrame:
    """Score many ``(doc, text)`` pairs in one pass (one table, one predict:
    much faster than document by document)."""
    table = table_from_rows([row for doc, text in items for row in sentence_rows(text, doc)])
    columns = [*SENTENCE_COLUMNS, "evidence"] if explain else list(SENTENCE_COLUMNS)
    return score_table(table, model, explain=explain)[columns]


def read_text(path: str | Path) -> str:
    """Read a UTF-8 document; raise ``InputError`` with the fix for anything else."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file; check the path")
    if path.is_dir():
        raise InputError(f"{path} is a folder; pass the .txt files in it, or use `framing batch`")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(
            f"{path}: cannot be read ({exc.strerror}); check its permissions") from None
    return decode_text(raw, str(path))


def decode_text(raw: bytes, name: str) -> str:
    """Decode a document's bytes, refusing binary, non-UTF-8 and empty input."""
    if b"\x00" in raw:
        raise InputError(f"{name} looks like a binary file, not text; pass a UTF-8 text file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name} is not valid UTF-8 (byte {exc.start}); convert it, "
            f"e.g. `iconv -f latin1 -t utf-8 {name}`"
        ) from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise InputError(f"{name} is empty or only whitespace; nothing to score")
    return text


def score_files(paths: Iterable[str | Path], model=None) -> pd.DataFrame:
    """Score several files into one table; ``doc`` is each file's path as given.

    Every file is read (and checked) before any is scored.
    """
    texts = [(str(p), read_text(p)) for p in paths]
    return score_texts(texts, model)


def profile(scored: pd.DataFrame) -> pd.DataFrame:
    """One row per document: n_sentences, count and share of each label,
    the dominant non-neutral act (ties broken by the codebook's priority
    order; empty when there is none) and the mean confidence."""
    if scored.empty:
        return pd.DataFrame(columns=list(PROFILE_COLUMNS))
    # Vectorised: a per-document pandas loop cost a quarter of batch scoring.
    doc_codes, docs = pd.factorize(scored["doc"], sort=False)
    label_codes = pd.Categorical(scored["label"], categories=list(LABELS)).codes
    counts = np.zeros((len(docs), len(LABELS)), dtype=np.int64)
    np.add.at(counts, (doc_codes, label_codes), 1)
    sizes = counts.sum(axis=1)
    table = pd.DataFrame({"doc": docs, "n_sentences": sizes})
    for j, label in enumerate(LABELS):
        table[f"n_{label}"] = counts[:, j]
    for j, label in enumerate(LABELS):
        table[f"share_{label}"] = counts[:, j] / sizes
    order = [LABELS.index(a) for a in PRIORITY if a != NEUTRAL]
    acts = counts[:, order]
    best = acts.argmax(axis=1)  # first maximum = highest priority among ties
    table["dominant_act"] = np.where(acts.max(axis=1) > 0,
                                     np.array([LABELS[i] for i in order])[best], "")
    confidence = np.bincount(doc_codes, weights=scored["confidence"].to_numpy(float))
    table["mean_confidence"] = confidence / sizes
    return table[list(PROFILE_COLUMNS)]
