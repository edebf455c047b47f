"""Input → sentences → labelled table (pandas) → document profile.

Every text goes through ``framing.intake`` (HTML, wrapped lines, BOM/CR)
and the splitter.  ``score_text`` and ``score_files`` return one row per
sentence with the columns in ``SENTENCE_COLUMNS`` (headings perform no act
and are left out); ``score_documents``, what ``framing score`` prints, keeps
headings as rows of kind ``heading``, lists documents with no sentence and
flags languages other than English.  ``profile`` summarises scored documents.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from framing.errors import InputError
from framing.ids import DistinctIds
from framing.intake import detect_language, is_plain, prepare
from framing.labels import LABELS, NEUTRAL, PRIORITY
from framing.linear import LinearModel
from framing.sentences import split_spans

log = logging.getLogger(__name__)

PROBA_COLUMNS = tuple(f"p_{label}" for label in LABELS)
SENTENCE_COLUMNS = ("doc", "sentence", "start", "end", "text", "label", "confidence",
                    *PROBA_COLUMNS)


TABLE_COLUMNS = ("doc", "sentence", "start", "end", "text", "quoted", "attributed")
PROFILE_COLUMNS = ("doc", "n_sentences", *(f"n_{label}" for label in LABELS),
                   *(f"share_{label}" for label in LABELS), "dominant_act", "mean_confidence")


def split_document(text: str, doc: str = "-", *, unwrap: bool | None = None
                   ) -> tuple[list[tuple], list[tuple]]:
    """The sentences of *text* as ``(doc, sentence, start, end, text, quoted,
    attributed)`` rows and its headings as ``(doc, start, end, text)`` rows.

    *text* goes through ``framing.intake`` first (HTML, wrapped lines, BOM,
    CR): ``start``/``end`` point into *text* as given."""
    # (Fast paths and list comprehensions: this runs for every document of a batch.)
    if is_plain(text, unwrap=unwrap):
        prepared = None
        spans = split_spans(text)
    else:
        prepared = prepare(text, unwrap=unwrap)
        spans = split_spans(prepared.text, headings=prepared.headings, items=prepared.items)
    if prepared is None or prepared.starts is None:
        body = [span for span in spans if not span[3]]
        sentences = [(doc, i, s, e, text[s:e], q, a)
                     for i, (s, e, _, _, q, a) in enumerate(body)]
        if len(body) == len(spans):
            return sentences, []
        return sentences, [(doc, s, e, text[s:e]) for s, e, _, h, _, _ in spans if h]
    # HTML: offsets into the markup, clean text.
    rows = [(*prepared.span(s, e), h, q, a, prepared.sentence_text(s, e))
            for s, e, _, h, q, a in spans]
    body = [row for row in rows if not row[2]]
    sentences = [(doc, i, s, e, piece, q, a) for i, (s, e, _, q, a, piece) in enumerate(body)]
    headings = [(doc, s, e, piece) for s, e, h, _, _, piece in rows if h]
    return sentences, headings


def sentence_rows(text: str, doc: str = "-", *, unwrap: bool | None = None) -> list[tuple]:
    """``(doc, sentence, start, end, text, quoted, attributed)`` for each
    non-heading sentence of *text*."""
    return split_document(text, doc, unwrap=unwrap)[0]


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


_DEFAULT: dict[tuple, LinearModel] = {}
_FROM_PIPELINE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def as_linear(model) -> LinearModel:
    """The model scoring reads (``framing.linear.LinearModel``) from what a
    caller gives: ``None`` (the default model), a path, a ``(model, card)``
    pair, a fitted pipeline or a ``LinearModel``."""
    if model is None:
        # The default model (framing.registry's rule), read once per process
        # and file version: score_text in a loop stays fast, a retrained
        # model is picked up.
        from framing.model import load_linear
        from framing.registry import current_model_path

        path = current_model_path()
        key = (str(path), path.stat().st_mtime_ns if path.exists() else 0)
        if key not in _DEFAULT:
            _DEFAULT.clear()
            _DEFAULT[key] = load_linear(path)[0]
        return _DEFAULT[key]
    if isinstance(model, tuple):
        model = model[0]
    if isinstance(model, LinearModel):
        return model
    if isinstance(model, (str, Path)):
        from framing.model import load_linear

        return load_linear(model)[0]
    # A pipeline: its arrays, kept while it lives (and remade if it is refitted).
    weights = getattr(model.named_steps["classifier"], "coef_", None) \
        if hasattr(model, "named_steps") else None
    cached = _FROM_PIPELINE.get(model)
    if cached is None or cached[0] is not weights:
        cached = (weights, LinearModel.from_pipeline(model))
        _FROM_PIPELINE[model] = cached
    return cached[1]


def score_table(table: pd.DataFrame, model=None, *, explain: bool = False,
                k: int = 5) -> pd.DataFrame:
    """Add label, confidence and probabilities to a sentence table
    (rows in document order, as ``sentence_table`` makes them); with
    *explain*, an ``evidence`` column of the *k* strongest features."""
    linear = as_linear(model)
    out = table.copy()
    if out.empty:
        for column in ("label", "confidence", *PROBA_COLUMNS):
            out[column] = pd.Series(dtype="float64" if column != "label" else "object")
        if explain:
            out["evidence"] = pd.Series(dtype="object")
        return out
    docs = out["doc"].to_numpy()
    features = linear.features(docs, out["text"].tolist(), out["quoted"].to_numpy(),
                               out["attributed"].to_numpy())
    proba = linear.probabilities(features, docs)
    full = np.zeros((len(out), len(LABELS)))  # (a label the model never saw: 0)
    for j, label in enumerate(linear.classes):
        full[:, LABELS.index(label)] = proba[:, j]
    best = full.argmax(axis=1)
    out["label"] = np.array(LABELS, dtype=object)[best]
    out["confidence"] = full[np.arange(len(out)), best]
    for j, column in enumerate(PROBA_COLUMNS):
        out[column] = full[:, j]
    if explain:
        from framing.explain import evidence

        out["evidence"] = evidence(linear, out, labels=out["label"].tolist(), k=k,
                                   features=features)
    return out


def score_text(text: str, model=None, *, doc: str = "-", explain: bool = False
               ) -> pd.DataFrame:
    """Score every sentence of *text*; one row per sentence, ``SENTENCE_COLUMNS``.

    *model* is a pipeline, a ``(pipeline, card)`` pair, a path, a
    ``framing.linear.LinearModel``, or ``None`` for the default model.
    """
    return score_texts([(doc, text)], model, explain=explain)


def score_texts(items: Iterable[tuple[str, str]], model=None, *, explain: bool = False
                ) -> pd.DataFrame:
    """Score many ``(doc, text)`` pairs in one pass (one table, one predict:
    much faster than document by document)."""
    items = [(doc, _checked_text(text)) for doc, text in items]
    table = table_from_rows([row for doc, text in items for row in sentence_rows(text, doc)])
    columns = [*SENTENCE_COLUMNS, "evidence"] if explain else list(SENTENCE_COLUMNS)
    return score_table(table, model, explain=explain)[columns]


def _checked_text(text) -> str:
    if isinstance(text, str):
        return text
    if isinstance(text, (bytes, bytearray)):
        raise InputError("text is bytes; decode it first, e.g. data.decode('utf-8')")
    raise InputError(f"text must be a string, not {type(text).__name__}")


DOCUMENT_COLUMNS = (*PROFILE_COLUMNS, "n_headings", "language", "note")


@dataclass
class Scored:
    """``score_documents``' result: ``sentences`` (one row per sentence and,
    with ``kind == "heading"`` and no label, per heading, in document order),
    ``documents`` (the profile of every document given, including those with
    no sentence, with ``n_headings``, ``language`` and a ``note`` saying why
    a document has no sentence or may be misread) and ``warnings``."""

    sentences: pd.DataFrame
    documents: pd.DataFrame
    warnings: list[str] = field(default_factory=list)


def distinct_ids(names: Iterable[str]) -> tuple[list[str], list[str]]:
    """Names made distinct (the second "a.txt" becomes "a.txt#2"), and a
    warning for each renamed one."""
    ids = DistinctIds()
    out, warnings = [], []
    for name in map(str, names):
        out.append(ids.take(name))
        if out[-1] != name:
            warnings.append(f"{name} given more than once; its copy is scored as {out[-1]}")
    return out, warnings


def score_documents(items: Iterable[tuple[str, str]], model=None, *, explain: bool = False,
                    unwrap: bool | None = None) -> Scored:
    """Score ``(name, text)`` pairs as distinct documents, keeping headings,
    documents without sentences and non-English documents visible (see
    ``Scored``).  What ``framing score`` prints."""
    items = [(name, _checked_text(text)) for name, text in items]
    names, warnings = distinct_ids(name for name, _ in items)
    rows, heads, info = [], [], []
    for doc, (_, text) in zip(names, items, strict=True):
        sentences, headings = split_document(text, doc, unwrap=unwrap)
        rows.extend(sentences)
        heads.extend(headings)
        language = detect_language(text)
        note = ""
        if not sentences:
            note = ("no sentences found: only headings (lines without final punctuation)"
                    if headings else "no sentences found")
        if language != "en":
            note = "; ".join(filter(None, [note, f"language '{language}': the model reads "
                                                  "English, so these labels mean little"]))
            warnings.append(f"{doc}: looks like language '{language}', not English; "
                            "labels of non-English text mean little")
        elif not sentences:
            warnings.append(f"{doc}: {note}")
        info.append((doc, len(headings), language, note))
    scored = score_table(table_from_rows(rows), model, explain=explain)
    scored = scored[[*SENTENCE_COLUMNS, "evidence"] if explain else list(SENTENCE_COLUMNS)]
    scored.insert(2, "kind", "sentence")
    if heads:
        headings = pd.DataFrame(heads, columns=["doc", "start", "end", "text"])
        headings.insert(1, "sentence", -1)
        headings.insert(2, "kind", "heading")
        order = {doc: i for i, doc in enumerate(names)}
        scored = pd.concat([scored, headings], ignore_index=True)
        scored["_doc"] = scored["doc"].map(order)
        scored = scored.sort_values(["_doc", "start"], kind="stable").drop(columns="_doc")
        scored = scored.reset_index(drop=True)
        scored["sentence"] = scored["sentence"].astype("int64")
    documents = profile(scored[scored["kind"] == "sentence"])
    extra = pd.DataFrame(info, columns=["doc", "n_headings", "language", "note"])
    documents = extra[["doc"]].merge(documents, on="doc", how="left").merge(extra, on="doc")
    counts = [c for c in documents.columns if c.startswith(("n_", "share_"))]
    documents[counts] = documents[counts].fillna(0)
    for column in documents.columns:
        if column.startswith("n_"):
            documents[column] = documents[column].astype("int64")
    documents["dominant_act"] = documents["dominant_act"].fillna("")
    return Scored(scored, documents[list(DOCUMENT_COLUMNS)], warnings)


def flat_rows(sentences: pd.DataFrame, documents: pd.DataFrame | None) -> pd.DataFrame:
    """The rows of a flat format (CSV, JSONL): *sentences*, and when a
    document has a note (no sentence, another language), a ``note`` column
    carrying it on each of the document's rows, with one row of kind
    ``empty`` for a document that has no row at all, so no document given
    goes missing."""
    if documents is None or "note" not in documents.columns \
            or not documents["note"].astype(bool).any():
        return sentences
    notes = dict(zip(documents["doc"], documents["note"], strict=True))
    present = set(sentences["doc"])
    absent = [d for d in documents["doc"] if d not in present]
    rows = sentences.assign(note=sentences["doc"].map(notes).fillna(""))
    if not absent:
        return rows
    empty = pd.DataFrame({"doc": absent, "sentence": -1, "kind": "empty", "start": 0, "end": 0,
                          "text": "", "note": [notes[d] for d in absent]})
    order = {doc: i for i, doc in enumerate(documents["doc"])}
    rows = pd.concat([rows, empty], ignore_index=True)
    rows = rows.iloc[rows["doc"].map(order).argsort(kind="stable")].reset_index(drop=True)
    return rows


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
    # What `iconv` reads: the file, or standard input ("-") through a pipe.
    source = "FILE" if name == "standard input" else name
    wide = ("utf-32" if raw[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff") else
            "utf-16" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else None)
    if wide:
        raise InputError(f"{name} is {wide.upper()} text; convert it to UTF-8, e.g. "
                         f"`iconv -f {wide} -t utf-8 {source} > converted.txt`")
    if b"\x00" in raw:
        raise InputError(f"{name} looks like a binary file, not text; pass a UTF-8 text file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name} is not valid UTF-8 (byte {exc.start}); convert it, "
            f"e.g. `iconv -f latin1 -t utf-8 {source} > converted.txt`"
        ) from None
    # The documented reading, open(path, encoding="utf-8").read(): a BOM
    # stays (as U+FEFF, so offsets count it), line ends become "\n".
    text = text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text
    if not text.replace("\ufeff", "").strip():
        raise InputError(f"{name} is empty or only whitespace; nothing to score")
    return text


def score_files(paths: Iterable[str | Path], model=None) -> pd.DataFrame:
    """Score several files into one table; ``doc`` is each file's path as given
    (a path given twice is scored twice, the second time as "path#2").

    Every file is read (and checked) before any is scored.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]  # one file, not the characters of its name
    paths = list(paths)
    names, warnings = distinct_ids(str(p) for p in paths)
    for warning in warnings:
        log.warning("%s", warning)
    texts = [(name, read_text(p)) for name, p in zip(names, paths, strict=True)]
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


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain JSON-ready dicts, floats rounded to 6 places; a missing
    value (a heading's label and probabilities) is null."""
    def plain(v):
        if isinstance(v, float):
            return None if v != v else round(v, 6)
        return v.item() if hasattr(v, "item") else v

    return [{k: plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def documents_json(scored: pd.DataFrame, profiles: pd.DataFrame) -> dict:
    """``{"documents": [{"doc", "profile", "sentences"}]}``: what ``framing score
    --format json`` writes and ``POST /api/score`` returns."""
    docs = []
    for prof in records(profiles):
        group = scored[scored["doc"] == prof["doc"]]
        docs.append({"doc": prof["doc"], "profile": prof, "sentences": records(group)})
    return {"documents": docs}
